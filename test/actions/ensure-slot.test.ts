/** ensure-slot and cleanup, bundled, run as the runner runs them, many at once, against the test server. */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { actionMain, runAction, type ActionRun } from '../support/action.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';

const TOOLS = path.resolve('.tools/bin');
const CONFIG = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  `maxSlots: 10
state:
  configmapNamespace: codex-system
environments:
  ai:
    slotBootstrapInfra: [namespace, RBAC]
`,
);

describe('ensure-slot action', () => {
  const h = useKubeServer({ readyDelayMs: 50 });
  const project = () => writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
  const ensure = (root: string, inputs: Record<string, string>, onSpawn?: (pid: number) => void): Promise<ActionRun> =>
    runAction(
      actionMain('ensure-slot'),
      { config: 'services.yaml', 'slot-wait-timeout': '5s', ...inputs },
      {
        cwd: root,
        env: {
          KUBECONFIG: h.kubeconfig,
          PATH: `${TOOLS}:${process.env.PATH}`,
          KUBECACHEDIR: path.join(h.dir, 'cache'),
        },
        timeoutMs: 120_000,
        onSpawn,
      },
    );
  const records = () =>
    h.server.store.list('ConfigMap', 'codex-system').filter((c: any) => c.metadata.name.startsWith('codex-env-'));

  it('allocates slot 1 for issue 7, bootstraps only the named infra once, and reuses it on the next run', async () => {
    const root = project();
    const first = await ensure(root, { issue: '7' });
    expect(first.errors).toEqual([]);
    expect(first.outputs).toMatchObject({ slot: '1', namespace: 'shop-dev-1', env: 'ai', created: 'true' });
    // slotBootstrapInfra: the namespace and rbac groups (matched case-insensitively), no postgres, no services.
    expect(h.server.store.get('Namespace', '', 'shop-dev-1')).toBeTruthy();
    expect(h.server.store.get('ClusterRole', '', 'shop-reader')).toBeTruthy();
    expect(h.server.store.get('StatefulSet', 'shop-dev-1', 'postgres')).toBeFalsy();
    expect(h.server.store.get('Deployment', 'shop-dev-1', 'api')).toBeFalsy();
    const applies = () =>
      h.server.requests.filter((r: any) => r.method === 'PATCH' && /clusterroles\/shop-reader/.test(r.path)).length;
    const appliedOnce = applies();
    const second = await ensure(root, { issue: '7' });
    expect(second.outputs).toMatchObject({ slot: '1', namespace: 'shop-dev-1', created: 'false' });
    expect(applies()).toBe(appliedOnce);
    expect(records()).toHaveLength(1);
  });

  it('20 concurrent runs for 20 issues with maxSlots 10: 10 get distinct slots, 10 fail naming the holders', async () => {
    const root = project();
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => ensure(root, { issue: String(100 + i), bootstrap: 'false' })),
    );
    const ok = runs.filter((r) => r.code === 0);
    const failed = runs.filter((r) => r.code !== 0);
    expect(ok).toHaveLength(10);
    expect(new Set(ok.map((r) => r.outputs.slot)).size).toBe(10);
    expect(failed).toHaveLength(10);
    for (const f of failed) expect(f.errors.join('\n')).toMatch(/no free slot.*issue #1\d\d/is);
    expect(records()).toHaveLength(10);
  }, 180_000);

  it('5 concurrent runs for the same issue end with one record and the same slot everywhere', async () => {
    const root = project();
    const runs = await Promise.all(Array.from({ length: 5 }, () => ensure(root, { issue: '42', bootstrap: 'false' })));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    expect(new Set(runs.map((r) => r.outputs.slot)).size).toBe(1);
    expect(records()).toHaveLength(1);
  }, 120_000);

  it('a run killed right after claiming leaves a record the next run reuses', async () => {
    const root = project();
    let pid = 0;
    const killed = ensure(root, { issue: '9' }, (p) => (pid = p));
    await h.server.waitFor('ConfigMap', 'codex-system', 'codex-env-1', (o: unknown) => !!o, 30_000);
    process.kill(pid, 'SIGKILL');
    await killed;
    const rerun = await ensure(root, { issue: '9' });
    expect(rerun.code).toBe(0);
    expect(rerun.outputs).toMatchObject({ slot: '1', created: 'false' });
    expect(records()).toHaveLength(1);
  });

  it('fails with the server’s error when every request fails, and rides out two failures', async () => {
    const root = project();
    h.server.failNext(10_000, 500);
    const broken = await ensure(root, { issue: '5' });
    expect(broken.code).toBe(1);
    expect(broken.errors.join('\n')).not.toMatch(/no free slot/i);
    expect(broken.errors.join('\n')).toMatch(/500|InternalError|server/i);
    h.server.clearFaults();
    h.server.failNext(2, 500);
    const ok = await ensure(root, { issue: '5' });
    expect(ok.errors).toEqual([]);
    expect(ok.outputs.slot).toBe('1');
  });
});
