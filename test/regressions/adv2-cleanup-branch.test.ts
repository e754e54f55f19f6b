/** Adversarial: cleanup's delete-branch. */
import { describe, expect, it } from '@jest/globals';
import { deleteAgentBranch } from '../../packages/core/src/github/branches.js';

const repo = { owner: 'acme', repo: 'shop' };
function client(deleteRef: () => Promise<unknown>, openPulls: unknown[] = []) {
  return {
    rest: {
      repos: {
        get: async () => ({ data: { default_branch: 'main' } }),
        getBranch: async () => ({ data: { protected: false } }),
      },
      pulls: { list: async () => ({ data: openPulls }) },
      git: { deleteRef },
    },
  } as never;
}

describe('adv2 delete-branch', () => {
  it('a deletion refused by a repository ruleset (422) is not reported as "absent"', async () => {
    const err = Object.assign(new Error('Repository rule violations found\n\nCannot delete this branch'), {
      status: 422,
    });
    const outcome = await deleteAgentBranch(
      client(() => Promise.reject(err)),
      repo,
      'codex/issue-1',
      'main',
    );
    expect(outcome).not.toBe('absent');
  });

  it('a branch with an open pull request is not deleted', async () => {
    let deleted = false;
    const outcome = await deleteAgentBranch(
      client(async () => {
        deleted = true;
      }, [{ number: 7, state: 'open', head: { ref: 'codex/issue-1' } }]),
      repo,
      'codex/issue-1',
      'main',
    );
    expect({ outcome, deleted }).toEqual({ outcome: expect.stringMatching(/^refused/), deleted: false });
  });
});
