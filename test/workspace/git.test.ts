/**
 * The synced workspace is a git repository: inside the agent pod (real kubectl exec against the test server, real
 * git), HEAD is the runner's commit, `git status` is clean after the sync and shows exactly what the agent changed.
 * The copy script runs with busybox applets only, as in the sync pod.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureNamespace } from '../../packages/core/src/kube/apply.js';
import type { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import { syncSources } from '../../packages/core/src/workspace/sync.js';
import type { SyncOptions } from '../../packages/core/src/workspace/options.js';
import { useKubeServer } from '../kube-server/harness.js';
import { kubectlOf } from '../kube/project.js';

const NS = 'shop-ai-3';
const PVC = 'workspace';
const GIT = ['/usr/bin/git', '/bin/git'].find((g) => existsSync(g));
if (!GIT) throw new Error('git is not installed: run bash test/setup/install-tools.sh');
const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((b) => existsSync(b));
if (!busybox) throw new Error('busybox is not installed: run bash test/setup/install-tools.sh');
const applets = mkdtempSync(join(tmpdir(), 'git-sync-busybox-'));
for (const name of execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean))
  symlinkSync(busybox, join(applets, name));
afterAll(() => rmSync(applets, { recursive: true, force: true }));

/** git on the runner side, with a fixed identity and no user config. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync(GIT!, ['-c', 'user.name=Runner', '-c', 'user.email=runner@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = join(root, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

describe('the synced workspace is a git repository', () => {
  const h = useKubeServer({ readyDelayMs: 20, execEnv: { PATH: applets } });
  let kubectl: Kubectl;
  let source: string;
  let target: string;

  async function prepare(files: Record<string, string>): Promise<string> {
    kubectl = kubectlOf(h);
    expect(await ensureNamespace(kubectl, NS)).toBe('created');
    await kubectl.run(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: PVC, namespace: NS },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      }),
    });
    source = join(h.dir, 'checkout');
    mkdirSync(source);
    git(source, 'init', '-q', '-b', 'main');
    writeTree(source, files);
    git(source, 'add', '-A');
    git(source, 'commit', '-q', '-m', 'first');
    target = join(h.server.pvcDir(NS, PVC), 'slots', '3', 'src');
    return git(source, 'rev-parse', 'HEAD').trim();
  }

  const options = (extra: Partial<SyncOptions> = {}): SyncOptions => ({
    namespace: NS,
    source,
    codeRootBase: '/workspace/slots',
    slot: 3,
    env: 'ai',
    workspaceMount: '/workspace',
    pvc: PVC,
    ...extra,
  });

  async function startAgentPod(): Promise<void> {
    await kubectl.run(['create', '-n', NS, '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'agent', namespace: NS },
        spec: {
          containers: [
            {
              name: 'codex',
              image: 'agent',
              command: ['sleep', 'infinity'],
              workingDir: '/workspace',
              volumeMounts: [{ name: 'ws', mountPath: '/workspace', subPath: 'slots/3/src' }],
            },
          ],
          volumes: [{ name: 'ws', persistentVolumeClaim: { claimName: PVC } }],
        },
      }),
    });
    await kubectl.run(['wait', '-n', NS, '--for=condition=Ready', 'pod/agent', '--timeout=30s']);
  }

  /** git inside the agent pod, in its working directory (the workspace). */
  const podGit = (...args: string[]): Promise<string> =>
    kubectl.run(['exec', '-n', NS, 'agent', '-c', 'codex', '--', GIT!, ...args]);
  const podSh = (script: string): Promise<string> =>
    kubectl.run(['exec', '-n', NS, 'agent', '-c', 'codex', '--', 'sh', '-c', script]);

  it("after the sync, HEAD in the pod is the runner's commit and git status is clean", async () => {
    const commit = await prepare({
      'README.md': '# shop\n',
      'services/web/index.js': 'console.log(1);\n',
      'bin/run.sh': '#!/bin/sh\necho run\n',
      'notes.log': 'tracked but excluded from the copy\n',
    });
    execFileSync('chmod', ['+x', join(source, 'bin/run.sh')]);
    git(source, 'commit', '-q', '-am', 'executable');
    const head = git(source, 'rev-parse', 'HEAD').trim();
    expect(head).not.toBe(commit);

    const result = await syncSources(kubectl, options({ excludes: ['*.log'] }));
    expect(result.commit).toBe(head);
    await startAgentPod();
    expect((await podGit('rev-parse', 'HEAD')).trim()).toBe(head);
    // The tracked file left out of the copy is not reported as deleted.
    expect(await podGit('status', '--porcelain')).toBe('');
    expect((await podGit('rev-parse', '--is-shallow-repository')).trim()).toBe('true');
    expect((await podGit('log', '--format=%s')).trim()).toBe('executable');
    expect(existsSync(join(target, 'notes.log'))).toBe(false);

    // What the agent changes is exactly what git shows.
    await podSh(
      'echo "console.log(2);" > services/web/index.js && rm README.md && echo new > added.txt && chmod -x bin/run.sh',
    );
    expect((await podGit('status', '--porcelain')).split('\n').filter(Boolean).sort()).toEqual([
      ' D README.md',
      ' M bin/run.sh',
      ' M services/web/index.js',
      '?? added.txt',
    ]);
    const diff = await podGit('diff', '--', 'services/web/index.js');
    expect(diff).toContain('-console.log(1);\n+console.log(2);');
    // The agent runner's own directory is not the agent's work.
    await podSh('mkdir -p .codex-k8s/runs/1 && echo {} > .codex-k8s/runs/1/events.jsonl');
    expect(await podGit('status', '--porcelain', '--', '.codex-k8s')).toBe('');
  });

  it('what is sent grows with the tree, not with the history', async () => {
    const big = (seed: number) => Array.from({ length: 4000 }, (_, i) => `line ${i} ${(i * seed) % 9973}`).join('\n');
    await prepare({ 'data.txt': big(1), 'README.md': 'x\n' });
    const first = await syncSources(kubectl, options({ git: true }));
    // 40 more commits, each rewriting the big file: the history grows about 40 times, the tree stays the same size.
    for (let i = 2; i <= 41; i++) {
      writeFileSync(join(source, 'data.txt'), big(i));
      git(source, 'commit', '-q', '-am', `rewrite ${i}`);
    }
    writeFileSync(join(source, 'data.txt'), big(1));
    git(source, 'commit', '-q', '-am', 'back to the first content');
    const later = await syncSources(kubectl, options());
    const withoutGit = await syncSources(kubectl, options({ git: false }));
    const ratio = later.archiveBytes / first.archiveBytes;
    console.log(
      `git snapshot: archive ${first.archiveBytes} B at 1 commit, ${later.archiveBytes} B at 42 commits ` +
        `(ratio ${ratio.toFixed(2)}), ${withoutGit.archiveBytes} B without git`,
    );
    expect(ratio).toBeLessThan(1.3);
    expect(later.archiveBytes).toBeLessThan(withoutGit.archiveBytes * 3);
  });

  it('a re-sync moves HEAD to the new commit and keeps a commit the agent made as a branch', async () => {
    await prepare({ 'README.md': '# shop\n', 'a.txt': 'a\n' });
    await syncSources(kubectl, options());
    await startAgentPod();
    // The agent commits its work (detached HEAD), then the runner moves on to a commit that contains the same change.
    await podSh('echo "agent line" >> a.txt');
    await podGit('-c', 'user.name=Agent', '-c', 'user.email=agent@example.com', 'commit', '-q', '-am', 'agent work');
    const agentCommit = (await podGit('rev-parse', 'HEAD')).trim();
    writeFileSync(join(source, 'a.txt'), 'a\nagent line\n');
    git(source, 'commit', '-q', '-am', 'runner has it too');
    const next = git(source, 'rev-parse', 'HEAD').trim();

    const warnings: string[] = [];
    const result = await syncSources(
      kubectl,
      options({ reporter: { info: () => undefined, debug: () => undefined, warning: (m) => warnings.push(m) } }),
    );
    expect(result.commit).toBe(next);
    expect((await podGit('rev-parse', 'HEAD')).trim()).toBe(next);
    expect(await podGit('status', '--porcelain')).toBe('');
    const saved = (await podGit('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/codex-k8s')).trim();
    expect(saved).toMatch(new RegExp(`^refs/heads/codex-k8s/saved-\\d{8}T\\d{6}Z ${agentCommit}$`));
    expect(warnings.join('\n')).toContain(agentCommit);
    // Both commits' objects are there: the agent's commit can still be shown.
    expect(await podGit('show', '--format=%s', '--no-patch', agentCommit)).toContain('agent work');
    expect(
      readFileSync(join(target, '.git', 'shallow'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(2);
  });

  it('a source that is not the top of a work tree is synced without .git', async () => {
    await prepare({ 'app/README.md': '# app\n', 'other.txt': 'o\n' });
    const result = await syncSources(kubectl, options({ source: join(source, 'app') }));
    expect(result.commit).toBeUndefined();
    expect(existsSync(join(target, 'README.md'))).toBe(true);
    expect(existsSync(join(target, '.git'))).toBe(false);
  });

  it('a checkout with a clean/smudge filter (git lfs install --local, as actions/checkout lfs: true does) is clean in the pod', async () => {
    await prepare({ '.gitattributes': '*.dat filter=upper\n', 'README.md': 'x\n' });
    git(source, 'config', 'filter.upper.clean', 'tr a-z A-Z');
    git(source, 'config', 'filter.upper.smudge', 'tr A-Z a-z');
    writeFileSync(join(source, 'big.dat'), 'binary content\n');
    git(source, 'add', 'big.dat');
    git(source, 'commit', '-q', '-m', 'dat');
    expect(git(source, 'status', '--porcelain')).toBe('');
    await syncSources(kubectl, options());
    await startAgentPod();
    // The checkout's filter settings travel with the snapshot, so the pod's git reads the file as the runner's does.
    expect(await podGit('status', '--porcelain')).toBe('');
  });

  it('a checkout with an initialised submodule: git works in the pod and status is clean', async () => {
    const lib = join(h.dir, 'lib');
    mkdirSync(lib);
    git(lib, 'init', '-q', '-b', 'main');
    writeTree(lib, { 'lib.txt': 'lib\n' });
    git(lib, 'add', '-A');
    git(lib, 'commit', '-q', '-m', 'lib');
    await prepare({ 'README.md': 'x\n' });
    git(source, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', lib, 'vendor/lib');
    git(source, 'commit', '-q', '-m', 'submodule');
    expect(git(source, 'status', '--porcelain')).toBe('');
    await syncSources(kubectl, options());
    await startAgentPod();
    const status = await podSh(`${GIT} status --porcelain=v1 -z --untracked-files=all; echo rc=$?`).catch(
      (e: Error) => `ERR ${e.message}`,
    );
    expect(status).toBe('rc=0\n');
  });

  it('a dirty checkout arrives as it is on the runner: HEAD is the commit, its changes show in git status', async () => {
    // What the agent changed is measured against the work tree before its run (prompt-run's baseline, see
    // test/agent/run-agent.test.ts), so changes an earlier step made on the runner are not counted as the agent's.
    await prepare({ 'README.md': 'x\n', 'a.txt': 'a\n' });
    writeFileSync(join(source, 'a.txt'), 'a changed on the runner by an earlier step\n');
    writeFileSync(join(source, 'generated.txt'), 'untracked, not ignored\n');
    await syncSources(kubectl, options());
    await startAgentPod();
    expect((await podGit('status', '--porcelain')).split('\n').filter(Boolean).sort()).toEqual([
      ' M a.txt',
      '?? generated.txt',
    ]);
  });
});
