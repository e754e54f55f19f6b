/** Waits and failure diagnostics with the real kubectl against the kube test server. */
import { describe, expect, it } from '@jest/globals';
import { applyStack } from '../../packages/core/src/kube/apply.js';
import { formatDiagnostics } from '../../packages/core/src/kube/diagnostics.js';
import { WaitError, assertReady, waitForStack, waitTargets } from '../../packages/core/src/kube/wait.js';
import { useKubeServer } from '../kube-server/harness.js';
import { kubectlOf, load, render, shopProject } from './project.js';

const fast = { initialDelayMs: 50 };

describe('waits with kubectl', () => {
  const h = useKubeServer({ readyDelayMs: 300 });

  it('a whole stack becomes ready within the kubectl call budget (groups + waits + 6)', async () => {
    const stack = load(shopProject(), 1);
    const { groups } = render(stack);
    const kubectl = kubectlOf(h);
    const applied = await applyStack(kubectl, groups, { namespace: stack.namespace, retry: fast });
    const waited = await waitForStack(kubectl, groups, { timeoutMs: 20_000 });
    expect(waited.ok).toBe(true);
    expect(waited.ready.map((r) => `${r.kind}/${r.name}`)).toEqual([
      'StatefulSet/postgres',
      'Deployment/api',
      'Job/migrate',
    ]);
    expect(waited.invocations).toBe(3);
    const waits = waitTargets(groups.flatMap((g) => g.documents.map((d) => d.object))).length;
    const total = applied.invocations + waited.invocations;
    expect(total).toBeLessThanOrEqual(groups.length + waits + 6);
    expect(kubectl.invocations).toBe(total);
    // The server saw exactly these kubectl processes: no per-object gets.
    expect(h.server.kubectlInvocations()).toHaveLength(total);
    expect(h.server.store.get('job', 'shop-dev-1', 'migrate')!.status).toMatchObject({ succeeded: 1 });
    expect(() => assertReady(waited)).not.toThrow();
  });

  it('a never-ready deployment times out with describe, events and logs; the rest are ready', async () => {
    const stack = load(shopProject(), 2);
    const { groups } = render(stack, { onlyServices: ['api', 'migrate'] });
    h.server.setBehaviour({ kind: 'Deployment', namespace: 'shop-dev-2', name: 'api' }, 'never');
    h.server.setLogs({ namespace: 'shop-dev-2', name: 'api' }, 'starting api\nwaiting for database at postgres:5432\n');
    const kubectl = kubectlOf(h);
    await applyStack(kubectl, groups, { namespace: stack.namespace, retry: fast });
    const r = await waitForStack(kubectl, groups, { timeoutMs: 2000 });
    expect(r.ok).toBe(false);
    expect(r.ready.map((x) => x.name)).toEqual(['migrate']);
    expect(r.failures).toHaveLength(1);
    const f = r.failures[0];
    expect(f.object).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'shop-dev-2' });
    expect(f.reason).toBe('timeout');
    expect(f.message).toBe('timed out waiting for the condition');
    expect(f.describe).toMatch(/Name:\s+api\nNamespace:\s+shop-dev-2/);
    expect(f.describe).toMatch(/Replicas:\s+1 desired \| 1 updated \| 1 total \| 0 available \| 1 unavailable/);
    expect(f.pods).toMatch(/Ready:\s+False/);
    expect(f.events).toMatch(/ScalingReplicaSet {2}deployment\/api: Scaled up replica set api-/);
    expect(f.events).toMatch(/Scheduled {2}pod\/api-/);
    expect(f.logs).toMatch(
      /\[pod\/api-[^/]+\/api\] starting api\n\[pod\/api-[^/]+\/api\] waiting for database at postgres:5432/,
    );
    expect(r.message).toMatch(
      /^a workload is not ready within 2s: Deployment shop-dev-2\/api \(timed out\)\. The describe output/,
    );
    // 2 waits + describe + pod describe + logs + one events listing
    expect(r.invocations).toBe(6);

    const md = formatDiagnostics(r.failures, 'markdown');
    expect(md).toMatch(
      /^#### Deployment shop-dev-2\/api: timed out\n\ntimed out waiting for the condition\n\n<details><summary>describe Deployment shop-dev-2\/api<\/summary>\n\n```text\nName:/,
    );
    expect(md).toContain('<details><summary>events</summary>');
    expect(() => assertReady(r)).toThrow(WaitError);
  });

  it('a crashing deployment fails early on its progress deadline; a failed Job times out', async () => {
    const stack = load(shopProject(), 3);
    const { groups } = render(stack, { onlyServices: ['api', 'migrate'] });
    h.server.setBehaviour({ kind: 'Deployment', name: 'api' }, 'fail');
    h.server.setBehaviour({ kind: 'Job', name: 'migrate' }, 'fail');
    const kubectl = kubectlOf(h);
    await applyStack(kubectl, groups, { namespace: stack.namespace, retry: fast });
    const r = await waitForStack(kubectl, groups, {
      timeoutMs: 3000,
      diagnostics: { describePods: false, logTail: 5 },
    });
    expect(r.failures.map((f) => [f.object.kind, f.reason])).toEqual([
      ['Deployment', 'progress-deadline'],
      ['Job', 'timeout'],
    ]);
    expect(r.failures[0].events).toMatch(/BackOff/);
    expect(r.failures[1].logs).toContain('pod/migrate-');
    expect(r.message).toContain(
      'Deployment shop-dev-3/api (exceeded its progress deadline), Job shop-dev-3/migrate (timed out)',
    );
  });
});
