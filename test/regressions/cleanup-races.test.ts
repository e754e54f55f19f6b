import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { actionMain, runAction } from '../support/action.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';

const TOOLS = path.resolve('.tools/bin');
const SHARED = SERVICES_YAML.replace('ai: "{{ .Project }}-dev-{{ .Slot }}"', 'ai: "{{ .Project }}-shared"').replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai:\n    slotBootstrapInfra: [namespace, rbac]\n',
);
const PER_SLOT = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai:\n    slotBootstrapInfra: [namespace]\n',
);

describe('cleanup races', () => {
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 4000 });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
  });
  const act = (name: string, root: string, inputs: Record<string, string>) =>
    runAction(actionMain(name), { config: 'services.yaml', ...inputs }, { cwd: root, env: env(), timeoutMs: 120_000 });
  const record = (slot: number) => h.server.store.get('ConfigMap', 'codex-system', `codex-env-${slot}`) as any;
  const touch = (slot: number, at = new Date().toISOString()) => {
    const rec = record(slot);
    rec.data.updatedAt = at;
    h.server.store.put(rec);
  };
  const waitForDelete = async (since: number, re: RegExp) => {
    for (let i = 0; i < 600; i++) {
      if (h.server.requests.slice(since).some((r) => r.method === 'DELETE' && re.test(r.path))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no DELETE seen');
  };

  // Slot 2 shares slot 1's namespace and is selected as stale too. Slot 1's teardown must keep the namespace (slot 2
  // still holds it); slot 2 is then taken up again (its heartbeat, during slot 1's destroy hook) and kept, with its
  // namespace. Before the fix, slot 1's teardown deleted the shared namespace because slot 2 was selected.
  it('stale cleanup: a sharer that is kept because it was touched keeps its shared namespace', async () => {
    const hooked = SHARED.replace(
      'services:\n',
      'hooks:\n  beforeDestroy:\n    - name: pause\n      run: sleep 2\nservices:\n',
    );
    const root = writeProject({ 'services.yaml': hooked, ...MANIFESTS });
    expect((await act('ensure-slot', root, { issue: '7' })).outputs.namespace).toBe('shop-shared');
    expect((await act('ensure-slot', root, { issue: '8' })).outputs.namespace).toBe('shop-shared');
    for (const slot of [1, 2]) {
      const old = record(slot);
      old.data.createdAt = '2020-01-01T00:00:00Z';
      old.data.updatedAt = '2020-01-01T00:00:00Z';
      h.server.store.put(old);
    }
    const since = h.server.requests.length;
    const cleanup = act('cleanup', root, { stale: 'true', ttl: '24h', 'github-token': '' });
    // Slot 1's teardown has read the namespace to check its owner; its destroy hook now pauses for 2 s.
    for (let i = 0; i < 600; i++) {
      if (h.server.requests.slice(since).some((r) => r.method === 'GET' && /namespaces\/shop-shared$/.test(r.path)))
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    touch(2); // the agent of issue 8 heartbeats: slot 2 is live again
    const res = await cleanup;
    expect(res.code).toBe(0);
    expect(record(1)).toBeFalsy();
    expect(record(2)).toBeTruthy(); // kept, as designed ...
    // ... and so is its namespace.
    expect(h.server.store.get('Namespace', '', 'shop-shared')).toBeTruthy();
    expect(res.stdout).toMatch(/namespace shop-shared and its cluster-scoped objects kept: slot 2 still uses it/);
    expect(res.stdout).toMatch(/slot 2: taken up again since it was selected/);
  }, 90_000);

  // Cleanup by issue accepts a record that changed before the teardown as long as it still matches the issue, but the
  // final releaseIfUnchanged() refuses any change during the teardown: a heartbeat of the same issue's run while the
  // namespace terminates leaves the record claimed with its namespace deleted, and the step still succeeds.
  it('cleanup by issue: a heartbeat of the same issue during the teardown does not leave a record without a namespace', async () => {
    const root = writeProject({ 'services.yaml': PER_SLOT, ...MANIFESTS });
    const claimed = await act('ensure-slot', root, { issue: '21' });
    const slot = Number(claimed.outputs.slot);
    const ns = claimed.outputs.namespace;
    const since = h.server.requests.length;
    const cleanup = act('cleanup', root, { issue: '21' });
    await waitForDelete(since, new RegExp(`namespaces/${ns}$`));
    touch(slot);
    const res = await cleanup;
    const nsLeft = h.server.store.get('Namespace', '', ns);
    const recLeft = record(slot);
    // The same issue's heartbeat does not stop the release: record and namespace both go, and the step succeeds.
    expect({ code: res.code, nsLeft: !!nsLeft, recLeft: !!recLeft }).toEqual({
      code: 0,
      nsLeft: false,
      recLeft: false,
    });
  }, 90_000);
});
