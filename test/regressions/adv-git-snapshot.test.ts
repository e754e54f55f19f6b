/**
 * The workspace's git with checkouts an unlucky user has: clean/smudge filters (Git LFS), submodules, a dirty
 * checkout. Real kubectl exec against the test server, real git; the copy script runs with busybox applets only.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureNamespace } from '../../packages/core/src/kube/apply.js';
import type { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import { syncSources } from '../../packages/core/src/workspace/sync.js';
import type { SyncOptions } from '../../packages/core/src/workspace/options.js';
import { useKubeServer } from '../kube-server/harness.js';
import { kubectlOf } from '../kube/project.js';

const NS = 'adv-ai-3';
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

describe('adversarial: git snapshot', () => {
  const h = useKubeServer({ readyDelayMs: 20, execEnv: { PATH: applets } });
  let kubectl: Kubectl;
  let source: string;

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
    // Observed: " M big.dat": the filter config of the checkout is not part of the snapshot.
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
