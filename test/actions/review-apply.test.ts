/**
 * review-apply as the runner runs it, with real git (a local bare repository as the remote, which the fake GitHub's
 * branches follow), the agent's change made in the slot workspace of the test cluster (synced by the real source
 * sync, read back over real kubectl exec), and the fake GitHub for the pull request and the status comment.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { decodeState } from '../../packages/core/src/github/index.js';
import type { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import { syncSources } from '../../packages/core/src/workspace/sync.js';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/index.js';
import { useKubeServer } from '../kube-server/harness.js';
import { kubectlOf } from '../kube/project.js';
import { actionMain, runAction, type ActionRun } from '../support/action.js';
import { agentDeployment } from '../support/agent-deployment.js';
import { tempDir } from '../support/temp-dir.js';

const TOOLS = path.resolve('.tools/bin');
const TOKEN = 'ghs_reviewApplyToken00000000000000000000001';
const NO_WORKFLOW = 'ghp_classicWithoutWorkflow0000000000000001';
const NS = 'shop-ai-1';
const CONFIG = `project: shop
namespace:
  patterns:
    ai: "{{ .Project }}-ai-{{ .Slot }}"
state:
  configmapNamespace: codex-system
environments:
  ai: {}
services: []
`;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
  });

describe('review-apply', () => {
  const h = useKubeServer({ readyDelayMs: 20 });
  let gh: FakeGitHub;
  let kubectl: Kubectl;
  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.state.addToken(TOKEN, { login: 'github-actions[bot]' });
    gh.state.addToken(NO_WORKFLOW, { login: 'maria' });
  });
  afterAll(async () => {
    await gh.close();
  });

  interface Setup {
    bare: string;
    checkout: string;
    workspace: string;
    issue: number;
    repo: string;
    gitLog: string;
  }

  /** A remote with a project, the runner's clone of it, the slot workspace synced from it, the agent pod. */
  async function setup(): Promise<Setup> {
    kubectl = kubectlOf(h);
    const root = tempDir('review-apply-');
    const repo = `acme/shop-${path.basename(root).slice(-6).toLowerCase()}`;
    gh.state.addRepo({ owner: 'acme', name: repo.split('/')[1], defaultBranch: 'main' });
    gh.state.setPermission(repo, 'maria', 'write');
    const bare = path.join(root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    gh.state.linkGitRemote(repo, bare);
    const seed = path.join(root, 'seed');
    mkdirSync(seed);
    git(seed, 'init', '-q', '-b', 'main');
    writeFileSync(path.join(seed, 'services.yaml'), CONFIG);
    writeFileSync(path.join(seed, 'README.md'), '# shop\n');
    writeFileSync(path.join(seed, 'app.js'), 'console.log("v1");\n');
    writeFileSync(path.join(seed, 'old-name.txt'), 'to be renamed\n');
    writeFileSync(path.join(seed, 'gone.txt'), 'to be deleted\n');
    writeFileSync(path.join(seed, 'run.sh'), '#!/bin/sh\necho run\n');
    git(seed, 'add', '-A');
    git(seed, 'commit', '-q', '-m', 'shop');
    git(seed, 'push', '-q', bare, 'main');
    const checkout = path.join(root, 'checkout');
    execFileSync('git', ['clone', '-q', bare, checkout]);
    const issue = gh.state.addIssue(repo, { title: 'Add a cart', body: 'please', author: 'maria' }).number;

    // The slot: namespace, workspace PVC, the sources synced with their .git, and the agent pod.
    await kubectl.run(['apply', '-f', '-'], {
      input: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'shop-workspace', namespace: NS },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ]
        .map((d) => JSON.stringify(d))
        .join('\n---\n'),
    });
    await syncSources(kubectl, {
      namespace: NS,
      source: checkout,
      codeRootBase: '/workspace/slots',
      slot: 1,
      env: 'ai',
      pvc: 'shop-workspace',
    });
    await kubectl.run(['apply', '-f', '-'], {
      input: JSON.stringify(agentDeployment(NS, { claim: 'shop-workspace', subPath: 'slots/1/src' })),
    });
    const workspace = path.join(h.server.pvcDir(NS, 'shop-workspace'), 'slots', '1', 'src');
    expect(existsSync(path.join(workspace, '.git'))).toBe(true);

    // A git on PATH that records every argv the action gives it.
    const shim = path.join(root, 'shim');
    mkdirSync(shim);
    const gitLog = path.join(root, 'git-argv.log');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(path.join(shim, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${gitLog}'\nexec '${realGit}' "$@"\n`);
    chmodSync(path.join(shim, 'git'), 0o755);
    return { bare, checkout, workspace, issue, repo, gitLog };
  }

  const act = (s: Setup, inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> =>
    runAction(
      actionMain('review-apply'),
      { config: 'services.yaml', slot: '1', ...inputs },
      {
        cwd: s.checkout,
        timeoutMs: 120_000,
        env: {
          KUBECONFIG: h.kubeconfig,
          PATH: `${path.dirname(s.gitLog)}/shim:${TOOLS}:${process.env.PATH}`,
          KUBECACHEDIR: path.join(h.dir, 'cache'),
          GITHUB_TOKEN: TOKEN,
          GITHUB_API_URL: gh.url,
          GITHUB_SERVER_URL: 'https://github.example',
          GITHUB_REPOSITORY: s.repo,
          GITHUB_RUN_ID: '777',
          GITHUB_ACTOR: 'maria',
          ...env,
        },
      },
    );
  const branchHead = (s: Setup, branch: string) =>
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], {
      cwd: s.bare,
      encoding: 'utf8',
    }).trim();
  const show = (s: Setup, rev: string, file: string) => git(s.bare, 'show', `${rev}:${file}`);

  it('creates the branch, one commit and a PR closing the issue; a second run updates the same PR', async () => {
    const s = await setup();
    writeFileSync(path.join(s.workspace, 'app.js'), 'console.log("v2");\n');
    writeFileSync(path.join(s.workspace, 'cart.js'), 'export const cart = [];\n');
    const first = await act(s, { issue: String(s.issue) });
    expect(first.errors).toEqual([]);
    const branch = `codex/issue-${s.issue}`;
    expect(first.outputs).toMatchObject({ branch, changed: 'true', 'pr-number': expect.stringMatching(/^\d+$/) });
    const head1 = branchHead(s, branch);
    expect(first.outputs['commit-sha']).toBe(head1);
    expect(git(s.bare, 'log', '--format=%an <%ae>|%s', `main..${branch}`).trim()).toBe(
      'codex-agent <codex-agent@users.noreply.github.com>|codex: Add a cart',
    );
    expect(git(s.bare, 'diff', '--name-status', `main..${branch}`).trim().split('\n').sort()).toEqual([
      'A\tcart.js',
      'M\tapp.js',
    ]);
    const pr = gh.state.pull(s.repo, Number(first.outputs['pr-number']));
    expect(pr.body).toContain(`Closes #${s.issue}`);
    expect(pr.pull.head.ref).toBe(branch);
    // The default token: the summary and the comment say CI will not run, and how to change it.
    expect(first.summary).toMatch(/CI will not run on this PR.*push-token/);
    const state = decodeState(gh.state.commentsOf(s.repo, s.issue)[0].body);
    expect(state).toMatchObject({ phase: 'pr-updated', pr: { number: pr.number } });
    expect(state?.note).toMatch(/CI will not run/);

    // More work: an edit, a deleted file, a renamed file, an executable bit, a binary file.
    writeFileSync(path.join(s.workspace, 'README.md'), '# shop\nwith a cart\n');
    rmSync(path.join(s.workspace, 'gone.txt'));
    renameSync(path.join(s.workspace, 'old-name.txt'), path.join(s.workspace, 'new-name.txt'));
    chmodSync(path.join(s.workspace, 'run.sh'), 0o755);
    const binary = Buffer.from([0, 1, 2, 255, 254, 0, 10, 13, 0x80]);
    writeFileSync(path.join(s.workspace, 'logo.bin'), binary);
    const second = await act(s, { issue: String(s.issue) });
    expect(second.errors).toEqual([]);
    expect(second.outputs['pr-number']).toBe(first.outputs['pr-number']);
    const head2 = branchHead(s, branch);
    expect(git(s.bare, 'rev-parse', `${head2}~1`).trim()).toBe(head1);
    expect(git(s.bare, 'diff', '--name-status', '-M', head1, head2).trim().split('\n').sort()).toEqual([
      'A\tlogo.bin',
      'D\tgone.txt',
      'M\tREADME.md',
      'M\trun.sh',
      'R100\told-name.txt\tnew-name.txt',
    ]);
    expect(git(s.bare, 'ls-tree', head2, 'run.sh').split(' ')[0]).toBe('100755');
    expect(execFileSync('git', ['cat-file', 'blob', `${head2}:logo.bin`], { cwd: s.bare })).toEqual(binary);
    expect([...gh.state.repo(s.repo).issues.values()].filter((i) => i.pull)).toHaveLength(1);

    // The token is in no argv, no .git/config, no file of the workspace.
    const argv = readFileSync(s.gitLog, 'utf8');
    expect(argv).toContain('push');
    expect(argv).not.toContain(TOKEN);
    expect(readFileSync(path.join(s.checkout, '.git', 'config'), 'utf8')).not.toContain(TOKEN);
    for (const e of h.server.execs) expect(e.command.join(' ')).not.toContain(TOKEN);
    for (const f of readdirSync(s.workspace, { recursive: true, withFileTypes: true }))
      if (f.isFile()) expect(readFileSync(path.join(f.parentPath, f.name), 'latin1')).not.toContain(TOKEN);
    // The runner's own checkout is left as it was.
    expect(git(s.checkout, 'status', '--porcelain')).toBe('');
  });

  it('the remote branch moved: the change is rebased onto it; a conflicting move fails and keeps a backup', async () => {
    const s = await setup();
    writeFileSync(path.join(s.workspace, 'app.js'), 'console.log("agent");\n');
    const first = await act(s, { issue: String(s.issue) });
    expect(first.errors).toEqual([]);
    const branch = `codex/issue-${s.issue}`;

    // A person pushes to the branch (another file), and the agent works on.
    const other = path.join(path.dirname(s.bare), 'person');
    execFileSync('git', ['clone', '-q', '-b', branch, s.bare, other]);
    writeFileSync(path.join(other, 'NOTES.md'), 'by a person\n');
    git(other, 'add', '-A');
    git(other, 'commit', '-q', '-m', 'notes');
    git(other, 'push', '-q', 'origin', branch);
    writeFileSync(path.join(s.workspace, 'cart.js'), 'export const cart = 1;\n');
    const rebased = await act(s, { issue: String(s.issue) });
    expect(rebased.errors).toEqual([]);
    expect(rebased.stdout).toMatch(/rebased onto the moved branch/);
    const head = branchHead(s, branch);
    expect(show(s, head, 'NOTES.md')).toBe('by a person\n');
    expect(show(s, head, 'cart.js')).toBe('export const cart = 1;\n');
    expect(show(s, head, 'app.js')).toBe('console.log("agent");\n');

    // The person changes the same line the agent changes again: a conflict.
    git(other, 'pull', '-q', '--rebase', 'origin', branch);
    writeFileSync(path.join(other, 'app.js'), 'console.log("person");\n');
    git(other, 'commit', '-q', '-am', 'person edits app.js');
    git(other, 'push', '-q', 'origin', branch);
    const personHead = branchHead(s, branch);
    writeFileSync(path.join(s.workspace, 'app.js'), 'console.log("agent, again");\n');
    const conflict = await act(s, { issue: String(s.issue) });
    expect(conflict.code).toBe(1);
    expect(conflict.errors.join('\n')).toMatch(/conflicts with what was pushed to codex\/issue-\d+ since \(app\.js\)/);
    const backup = /kept on the branch (codex\/backup\/\S+)\./.exec(conflict.errors.join('\n'))?.[1];
    expect(backup).toBeTruthy();
    expect(show(s, backup!, 'app.js')).toBe('console.log("agent, again");\n');
    expect(branchHead(s, branch)).toBe(personHead);
    const state = decodeState(gh.state.commentsOf(s.repo, s.issue)[0].body);
    expect(state).toMatchObject({ phase: 'failed', failure: { step: 'review-apply' } });
  });

  it('links the pull request to the slot record of the issue', async () => {
    const s = await setup();
    const claimed = await runAction(
      actionMain('ensure-slot'),
      { config: 'services.yaml', issue: String(s.issue) },
      {
        cwd: s.checkout,
        timeoutMs: 60_000,
        env: {
          KUBECONFIG: h.kubeconfig,
          PATH: `${TOOLS}:${process.env.PATH}`,
          KUBECACHEDIR: path.join(h.dir, 'cache'),
        },
      },
    );
    expect(claimed.outputs.slot).toBe('1');
    writeFileSync(path.join(s.workspace, 'app.js'), 'console.log("linked");\n');
    const res = await act(s, { issue: String(s.issue) });
    expect(res.errors).toEqual([]);
    const record = h.server.store.get('ConfigMap', 'codex-system', 'codex-env-1');
    expect(record?.data).toMatchObject({ issue: String(s.issue), pr: res.outputs['pr-number'] });
  });

  it('no change: changed=false and no commit', async () => {
    const s = await setup();
    const res = await act(s, { issue: String(s.issue) });
    expect(res.errors).toEqual([]);
    expect(res.outputs).toMatchObject({ changed: 'false', 'pr-number': '' });
    expect(git(s.bare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads').trim()).toBe('main');
  });

  it('a workflow change with a token lacking the workflow scope stops before pushing, and says why', async () => {
    const s = await setup();
    mkdirSync(path.join(s.workspace, '.github', 'workflows'), { recursive: true });
    writeFileSync(path.join(s.workspace, '.github', 'workflows', 'x.yml'), 'on: push\n');
    const res = await act(s, { issue: String(s.issue), 'push-token': NO_WORKFLOW });
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).toMatch(
      /changed \.github\/workflows\/x\.yml.*without "workflow": nothing was pushed/,
    );
    expect(git(s.bare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads').trim()).toBe('main');
    const state = decodeState(gh.state.commentsOf(s.repo, s.issue)[0].body);
    expect(state?.failure?.reason).toMatch(/workflow/);
    // include leaves the workflow out, and the rest goes through.
    writeFileSync(path.join(s.workspace, 'app.js'), 'console.log("v3");\n');
    const narrowed = await act(s, { issue: String(s.issue), 'push-token': NO_WORKFLOW, include: 'app.js' });
    expect(narrowed.errors).toEqual([]);
    expect(git(s.bare, 'diff', '--name-only', `main..codex/issue-${s.issue}`).trim()).toBe('app.js');
    expect(narrowed.summary).not.toMatch(/CI will not run/);
  });

  it('workdir: a runner that mounts the workspace reads the change there, without kubectl', async () => {
    const s = await setup();
    writeFileSync(path.join(s.workspace, 'app.js'), 'console.log("mounted");\n');
    const since = h.server.execs.length;
    const res = await act(s, { issue: String(s.issue), workdir: s.workspace, slot: '', config: 'missing.yaml' });
    expect(res.errors).toEqual([]);
    expect(res.outputs.changed).toBe('true');
    expect(show(s, `codex/issue-${s.issue}`, 'app.js')).toBe('console.log("mounted");\n');
    expect(h.server.execs.length).toBe(since);
  });

  it('cut off between the push and the PR (GitHub failing): the rerun opens the PR for the pushed branch', async () => {
    const s = await setup();
    writeFileSync(path.join(s.workspace, 'app.js'), 'console.log("v2");\n');
    gh.fail({ method: 'POST', path: /\/pulls$/, status: 502, times: 10 });
    const first = await act(s, { issue: String(s.issue) });
    gh.clearFaults();
    expect(first.code).toBe(1);
    const branch = `codex/issue-${s.issue}`;
    const pushed = branchHead(s, branch);
    const second = await act(s, { issue: String(s.issue) });
    expect(second.errors).toEqual([]);
    expect(second.outputs).toMatchObject({ changed: 'false', 'commit-sha': pushed });
    const pr = gh.state.pull(s.repo, Number(second.outputs['pr-number']));
    expect(pr.pull.head.ref).toBe(branch);
    expect(branchHead(s, branch)).toBe(pushed);
  });

  it('branch, base, commit-message, author, pr-title, pr-body and draft shape what is pushed and opened', async () => {
    const s = await setup();
    git(path.join(s.checkout), 'push', '-q', 'origin', 'main:release');
    const title = gh.state.issue(s.repo, s.issue).title;
    writeFileSync(path.join(s.workspace, 'app.js'), 'console.log("shaped");\n');
    const res = await act(s, {
      issue: String(s.issue),
      branch: 'agent/cart',
      base: 'release',
      'commit-message': 'feat: {{title}} ({{branch}})',
      'author-name': 'Robo Dev',
      'author-email': 'robo@example.com',
      'pr-title': '[agent] {{title}} `{{branch}}`',
      'pr-body': 'Fixes #{{issue}} on {{branch}}',
      draft: 'true',
    });
    expect(res.errors).toEqual([]);
    expect(res.outputs.branch).toBe('agent/cart');
    expect(git(s.bare, 'log', '-1', '--format=%an <%ae>|%s', 'agent/cart').trim()).toBe(
      `Robo Dev <robo@example.com>|feat: ${title} (agent/cart)`,
    );
    const pr = gh.state.pull(s.repo, Number(res.outputs['pr-number']));
    expect(pr).toMatchObject({ title: `[agent] ${title} \`agent/cart\``, body: `Fixes #${s.issue} on agent/cart` });
    expect(pr.pull).toMatchObject({ draft: true, base: { ref: 'release' } });
    // An issue title with placeholders and shell text is used as it is (replaced once, run nowhere).
    const odd = gh.state.addIssue(s.repo, { title: 'Fix `rm -rf` {{branch}} $(id)', author: 'maria' }).number;
    writeFileSync(path.join(s.workspace, 'app.js'), 'console.log("odd");\n');
    const oddRun = await act(s, { issue: String(odd) });
    expect(oddRun.errors).toEqual([]);
    expect(gh.state.pull(s.repo, Number(oddRun.outputs['pr-number'])).title).toBe('Fix `rm -rf` {{branch}} $(id)');
  });

  it('dry-run reads the change and pushes, commits and opens nothing', async () => {
    const s = await setup();
    writeFileSync(path.join(s.workspace, 'app.js'), 'console.log("dry");\n');
    const pullsBefore = [...gh.state.repo(s.repo).issues.values()].filter((i) => i.pull).length;
    const res = await act(s, { issue: String(s.issue), 'dry-run': 'true' });
    expect(res.errors).toEqual([]);
    expect(res.outputs).toMatchObject({ changed: 'true', 'pr-number': '', 'commit-sha': '' });
    expect(res.stdout).toMatch(/dry-run=true: would commit the change to codex\/issue-\d+ and push it/);
    expect(git(s.bare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads').trim()).toBe('main');
    expect([...gh.state.repo(s.repo).issues.values()].filter((i) => i.pull)).toHaveLength(pullsBefore);
    expect(gh.state.commentsOf(s.repo, s.issue)).toHaveLength(0);
    expect(git(s.checkout, 'status', '--porcelain')).toBe('');
  });

  it("a fork's PR is refused without allow-fork", async () => {
    const s = await setup();
    const pr = gh.state.addPull(s.repo, {
      title: 'From a fork',
      author: 'stranger',
      head: 'feature',
      headRepo: 'stranger/shop',
    });
    writeFileSync(path.join(s.workspace, 'app.js'), 'console.log("x");\n');
    const res = await act(s, { pr: String(pr.number) });
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).toMatch(/comes from the fork stranger\/shop.*allow-fork: true/);
  });
});
