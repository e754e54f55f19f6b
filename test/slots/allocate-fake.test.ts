/** Allocation races staged step by step on an in-memory kubectl (see fake-state.ts); fast and deterministic. */
import { describe, expect, it } from '@jest/globals';
import { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import type { AllocateRequest } from '../../packages/core/src/slots/allocate.js';
import { NoFreeSlotError } from '../../packages/core/src/slots/errors.js';
import { recordManifest } from '../../packages/core/src/slots/record.js';
import { SlotStore } from '../../packages/core/src/slots/store.js';
import type { Clock } from '../../packages/core/src/slots/types.js';
import { FakeState } from './fake-state.js';

const NS = 'state';

class FakeClock implements Clock {
  sleeps: number[] = [];
  constructor(public t = Date.parse('2026-03-01T00:00:00Z')) {}
  now = () => this.t;
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.t += ms;
  };
}

function setup(clock = new FakeClock()) {
  const fake = new FakeState();
  fake.namespaces.add(NS);
  const storeFor = () =>
    new SlotStore(new Kubectl(fake, { binary: 'kubectl' }), { namespace: NS, clock, random: () => 0.5 });
  const claimDirect = (slot: number, issue: number, pending = true) => {
    const cm = recordManifest(
      slot,
      { env: 'ai', namespace: `p-${slot}`, owner: 'x', issue },
      { stateNamespace: NS, prefix: 'codex-env-', now: clock.now() },
    );
    if (!pending) delete cm.metadata.annotations;
    return fake.put(NS, cm as never);
  };
  return { fake, clock, store: storeFor(), storeFor, claimDirect };
}

const req = (over: Partial<AllocateRequest> = {}): AllocateRequest => ({
  env: 'ai',
  owner: 'run',
  maxSlots: 10,
  namespaceFor: (s) => `p-${s}`,
  waitTimeoutMs: 0,
  ...over,
});

describe('allocation races (in-memory kubectl)', () => {
  it('a late claim of a lower number yields to the claim another run already reported', async () => {
    const { fake, store, claimDirect } = setup();
    claimDirect(1, 50, false);
    // Our listing shows slots 2..10 free. Right after it, another run claims slot 3 for the same issue and reports
    // it (slot 2 was still held when that run listed, and is free now).
    fake.after = ({ index }) => {
      if (index === 0) claimDirect(3, 7);
    };
    const out = await store.allocate(req({ issue: 7 }));
    expect(out).toMatchObject({ slot: 3, created: false });
    expect(fake.verbs()).toEqual(['get configmaps', 'create', 'get configmaps', 'delete --raw']);
    expect(
      fake
        .records(NS)
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['codex-env-1', 'codex-env-3']);
  });

  it('a record written since its claim (reported and touched) always wins', async () => {
    const { fake, store, claimDirect } = setup();
    fake.after = ({ index }) => {
      if (index === 0) claimDirect(5, 7, false); // claimed, reported, touched: no longer pending
    };
    const out = await store.allocate(req({ issue: 7 }));
    expect(out).toMatchObject({ slot: 5, created: false });
    expect(fake.records(NS).map((o) => o.metadata.name)).toEqual(['codex-env-5']);
  });

  it('our claim wins over a later one and removes it', async () => {
    const { fake, store, claimDirect } = setup();
    fake.after = ({ args }) => {
      if (args[0] === 'create') claimDirect(2, 7); // another run's claim, after ours
    };
    const out = await store.allocate(req({ issue: 7 }));
    expect(out).toMatchObject({ slot: 1, created: true });
    expect(fake.records(NS).map((o) => o.metadata.name)).toEqual(['codex-env-1']);
  });

  it('a collision re-lists and finds the slot a concurrent run claimed for the same issue', async () => {
    const { fake, store, claimDirect } = setup();
    fake.before = ({ args }) => {
      if (args[0] === 'create' && fake.records(NS).length === 0) claimDirect(1, 7);
    };
    const out = await store.allocate(req({ issue: 7 }));
    expect(out).toMatchObject({ slot: 1, created: false });
    expect(fake.verbs()).toEqual(['get configmaps', 'create', 'get configmaps', 'patch']);
  });

  it('a create whose response was lost (500 after it was stored) does not leak the record', async () => {
    const { fake, store } = setup();
    let failed = false;
    fake.before = ({ args, input }) => {
      if (args[0] === 'create' && !failed) {
        failed = true;
        fake.handle(args, input);
        return {
          code: 1,
          stderr:
            'Error from server (InternalError): an error on the server has prevented the request from succeeding\n',
        };
      }
    };
    const out = await store.allocate(req({ issue: 7 }));
    expect(out.slot).toBe(1);
    expect(fake.records(NS)).toHaveLength(1);
    expect(fake.records(NS)[0].data).toMatchObject({ issue: '7' });
  });

  it('unlimited slots: the free number comes from one listing, never a scan of creates', async () => {
    const { fake, store, claimDirect } = setup();
    for (let n = 1; n <= 300; n++) if (n !== 217) claimDirect(n, 1000 + n, false);
    const out = await store.allocate(req({ issue: 7, maxSlots: 0 }));
    expect(out).toMatchObject({ slot: 217, created: true, kubectlCalls: 3 });
    const next = await store.allocate(req({ issue: 8, maxSlots: 0 }));
    expect(next).toMatchObject({ slot: 301, kubectlCalls: 3 });
    expect(fake.verbs().filter((v) => v === 'create')).toHaveLength(2);
  });

  it('waits with growing jittered pauses and takes the slot freed meanwhile', async () => {
    const { fake, clock, store, claimDirect } = setup();
    claimDirect(1, 1, false);
    claimDirect(2, 2, false);
    let lists = 0;
    fake.after = ({ args }) => {
      if (args[0] === 'get' && ++lists === 3) fake.objects.delete(`${NS}/codex-env-2`);
    };
    const waits: number[] = [];
    const out = await store.allocate(
      req({
        issue: 3,
        maxSlots: 2,
        waitTimeoutMs: 60_000,
        waitBackoff: { initialMs: 1000, maxMs: 8000 },
        onEvent: (e) => e.type === 'waiting' && waits.push(e.delayMs),
      }),
    );
    expect(out).toMatchObject({ slot: 2, created: true });
    expect(clock.sleeps).toEqual([750, 1500, 3000]);
    expect(waits).toEqual(clock.sleeps);
    expect(out.waitedMs).toBe(5250);
  });

  it('gives up at the deadline naming the holders', async () => {
    const { clock, store, claimDirect } = setup();
    claimDirect(1, 1, false);
    claimDirect(2, 0, false);
    const err = await store
      .allocate(req({ issue: 3, maxSlots: 2, waitTimeoutMs: 2000, waitBackoff: { initialMs: 1000 } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoFreeSlotError);
    expect((err as Error).message).toContain('waited 2.0s');
    expect((err as Error).message).toContain('slot 1: issue #1 (namespace p-1)');
    expect((err as Error).message).toContain('slot 2: no issue or PR (namespace p-2)');
    expect(clock.sleeps).toEqual([750, 1250]);
  });

  it('collectStale: one failing check does not stop the others', async () => {
    const { store, claimDirect } = setup();
    claimDirect(1, 1, false);
    claimDirect(2, 2, false);
    claimDirect(3, 3, false);
    const result = await store.collectStale({
      ttlMs: 0,
      isClosed: async (r) => {
        if (r.issue === 1) throw new Error('GitHub said 502');
        return true;
      },
    });
    expect(result.released.map((x) => x.record.slot)).toEqual([2, 3]);
    expect(result.failed.map((x) => [x.record.slot, x.error.message])).toEqual([[1, 'GitHub said 502']]);
  });

  it('validates the request', async () => {
    const { store } = setup();
    await expect(store.allocate(req({}))).rejects.toThrow('an issue, a PR or a slot number is required');
    await expect(store.allocate(req({ issue: -1 }))).rejects.toThrow('issue must be a whole number >= 0');
    await expect(store.allocate(req({ issue: 1, maxSlots: 1.5 }))).rejects.toThrow('maxSlots must be a whole number');
    await expect(store.allocate(req({ issue: 1, env: '' }))).rejects.toThrow('env is required');
  });
});
