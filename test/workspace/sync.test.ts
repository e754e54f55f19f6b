/**
 * Source sync against the Kubernetes API test server with the real kubectl: the pod is created, waited for,
 * exec'd into (the server runs the script as a local process with the PVC mapped to `server.pvcDir`) and deleted.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureNamespace } from '../../packages/core/src/kube/apply.js';
import type { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import { UserError } from '../../packages/core/src/util/errors.js';
import { SyncError, WorkspaceChangedError } from '../../packages/core/src/workspace/errors.js';
import { syncSources, type SyncResult } from '../../packages/core/src/workspace/sync.js';
import type { SyncOptions } from '../../packages/core/src/workspace/options.js';
import { useKubeServer } from '../kube-server/harness.js';
import { KUBECTL_BIN } from '../kube-server/kubectl.js';
import { kubectlOf } from '../kube/project.js';

const NS = 'shop-dev-3';
const PVC = 'workspace';

/*
 * The sync image is busybox, so exec'd processes get busybox applets only (plus the wrapper below) on PATH: the
 * copy script runs here with the same sh, tar, awk and sha256sum as in the pod. Without busybox this file fails
 * (bash test/setup/install-tools.sh installs it).
 */
const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((b) => existsSync(b));
if (!busybox) throw new Error('busybox is not installed: run bash test/setup/install-tools.sh');
const applets = mkdtempSync(join(tmpdir(), 'sync-busybox-'));
for (const name of execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean))
  symlinkSync(busybox, join(applets, name));

/*
 * A wrapper can make the pod-side tar fail after unpacking everything (`fail`) or stall (`hang`) when a mode file
 * says so.
 */
const fakeBin = mkdtempSync(join(tmpdir(), 'sync-fake-bin-'));
const modeFile = join(fakeBin, 'mode');
const realTar = join(applets, 'tar');
writeFileSync(
  join(fakeBin, 'tar'),
  `#!${busybox} sh
mode=$(cat '${modeFile}' 2>/dev/null || true)
case "$mode" in
  hang) exec sleep 6 ;;
  fail) '${realTar}' "$@"; echo "tar: simulated write error" >&2; exit 2 ;;
  *) exec '${realTar}' "$@" ;;
esac
`,
);
chmodSync(join(fakeBin, 'tar'), 0o755);
afterAll(() => {
  for (const d of [fakeBin, applets]) rmSync(d, { recursive: true, force: true });
});
const setTarMode = (mode: '' | 'fail' | 'hang'): void => writeFileSync(modeFile, mode);

function writeTree(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = join(root, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

/** Every file under dir, relative, sorted, with contents. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = join(e.parentPath, e.name);
    out[full.slice(dir.length + 1)] = readFileSync(full, 'utf8');
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

describe('syncSources against the test server', () => {
  const h = useKubeServer({ readyDelayMs: 50, execEnv: { PATH: `${fakeBin}:${applets}` } });

  let kubectl: Kubectl;
  let source: string;
  let envDir: string;
  let target: string;

  /** What ensure-ready does first: the slot's namespace and its workspace PVC, then the sync. */
  async function prepare(): Promise<void> {
    setTarMode('');
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
    writeTree(source, {
      'README.md': '# shop\n',
      'services.yaml': 'project: shop\n',
      'src/api/main.go': 'package main\n',
      'src/web/app/page.tsx': 'export default 1;\n',
      'deploy/a b/with space.yaml': 'x: 1\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/objects/ab/cdef': 'blob',
      'node_modules/left-pad/index.js': 'module.exports = 1;\n',
      'web/dist/bundle.js': 'bundle',
      'notes.log': 'noise',
    });
    mkdirSync(join(source, 'empty-dir'));
    envDir = join(h.server.pvcDir(NS, PVC), 'codex', 'envs', '3');
    target = join(envDir, 'src');
  }

  const options = (extra: Partial<SyncOptions> = {}): SyncOptions => ({
    namespace: NS,
    source,
    codeRootBase: '/workspace/codex/envs',
    slot: 3,
    env: 'ai',
    workspaceMount: '/workspace',
    pvc: PVC,
    excludes: ['*.log'],
    ...extra,
  });

  const syncPods = () => h.server.store.list('Pod', NS, 'codex-k8s.io/role=source-sync');
  /** Beside src: only the manifest of the last sync (and `saved` after discarded changes). */
  const leftovers = () => readdirSync(envDir).filter((n) => !['src', '.codex-k8s-sync.sha256', 'saved'].includes(n));

  it('copies the checkout without .git and build output into <pvc>/codex/envs/3/src, in 4 kubectl calls', async () => {
    await prepare();
    const before = kubectl.invocations;
    const t0 = Date.now();
    const log: string[] = [];
    const stamp = (m: string) => log.push(`${Date.now() - t0} ms ${m}`);
    const result: SyncResult = await syncSources(
      kubectl,
      options({ reporter: { info: stamp, debug: stamp, warning: stamp } }),
    );
    const elapsed = Date.now() - t0;

    expect(snapshot(target)).toEqual({
      'README.md': '# shop\n',
      'deploy/a b/with space.yaml': 'x: 1\n',
      'services.yaml': 'project: shop\n',
      'src/api/main.go': 'package main\n',
      'src/web/app/page.tsx': 'export default 1;\n',
    });
    expect(existsSync(join(target, 'empty-dir'))).toBe(true);
    expect(existsSync(join(target, '.git'))).toBe(false);
    expect(result).toMatchObject({ target: '/workspace/codex/envs/3/src', files: 5, kubectlCalls: 4 });
    expect(result.bytes).toBe(7 + 5 + 14 + 13 + 18);
    expect(result.podName).toMatch(/^codex-k8s-sync-[0-9a-f]{10}$/);
    expect(kubectl.invocations - before).toBe(4);
    expect(leftovers()).toEqual([]);
    expect(syncPods()).toEqual([]);

    // The exec got the target as $1 (rewritten to the PVC dir by the server), never inside the script text.
    const exec = h.server.execs.find((e) => e.pod === result.podName)!;
    expect(exec.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(exec.command[2]).not.toContain('/workspace');
    expect(exec.command.slice(3, 5)).toEqual(['sh', '/workspace/codex/envs/3/src']);
    expect(exec.exitCode).toBe(0);
    expect(log.map((l) => l.replace(/^\d+ ms /, '').split(' ')[0])).toEqual([
      'Syncing',
      'source',
      'source',
      'source',
      'source',
      'Synced',
    ]);
    console.log(
      `source sync: ${result.durationMs} ms (${elapsed} ms around the call), ${result.kubectlCalls} kubectl calls`,
    );
  });

  it('a second sync updates the tree in place: files deleted from the sources go, files no sync wrote stay', async () => {
    await prepare();
    await syncSources(kubectl, options());
    const inode = statSync(target).ino;
    writeFileSync(join(target, 'agent-scratch.txt'), 'written by the agent');
    rmSync(join(source, 'src', 'api'), { recursive: true });
    writeFileSync(join(source, 'README.md'), '# shop v2\n');
    writeFileSync(join(source, 'CHANGELOG.md'), 'new\n');

    const second = await syncSources(kubectl, options());
    expect(statSync(target).ino).toBe(inode);
    expect(snapshot(target)).toEqual({
      'CHANGELOG.md': 'new\n',
      'README.md': '# shop v2\n',
      'agent-scratch.txt': 'written by the agent',
      'deploy/a b/with space.yaml': 'x: 1\n',
      'services.yaml': 'project: shop\n',
      'src/web/app/page.tsx': 'export default 1;\n',
    });
    expect(second.files).toBe(5);
    expect(leftovers()).toEqual([]);
    expect(syncPods()).toEqual([]);
  });

  it('a copy that fails in the pod leaves the previous content and no incoming dir, and deletes the pod', async () => {
    await prepare();
    await syncSources(kubectl, options());
    const previous = snapshot(target);
    writeFileSync(join(source, 'README.md'), 'changed\n');

    setTarMode('fail');
    const before = kubectl.invocations;
    const err = await syncSources(kubectl, options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect((err as SyncError).step).toBe('copy');
    expect((err as SyncError).timedOut).toBe(false);
    expect((err as Error).message).toContain('simulated write error');
    expect((err as Error).message).toContain('/workspace/codex/envs/3/src keeps its previous content');
    // create, wait, exec, cleanup exec, delete
    expect(kubectl.invocations - before).toBe(5);
    expect(snapshot(target)).toEqual(previous);
    expect(leftovers()).toEqual([]);
    expect(syncPods()).toEqual([]);
  });

  it('an exec the API server refuses leaves the previous content and deletes the pod', async () => {
    await prepare();
    await syncSources(kubectl, options());
    const previous = snapshot(target);
    writeFileSync(join(source, 'README.md'), 'changed\n');
    h.server.failNext(1, 500, undefined, { path: '/exec' });
    const err = await syncSources(kubectl, options()).catch((e: unknown) => e);
    h.server.clearFaults();
    expect(err).toBeInstanceOf(SyncError);
    expect((err as SyncError).step).toBe('copy');
    expect((err as Error).message).toContain('unable to upgrade connection');
    expect(snapshot(target)).toEqual(previous);
    expect(leftovers()).toEqual([]);
    expect(syncPods()).toEqual([]);
  });

  it('a copy that outlives the timeout fails as timed out, leaves the previous content and deletes the pod', async () => {
    await prepare();
    await syncSources(kubectl, options());
    const previous = snapshot(target);
    writeFileSync(join(source, 'README.md'), 'changed\n');

    setTarMode('hang');
    const err = await syncSources(kubectl, options({ timeoutMs: 3000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect(err).toMatchObject({ step: 'copy', timedOut: true });
    expect((err as Error).message).toMatch(/timed out after 3s \(the sync timeout\) during step "copy"/);
    expect(snapshot(target)).toEqual(previous);
    expect(leftovers()).toEqual([]);
    expect(syncPods()).toEqual([]);
  });

  it('a sync pod that never becomes Ready fails in step "wait" with the pod deleted', async () => {
    await prepare();
    h.server.setBehaviour({ kind: 'Pod', namespace: NS }, 'never');
    const err = await syncSources(kubectl, options({ timeoutMs: 2000 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ step: 'wait', timedOut: true });
    expect((err as Error).message).toMatch(/was not Ready within the sync timeout \(2s\)/);
    expect((err as Error).message).toContain('PVC workspace (workspace-pvc)');
    expect(syncPods()).toEqual([]);
    expect(existsSync(target)).toBe(false);
  });

  it('a missing namespace is reported with the step to take', async () => {
    await prepare();
    const err = await syncSources(kubectl, options({ namespace: 'shop-dev-9' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ step: 'create' });
    expect((err as Error).message).toContain('namespace shop-dev-9 does not exist');
  });

  it('a code-root-base outside the mount is an error before any kubectl call', async () => {
    await prepare();
    h.server.clearRequests();
    const before = kubectl.invocations;
    for (const codeRootBase of ['/srv/codex', '/workspace', '/workspace/../etc', 'codex/envs']) {
      const err = await syncSources(kubectl, options({ codeRootBase })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(/^code-root-base: /);
    }
    expect(kubectl.invocations).toBe(before);
    expect(h.server.requests).toEqual([]);
  });

  /** The agent: a pod mounting the slot's workspace by subPath, as the agent deployment does, and Ready. */
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
              image: 'busybox:1.37.0',
              command: ['sleep', 'infinity'],
              workingDir: '/workspace',
              volumeMounts: [{ name: 'ws', mountPath: '/workspace', subPath: 'codex/envs/3/src' }],
            },
          ],
          volumes: [{ name: 'ws', persistentVolumeClaim: { claimName: PVC } }],
        },
      }),
    });
    await kubectl.run(['wait', '-n', NS, '--for=condition=Ready', 'pod/agent', '--timeout=30s']);
  }

  /**
   * A process running in the agent pod from before a re-sync to after it, started in the workspace: it prints its
   * working directory and README.md over and over. `until` resolves once its output matches.
   */
  function agentLoop() {
    const child = spawn(
      KUBECTL_BIN,
      [
        '--kubeconfig',
        h.kubeconfig,
        '--cache-dir',
        join(h.dir, 'cache'),
        'exec',
        '-n',
        NS,
        'agent',
        '--',
        'sh',
        '-c',
        'while :; do printf "cwd=%s content=%s\\n" "$(pwd -P 2>&1)" "$(cat README.md 2>&1)"; sleep 0.1; done',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const waiters: (() => void)[] = [];
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      for (const w of waiters.splice(0)) w();
    });
    const until = (re: RegExp, timeoutMs = 30_000): Promise<string> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`agent never printed ${re}; last lines:\n${out.split('\n').slice(-4).join('\n')}`)),
          timeoutMs,
        );
        const check = () => {
          const m = re.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[0]);
          } else waiters.push(check);
        };
        check();
      });
    return { until, stop: () => child.kill('SIGKILL'), output: () => out };
  }

  it('a re-sync while the agent runs in the workspace keeps its working directory and shows it the new files', async () => {
    await prepare();
    await syncSources(kubectl, options());
    await startAgentPod();
    const agent = agentLoop();
    try {
      const real = realpathSync(target);
      expect(await agent.until(/^cwd=.* content=# shop$/m)).toBe(`cwd=${real} content=# shop`);
      writeFileSync(join(source, 'README.md'), '# shop v2\n');
      await syncSources(kubectl, options());
      // The same process, started before the re-sync, in the same directory, reads the new content.
      expect(await agent.until(/^cwd=.* content=# shop v2$/m)).toBe(`cwd=${real} content=# shop v2`);
      expect(agent.output()).not.toMatch(/getcwd|No such file/);
    } finally {
      agent.stop();
    }
  });

  it('an agent edit the new sources lack stops the re-sync naming the file; discard-changes saves it as a patch', async () => {
    await prepare();
    await syncSources(kubectl, options());
    await startAgentPod();
    await kubectl.run(['exec', '-n', NS, 'agent', '--', 'sh', '-c', 'echo "// the agent was here" >> src/api/main.go']);
    writeFileSync(join(source, 'README.md'), '# shop v2\n');

    const err = await syncSources(kubectl, options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkspaceChangedError);
    expect((err as WorkspaceChangedError).files).toEqual(['src/api/main.go']);
    expect((err as Error).message).toContain('src/api/main.go');
    expect((err as Error).message).toContain('discard-changes: true');
    // Nothing was written: the agent's edit and the old README are still there.
    expect(readFileSync(join(target, 'src/api/main.go'), 'utf8')).toBe('package main\n// the agent was here\n');
    expect(readFileSync(join(target, 'README.md'), 'utf8')).toBe('# shop\n');
    expect(syncPods()).toEqual([]);

    const warnings: string[] = [];
    const reporter = { info: () => undefined, debug: () => undefined, warning: (m: string) => warnings.push(m) };
    const result = await syncSources(kubectl, options({ discardChanges: true, reporter }));
    expect(result.saved).toMatch(/^\/workspace\/codex\/envs\/3\/saved\/\d{8}T\d{6}Z\.patch$/);
    expect(warnings.join('\n')).toContain(result.saved!);
    const patch = readFileSync(join(envDir, 'saved', result.saved!.split('/').pop()!), 'utf8');
    expect(patch).toContain('--- a/src/api/main.go\n+++ b/src/api/main.go\n');
    expect(patch).toContain('+// the agent was here\n');
    expect(readFileSync(join(target, 'src/api/main.go'), 'utf8')).toBe('package main\n');
    expect(readFileSync(join(target, 'README.md'), 'utf8')).toBe('# shop v2\n');
  });
});
