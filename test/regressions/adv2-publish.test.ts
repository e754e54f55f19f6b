/**
 * Adversarial: publishChange / readAgentChange with real git, a bare repo as remote, a workspace dir as the slot.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readAgentChange } from '../../packages/core/src/agent-run/change.js';
import { Git, publishChange } from '../../packages/core/src/git/index.js';
import { ChildProcessRunner } from '../../packages/core/src/kube/runner.js';
import { tempDir } from '../support/temp-dir.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
  });

function setup(files: Record<string, string> = {}) {
  const root = tempDir('adv2-pub-');
  const bare = path.join(root, 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  const seed = path.join(root, 'seed');
  mkdirSync(seed);
  git(seed, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(seed, 'app.js'), 'v1\n');
  for (const [f, c] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(seed, f)), { recursive: true });
    writeFileSync(path.join(seed, f), c);
  }
  git(seed, 'add', '-A');
  git(seed, 'commit', '-q', '-m', 'seed');
  git(seed, 'push', '-q', bare, 'main');
  const checkout = path.join(root, 'checkout');
  execFileSync('git', ['clone', '-q', bare, checkout]);
  const workspace = path.join(root, 'ws');
  execFileSync('git', ['clone', '-q', bare, workspace]);
  return { root, bare, seed, checkout, workspace };
}

const runner = new ChildProcessRunner();
async function publish(s: ReturnType<typeof setup>, branch = 'codex/issue-1', include?: string[]) {
  const change = await readAgentChange({ kind: 'dir', runner, dir: s.workspace }, { include });
  const files: string[][] = [];
  const res = await publishChange({
    git: new Git(runner, s.checkout),
    base: change.base,
    patch: change.patch,
    branch,
    message: 'codex: x',
    author: { name: 'a', email: 'a@b' },
    beforePush: (f) => {
      files.push(f);
    },
  });
  return { change, res, files };
}

describe('adv2 publish', () => {
  it('a repository that tracks a .codex-k8s/ directory: the agent change must not delete it', async () => {
    const s = setup({ '.codex-k8s/config.yaml': 'keep: me\n', 'sub/.codex-k8s/x': 'keep\n' });
    writeFileSync(path.join(s.workspace, 'app.js'), 'v2\n');
    const { res } = await publish(s);
    expect(res.changed).toBe(true);
    expect(git(s.bare, 'diff', '--name-status', 'main..codex/issue-1').trim()).toBe('M\tapp.js');
  });

  it('the base comes from the untrusted workspace: a base the runner never synced is pushed with its whole history, and beforePush (workflow check) does not see its files', async () => {
    const s = setup();
    // Some commit reachable on the remote (e.g. another branch, or a fork PR's refs/pull/N/head on GitHub).
    git(s.seed, 'checkout', '-q', '-b', 'evil');
    mkdirSync(path.join(s.seed, '.github/workflows'), { recursive: true });
    writeFileSync(path.join(s.seed, '.github/workflows/x.yml'), 'on: push\n');
    git(s.seed, 'add', '-A');
    git(s.seed, 'commit', '-q', '-m', 'evil');
    git(s.seed, 'push', '-q', s.bare, 'evil:refs/pull/9/head');
    const evil = git(s.seed, 'rev-parse', 'HEAD').trim();
    // The agent (prompt-injected) rewrites the synced marker in its own workspace.
    git(s.workspace, 'fetch', '-q', 'origin', 'refs/pull/9/head');
    writeFileSync(path.join(s.workspace, '.git/codex-k8s-synced'), `${evil}\n`);
    git(s.workspace, 'checkout', '-q', evil);
    writeFileSync(path.join(s.workspace, 'app.js'), 'v2\n');
    // A base outside what the job checked out is refused before anything is committed or pushed.
    await expect(publish(s)).rejects.toThrow(/is not part of the checkout's history/);
    expect(git(s.bare, 'for-each-ref', '--format=%(refname)', 'refs/heads').trim()).toBe('refs/heads/main');
  });

  it('a workspace synced from a commit the checkout does not have is refused; the clone stays a full clone', async () => {
    const s = setup();
    // the remote moves on; the workspace was synced from the new commit, the checkout did not fetch it
    writeFileSync(path.join(s.seed, 'app.js'), 'v1b\n');
    git(s.seed, 'commit', '-q', '-am', 'next');
    git(s.seed, 'push', '-q', s.bare, 'main');
    git(s.workspace, 'pull', '-q');
    writeFileSync(path.join(s.workspace, 'app.js'), 'v2\n');
    await expect(publish(s)).rejects.toThrow(/is not part of the checkout's history/);
    expect(existsSync(path.join(s.checkout, '.git/shallow'))).toBe(false);
  });

  it('nothing is left in the runner checkout, not even what a killed run left there', async () => {
    const s = setup();
    // A run killed mid-way leaves its worktree registered (its temp directory is emptied by the runner) and its ref.
    const killed = path.join(s.seed, '..', 'killed-run-tree');
    git(s.checkout, 'worktree', 'add', '--detach', '-q', killed, 'HEAD');
    rmSync(killed, { recursive: true, force: true });
    git(s.checkout, 'update-ref', 'refs/codex-k8s/publish/4242-1', 'HEAD');
    expect(git(s.checkout, 'worktree', 'list').trim().split('\n')).toHaveLength(2);
    writeFileSync(path.join(s.workspace, 'app.js'), 'v2\n');
    await publish(s);
    expect(git(s.checkout, 'for-each-ref', 'refs/codex-k8s').trim()).toBe('');
    expect(git(s.checkout, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect(git(s.checkout, 'status', '--porcelain')).toBe('');
  });

  it('a nested git repository in the workspace is not pushed as a dangling gitlink', async () => {
    const s = setup();
    const nested = path.join(s.workspace, 'vendor/lib');
    mkdirSync(nested, { recursive: true });
    git(nested, 'init', '-q');
    writeFileSync(path.join(nested, 'f'), 'x\n');
    git(nested, 'add', '-A');
    git(nested, 'commit', '-q', '-m', 'n');
    writeFileSync(path.join(s.workspace, 'app.js'), 'v2\n');
    await publish(s);
    const tree = git(s.bare, 'ls-tree', '-r', 'codex/issue-1');
    expect(tree).not.toMatch(/^160000/m);
  });

  it('file names with newlines, quotes, unicode and a symlink survive', async () => {
    const s = setup();
    const names = ['a\nb.txt', 'q"uote\'.txt', 'ü ñ.txt', ' lead space', 'tab\tname'];
    for (const n of names) writeFileSync(path.join(s.workspace, n), n + '\n');
    execFileSync('ln', ['-s', '../../etc/passwd', path.join(s.workspace, 'link')]);
    const { res } = await publish(s);
    const out = git(s.bare, 'diff', '--name-only', '-z', 'main..codex/issue-1').split('\0').filter(Boolean).sort();
    expect(out).toEqual([...names, 'app.js'.replace('app.js', '')].filter(Boolean).concat('link').sort());
    expect(res.files.sort()).toEqual(out);
  });
});
