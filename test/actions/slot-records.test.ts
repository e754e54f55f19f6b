/** Slot records after ensure-slot and a failed release, through the bundled actions and the CLI. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';
import { actionMain, runAction } from '../support/action.js';
import { runCli } from '../support/cli.js';
import { clusterState, mutatingRequests } from '../support/cluster-state.js';

const TOOLS = path.resolve('.tools/bin');
const CONFIG = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai:\n    slotBootstrapInfra: [namespace, rbac]\n',
);

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

describe('slot records', () => {
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 50 });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
  });
  const project = () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    roots.push(root);
    return root;
  };
  const act = (name: string, root: string, inputs: Record<string, string>) =>
    runAction(actionMain(name), { config: 'services.yaml', ...inputs }, { cwd: root, env: env(), timeoutMs: 120_000 });
  const claim = (slot: number) =>
    h.server.store.get('ConfigMap', 'codex-system', `codex-env-${slot}`)?.metadata?.annotations?.['codex-k8s.io/claim'];
  // The record delete fails (RBAC, say); everything else works.
  const denyRecordDelete = () =>
    h.server.failNext(50, 403, 'Forbidden', { method: 'DELETE', path: '/configmaps/codex-env-1' });

  it.each(['true', 'false'])(
    'ensure-slot with bootstrap %s leaves no pending claim on the record',
    async (bootstrap) => {
      const root = project();
      const res = await act('ensure-slot', root, { issue: '7', bootstrap });
      expect(res.outputs).toMatchObject({ slot: '1', created: 'true' });
      expect(h.server.store.get('ConfigMap', 'codex-system', 'codex-env-1')).toBeTruthy();
      expect(claim(1)).toBeUndefined();
    },
  );

  it('cleanup whose record delete fails reports the slot as not released and fails', async () => {
    const root = project();
    expect((await act('ensure-slot', root, { issue: '7' })).code).toBe(0);
    denyRecordDelete();
    const res = await act('cleanup', root, { issue: '7' });
    expect(res.code).toBe(1);
    expect(JSON.parse(res.outputs.released)).toEqual([]);
    expect(res.errors.join('\n')).toMatch(/1 slot could not be cleaned.*slot 1/s);
    expect(res.summary).toMatch(/Not released:\n\n- slot 1/);
    expect(res.stdout).not.toMatch(/slot 1 released/);
    expect(h.server.store.get('ConfigMap', 'codex-system', 'codex-env-1')).toBeTruthy();
  });

  it('slots release whose record delete fails exits 1 and the record stays listed', async () => {
    const root = project();
    expect((await act('ensure-slot', root, { issue: '7' })).code).toBe(0);
    denyRecordDelete();
    const cli = (args: string[]) => runCli(args, { cwd: root, env: env() });
    const res = await cli(['slots', 'release', '-c', 'services.yaml', '--env', 'ai', '1']);
    expect(res.code).toBe(1);
    expect(res.stdout).not.toMatch(/released/);
    expect(res.stderr).toMatch(/^error: .*slot 1/m);
    h.server.clearFaults();
    const list = await cli(['slots', 'list', '-c', 'services.yaml']);
    expect(list.stdout).toMatch(/^1\s+ai\s+shop-dev-1\s+#7/m);
  });
  it('a failed bootstrap whose release fails too says the slot stays claimed', async () => {
    const root = project();
    writeFileSync(
      path.join(root, 'deploy/rbac.yaml'),
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: Not_Valid\nrules: []\n',
    );
    denyRecordDelete();
    const res = await act('ensure-slot', root, { issue: '7' });
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).not.toMatch(/so the slot was released/);
    expect(res.errors.join('\n')).toMatch(/could not be released either.*stays claimed/s);
    expect(h.server.store.get('ConfigMap', 'codex-system', 'codex-env-1')).toBeTruthy();
  });
  it('slots release --dry-run says what it would release and changes nothing', async () => {
    const root = project();
    expect((await act('ensure-slot', root, { issue: '7' })).code).toBe(0);
    const before = clusterState(h.server);
    const since = h.server.requests.length;
    const res = await runCli(['slots', 'release', '-c', 'services.yaml', '--env', 'ai', '--dry-run', '1'], {
      cwd: root,
      env: env(),
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('would release slot 1 (dry run: nothing was deleted)\n');
    expect(res.stderr).toMatch(/namespace shop-dev-1: would be deleted/);
    expect(mutatingRequests(h.server, since)).toEqual([]);
    expect(clusterState(h.server)).toEqual(before);
  });
  it('ensure-slot says each step once', async () => {
    const root = project();
    const first = await act('ensure-slot', root, { issue: '7' });
    expect(first.stdout.match(/claimed slot 1/g)).toHaveLength(1);
    const again = await act('ensure-slot', root, { issue: '7' });
    expect(again.stdout.match(/reusing slot 1/g)).toHaveLength(1);
  });
});
