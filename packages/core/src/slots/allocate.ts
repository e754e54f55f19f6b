/**
 * Finding or claiming the slot of an issue/PR. The cost with no contention: reuse = list + touch (2 kubectl calls),
 * new slot = list + create + re-list (3). Under contention each lost create costs a create and a list, and a
 * duplicate claim for the same issue one delete.
 *
 * Why each step:
 * - find first, by issue OR PR, so a re-run (also after a crash between claim and output) gets the slot it holds;
 * - free numbers come from that one listing (never a scan of creates), and `create` claims the lowest: the name
 *   makes a create atomic, so two runs never get one number, and only AlreadyExists means "taken";
 * - the find-then-create of one issue is not atomic, so after claiming we list again and, when several records hold
 *   the issue, all runs keep the same one (`pickWinner`) and delete the pending losers;
 * - no free number: wait with jittered exponential backoff, listing again each time, until the deadline.
 */
import { backoffDelay } from '../util/retry.js';
import { NoFreeSlotError, SlotStateError } from './errors.js';
import { findRecords, freeSlots, holdersWithin, pickWinner } from './match.js';
import { describeHolder } from './record.js';
import type { RecordChanges, SlotStore } from './store.js';
import type { Clock, SlotQuery, SlotRecord } from './types.js';

export interface AllocateRequest {
  env: string;
  issue?: number;
  pr?: number;
  /** Who claims (the run id, or `manual`); stored as `owner`. */
  owner: string;
  /** Numbers 1..maxSlots; 0 = unlimited. */
  maxSlots: number;
  /** Tried first when free (the `slot` input); only a preference, as in the predecessor. */
  preferredSlot?: number;
  /** The namespace of the stack in a slot (namespace patterns with `.Slot`). */
  namespaceFor: (slot: number) => string;
  /** How long to wait for a slot to become free before failing (0: fail at once). */
  waitTimeoutMs: number;
  /** Pauses between looks for a free slot (default 1 s doubling to 30 s, jittered). */
  waitBackoff?: { initialMs?: number; maxMs?: number };
  /** Default: the store's clock / random. */
  clock?: Clock;
  random?: () => number;
  /** Progress, for logs (and tests, which stop a process right after the claim). */
  onEvent?: (event: AllocateEvent) => void;
}

export type AllocateEvent =
  | { type: 'reused'; record: SlotRecord }
  | { type: 'claimed'; record: SlotRecord }
  | { type: 'taken'; slot: number }
  | { type: 'duplicate-released'; record: SlotRecord }
  | { type: 'yielded'; own: SlotRecord; winner: SlotRecord }
  | { type: 'waiting'; delayMs: number; holders: SlotRecord[] };

export interface AllocateOutcome {
  slot: number;
  namespace: string;
  /** True when this run claimed the slot (a new environment); false when it reused one. */
  created: boolean;
  record: SlotRecord;
  /** kubectl processes this allocation started. */
  kubectlCalls: number;
  /** Time spent waiting for a free slot. */
  waitedMs: number;
}

/** After a collision, the next number is drawn from this many lowest free ones. */
const SPREAD = 8;
/**
 * Each collision means another run just claimed a number, so collisions end when the numbers or the runs do; this
 * many means something else is going on (say, a controller recreating deleted records). Say so instead of spinning.
 */
const MAX_COLLISIONS = 100;

export async function allocateSlot(store: SlotStore, req: AllocateRequest): Promise<AllocateOutcome> {
  validate(req);
  const clock = req.clock ?? store.clock;
  const random = req.random ?? store.random;
  const emit = req.onEvent ?? (() => {});
  const log = store.logger;
  const calls0 = store.invocations;
  const start = clock.now();
  const deadline = start + Math.max(0, req.waitTimeoutMs);
  const issue = req.issue ?? 0;
  const pr = req.pr ?? 0;
  // Without an issue or PR, the preferred slot itself is the selector (a manual allocation of slot N).
  const selector: SlotQuery =
    issue > 0 || pr > 0 ? { env: req.env, issue, pr } : { env: req.env, slot: req.preferredSlot };
  const byIssue = issue > 0 || pr > 0;
  let waitedMs = 0;
  const outcome = (record: SlotRecord, created: boolean): AllocateOutcome => ({
    slot: record.slot,
    namespace: record.namespace,
    created,
    record,
    kubectlCalls: store.invocations - calls0,
    waitedMs,
  });

  /** Reuses a held slot: heartbeat, current namespace, and the requested issue/PR attached (the predecessor never did). */
  const reuse = async (record: SlotRecord): Promise<SlotRecord | undefined> => {
    const changes: RecordChanges = {};
    if (issue > 0 && record.issue !== issue) changes.issue = issue;
    if (pr > 0 && record.pr !== pr) changes.pr = pr;
    const ns = req.namespaceFor(record.slot);
    if (ns && ns !== record.namespace) changes.namespace = ns;
    if (changes.issue !== undefined || changes.pr !== undefined)
      log.info(
        `slot ${record.slot}: now held for ${describeHolder({ issue: changes.issue ?? record.issue, pr: changes.pr ?? record.pr })} (was ${describeHolder(record)})`,
      );
    if (changes.namespace)
      log.info(`slot ${record.slot}: namespace ${record.namespace || '(none)'} -> ${changes.namespace}`);
    try {
      return await store.update(record, changes);
    } catch (err) {
      // Released between our list and this write (a cleanup, or a duplicate removed): look again.
      if (err instanceof SlotStateError && err.reason === 'NotFound') return undefined;
      throw err;
    }
  };

  let collisions = 0;
  let waits = 0;
  for (;;) {
    const records = await store.list();
    const found = pickWinner(findRecords(records, selector));
    if (found) {
      const record = await reuse(found);
      if (record) {
        log.info(`reusing slot ${record.slot} (namespace ${record.namespace}) held for ${describeHolder(record)}`);
        emit({ type: 'reused', record });
        return outcome(record, false);
      }
      continue;
    }

    const free = freeSlots(records, { maxSlots: req.maxSlots, preferredSlot: req.preferredSlot, limit: SPREAD });
    if (free.length) {
      // No contention: the lowest free number (or the preferred one). After a collision other runs are claiming
      // right now, mostly the same lowest numbers, so pick at random among the lowest few instead of queueing up
      // behind them one create at a time.
      const n = collisions === 0 ? free[0] : free[Math.floor(random() * free.length)];
      const claimed = await store.claim(n, {
        env: req.env,
        namespace: req.namespaceFor(n),
        owner: req.owner,
        issue,
        pr,
      });
      if (!claimed) {
        // List again at once rather than trying the next number blind: the listing shows every number taken
        // meanwhile (when all are, we go on to wait), and a claim for our own issue made by a concurrent run.
        collisions++;
        log.debug(`slot ${n} was taken meanwhile by another run`);
        emit({ type: 'taken', slot: n });
        if (collisions >= MAX_COLLISIONS)
          throw new SlotStateError(
            `no slot could be claimed: ${collisions} creates found their number just taken by another run; is something else creating ${store.prefix}* ConfigMaps in namespace ${store.namespace}?`,
          );
        continue;
      }
      emit({ type: 'claimed', record: claimed });
      log.info(`claimed slot ${claimed.slot} for ${describeHolder(claimed)} (namespace ${claimed.namespace})`);
      if (!byIssue) return outcome(claimed, true);
      const winner = await settleDuplicates(store, claimed, selector, emit);
      if (!winner) continue;
      if (winner.slot === claimed.slot) return outcome(winner, true);
      log.info(
        `another run claimed slot ${winner.slot} for ${describeHolder(winner)} first; using it and releasing slot ${claimed.slot}`,
      );
      emit({ type: 'yielded', own: claimed, winner });
      // Attach our issue/PR to the winner only when it lacks them (the common case, same selector, costs nothing).
      if ((issue > 0 && winner.issue !== issue) || (pr > 0 && winner.pr !== pr)) {
        const record = await reuse(winner);
        if (!record) continue;
        return outcome(record, false);
      }
      return outcome(winner, false);
    }

    const holders = holdersWithin(records, req.maxSlots);
    const now = clock.now();
    if (now >= deadline) throw new NoFreeSlotError(req.env, req.maxSlots, now - start, holders);
    waits++;
    const delayMs = Math.min(
      backoffDelay(waits, {
        initialDelayMs: req.waitBackoff?.initialMs ?? 1000,
        maxDelayMs: req.waitBackoff?.maxMs ?? 30_000,
        jitter: true,
        random,
      }),
      deadline - now,
    );
    log.info(
      `no free slot for env ${req.env} (${holders.length}/${req.maxSlots} taken); looking again in ${(delayMs / 1000).toFixed(1)}s`,
    );
    emit({ type: 'waiting', delayMs, holders });
    await clock.sleep(delayMs);
    waitedMs = clock.now() - start;
  }
}

/** What allocateSlot would do now, found without writing anything (dry-run). */
export interface SlotPlan {
  slot: number;
  namespace: string;
  /** True: the slot would be claimed; false: the record found would be reused. */
  created: boolean;
  /** The record that would be reused (undefined for a claim). */
  record?: SlotRecord;
}

/**
 * The slot allocateSlot would use, from one listing and no write: the record held for the issue/PR, else the
 * number it would claim first. When every number is taken there is nothing to wait for in a dry run, so it fails
 * with the holders, as a real run would after its wait.
 */
export async function planSlot(store: SlotStore, req: AllocateRequest): Promise<SlotPlan> {
  validate(req);
  const issue = req.issue ?? 0;
  const pr = req.pr ?? 0;
  const selector: SlotQuery =
    issue > 0 || pr > 0 ? { env: req.env, issue, pr } : { env: req.env, slot: req.preferredSlot };
  const records = await store.list();
  const found = pickWinner(findRecords(records, selector));
  if (found) return { slot: found.slot, namespace: req.namespaceFor(found.slot), created: false, record: found };
  const free = freeSlots(records, { maxSlots: req.maxSlots, preferredSlot: req.preferredSlot, limit: 1 });
  if (free.length) return { slot: free[0], namespace: req.namespaceFor(free[0]), created: true };
  throw new NoFreeSlotError(req.env, req.maxSlots, 0, holdersWithin(records, req.maxSlots));
}

/**
 * After a claim: lists again and settles which record of the issue/PR every concurrent run keeps, deleting the
 * pending losers (ours included when we lost). Returns the winner, or undefined when none is left (all released
 * meanwhile: the caller starts over).
 */
async function settleDuplicates(
  store: SlotStore,
  claimed: SlotRecord,
  selector: SlotQuery,
  emit: (e: AllocateEvent) => void,
): Promise<SlotRecord | undefined> {
  const held = findRecords(await store.list(), selector);
  const winner = pickWinner(held);
  if (!winner) return undefined;
  // Only pending records are released: a written one belongs to a run that already reported it. Ours goes first.
  const losers = held
    .filter((r) => r.slot !== winner.slot && r.pending)
    .sort((a, b) => Number(b.slot === claimed.slot) - Number(a.slot === claimed.slot));
  for (const r of losers) {
    // Guarded by the resourceVersion seen: a record written since is no longer a pending loser; keep it.
    const result = await store.releaseIfUnchanged(r);
    if (result === 'changed')
      store.logger.warning(`slot ${r.slot} (a duplicate for ${describeHolder(r)}) was written meanwhile; kept`);
    else emit({ type: 'duplicate-released', record: r });
  }
  return winner;
}

function validate(req: AllocateRequest): void {
  const bad = (what: string) => {
    throw new Error(`allocate: ${what}`);
  };
  if (!req.env) bad('env is required');
  for (const [k, v] of Object.entries({ issue: req.issue, pr: req.pr, preferredSlot: req.preferredSlot }))
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) bad(`${k} must be a whole number >= 0, got ${v}`);
  if (!Number.isInteger(req.maxSlots) || req.maxSlots < 0)
    bad(`maxSlots must be a whole number >= 0, got ${req.maxSlots}`);
  if (!(req.issue! > 0) && !(req.pr! > 0) && !(req.preferredSlot! > 0))
    bad('an issue, a PR or a slot number is required');
}
