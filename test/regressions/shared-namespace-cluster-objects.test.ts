/**
 * Two slots of one env whose namespace pattern does not use .Slot (like the predecessor's ai-repair default,
 * "{{ .Project }}-ai-staging") share one namespace. Usage marks on cluster-scoped objects are keyed by the
 * namespace, so both slots write the same mark; cleaning one slot then deletes a shared ClusterRole that the
 * other, still-held slot uses.
 */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { actionMain, runAction } from '../support/action.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';

const TOOLS = path.resolve('.tools/bin');
const CONFIG = SERVICES_YAML.replace('ai: "{{ .Project }}-dev-{{ .Slot }}"', 'ai: "{{ .Project }}-shared"').replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai:\n    slotBootstrapInfra: [namespace, rbac]\n',
);

describe('slots sharing a namespace', () => {
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 50 });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
  });
  const act = (name: string, root: string, inputs: Record<string, string>) =>
    runAction(actionMain(name), { config: 'services.yaml', ...inputs }, { cwd: root, env: env(), timeoutMs: 120_000 });

  it('cleanup of one slot keeps the ClusterRole the other slot (same namespace) still uses', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const a = await act('ensure-slot', root, { issue: '7' });
    const b = await act('ensure-slot', root, { issue: '8' });
    expect([a.outputs.slot, b.outputs.slot]).toEqual(['1', '2']);
    expect([a.outputs.namespace, b.outputs.namespace]).toEqual(['shop-shared', 'shop-shared']);
    expect(h.server.store.get('ClusterRole', '', 'shop-reader')).toBeTruthy();

    const res = await act('cleanup', root, { issue: '7' });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/namespace shop-shared and its cluster-scoped objects kept: slot 2 still uses it/);
    // slot 2 is still held and its namespace still exists ...
    expect(h.server.store.get('ConfigMap', 'codex-system', 'codex-env-2')).toBeTruthy();
    expect(h.server.store.get('Namespace', '', 'shop-shared')).toBeTruthy();
    // ... so the cluster-scoped objects of its stack must still be there.
    expect(h.server.store.get('ClusterRole', '', 'shop-reader')).toBeTruthy();
    expect(h.server.store.get('ClusterRole', '', 'shop-shared-only')).toBeTruthy();
  });
});
