/**
 * cleanup refuses kube-*, default, the state namespace and other projects' namespaces "before any hook" — but only
 * when no other record names the same namespace. Two records naming kube-system (a predecessor's leftovers, or an
 * edit by anyone with write access to the state namespace) make cleanup of one of them skip the ownership check:
 * the destroy hooks run with CODEX_K8S_NAMESPACE=kube-system and the slot is reported as released.
 */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { actionMain, runAction } from '../support/action.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';

const TOOLS = path.resolve('.tools/bin');
const CONFIG = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai: {}\n',
).replace(
  'services:\n',
  'hooks:\n  beforeDestroy:\n    - name: wipe\n      run: kubectl create namespace "hook-ran-in-$CODEX_K8S_NAMESPACE"\nservices:\n',
);

const record = (slot: number, namespace: string, issue: number) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: `codex-env-${slot}`, namespace: 'codex-system' },
  data: {
    slot: String(slot),
    env: 'ai',
    namespace,
    owner: 'manual',
    issue: String(issue),
    pr: '0',
    createdAt: '2026-01-01T00:00:00Z',
  },
});

describe('a second record naming the same protected namespace', () => {
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 50, namespaces: ['codex-system'] });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
  });
  const act = (name: string, root: string, inputs: Record<string, string>) =>
    runAction(actionMain(name), { config: 'services.yaml', ...inputs }, { cwd: root, env: env(), timeoutMs: 120_000 });

  it('cleanup of a slot whose record names kube-system is refused before any hook, even when another record names it too', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    h.server.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
    h.server.store.put(record(1, 'kube-system', 7));
    h.server.store.put(record(2, 'kube-system', 8));

    // Slot 2's record names kube-system too, so cleanup of slot 1 skips the ownership check (sharedBy > 0).
    const res = await act('cleanup', root, { issue: '7' });
    expect(h.server.store.get('Namespace', '', 'hook-ran-in-kube-system')).toBeFalsy();
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).toMatch(/kube-system/);
    expect(h.server.store.get('ConfigMap', 'codex-system', 'codex-env-1')).toBeTruthy();
  });
});
