/**
 * dry-run of ensure-slot, ensure-ready and cleanup, bundled, against the test server: the whole cluster state is the
 * same before and after, no request that could change anything is sent, and the outputs and log say what would be
 * done.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';
import { actionMain, runAction, type ActionRun } from '../support/action.js';
import { clusterState, mutatingRequests } from '../support/cluster-state.js';

const TOOLS = path.resolve('.tools/bin');
const CONFIG = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai:\n    slotBootstrapInfra: [namespace, rbac]\n',
);
// A hook that would leave a trace: it must not run in a dry run.
const WITH_HOOKS = CONFIG.replace(
  'services:\n',
  'hooks:\n  beforeAll:\n    - name: touch\n      run: kubectl create namespace hook-ran\n  beforeDestroy:\n    - name: touch\n      run: kubectl create namespace hook-ran\nservices:\n',
);

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

describe('dry-run changes nothing and reports what would happen', () => {
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 50 });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
  });
  const project = (config = CONFIG) => {
    const root = writeProject({ 'services.yaml': config, ...MANIFESTS });
    roots.push(root);
    return root;
  };
  const act = (name: string, root: string, inputs: Record<string, string>, extraEnv: Record<string, string> = {}) =>
    runAction(
      actionMain(name),
      { config: 'services.yaml', 'slot-wait-timeout': '5s', ...inputs },
      { cwd: root, env: { ...env(), ...extraEnv }, timeoutMs: 120_000 },
    );

  /** Runs `body` and checks that the cluster is exactly as before and that nothing mutating was sent. */
  async function unchanged(body: () => Promise<ActionRun>): Promise<ActionRun> {
    const before = clusterState(h.server);
    const since = h.server.requests.length;
    const res = await body();
    expect(mutatingRequests(h.server, since).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect(clusterState(h.server)).toEqual(before);
    return res;
  }

  it('ensure-slot: a new slot is not claimed or bootstrapped, yet its number and created=true are output', async () => {
    const root = project(WITH_HOOKS);
    const res = await unchanged(() => act('ensure-slot', root, { issue: '7', 'dry-run': 'true' }));
    expect(res.errors).toEqual([]);
    expect(res.outputs).toMatchObject({ slot: '1', namespace: 'shop-dev-1', env: 'ai', created: 'true' });
    expect(res.stdout).toMatch(/dry run: would claim slot 1/);
    expect(res.stdout).toMatch(/ClusterRole shop-reader/);
    expect(res.stdout).toMatch(/hooks are not run/);
    expect(res.summary).toMatch(/dry-run=true/);
  });

  it('ensure-slot: a held slot is reported as reused without touching its record', async () => {
    const root = project();
    expect((await act('ensure-slot', root, { issue: '7' })).code).toBe(0);
    const reused = await unchanged(() => act('ensure-slot', root, { issue: '7', 'dry-run': 'true' }));
    expect(reused.outputs).toMatchObject({ slot: '1', created: 'false' });
    const next = await unchanged(() => act('ensure-slot', root, { issue: '8', 'dry-run': 'true' }));
    expect(next.outputs).toMatchObject({ slot: '2', namespace: 'shop-dev-2', created: 'true' });
  });

  it('ensure-ready: lists the objects it would apply; no claim, namespace or apply', async () => {
    const root = project(WITH_HOOKS);
    const res = await unchanged(() => act('ensure-ready', root, { issue: '7', 'dry-run': 'true' }));
    expect(res.errors).toEqual([]);
    expect(res.outputs).toMatchObject({
      slot: '1',
      namespace: 'shop-dev-1',
      created: 'true',
      'new-env': 'true',
      'infra-ready': 'false',
    });
    const count = /dry run: would apply (\d+) objects to shop-dev-1/.exec(res.stdout)?.[1];
    expect(count).toBeDefined();
    // The bootstrap's objects are part of the whole stack: counted once.
    expect(res.summary).toContain(`| would apply | ${count} objects |`);
    expect(res.stdout).toMatch(/Deployment shop-dev-1\/api/);
    expect(res.summary).toMatch(/dry-run=true/);
  });

  it('cleanup: reports the slot, namespace and record it would delete, and deletes nothing', async () => {
    const root = project(WITH_HOOKS);
    expect((await act('ensure-slot', root, { issue: '7', bootstrap: 'false' })).code).toBe(0);
    h.server.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop-dev-1' } });
    const res = await unchanged(() => act('cleanup', root, { issue: '7', 'dry-run': 'true' }));
    expect(res.errors).toEqual([]);
    expect(JSON.parse(res.outputs.released)).toEqual([{ slot: 1, namespace: 'shop-dev-1', issue: 7, pr: 0 }]);
    expect(res.stdout).toMatch(/namespace shop-dev-1: would be deleted/);
    expect(res.stdout).toMatch(/record codex-env-1: would be deleted/);
    expect(res.summary).toMatch(/dry-run=true: nothing was deleted or released/);
  });

  it('cleanup: stale with a dry run releases nothing, and a ttl of zero or below is an error', async () => {
    const root = project();
    expect((await act('ensure-slot', root, { issue: '7', bootstrap: 'false' })).code).toBe(0);
    expect((await act('ensure-slot', root, { issue: '8', bootstrap: 'false' })).code).toBe(0);
    const negative = await unchanged(() =>
      act('cleanup', root, { stale: 'true', ttl: '-5h', 'dry-run': 'true', 'github-token': '' }),
    );
    expect(negative.code).toBe(1);
    expect(negative.errors.join('\n')).toMatch(/input ttl: "-5h" must be longer than zero/);
    const zero = await unchanged(() => act('cleanup', root, { stale: 'true', ttl: '0s', 'github-token': '' }));
    expect(zero.code).toBe(1);
    const all = await unchanged(() =>
      act('cleanup', root, { stale: 'true', ttl: '1s', 'dry-run': 'true', 'github-token': '' }, {}),
    );
    expect(all.code).toBe(0);
  });
  it('an action that succeeded exits 0 when its job summary cannot be written, with a warning', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-summary-dir-'));
    roots.push(dir);
    const root = project();
    // A directory where the summary file should be: appending to it fails.
    const res = await act('ensure-slot', root, { issue: '7' }, { GITHUB_STEP_SUMMARY: dir });
    expect(res.code).toBe(0);
    expect(res.errors).toEqual([]);
    expect(res.warnings.join('\n')).toMatch(/the job summary could not be written/);
    expect(res.outputs.slot).toBe('1');
  });
  it('apply: the diff runs as server-side dry runs only, no hook runs, and the cluster is unchanged', async () => {
    const root = project(WITH_HOOKS);
    const before = clusterState(h.server);
    const since = h.server.requests.length;
    const res = await act('apply', root, { slot: '1', 'dry-run': 'true' });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/dry run: hooks are not run/);
    // kubectl diff asks the API server for a dry run of each change (dryRun=All): nothing else may write.
    expect(mutatingRequests(h.server, since)).toEqual([]);
    expect(clusterState(h.server)).toEqual(before);
  });
});
