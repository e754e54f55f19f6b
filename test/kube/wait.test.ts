/** Waits and failure diagnostics with the real kubectl against the kube test server. */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
      /^a workload is not ready within 2s: Deployment shop-dev-2\/api \(timed out\)\. Deployment shop-dev-2\/api: it is still in progress: if it only needs more time, raise wait-timeout; else its events and logs show what it waits for\. The describe output/,
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

  it('a failed Job and a crashing Deployment fail their waits at once, named, with a hint that fits', async () => {
    const stack = load(shopProject(), 3);
    const { groups } = render(stack, { onlyServices: ['api', 'migrate'] });
    h.server.setBehaviour({ kind: 'Deployment', name: 'api' }, 'fail');
    h.server.setBehaviour({ kind: 'Job', name: 'migrate' }, 'fail');
    const kubectl = kubectlOf(h);
    await applyStack(kubectl, groups, { namespace: stack.namespace, retry: fast });
    // Five minutes: a wait that ran into its timeout would outlast jest's own limit and fail this test.
    const r = await waitForStack(kubectl, groups, {
      timeoutMs: 300_000,
      diagnostics: { describePods: false, logTail: 5 },
    });
    expect(r.failures.map((f) => [f.object.kind, f.reason, f.message])).toEqual([
      ['Deployment', 'progress-deadline', 'deployment "api" exceeded its progress deadline'],
      ['Job', 'failed', 'job failed: BackoffLimitExceeded: Job has reached the specified backoff limit'],
    ]);
    expect(r.failures[0].events).toMatch(/BackOff/);
    expect(r.failures[1].logs).toContain('pod/migrate-');
    expect(r.failures[1].describe).toMatch(/BackoffLimitExceeded/);
    expect(r.message).toContain(
      'not ready: Deployment shop-dev-3/api (exceeded its progress deadline), Job shop-dev-3/migrate (failed).',
    );
    expect(r.message).toContain(
      "Deployment shop-dev-3/api: a container keeps crashing (CrashLoopBackOff): read the pod's logs for the error; a longer wait-timeout will not help.",
    );
    expect(r.message).toContain('Job shop-dev-3/migrate: the Job failed: ');
    expect(r.message).not.toMatch(/raise wait-timeout/);
  });

  it('every failing workload is named, also past the limit of detailed diagnostics', async () => {
    const names = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7'];
    const extra = names
      .map(
        (n) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${n}
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${n}}
  template:
    metadata:
      labels: {app: ${n}}
      annotations: {test.codex-k8s.io/behaviour: fail}
    spec:
      containers:
        - name: main
          image: shop/${n}:1
`,
      )
      .join('---\n');
    const root = shopProject({ 'services/many.yaml': extra });
    writeFileSync(
      join(root, 'services.yaml'),
      readFileSync(join(root, 'services.yaml'), 'utf8') +
        '  - name: many\n    manifests:\n      - path: services/many.yaml\n',
    );
    const stack = load(root, 6);
    const { groups } = render(stack, { onlyServices: ['many'] });
    const kubectl = kubectlOf(h);
    await applyStack(kubectl, groups, { namespace: stack.namespace, retry: fast });
    const r = await waitForStack(kubectl, groups, { timeoutMs: 300_000, diagnostics: { describePods: false } });
    expect(r.failures.map((f) => f.object.name)).toEqual(names);
    for (const n of names) expect(r.message).toContain(`Deployment shop-dev-6/${n} (exceeded its progress deadline)`);
    const md = formatDiagnostics(r.failures, 'markdown');
    for (const n of names) expect(md).toContain(`#### Deployment shop-dev-6/${n}: exceeded its progress deadline`);
    expect(md.match(/not collected: details are collected for the first 5 failing workloads only/g)).toHaveLength(2);
  });
});
