/** planSlot, the dry run of an allocation: one listing, no write (in-memory kubectl, see fake-state.ts). */
import { describe, expect, it } from '@jest/globals';
import { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import { planSlot, type AllocateRequest } from '../../packages/core/src/slots/allocate.js';
import { NoFreeSlotError } from '../../packages/core/src/slots/errors.js';
import { recordManifest } from '../../packages/core/src/slots/record.js';
import { SlotStore } from '../../packages/core/src/slots/store.js';
import { FakeState } from './fake-state.js';

const NS = 'state';
const NOW = Date.parse('2026-03-01T00:00:00Z');

function setup() {
  const fake = new FakeState();
  fake.namespaces.add(NS);
  const store = new SlotStore(new Kubectl(fake, { binary: 'kubectl' }), { namespace: NS });
  const hold = (slot: number, issue: number) =>
    fake.put(
      NS,
      recordManifest(
        slot,
        { env: 'ai', namespace: `p-${slot}`, owner: 'x', issue },
        { stateNamespace: NS, prefix: 'codex-env-', now: NOW },
      ) as never,
    );
  return { fake, store, hold };
}

const req = (over: Partial<AllocateRequest> = {}): AllocateRequest => ({
  env: 'ai',
  owner: 'run',
  maxSlots: 3,
  namespaceFor: (s) => `p-${s}`,
  waitTimeoutMs: 60_000,
  ...over,
});

describe('planSlot', () => {
  it('names the slot held for the issue, to be reused, after one listing', async () => {
    const { fake, store, hold } = setup();
    hold(2, 7);
    expect(await planSlot(store, req({ issue: 7 }))).toMatchObject({ slot: 2, namespace: 'p-2', created: false });
    expect(fake.verbs()).toEqual(['get configmaps']);
  });

  it('names the lowest free number (or the preferred one) as the slot that would be claimed; creates nothing', async () => {
    const { fake, store, hold } = setup();
    hold(1, 5);
    expect(await planSlot(store, req({ issue: 7 }))).toEqual({ slot: 2, namespace: 'p-2', created: true });
    expect(await planSlot(store, req({ issue: 7, preferredSlot: 3 }))).toMatchObject({ slot: 3, created: true });
    expect(fake.verbs()).toEqual(['get configmaps', 'get configmaps']);
    expect(fake.records(NS).map((o) => o.metadata.name)).toEqual(['codex-env-1']);
  });

  it('fails at once naming the holders when every number is taken (a dry run does not wait)', async () => {
    const { fake, store, hold } = setup();
    for (const s of [1, 2, 3]) hold(s, 10 + s);
    await expect(planSlot(store, req({ issue: 7 }))).rejects.toThrow(NoFreeSlotError);
    expect(fake.verbs()).toEqual(['get configmaps']);
  });
});
