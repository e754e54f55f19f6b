/** Pure selection logic over listed records: matching, ordering, the winner of concurrent claims, free numbers. */
import type { SlotQuery, SlotRecord } from './types.js';

/** Numeric slot order (the predecessor listed `codex-env-1, codex-env-10, codex-env-2`). */
export const bySlot = (a: SlotRecord, b: SlotRecord): number => a.slot - b.slot;

const given = (n: number | undefined): n is number => n !== undefined && n > 0;

export function matchesQuery(r: SlotRecord, q: SlotQuery): boolean {
  if (q.env !== undefined && q.env !== '' && r.env !== q.env) return false;
  if (given(q.slot) && r.slot !== q.slot) return false;
  const issue = given(q.issue);
  const pr = given(q.pr);
  if (!issue && !pr) return true;
  if (q.match === 'all') return (!issue || r.issue === q.issue) && (!pr || r.pr === q.pr);
  return (issue && r.issue === q.issue) || (pr && r.pr === q.pr);
}

/** Every record matching the query, lowest slot first. */
export function findRecords(records: readonly SlotRecord[], q: SlotQuery): SlotRecord[] {
  return records.filter((r) => matchesQuery(r, q)).sort(bySlot);
}

/**
 * Orders resourceVersions. They are opaque by contract but etcd revisions (decimal integers) in practice, and
 * comparable since Kubernetes 1.34 (KEP-5504); anything else falls back to length, then text.
 */
export function compareResourceVersion(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Of several records held for the same issue/PR, the one every run keeps. It must be the same whatever moment a
 * run lists, or a run could hand out a slot that a later run then releases:
 * - a record written since its claim (touched, linked, reused, or the predecessor's) belongs to a run that already
 *   reported it: it wins, the lowest such first, and it is never released by someone else;
 * - among records still pending, the one claimed first wins. Their resourceVersions are still their creation
 *   versions, so they order the claims. Any run that sees two pending claims listed after creating its own, so it
 *   sees the first claim too, and they all agree on it. ("Lowest number" would not do: a run can report slot 3,
 *   then a slower run claims a just-freed slot 2 for the same issue and would release 3 under the first run.)
 */
export function pickWinner(records: readonly SlotRecord[]): SlotRecord | undefined {
  const settled = records.filter((r) => !r.pending).sort(bySlot);
  if (settled.length) return settled[0];
  return [...records].sort(
    (a, b) => compareResourceVersion(a.resourceVersion, b.resourceVersion) || a.slot - b.slot,
  )[0];
}

/**
 * Slot numbers to try, in order, computed from one listing: the preferred slot (when free; it may exceed maxSlots,
 * as in the predecessor), then the free numbers from 1 up. `maxSlots` 0 means unlimited; `limit` bounds how many
 * numbers one round tries, so an unlimited scan never runs away (the predecessor could issue 10 000 creates).
 */
export function freeSlots(
  records: readonly SlotRecord[],
  options: { maxSlots: number; preferredSlot?: number; limit?: number },
): number[] {
  const taken = new Set(records.map((r) => r.slot));
  // Without a bound on either side the loop below would never end.
  const limit = options.limit ?? (options.maxSlots > 0 ? Number.POSITIVE_INFINITY : 64);
  const out: number[] = [];
  const preferred = options.preferredSlot;
  if (given(preferred) && !taken.has(preferred)) out.push(preferred);
  const max = options.maxSlots > 0 ? options.maxSlots : Number.POSITIVE_INFINITY;
  for (let n = 1; n <= max && out.length < limit; n++) if (!taken.has(n) && n !== preferred) out.push(n);
  return out.slice(0, limit);
}

/** Records occupying the numbers 1..maxSlots (any env: the number space is shared), lowest first. */
export function holdersWithin(records: readonly SlotRecord[], maxSlots: number): SlotRecord[] {
  return records.filter((r) => maxSlots <= 0 || r.slot <= maxSlots).sort(bySlot);
}
