import { describe, expect, it } from '@jest/globals';
import { compareResourceVersion, findRecords, freeSlots, holdersWithin, pickWinner } from './match.js';
import type { SlotRecord } from './types.js';

const rec = (slot: number, over: Partial<SlotRecord> = {}): SlotRecord => ({
  slot,
  env: 'ai',
  namespace: `p-dev-${slot}`,
  owner: 'o',
  issue: 0,
  pr: 0,
  createdAt: '',
  updatedAt: '',
  appliedDigest: '',
  appliedAt: '',
  name: `codex-env-${slot}`,
  resourceVersion: String(100 + slot),
  labelled: true,
  pending: false,
  ...over,
});

describe('slot matching', () => {
  it('orders numerically, not by name', () => {
    const records = [rec(10, { issue: 5 }), rec(2, { issue: 5 }), rec(1, { issue: 6 })];
    expect(findRecords(records, { env: 'ai', issue: 5 }).map((r) => r.slot)).toEqual([2, 10]);
  });

  it('issue and PR match either by default, both with match: all; env and slot must match', () => {
    const records = [
      rec(1, { issue: 7 }),
      rec(2, { pr: 12 }),
      rec(3, { issue: 7, pr: 12 }),
      rec(4, { issue: 7, env: 'staging' }),
    ];
    expect(findRecords(records, { env: 'ai', issue: 7, pr: 12 }).map((r) => r.slot)).toEqual([1, 2, 3]);
    expect(findRecords(records, { env: 'ai', issue: 7, pr: 12, match: 'all' }).map((r) => r.slot)).toEqual([3]);
    expect(findRecords(records, { issue: 7 }).map((r) => r.slot)).toEqual([1, 3, 4]);
    expect(findRecords(records, { env: 'ai', slot: 2 }).map((r) => r.slot)).toEqual([2]);
    expect(findRecords(records, { env: 'ai' }).map((r) => r.slot)).toEqual([1, 2, 3]);
  });

  it('the winner: a written record over pending ones (lowest first), else the first claimed', () => {
    expect(
      pickWinner([rec(3, { pending: true, resourceVersion: '50' }), rec(2, { pending: true, resourceVersion: '51' })])!
        .slot,
    ).toBe(3);
    expect(
      pickWinner([rec(3, { pending: true, resourceVersion: '50' }), rec(5, { resourceVersion: '90' })])!.slot,
    ).toBe(5);
    expect(pickWinner([rec(6), rec(4)])!.slot).toBe(4);
    // resourceVersions compare as numbers: 9 < 10.
    expect(
      pickWinner([rec(1, { pending: true, resourceVersion: '10' }), rec(2, { pending: true, resourceVersion: '9' })])!
        .slot,
    ).toBe(2);
    expect(pickWinner([])).toBeUndefined();
  });

  it('compares resourceVersions', () => {
    expect(compareResourceVersion('9', '10')).toBeLessThan(0);
    expect(compareResourceVersion('123456789012345678901', '123456789012345678900')).toBeGreaterThan(0);
    expect(compareResourceVersion('abc', 'abd')).toBeLessThan(0);
  });

  it('free numbers from one listing: preferred first, lowest up, bounded when unlimited', () => {
    const records = [rec(2), rec(10), rec(1, { env: 'staging' })];
    expect(freeSlots(records, { maxSlots: 10 })).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(freeSlots(records, { maxSlots: 10, preferredSlot: 7 })).toEqual([7, 3, 4, 5, 6, 8, 9]);
    expect(freeSlots(records, { maxSlots: 10, preferredSlot: 2 })).toEqual([3, 4, 5, 6, 7, 8, 9]);
    // The preferred slot may lie above maxSlots (as in the predecessor).
    expect(freeSlots(records, { maxSlots: 3, preferredSlot: 12 })).toEqual([12, 3]);
    expect(freeSlots(records, { maxSlots: 0 })).toHaveLength(64);
    expect(freeSlots(records, { maxSlots: 0, limit: 3 })).toEqual([3, 4, 5]);
    expect(freeSlots([rec(1), rec(2)], { maxSlots: 2 })).toEqual([]);
  });

  it('holders within maxSlots', () => {
    expect(holdersWithin([rec(12), rec(2), rec(1)], 10).map((r) => r.slot)).toEqual([1, 2]);
    expect(holdersWithin([rec(12), rec(2)], 0).map((r) => r.slot)).toEqual([2, 12]);
  });

  it('an issue or PR of 0 is not given: it matches nothing by itself, and an empty env is any env', () => {
    const records = [rec(1, { issue: 7 }), rec(2), rec(3, { issue: 7, pr: 13, env: 'staging' })];
    expect(findRecords(records, { env: 'ai', issue: 7, pr: 0 }).map((r) => r.slot)).toEqual([1]);
    expect(findRecords(records, { env: 'ai', issue: 0 }).map((r) => r.slot)).toEqual([1, 2]);
    expect(findRecords(records, { env: '', issue: 7 }).map((r) => r.slot)).toEqual([1, 3]);
    expect(findRecords(records, { env: 'ai', slot: 0 }).map((r) => r.slot)).toEqual([1, 2]);
  });

  it('with either, a record must hold the issue or the PR asked for, not just any PR', () => {
    const records = [rec(1, { pr: 99 }), rec(2, { pr: 12 }), rec(3, { issue: 8, pr: 13 })];
    expect(findRecords(records, { env: 'ai', issue: 7, pr: 12 }).map((r) => r.slot)).toEqual([2]);
  });

  it('resourceVersions: equal ones are equal, and a non-numeric one never reaches BigInt', () => {
    expect(compareResourceVersion('7', '7')).toBe(0);
    expect(compareResourceVersion('10', '9')).toBeGreaterThan(0);
    expect(compareResourceVersion('abc', 'abc')).toBe(0);
    expect(compareResourceVersion('abd', 'abc')).toBeGreaterThan(0);
    for (const [a, b] of [
      ['a1', '2'],
      ['1a', '2'],
      ['x', '1'],
    ]) {
      expect(compareResourceVersion(a, b)).toBeGreaterThan(0);
      expect(compareResourceVersion(b, a)).toBeLessThan(0);
    }
  });

  it('a bounded scan is bounded by maxSlots only', () => {
    expect(freeSlots([], { maxSlots: 100 })).toHaveLength(100);
  });

  it('the slot numbered maxSlots is within', () => {
    expect(holdersWithin([rec(10), rec(11)], 10).map((r) => r.slot)).toEqual([10]);
  });
});
