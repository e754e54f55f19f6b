/** Server-side apply of a rendered stack with the real kubectl against the kube test server. */
import { describe, expect, it } from '@jest/globals';
import { ApplyError, applyStack, namespaceLabels } from '../../packages/core/src/kube/apply.js';
import { diffStack, formatDiffSummary } from '../../packages/core/src/kube/diff.js';
import { useKubeServer, yamlStream } from '../kube-server/harness.js';
import { kubectlOf, load, render, shopProject } from './project.js';

const fast = { initialDelayMs: 50 };

describe('apply with kubectl', () => {
  const h = useKubeServer({ readyDelayMs: 100 });

  it('applies each group in one call; objects carry ownership labels and our field manager', async () => {
    const stack = load(shopProject(), 1);
    const { groups } = render(stack);
    const kubectl = kubectlOf(h);
    const result = await applyStack(kubectl, groups, {
      namespace: stack.namespace,
      namespaceLabels: namespaceLabels(stack.project, stack.env, stack.slot),
      retry: fast,
    });
    // 5 groups; the namespace is in the stack (no create); one annotate for the cluster-scoped objects.
    expect(result.namespace).toEqual({ name: 'shop-dev-1', outcome: 'in-stack' });
    expect(result.invocations).toBe(6);
    expect(h.server.kubectlInvocations().map((i) => i.command)).toEqual([
      ...Array(5).fill('kubectl apply'),
      'kubectl annotate',
    ]);
    expect(result.groups.map((g) => [g.name, g.objects.length])).toEqual([
      ['namespace', 1],
      ['postgres', 3],
      ['rbac', 2],
      ['api', 2],
      ['migrate', 1],
    ]);

    const deploy = h.server.store.get('deploy', 'shop-dev-1', 'api')!;
    expect(deploy.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'codex-k8s',
      'codex-k8s.io/project': 'shop',
      'codex-k8s.io/env': 'ai',
      'codex-k8s.io/slot': '1',
      'codex-k8s.io/service': 'api',
    });
    expect(deploy.spec.template.metadata.labels).toEqual({ app: 'api' });
    expect(
      deploy.metadata.managedFields?.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`),
    ).toContain('codex-k8s/Apply');
    expect(h.server.store.get('ns', undefined, 'shop-dev-1')!.metadata.labels?.['codex-k8s.io/slot']).toBe('1');
    expect(h.server.store.get('secret', 'shop-dev-1', 'postgres')).toBeDefined();
    for (const r of h.server.requests) expect(r.path + (r.query ?? '')).not.toContain('do-not-leak-me');
    const shared = h.server.store.get('clusterrole', undefined, 'shop-reader')!;
    expect(shared.metadata.annotations).toEqual({ 'used-by.codex-k8s.io/shop-dev-1': 'shop-dev-1' });

    // Applying again changes nothing and costs the same.
    const again = await applyStack(kubectl, groups, { namespace: stack.namespace, retry: fast });
    expect(again.invocations).toBe(6);
    expect(h.server.store.get('clusterrole', undefined, 'shop-reader')!.metadata.annotations).toEqual({
      'used-by.codex-k8s.io/shop-dev-1': 'shop-dev-1',
    });
  });

  it('creates the namespace when the stack has none, and tolerates an existing one', async () => {
    const stack = load(shopProject(), 2);
    const groups = render(stack, { skipInfra: ['namespace'] }).groups;
    const kubectl = kubectlOf(h);
    const first = await applyStack(kubectl, groups, {
      namespace: stack.namespace,
      namespaceLabels: namespaceLabels('shop', 'ai', 2),
      retry: fast,
    });
    expect(first.namespace?.outcome).toBe('created');
    expect(h.server.store.get('ns', undefined, 'shop-dev-2')!.metadata.labels).toMatchObject({
      'codex-k8s.io/slot': '2',
    });
    const second = await applyStack(kubectl, groups, { namespace: stack.namespace, retry: fast });
    expect(second.namespace?.outcome).toBe('exists');
  });

  it('field conflicts: refused without force, taken over with it', async () => {
    const kubectl = kubectlOf(h);
    const cm = (value: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: default}
data: {mode: "${value}"}`;
    // Another tool owns .data.mode (as the predecessor's client-side apply did).
    expect(
      (
        await h.kubectl(['apply', '--server-side', '--field-manager=kubectl-client-side-apply', '-f', '-'], {
          stdin: yamlStream(cm('old')),
        })
      ).code,
    ).toBe(0);
    const group = {
      type: 'service' as const,
      name: 'settings',
      documents: [
        {
          object: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'settings', namespace: 'default' },
            data: { mode: 'new' },
          },
        },
      ],
    };

    const refused = (await applyStack(kubectl, [group], { forceConflicts: false, retry: fast }).catch(
      (e: unknown) => e,
    )) as ApplyError;
    expect(refused).toBeInstanceOf(ApplyError);
    expect(refused.message).toMatch(
      /apply of service "settings" failed:\n {2}error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply"/,
    );
    expect(refused.message).toMatch(/set force-conflicts: true/);
    expect(refused.attempts).toBe(1);
    expect(h.server.store.get('cm', 'default', 'settings')!.data).toEqual({ mode: 'old' });

    await applyStack(kubectl, [group], { retry: fast });
    const taken = h.server.store.get('cm', 'default', 'settings')!;
    expect(taken.data).toEqual({ mode: 'new' });
    expect(
      (taken.metadata.managedFields ?? []).find((m: { manager: string }) => m.manager === 'codex-k8s')?.fieldsV1,
    ).toHaveProperty(['f:data', 'f:mode']);
  });

  it('retries transient 500s (twice, then success); never an invalid object', async () => {
    const stack = load(shopProject(), 3);
    const { groups } = render(stack, { onlyServices: ['api'] });
    const kubectl = kubectlOf(h);
    await applyStack(kubectl, groups, { namespace: stack.namespace, retry: fast });
    h.server.clearRequests();
    // Only the Deployment's PATCH fails: kubectl goes on with the other objects of the call, then exits 1.
    h.server.failNext(2, 500, undefined, { method: 'PATCH', path: '/deployments/' });
    const retried: number[] = [];
    const result = await applyStack(kubectl, groups, {
      namespace: stack.namespace,
      retry: fast,
      onEvent: (e) => e.type === 'retry' && retried.push(e.attempt),
    });
    expect(result.groups[0].attempts).toBe(3);
    expect(retried).toEqual([1, 2]);

    const bad = {
      type: 'service' as const,
      name: 'bad',
      documents: [
        { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name', namespace: 'default' } } },
      ],
    };
    const before = kubectl.invocations;
    const err = (await applyStack(kubectl, [bad], { retry: fast }).catch((e: unknown) => e)) as ApplyError;
    expect(err.message).toMatch(/The ConfigMap "Bad_Name" is invalid/);
    expect(kubectl.invocations - before).toBe(1);
  });

  it('dry run: applies nothing; the diff summary shows what would change', async () => {
    const stack = load(shopProject(), 4);
    const { groups } = render(stack);
    const kubectl = kubectlOf(h);
    const dry = await applyStack(kubectl, groups, { namespace: stack.namespace, dryRun: true });
    expect(dry.invocations).toBe(0);
    expect(h.server.store.get('ns', undefined, 'shop-dev-4')).toBeUndefined();

    const before = await diffStack(kubectl, groups, { namespace: stack.namespace });
    expect(before.namespace).toEqual({ name: 'shop-dev-4', exists: false });
    expect(before.created.map((r) => r.name).sort()).toEqual(
      [
        'api',
        'api',
        'migrate',
        'postgres',
        'postgres',
        'postgres',
        'shop-dev-4',
        'shop-dev-4-only',
        'shop-reader',
      ].sort(),
    );
    expect(h.server.store.get('clusterrole', undefined, 'shop-reader')).toBeUndefined();

    await applyStack(kubectl, groups, { namespace: stack.namespace, retry: fast });
    (groups[3].documents[0].object.spec as { replicas: number }).replicas = 3;
    const after = await diffStack(kubectl, groups, { namespace: stack.namespace });
    expect(after.changed.map((r) => `${r.kind}/${r.name}`)).toEqual(['Deployment/api']);
    expect(after.created).toEqual([]);
    expect(after.unchanged).toHaveLength(8);
    expect(formatDiffSummary(after)).toMatch(/^would change \(1\):\n {2}Deployment shop-dev-4\/api\nunchanged \(8\):/);
    expect(after.diff).toMatch(/- {2}replicas: 1\n\+ {2}replicas: 3/);
    expect(h.server.store.get('deploy', 'shop-dev-4', 'api')!.spec.replicas).toBe(1);
  });
});
