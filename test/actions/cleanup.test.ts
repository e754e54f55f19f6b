/** cleanup, bundled, against the test server: by issue, PR, slot, all and stale, with shared cluster objects. */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { actionMain, runAction } from '../support/action.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';

const TOOLS = path.resolve('.tools/bin');
const CONFIG = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai:\n    slotBootstrapInfra: [namespace, rbac]\n',
);

describe('cleanup action', () => {
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 50 });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
  });
  const act = (name: string, root: string, inputs: Record<string, string>) =>
    runAction(actionMain(name), { config: 'services.yaml', ...inputs }, { cwd: root, env: env(), timeoutMs: 120_000 });
  const namespaceExists = (ns: string) => !!h.server.store.get('Namespace', '', ns);
  const record = (slot: number) => h.server.store.get('ConfigMap', 'codex-system', `codex-env-${slot}`);
  const clusterRole = (name: string) => h.server.store.get('ClusterRole', '', name);

  async function twoSlots(root: string, second: Record<string, string> = { pr: '12' }) {
    expect((await act('ensure-slot', root, { issue: '7' })).outputs.slot).toBe('1');
    expect((await act('ensure-slot', root, second)).outputs.slot).toBe('2');
    expect(clusterRole('shop-reader')).toBeTruthy();
    expect(clusterRole('shop-dev-1-only')).toBeTruthy();
  }

  it('by issue: namespace, record and the slot’s own cluster object go; a shared one stays; a second run is a no-op', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    await twoSlots(root);
    const res = await act('cleanup', root, { issue: '7' });
    expect(res.errors).toEqual([]);
    expect(JSON.parse(res.outputs.released)).toEqual([{ slot: 1, namespace: 'shop-dev-1', issue: 7, pr: 0 }]);
    expect(namespaceExists('shop-dev-1')).toBe(false);
    expect(record(1)).toBeFalsy();
    expect(clusterRole('shop-dev-1-only')).toBeFalsy();
    expect(clusterRole('shop-reader')).toBeTruthy();
    expect(namespaceExists('shop-dev-2')).toBe(true);
    const again = await act('cleanup', root, { issue: '7' });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.outputs.released)).toEqual([]);
  });

  it('by PR and by slot; the last user of a shared object deletes it', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    await twoSlots(root);
    const byPr = await act('cleanup', root, { pr: '12' });
    expect(JSON.parse(byPr.outputs.released).map((s: any) => s.slot)).toEqual([2]);
    expect(namespaceExists('shop-dev-2')).toBe(false);
    expect(clusterRole('shop-reader')).toBeTruthy();
    const bySlot = await act('cleanup', root, { slot: '1' });
    expect(JSON.parse(bySlot.outputs.released).map((s: any) => s.slot)).toEqual([1]);
    expect(clusterRole('shop-reader')).toBeFalsy();
    expect(
      h.server.store.list('ConfigMap', 'codex-system').filter((c: any) => c.metadata.name.startsWith('codex-env-')),
    ).toEqual([]);
  });

  it('all: every slot of the env', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    await twoSlots(root);
    const res = await act('cleanup', root, { all: 'true' });
    expect(
      JSON.parse(res.outputs.released)
        .map((s: any) => s.slot)
        .sort(),
    ).toEqual([1, 2]);
    expect(namespaceExists('shop-dev-1') || namespaceExists('shop-dev-2')).toBe(false);
  });

  it('stale: releases records older than the ttl and keeps fresh ones', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    await twoSlots(root);
    const old = record(1) as any;
    old.data.createdAt = '2020-01-01T00:00:00Z';
    old.data.updatedAt = '2020-01-01T00:00:00Z';
    h.server.store.put(old);
    const res = await act('cleanup', root, { stale: 'true', ttl: '24h', 'github-token': '' });
    expect(res.errors).toEqual([]);
    expect(JSON.parse(res.outputs.released).map((s: any) => s.slot)).toEqual([1]);
    expect(record(2)).toBeTruthy();
    expect(namespaceExists('shop-dev-2')).toBe(true);
  });

  it('without a selector it says what to give', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const res = await act('cleanup', root, {});
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).toMatch(/say what to clean/);
  });
});
