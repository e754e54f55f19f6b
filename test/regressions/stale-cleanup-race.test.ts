/**
 * cleanup stale: true judges every record from one listing, then tears the slots down one by one (each waiting for
 * its namespace to go). A slot that a run picks up again meanwhile (ensure-slot / ensure-ready for its issue:
 * record touched, no longer stale) is still destroyed and its record deleted unconditionally (store.release, not
 * releaseIfUnchanged / collectStale), under the run that was just handed the slot.
 */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { actionMain, runAction } from '../support/action.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';

const TOOLS = path.resolve('.tools/bin');
const CONFIG = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai:\n    slotBootstrapInfra: [namespace]\n',
);

describe('stale cleanup vs. a slot picked up meanwhile', () => {
  // Namespaces take 4 s to terminate: cleanup of slot 1 waits that long before it looks at slot 2.
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 4000 });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
  });
  const act = (name: string, root: string, inputs: Record<string, string>) =>
    runAction(actionMain(name), { config: 'services.yaml', ...inputs }, { cwd: root, env: env(), timeoutMs: 120_000 });
  const record = (slot: number) => h.server.store.get('ConfigMap', 'codex-system', `codex-env-${slot}`) as any;

  it('a record touched after the listing is kept, with its namespace', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    expect((await act('ensure-slot', root, { issue: '7' })).outputs.slot).toBe('1');
    expect((await act('ensure-slot', root, { issue: '8' })).outputs.slot).toBe('2');
    for (const slot of [1, 2]) {
      const old = record(slot);
      old.data.createdAt = '2020-01-01T00:00:00Z';
      old.data.updatedAt = '2020-01-01T00:00:00Z';
      h.server.store.put(old);
    }
    const since = h.server.requests.length;
    const cleanup = act('cleanup', root, { stale: 'true', ttl: '24h', 'github-token': '' });
    // Wait until cleanup is tearing down slot 1 (its namespace delete was sent) ...
    for (let i = 0; i < 600; i++) {
      if (h.server.requests.slice(since).some((r) => r.method === 'DELETE' && /namespaces\/shop-dev-1$/.test(r.path)))
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // ... then issue 8 comes back: its slot is reused (record touched, fresh again).
    const reuse = await act('ensure-slot', root, { issue: '8' });
    expect(reuse.outputs).toMatchObject({ slot: '2', created: 'false' });
    const touched = record(2).data.updatedAt;
    expect(touched).not.toBe('2020-01-01T00:00:00Z');

    const res = await cleanup;
    expect(res.code).toBe(0);
    // The slot just handed to issue 8 must survive the cleanup that judged it stale before.
    expect(record(2)).toBeTruthy();
    expect(h.server.store.get('Namespace', '', 'shop-dev-2')).toBeTruthy();
  }, 60_000);
});
