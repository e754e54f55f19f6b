/** The slot store with the real kubectl against the kube test server, one process. */
import { describe, expect, it } from '@jest/globals';
import { NoFreeSlotError, SlotStateError } from '../../packages/core/src/slots/errors.js';
import type { AllocateRequest } from '../../packages/core/src/slots/allocate.js';
import type { SlotStore } from '../../packages/core/src/slots/store.js';
import { useKubeServer } from '../kube-server/harness.js';
import { createPredecessorRecord, createStateNamespace, STATE_NS, storeOf } from './helpers.js';

const request = (over: Partial<AllocateRequest> = {}): AllocateRequest => ({
  env: 'ai',
  owner: 'run-1',
  maxSlots: 10,
  namespaceFor: (slot) => `shop-dev-${slot}`,
  waitTimeoutMs: 0,
  ...over,
});

const RFC3339_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('slot store with kubectl', () => {
  const h = useKubeServer();

  it('allocates slot 1 for issue 7 in 3 calls (plus 2 to create the missing state namespace), then reuses it in 2', async () => {
    const store = storeOf(h);
    const first = await store.allocate(request({ issue: 7 }));
    expect(first).toMatchObject({ slot: 1, namespace: 'shop-dev-1', created: true });
    // list, create (NotFound: namespace), create namespace, create again, re-list
    expect(first.kubectlCalls).toBe(5);
    expect(h.server.store.get('ns', undefined, STATE_NS)).toBeDefined();

    const cm = h.server.store.get('configmap', STATE_NS, 'codex-env-1')!;
    expect(Object.keys(cm.data).sort()).toEqual([
      'createdAt',
      'env',
      'issue',
      'namespace',
      'owner',
      'pr',
      'slot',
      'updatedAt',
    ]);
    expect(cm.data).toMatchObject({
      slot: '1',
      env: 'ai',
      namespace: 'shop-dev-1',
      owner: 'run-1',
      issue: '7',
      pr: '0',
    });
    expect(cm.data.createdAt).toMatch(RFC3339_SECONDS);
    expect(cm.metadata.labels).toEqual({
      'codex-k8s.io/slot-state': 'true',
      'codex-k8s.io/env': 'ai',
      'codex-k8s.io/slot': '1',
      'codex-k8s.io/issue': '7',
      'codex-k8s.io/pr': '0',
    });
    expect(cm.metadata.annotations).toEqual({ 'codex-k8s.io/claim': 'pending' });
    // Nothing of the record travelled in argv: the create was a JSON body on stdin.
    const posts = h.server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/configmaps'));
    expect(posts.length).toBeGreaterThan(0);

    const again = await store.allocate(request({ issue: 7, owner: 'run-2' }));
    expect(again).toMatchObject({ slot: 1, namespace: 'shop-dev-1', created: false });
    expect(again.kubectlCalls).toBe(2);
    expect(again.record.pending).toBe(false);
    expect(h.server.store.get('configmap', STATE_NS, 'codex-env-1')!.metadata.annotations ?? {}).toEqual({});
    expect(h.server.store.list('configmap', STATE_NS, 'codex-k8s.io/slot-state=true')).toHaveLength(1);
  });

  it('records the stack applied completely beside the predecessor keys, and clears it, in one call each', async () => {
    await createStateNamespace(h);
    await createPredecessorRecord(h, 2, { issue: '5' });
    const store = storeOf(h);
    const digest = `sha256:${'0f'.repeat(32)}`;
    const predecessorData = { ...h.server.store.get('configmap', STATE_NS, 'codex-env-2')!.data };
    let before = store.invocations;
    const marked = await store.recordApplied(2, digest);
    expect(marked).toMatchObject({ slot: 2, issue: 5, appliedDigest: digest });
    expect(marked.appliedAt).toMatch(RFC3339_SECONDS);
    expect(store.invocations - before).toBeLessThanOrEqual(2);
    const cm = h.server.store.get('configmap', STATE_NS, 'codex-env-2')!;
    expect(cm.data).toMatchObject({ ...predecessorData, appliedDigest: digest });
    expect((await store.get(2))!.appliedDigest).toBe(digest);

    before = store.invocations;
    expect(await store.recordApplied(2, '')).toMatchObject({ appliedDigest: '', appliedAt: '' });
    expect(store.invocations - before).toBe(1);
    await expect(store.recordApplied(2, 'md5:x')).rejects.toThrow(/not a stack digest/);
  });

  it('a new slot costs exactly list + create + re-list when the state namespace exists', async () => {
    await createStateNamespace(h);
    const store = storeOf(h);
    const before = h.server.kubectlInvocations().length;
    const out = await store.allocate(request({ issue: 3 }));
    expect(out.kubectlCalls).toBe(3);
    expect(
      h.server
        .kubectlInvocations()
        .slice(before)
        .map((i) => i.command),
    ).toEqual(['kubectl get', 'kubectl create', 'kubectl get']);
  });

  it("finds and reuses a record in the predecessor's exact format, and labels it when touching it", async () => {
    await createStateNamespace(h);
    await createPredecessorRecord(h, 4, { issue: '9' });
    const store = storeOf(h);
    const [legacy] = await store.find({ env: 'ai', issue: 9 });
    expect(legacy).toMatchObject({
      slot: 4,
      issue: 9,
      pr: 0,
      labelled: false,
      pending: false,
      createdAt: '2026-02-06T10:00:00Z',
      updatedAt: '',
    });

    const out = await store.allocate(request({ issue: 9 }));
    expect(out).toMatchObject({ slot: 4, namespace: 'shop-dev-4', created: false });
    expect(out.kubectlCalls).toBe(2);
    const cm = h.server.store.get('configmap', STATE_NS, 'codex-env-4')!;
    expect(cm.data).toMatchObject({
      slot: '4',
      env: 'ai',
      owner: 'manual',
      issue: '9',
      pr: '0',
      createdAt: '2026-02-06T10:00:00Z',
    });
    expect(cm.data.updatedAt).toMatch(RFC3339_SECONDS);
    expect(cm.metadata.labels).toMatchObject({
      'codex-k8s.io/slot-state': 'true',
      'codex-k8s.io/issue': '9',
      'codex-k8s.io/slot': '4',
    });
    expect(out.record.labelled).toBe(true);
  });

  it('attaches a PR to the slot found by its issue (#27), and the namespace follows the pattern', async () => {
    await createStateNamespace(h);
    await createPredecessorRecord(h, 2, { issue: '9', namespace: 'old-name-2' });
    const store = storeOf(h);
    const out = await store.allocate(request({ issue: 9, pr: 15 }));
    expect(out).toMatchObject({ slot: 2, namespace: 'shop-dev-2', created: false });
    expect(out.record).toMatchObject({ issue: 9, pr: 15 });
    // The PR alone now finds it (cleanup-pr, review runs).
    expect((await store.find({ env: 'ai', pr: 15 })).map((r) => r.slot)).toEqual([2]);
    expect(h.server.store.list('configmap', STATE_NS, 'codex-k8s.io/pr=15').map((o) => o.metadata.name)).toEqual([
      'codex-env-2',
    ]);
  });

  it('orders numerically and computes the free numbers from one listing', async () => {
    await createStateNamespace(h);
    const store = storeOf(h);
    // Made out of order on purpose: kubectl lists by name (codex-env-10 before codex-env-2).
    expect(await store.claim(10, { env: 'ai', namespace: 'shop-dev-10', owner: 'x', issue: 5 })).toBeDefined();
    expect(await store.claim(2, { env: 'ai', namespace: 'shop-dev-2', owner: 'x', issue: 5 })).toBeDefined();
    expect((await store.find({ env: 'ai', issue: 5 })).map((r) => r.slot)).toEqual([2, 10]);
    expect((await store.list()).map((r) => r.slot)).toEqual([2, 10]);

    const a = await store.allocate(request({ issue: 1, maxSlots: 0 }));
    const b = await store.allocate(request({ issue: 11, maxSlots: 0 }));
    expect([a.slot, b.slot]).toEqual([1, 3]);
    expect(b.kubectlCalls).toBe(3);
    // A taken slot is AlreadyExists for claim, nothing else.
    expect(await store.claim(3, { env: 'ai', namespace: 'x', owner: 'y' })).toBeUndefined();
  });

  it('reuses the first-claimed of two pending records of one issue, whatever their numbers', async () => {
    await createStateNamespace(h);
    const store = storeOf(h);
    await store.claim(3, { env: 'ai', namespace: 'shop-dev-3', owner: 'a', issue: 12 });
    await store.claim(2, { env: 'ai', namespace: 'shop-dev-2', owner: 'b', issue: 12 });
    const out = await store.allocate(request({ issue: 12 }));
    expect(out).toMatchObject({ slot: 3, created: false });
  });

  it('the preferred slot is tried first, and without an issue it is the selector', async () => {
    await createStateNamespace(h);
    const store = storeOf(h);
    const out = await store.allocate(request({ preferredSlot: 6 }));
    expect(out).toMatchObject({ slot: 6, created: true, kubectlCalls: 2 });
    const again = await store.allocate(request({ preferredSlot: 6 }));
    expect(again).toMatchObject({ slot: 6, created: false });
    // Taken by another issue: a different number.
    const other = await store.allocate(request({ issue: 8, preferredSlot: 6 }));
    expect(other).toMatchObject({ slot: 1, created: true });
  });

  it('no free slot: fails after the wait naming each slot and who holds it', async () => {
    await createStateNamespace(h);
    const store = storeOf(h);
    await store.allocate(request({ issue: 1, maxSlots: 2 }));
    await store.allocate(request({ pr: 22, maxSlots: 2 }));
    const started = Date.now();
    const err = await store
      .allocate(request({ issue: 3, maxSlots: 2, waitTimeoutMs: 600, waitBackoff: { initialMs: 100 } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoFreeSlotError);
    const msg = (err as Error).message;
    expect(msg).toContain('no free slot for env "ai": all 2 slots are taken');
    expect(msg).toContain('slot 1: issue #1 (namespace shop-dev-1)');
    expect(msg).toContain('slot 2: PR #22 (namespace shop-dev-2)');
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect((err as NoFreeSlotError).holders.map((r) => r.slot)).toEqual([1, 2]);
  });

  it('every request failing with 500: fails quickly with the server error, not "no free slot"', async () => {
    await createStateNamespace(h);
    const store = storeOf(h);
    h.server.failNext(1000, 500);
    const err = await store.allocate(request({ issue: 7, waitTimeoutMs: 60_000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlotStateError);
    expect((err as Error).message).toMatch(
      /^listing slot records in namespace codex-state: kubectl get configmaps failed: .*InternalError/,
    );
    expect((err as Error).message).not.toContain('no free slot');
    expect(store.invocations).toBe(4); // one call, retried 3 times
  });

  it('the first two requests failing with 500: retried, and the allocation succeeds', async () => {
    await createStateNamespace(h);
    const store = storeOf(h);
    h.server.failNext(2, 500);
    const out = await store.allocate(request({ issue: 7 }));
    expect(out).toMatchObject({ slot: 1, created: true });
    expect(h.server.store.list('configmap', STATE_NS, 'codex-k8s.io/slot-state=true')).toHaveLength(1);
  });

  it("a create refused for another reason than AlreadyExists fails at once with kubectl's message", async () => {
    await createStateNamespace(h);
    const store = storeOf(h);
    h.server.failNext(1, 403, 'Forbidden', {
      method: 'POST',
      path: '/configmaps',
      message: 'configmaps is forbidden: no create for you',
    });
    const err = await store.allocate(request({ issue: 7 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlotStateError);
    expect((err as SlotStateError).reason).toBe('Forbidden');
    expect((err as Error).message).toContain('claiming slot 1 (configmap codex-state/codex-env-1)');
    expect((err as Error).message).toContain('no create for you');
    expect(store.invocations).toBe(2); // list, one create: no scan of the other numbers
  });

  it('link, touch and release', async () => {
    await createStateNamespace(h);
    const store = storeOf(h);
    await store.allocate(request({ issue: 7 }));
    const linked = await store.link(1, { pr: 30 });
    expect(linked).toMatchObject({ slot: 1, issue: 7, pr: 30, labelled: true, pending: false });
    expect(store.invocations).toBe(4);
    expect(await store.link(1, { issue: 0, env: 'ai' })).toMatchObject({ issue: 0, pr: 30 });
    await expect(store.link(1, { issue: 3, env: 'staging' })).rejects.toThrow(
      'slot 1 belongs to env "ai", not "staging"',
    );
    await expect(store.link(5, { issue: 3 })).rejects.toThrow(
      'slot 5 has no record (configmap codex-state/codex-env-5)',
    );

    await createPredecessorRecord(h, 4, { issue: '9' });
    const calls = store.invocations;
    const touched = await store.touch(4);
    expect(store.invocations - calls).toBe(2); // the patch, then the labels the predecessor's record lacked
    expect(touched).toMatchObject({ labelled: true, issue: 9 });
    expect(touched.updatedAt).toMatch(RFC3339_SECONDS);
    const again = store.invocations;
    await store.touch(4);
    expect(store.invocations - again).toBe(1);

    expect(await store.release(4)).toBe(true);
    expect(await store.release(4)).toBe(false);
    expect((await store.list()).map((r) => r.slot)).toEqual([1]);
  });

  it('collectStale releases expired and closed records, keeps the rest and records written meanwhile', async () => {
    await createStateNamespace(h);
    const day = 24 * 3600_000;
    const now = Date.parse('2026-03-10T12:00:00Z');
    const at = (ms: number): SlotStore => storeOf(h, { clock: { now: () => ms, sleep: async () => {} } });
    await at(now - 2 * day).allocate(request({ issue: 1 })); // slot 1: expired
    await at(now - 1000).allocate(request({ issue: 2 })); // slot 2: fresh but its issue is closed
    await at(now - 1000).allocate(request({ issue: 3 })); // slot 3: fresh and open
    await createPredecessorRecord(h, 4, { issue: '4', createdAt: '2026-03-01T00:00:00Z' }); // expired, no updatedAt
    await at(now - 3 * day).allocate(request({ issue: 5 })); // slot 5: expired, but picked up while collecting
    const store = at(now);
    const asked: number[] = [];
    const result = await store.collectStale({
      ttlMs: day,
      now,
      isClosed: async (r) => {
        asked.push(r.issue);
        return r.issue === 2;
      },
      beforeRelease: async (r) => {
        if (r.slot === 5) await at(now).touch(5);
      },
    });
    expect(result.released.map((x) => [x.record.slot, x.reason])).toEqual([
      [1, 'expired'],
      [2, 'closed'],
      [4, 'expired'],
    ]);
    expect(result.changed.map((r) => r.slot)).toEqual([5]);
    expect(result.failed).toEqual([]);
    expect(asked).toEqual([2, 3]);
    expect((await store.list()).map((r) => r.slot)).toEqual([3, 5]);
  });
});
