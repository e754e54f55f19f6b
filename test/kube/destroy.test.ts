/** Destroying slots with the real kubectl: the namespace goes, shared cluster-scoped objects stay while used. */
import { describe, expect, it } from '@jest/globals';
import { applyStack, namespaceLabels } from '../../packages/core/src/kube/apply.js';
import { describeDestroy, destroySlot } from '../../packages/core/src/kube/destroy.js';
import { releaseUsage } from '../../packages/core/src/kube/usage.js';
import { useKubeServer } from '../kube-server/harness.js';
import { kubectlOf, load, render, shopProject } from './project.js';

const fast = { initialDelayMs: 50 };
const owner = { project: 'shop' };
const labelsOf = (namespace: string) => namespaceLabels('shop', 'ai', Number(namespace.split('-').pop()));

describe('destroy with kubectl', () => {
  const h = useKubeServer({ readyDelayMs: 100, namespaceTerminationDelayMs: 400 });

  it('keeps a cluster-scoped object another slot uses, deletes the one only this slot used', async () => {
    const root = shopProject();
    const kubectl = kubectlOf(h);
    const slots = [1, 2].map((n) => load(root, n));
    for (const s of slots)
      await applyStack(kubectl, render(s).groups, {
        namespace: s.namespace,
        namespaceLabels: labelsOf(s.namespace),
        retry: fast,
      });
    expect(h.server.store.get('clusterrole', undefined, 'shop-reader')!.metadata.annotations).toEqual({
      'used-by.codex-k8s.io/shop-dev-1': 'shop-dev-1',
      'used-by.codex-k8s.io/shop-dev-2': 'shop-dev-2',
    });

    const before = kubectl.invocations;
    const one = slots[0];
    const r = await destroySlot(kubectl, {
      owner,
      namespace: one.namespace,
      clusterObjects: render(one).documents.map((d) => d.object),
      namespaceTimeoutMs: 10_000,
      retry: fast,
    });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.namespace).toMatchObject({ name: 'shop-dev-1', existed: true, gone: true });
    expect(r.namespace.ownership).toMatchObject({ allowed: true, basis: 'labels' });
    expect(r.cluster.kept.map((k) => [k.ref.name, k.users])).toEqual([['shop-reader', ['shop-dev-2']]]);
    expect(r.cluster.deleted.map((d) => d.name)).toEqual(['shop-dev-1-only']);
    expect(kubectl.invocations - before).toBe(6); // ownership read, namespace delete, get, annotate, delete, wait
    expect(describeDestroy(r)).toEqual([
      'namespace shop-dev-1: deleted',
      'deleted ClusterRole shop-dev-1-only (no other slot uses it)',
      'kept ClusterRole shop-reader: still used by shop-dev-2',
    ]);

    expect(h.server.store.get('ns', undefined, 'shop-dev-1')).toBeUndefined();
    expect(h.server.store.list('deploy', 'shop-dev-1')).toEqual([]);
    expect(h.server.store.get('clusterrole', undefined, 'shop-dev-1-only')).toBeUndefined();
    const shared = h.server.store.get('clusterrole', undefined, 'shop-reader')!;
    expect(shared.metadata.annotations).toEqual({ 'used-by.codex-k8s.io/shop-dev-2': 'shop-dev-2' });
    expect(shared.rules).toHaveLength(1);
    // The other slot is untouched.
    expect(h.server.store.get('deploy', 'shop-dev-2', 'api')).toBeDefined();
    expect(h.server.store.get('clusterrole', undefined, 'shop-dev-2-only')).toBeDefined();

    // Destroying a slot twice is harmless.
    const again = await destroySlot(kubectl, {
      owner,
      namespace: one.namespace,
      clusterObjects: render(one).documents.map((d) => d.object),
    });
    expect(again.ok).toBe(true);
    expect(again.namespace.existed).toBe(false);
    expect(again.cluster.deleted).toEqual([]);

    // The last user goes: the shared object goes too.
    const two = slots[1];
    const dry = await destroySlot(kubectl, {
      owner,
      namespace: two.namespace,
      clusterObjects: render(two).documents.map((d) => d.object),
      dryRun: true,
    });
    expect(dry.cluster.deleted.map((d) => d.name).sort()).toEqual(['shop-dev-2-only', 'shop-reader']);
    expect(h.server.store.get('clusterrole', undefined, 'shop-reader')).toBeDefined();
    const last = await destroySlot(kubectl, {
      owner,
      namespace: two.namespace,
      clusterObjects: render(two).documents.map((d) => d.object),
    });
    expect(last.ok).toBe(true);
    expect(last.cluster.deleted.map((d) => d.name).sort()).toEqual(['shop-dev-2-only', 'shop-reader']);
    expect(h.server.store.list('clusterrole').filter((c) => c.metadata.name?.startsWith('shop'))).toEqual([]);
  });

  it('a delete refused for one object: only what kubectl confirmed counts as deleted, the refused one stays', async () => {
    const kubectl = kubectlOf(h);
    const labels = { 'app.kubernetes.io/managed-by': 'codex-k8s', 'codex-k8s.io/project': 'shop' };
    const roles = ['shop-guarded', 'shop-free'].map((name) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels },
    }));
    await kubectl.run(['apply', '-f', '-'], { input: roles.map((r) => JSON.stringify(r)).join('\n') });
    h.server.failNext(1, 403, 'Forbidden', { method: 'DELETE', path: '/clusterroles/shop-guarded' });
    const refs = roles.map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, name: r.metadata.name }));
    const r = await releaseUsage(kubectl, refs, { namespace: 'shop-dev-1' }, { project: 'shop', retry: fast });
    expect(r.deleted.map((d) => d.name)).toEqual(['shop-free']);
    // The test server's refusal names no object, so the output's `deleted` lines decide.
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^cannot delete: Error from server/)]);
    expect(h.server.store.get('clusterrole', undefined, 'shop-guarded')).toBeDefined();
    expect(h.server.store.get('clusterrole', undefined, 'shop-free')).toBeUndefined();
  });
});

describe('usage marks are per namespace, not per name prefix', () => {
  const h = useKubeServer({ readyDelayMs: 100, namespaceTerminationDelayMs: 100 });

  it('destroying shop-dev-1 keeps the object shop-dev-10 uses, and its mark', async () => {
    const root = shopProject();
    const kubectl = kubectlOf(h);
    const slots = [1, 10].map((n) => load(root, n));
    for (const s of slots)
      await applyStack(kubectl, render(s).groups, {
        namespace: s.namespace,
        namespaceLabels: labelsOf(s.namespace),
        retry: fast,
      });
    const r = await destroySlot(kubectl, {
      owner,
      namespace: 'shop-dev-1',
      clusterObjects: render(slots[0]).documents.map((d) => d.object),
      namespaceTimeoutMs: 10_000,
      retry: fast,
    });
    expect(r.ok).toBe(true);
    expect(r.cluster.kept.map((k) => [k.ref.name, k.users])).toEqual([['shop-reader', ['shop-dev-10']]]);
    expect(r.cluster.deleted.map((d) => d.name)).toEqual(['shop-dev-1-only']);
    expect(h.server.store.get('clusterrole', undefined, 'shop-reader')!.metadata.annotations).toEqual({
      'used-by.codex-k8s.io/shop-dev-10': 'shop-dev-10',
    });
    expect(h.server.store.get('clusterrole', undefined, 'shop-dev-10-only')).toBeDefined();

    // And the other way round: shop-dev-10 going does not take shop-dev-1's use with it.
    await applyStack(kubectl, render(slots[0]).groups, {
      namespace: 'shop-dev-1',
      namespaceLabels: labelsOf('shop-dev-1'),
      retry: fast,
    });
    const ten = await destroySlot(kubectl, {
      owner,
      namespace: 'shop-dev-10',
      clusterObjects: render(slots[1]).documents.map((d) => d.object),
      namespaceTimeoutMs: 10_000,
      retry: fast,
    });
    expect(ten.cluster.kept.map((k) => [k.ref.name, k.users])).toEqual([['shop-reader', ['shop-dev-1']]]);
    expect(h.server.store.get('clusterrole', undefined, 'shop-reader')!.metadata.annotations).toEqual({
      'used-by.codex-k8s.io/shop-dev-1': 'shop-dev-1',
    });
  });
});

describe('destroy with a slow namespace', () => {
  // Namespaces stay Terminating for 20 s here, as one with a stuck finalizer would.
  const h = useKubeServer({ readyDelayMs: 100, namespaceTerminationDelayMs: 20_000 });

  it('a namespace stuck terminating is reported with the next step; the rest is still done', async () => {
    const stack = load(shopProject(), 5);
    const kubectl = kubectlOf(h);
    await applyStack(kubectl, render(stack).groups, {
      namespace: stack.namespace,
      namespaceLabels: labelsOf(stack.namespace),
      retry: fast,
    });
    const r = await destroySlot(kubectl, {
      owner,
      namespace: stack.namespace,
      clusterObjects: render(stack).documents.map((d) => d.object),
      namespaceTimeoutMs: 1500,
    });
    expect(r.ok).toBe(false);
    expect(r.cluster.deleted.map((d) => d.name).sort()).toEqual(['shop-dev-5-only', 'shop-reader']);
    expect(r.problems).toEqual([
      {
        object: 'Namespace shop-dev-5',
        message:
          'still terminating after 1.5s; look for finalizers that cannot finish (kubectl get namespace shop-dev-5 -o yaml, and the objects left in it)',
      },
    ]);
  });
});
