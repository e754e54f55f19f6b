/**
 * cleanup's `delete-branch` and `close-linked-issue`, bundled, against the test server and the fake GitHub: only
 * the agent's own branch goes (never the default, a protected one, or another name), the issue of a merged agent PR
 * is closed, an unmerged one's is not, and a dry run changes nothing on GitHub either.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/index.js';
import { useKubeServer } from '../kube-server/harness.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';
import { actionMain, runAction } from '../support/action.js';

const TOOLS = path.resolve('.tools/bin');
const TOKEN = 'ghs_cleanupGithubToken000000000000000000001';
const CONFIG = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai:\n    slotBootstrapInfra: [namespace]\n',
);

describe('cleanup on GitHub: delete-branch and close-linked-issue', () => {
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 50 });
  let gh: FakeGitHub;
  let n = 0;
  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.state.addToken(TOKEN, { login: 'github-actions[bot]' });
  });
  afterAll(async () => {
    await gh.close();
  });
  const newRepo = () => {
    const repo = `acme/shop${++n}`;
    gh.state.addRepo({ owner: 'acme', name: `shop${n}`, defaultBranch: 'main' });
    return repo;
  };
  const act = (repo: string, name: string, root: string, inputs: Record<string, string>) =>
    runAction(
      actionMain(name),
      { config: 'services.yaml', ...inputs },
      {
        cwd: root,
        timeoutMs: 120_000,
        env: {
          KUBECONFIG: h.kubeconfig,
          PATH: `${TOOLS}:${process.env.PATH}`,
          KUBECACHEDIR: path.join(h.dir, 'cache'),
          GITHUB_TOKEN: TOKEN,
          GITHUB_API_URL: gh.url,
          GITHUB_REPOSITORY: repo,
          GITHUB_ACTOR: 'acme',
        },
      },
    );
  const branches = (repo: string) => [...gh.state.repo(repo).branches.keys()].sort();

  it("by PR: the merged agent PR's branch is deleted and its issue closed; dry-run first changes nothing", async () => {
    const repo = newRepo();
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const issue = gh.state.addIssue(repo, { title: 'Cart', author: 'acme' });
    const pr = gh.state.addPull(repo, { title: 'Cart', author: 'acme', head: `codex/issue-${issue.number}` });
    gh.state.pull(repo, pr.number).pull.merged = true;
    gh.state.pull(repo, pr.number).state = 'closed';
    expect((await act(repo, 'ensure-slot', root, { pr: String(pr.number) })).outputs.slot).toBe('1');

    const dry = await act(repo, 'cleanup', root, {
      pr: String(pr.number),
      'delete-branch': 'true',
      'close-linked-issue': 'true',
      'dry-run': 'true',
    });
    expect(dry.errors).toEqual([]);
    expect(dry.summary).toContain(`branch codex/issue-${issue.number}: would delete`);
    expect(dry.summary).toContain(`issue #${issue.number} (PR #${pr.number}): would close`);
    expect(branches(repo)).toContain(`codex/issue-${issue.number}`);
    expect(gh.state.issue(repo, issue.number).state).toBe('open');

    const res = await act(repo, 'cleanup', root, {
      pr: String(pr.number),
      'delete-branch': 'true',
      'close-linked-issue': 'true',
    });
    expect(res.errors).toEqual([]);
    expect(branches(repo)).toEqual(['main']);
    expect(gh.state.issue(repo, issue.number)).toMatchObject({ state: 'closed', stateReason: 'completed' });
  });

  it('an unmerged PR leaves its issue open; without the inputs nothing on GitHub changes', async () => {
    const repo = newRepo();
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const issue = gh.state.addIssue(repo, { title: 'Cart', author: 'acme' });
    const pr = gh.state.addPull(repo, { title: 'Cart', author: 'acme', head: `codex/issue-${issue.number}` });
    gh.state.pull(repo, pr.number).state = 'closed';
    await act(repo, 'ensure-slot', root, { pr: String(pr.number) });
    const plain = await act(repo, 'cleanup', root, { pr: String(pr.number) });
    expect(plain.errors).toEqual([]);
    expect(branches(repo)).toContain(`codex/issue-${issue.number}`);
    const res = await act(repo, 'cleanup', root, {
      pr: String(pr.number),
      'delete-branch': 'true',
      'close-linked-issue': 'true',
    });
    expect(res.errors).toEqual([]);
    expect(res.summary).toContain('left open: PR');
    expect(gh.state.issue(repo, issue.number).state).toBe('open');
    expect(branches(repo)).toEqual(['main']);
  });

  it('never deletes a protected branch, the default branch or a branch that is not the agent’s', async () => {
    const repo = newRepo();
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const issue = gh.state.addIssue(repo, { title: 'Guarded', author: 'acme' });
    gh.state.addBranch(repo, `codex/issue-${issue.number}`, { protected: true });
    const foreign = gh.state.addPull(repo, { title: 'Human', author: 'acme', head: 'feature/human' });
    await act(repo, 'ensure-slot', root, { issue: String(issue.number) });
    const res = await act(repo, 'cleanup', root, { issue: String(issue.number), 'delete-branch': 'true' });
    expect(res.errors).toEqual([]);
    expect(res.summary).toContain(
      `branch codex/issue-${issue.number}: refused: codex/issue-${issue.number} is protected`,
    );
    const byPr = await act(repo, 'cleanup', root, { pr: String(foreign.number), 'delete-branch': 'true' });
    expect(byPr.errors).toEqual([]);
    expect(branches(repo)).toEqual(['codex/issue-1', 'feature/human', 'main']);
  });
});
