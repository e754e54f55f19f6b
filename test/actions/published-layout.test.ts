/**
 * `uses: codex-k8s/actions/<name>@v1` must resolve: the runner fetches the repository at the ref, reads
 * `<name>/action.yml` at its top and runs `runs.main` relative to it with `runs.using`. This lays out the published
 * tree the way the release workflow does, commits it and tags v1 in a local repository, checks out the tag, and runs
 * every action from there.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/cli.js';
import { runAction } from '../support/action.js';
import { tempDir } from '../support/temp-dir.js';

const ACTIONS = readdirSync(path.join(REPO_ROOT, 'actions')).filter((n) =>
  existsSync(path.join(REPO_ROOT, 'actions', n, 'action.yml')),
);
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).toString();

/** Each action, started with too little input, must load, read its inputs and fail with its own message. */
const EXPECTED_FAILURE: Record<string, RegExp> = {
  'ensure-slot': /give an issue, a pr or a slot/,
  'ensure-ready': /give an issue, a pr or a slot/,
  cleanup: /say what to clean/,
  apply: /missing\.yaml: file not found/,
  'prompt-run': /works on an issue: pass issue/,
  'review-apply': /give the issue or the pr/,
  'images-build': /missing\.yaml: file not found/,
};

describe('published layout', () => {
  it('resolves and runs every action from a v1 tag, the way the runner does', () => {
    const published = tempDir('ck8s-published-');
    git(published, 'init', '-q', '-b', 'v1');
    const laidOut = execFileSync(process.execPath, [
      path.join(REPO_ROOT, '.github/scripts/publish-layout.mjs'),
      published,
    ])
      .toString()
      .trim()
      .split(' ');
    expect(laidOut.sort()).toEqual([...ACTIONS].sort());
    git(published, 'add', '-A');
    git(published, 'commit', '-qm', 'publish');
    git(published, 'tag', 'v1.0.0');
    // What the runner downloads for `codex-k8s/actions/<name>@v1.0.0`.
    const checkout = tempDir('ck8s-uses-');
    git(checkout, '-c', 'advice.detachedHead=false', 'clone', '-q', '--branch', 'v1.0.0', published, '.');
    return Promise.all(
      ACTIONS.map(async (name) => {
        const meta = parse(readFileSync(path.join(checkout, name, 'action.yml'), 'utf8'));
        expect(meta.runs.using).toBe('node24');
        const main = path.join(checkout, name, meta.runs.main);
        expect(existsSync(main)).toBe(true);
        const inputs: Record<string, string> = {};
        for (const [input, spec] of Object.entries<any>(meta.inputs ?? {})) {
          expect(typeof spec.description).toBe('string');
          if (spec.default !== undefined && !String(spec.default).includes('${{')) inputs[input] = String(spec.default);
        }
        const res = await runAction(main, { ...inputs, config: 'missing.yaml' }, { cwd: checkout });
        expect(res.code).toBe(1);
        expect(res.errors.join('\n')).toMatch(EXPECTED_FAILURE[name]);
      }),
    );
  });

  it('documents every input and output an action reads or writes', () => {
    for (const name of ACTIONS) {
      const meta = parse(readFileSync(path.join(REPO_ROOT, 'actions', name, 'action.yml'), 'utf8'));
      const src = readFileSync(path.join(REPO_ROOT, 'actions', name, 'src', 'main.ts'), 'utf8');
      const read = [...src.matchAll(/(?:Input|getInput)\('([a-z-]+)'/g)].map((m) => m[1]);
      for (const input of read)
        expect([name, input, Object.keys(meta.inputs)]).toEqual([name, input, expect.arrayContaining([input])]);
      // The outputs are the keys of the setOutputs({...}) calls (other objects, such as the status comment's, are not).
      const calls = [...src.matchAll(/setOutputs\(\{([\s\S]*?)\}\)/g)].map((m) => m[1]);
      expect([name, calls.length > 0]).toEqual([name, true]);
      const written = calls.flatMap((c) => [...c.matchAll(/(?:^|[{,\s])'?([a-z][a-z-]*)'?\s*:/g)].map((m) => m[1]));
      expect([name, written.length > 0]).toEqual([name, true]);
      for (const output of written)
        expect([name, output, Object.keys(meta.outputs)]).toEqual([name, output, expect.arrayContaining([output])]);
    }
  });
});
