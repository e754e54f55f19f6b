/**
 * Source sync against the Kubernetes API test server with the real kubectl: the pod is created, waited for,
 * exec'd into (the server runs the script as a local process with the PVC mapped to `server.pvcDir`) and deleted.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureNamespace } from '../../packages/core/src/kube/apply.js';
import type { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import { UserError } from '../../packages/core/src/util/errors.js';
import { SyncError } from '../../packages/core/src/workspace/errors.js';
import { syncSources, type SyncResult } from '../../packages/core/src/workspace/sync.js';
import type { SyncOptions } from '../../packages/core/src/workspace/options.js';
import { useKubeServer } from '../kube-server/harness.js';
import { busyboxPath } from '../support/busybox.js';
import { kubectlOf } from '../kube/project.js';

const NS = 'shop-dev-3';
const PVC = 'workspace';

/*
 * The exec'd script runs with busybox applets only on PATH, as in the sync pod. It finds `tar` on PATH first in
 * fakeBin, where a wrapper can make the pod-side tar fail after unpacking everything (`fail`) or stall (`hang`) when
 * a mode file says so.
 */
const fakeBin = mkdtempSync(join(tmpdir(), 'sync-fake-bin-'));
const modeFile = join(fakeBin, 'mode');
const podPath = busyboxPath(join(fakeBin, 'busybox'));
const realTar = join(podPath, 'tar');
afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));
writeFileSync(
  join(fakeBin, 'tar'),
  `#!/bin/sh
mode=$(cat '${modeFile}' 2>/dev/null || true)
case "$mode" in
  hang) exec sleep 6 ;;
  fail) '${realTar}' "$@"; echo "tar: simulated write error" >&2; exit 2 ;;
  *) exec '${realTar}' "$@" ;;
esac
`,
);
chmodSync(join(fakeBin, 'tar'), 0o755);
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
  const h = useKubeServer({ readyDelayMs: 50, execEnv: { PATH: `${fakeBin}:${podPath}` } });

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
  const leftovers = () => readdirSync(envDir).filter((n) => n !== 'src');

  it('copies the checkout without .git and build output into <pvc>/codex/envs/3/src, in 4 kubectl calls', async () => {
    await prepare();
    const before = kubectl.invocations;
    const t0 = Date.now();
    const log: string[] = [];
    const stamp = (m: string) => log.push(`${Date.now() - t0} ms ${m}`);
    const result: SyncResult = await syncSources(kubectl, options({ reporter: { info: stamp, debug: stamp } }));
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

  it('a second sync replaces the content: deleted files and files written in the workspace are gone', async () => {
    await prepare();
    await syncSources(kubectl, options());
    writeFileSync(join(target, 'agent-scratch.txt'), 'written by the agent');
    rmSync(join(source, 'src', 'api'), { recursive: true });
    writeFileSync(join(source, 'README.md'), '# shop v2\n');
    writeFileSync(join(source, 'CHANGELOG.md'), 'new\n');

    const second = await syncSources(kubectl, options());
    expect(snapshot(target)).toEqual({
      'CHANGELOG.md': 'new\n',
      'README.md': '# shop v2\n',
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
});
