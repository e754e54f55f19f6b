/**
 * SlotStore: the slot records of one state namespace. Every read is one `kubectl get` of the namespace; every
 * write one create, patch or delete. Data is the truth (the predecessor writes data only); labels are kept in step
 * with it on every write of ours, for selection by other tools.
 */
import { KubectlError } from '../kube/errors.js';
import type { Kubectl } from '../kube/kubectl.js';
import { allocateSlot, type AllocateOutcome, type AllocateRequest } from './allocate.js';
import { SlotStateError, stateError } from './errors.js';
import { findRecords, bySlot } from './match.js';
import {
  formatTimestamp,
  lastActivity,
  parseRecord,
  recordLabels,
  recordManifest,
  recordName,
  STACK_DIGEST,
  type ConfigMap,
} from './record.js';
import { StateClient, type ConditionalDelete } from './state-client.js';
import {
  ANNOTATION_CLAIM,
  DEFAULT_CONFIGMAP_PREFIX,
  LABEL_ISSUE,
  LABEL_PR,
  LABEL_SLOT,
  LABEL_SLOT_STATE,
  systemClock,
  type Clock,
  type NewSlotRecord,
  type SlotQuery,
  type SlotRecord,
} from './types.js';
import { silentLogger, type Logger } from '../util/reporter.js';

export interface SlotStoreOptions {
  /** `state.configmapNamespace`. Created on the first write that finds it missing. */
  namespace: string;
  /** `state.configmapPrefix` (default `codex-env-`). */
  prefix?: string;
  /** Limit of one kubectl call (default 30 s). */
  timeoutMs?: number;
  /** Retries of transient API failures (default 4 calls in all, 250 ms doubling to 4 s, jittered). */
  retry?: { attempts?: number; initialMs?: number; maxMs?: number };
  clock?: Clock;
  /** [0, 1) for jitter; replaced in tests. */
  random?: () => number;
  logger?: Logger;
}

/** Changes a write applies to a record besides the heartbeat. */
export interface RecordChanges {
  issue?: number;
  pr?: number;
  namespace?: string;
}

export type StaleReason = 'closed' | 'expired';

export interface CollectStaleOptions {
  /** Records whose last heartbeat (`updatedAt`, else `createdAt`) is older than this are stale; 0 disables. */
  ttlMs: number;
  /** Whether the record's issue/PR is closed (asked only for records with one). */
  isClosed?: (record: SlotRecord) => Promise<boolean>;
  /** Only records of this env (default: all; the number space is shared by every env). */
  env?: string;
  /** Default: the clock. */
  now?: number;
  /**
   * Runs before a stale record is released, e.g. to destroy the slot's namespace: releasing the record first would
   * leak the namespace if the destroy then failed. A throw keeps the record (reported in `failed`).
   */
  beforeRelease?: (record: SlotRecord, reason: StaleReason) => Promise<void>;
}

export interface CollectStaleResult {
  released: { record: SlotRecord; reason: StaleReason }[];
  /** Stale when listed but written since (a run picked it up again), so kept. */
  changed: SlotRecord[];
  /** The check, `beforeRelease` or the delete failed; `reason` is unset when the check itself failed. */
  failed: { record: SlotRecord; reason?: StaleReason; error: Error }[];
}

export class SlotStore {
  readonly prefix: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: () => number;
  readonly client: StateClient;

  constructor(
    readonly kubectl: Kubectl,
    options: SlotStoreOptions,
  ) {
    if (!options.namespace) throw new Error('slot store: state.configmapNamespace is required');
    this.prefix = options.prefix || DEFAULT_CONFIGMAP_PREFIX;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.random = options.random ?? Math.random;
    this.client = new StateClient(kubectl, {
      namespace: options.namespace,
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: { attempts: 4, initialMs: 250, maxMs: 4000, ...options.retry },
      clock: this.clock,
      random: this.random,
      logger: this.logger,
    });
  }

  get namespace(): string {
    return this.client.namespace;
  }

  /** kubectl processes started so far (for call budgets in logs and tests). */
  get invocations(): number {
    return this.kubectl.invocations;
  }

  /** Every record (ours and the predecessor's), lowest slot first. One kubectl call. */
  async list(): Promise<SlotRecord[]> {
    let items: ConfigMap[];
    try {
      items = await this.client.list();
    } catch (err) {
      throw stateError(`listing slot records in namespace ${this.namespace}`, err);
    }
    return items.flatMap((cm) => parseRecord(cm, this.prefix) ?? []).sort(bySlot);
  }

  /** Records matching the query (see SlotQuery), lowest slot first. One kubectl call. */
  async find(query: SlotQuery): Promise<SlotRecord[]> {
    return findRecords(await this.list(), query);
  }

  /** The record of one slot, or undefined. One kubectl call. */
  async get(slot: number): Promise<SlotRecord | undefined> {
    try {
      const cm = await this.client.get(recordName(this.prefix, slot));
      return cm ? parseRecord(cm, this.prefix) : undefined;
    } catch (err) {
      throw stateError(`reading slot ${slot} (${this.where(slot)})`, err);
    }
  }

  /**
   * Creates the record of `slot`; undefined when the slot is taken. Only AlreadyExists means taken: any other
   * failure (RBAC, a terminating namespace, the API server down after retries) is thrown at once with kubectl's
   * message, instead of being read as "taken" and moving on to the next number as the predecessor did.
   */
  async claim(slot: number, input: NewSlotRecord): Promise<SlotRecord | undefined> {
    const manifest = recordManifest(slot, input, {
      stateNamespace: this.namespace,
      prefix: this.prefix,
      now: this.clock.now(),
    });
    try {
      return this.parse(await this.client.create(manifest), slot);
    } catch (err) {
      if (err instanceof KubectlError && err.reason === 'AlreadyExists') return undefined;
      throw stateError(`claiming slot ${slot} (${this.where(slot)})`, err);
    }
  }

  /** Finds or claims a slot for an issue/PR; see allocate.ts. */
  allocate(request: AllocateRequest): Promise<AllocateOutcome> {
    return allocateSlot(this, request);
  }

  /**
   * Writes `changes` and the heartbeat to a record read earlier, with our labels in step with the data (so a
   * predecessor's record gets them), and ends the record's pending state. One kubectl call.
   */
  async update(record: SlotRecord, changes: RecordChanges = {}): Promise<SlotRecord> {
    const next = {
      ...record,
      issue: changes.issue ?? record.issue,
      pr: changes.pr ?? record.pr,
      namespace: changes.namespace ?? record.namespace,
    };
    const data: Record<string, string> = { updatedAt: formatTimestamp(this.clock.now()) };
    if (next.issue !== record.issue) data.issue = String(next.issue);
    if (next.pr !== record.pr) data.pr = String(next.pr);
    if (next.namespace !== record.namespace) data.namespace = next.namespace;
    // A record the predecessor wrote may lack a valid createdAt; TTLs need one.
    if (!record.createdAt) data.createdAt = data.updatedAt;
    return this.write(record.slot, {
      metadata: { labels: recordLabels(next), annotations: { [ANNOTATION_CLAIM]: null } },
      data,
    });
  }

  /**
   * Records the digest of the stack just applied completely (`appliedDigest`, `appliedAt`), or clears it ('')
   * before an apply starts, so that a run cut off half way is finished by the next. One kubectl call (two on a
   * record that lacks our labels).
   */
  async recordApplied(slot: number, digest: string): Promise<SlotRecord> {
    if (digest !== '' && !STACK_DIGEST.test(digest))
      throw new Error(`slot ${slot}: ${JSON.stringify(digest)} is not a stack digest (sha256:<64 hex>)`);
    const at = digest ? formatTimestamp(this.clock.now()) : '';
    return this.patchThenLabel(
      slot,
      { appliedDigest: digest, appliedAt: at },
      `recording the stack applied to slot ${slot}`,
    );
  }

  /** Heartbeat: sets `updatedAt` (what the TTL of collectStale measures). Usually one kubectl call. */
  async touch(slot: number): Promise<SlotRecord> {
    return this.patchThenLabel(slot, {}, `touching slot ${slot}`);
  }

  /**
   * Attaches an issue and/or PR to a slot (0 clears one). With `env`, refuses a slot of another env (the record is
   * read first and written only if unchanged since). One kubectl call without `env`, two with it.
   */
  async link(slot: number, target: { issue?: number; pr?: number; env?: string }): Promise<SlotRecord> {
    for (const [k, v] of Object.entries({ issue: target.issue, pr: target.pr }))
      if (v !== undefined && (!Number.isInteger(v) || v < 0))
        throw new Error(`link slot ${slot}: ${k} must be a number >= 0, got ${v}`);
    const data: Record<string, string> = {};
    if (target.issue !== undefined) data.issue = String(target.issue);
    if (target.pr !== undefined) data.pr = String(target.pr);
    if (target.env === undefined) return this.patchThenLabel(slot, data, `linking slot ${slot}`);

    const record = await this.get(slot);
    if (!record) throw new SlotStateError(`slot ${slot} has no record (${this.where(slot)}); nothing to link`);
    if (record.env !== target.env)
      throw new SlotStateError(`slot ${slot} belongs to env "${record.env}", not "${target.env}"; not linking it`);
    const next = { ...record, issue: target.issue ?? record.issue, pr: target.pr ?? record.pr };
    return this.write(slot, {
      metadata: {
        resourceVersion: record.resourceVersion,
        labels: recordLabels(next),
        annotations: { [ANNOTATION_CLAIM]: null },
      },
      data: { ...data, updatedAt: formatTimestamp(this.clock.now()) },
    });
  }

  /** Deletes the record; false when there was none (already released is fine). One kubectl call. */
  async release(slot: number): Promise<boolean> {
    try {
      return await this.client.delete(recordName(this.prefix, slot));
    } catch (err) {
      throw stateError(`releasing slot ${slot} (${this.where(slot)})`, err);
    }
  }

  /**
   * Deletes the record only if it is unchanged since it was read ('changed': someone wrote it meanwhile and it was
   * kept; 'gone': already deleted). One kubectl call.
   */
  async releaseIfUnchanged(record: SlotRecord): Promise<ConditionalDelete> {
    try {
      return await this.client.deleteIfUnchanged(record.name, record.resourceVersion);
    } catch (err) {
      throw stateError(`releasing slot ${record.slot} (${this.where(record.slot)})`, err);
    }
  }

  /**
   * Releases records whose issue/PR is closed or whose last heartbeat is older than the TTL. Each deletion carries
   * the resourceVersion that was judged, so a record a run picked up meanwhile is kept. One error does not stop the
   * rest (the predecessor's cleanup aborted at the first). One list, plus one delete per stale record.
   */
  async collectStale(options: CollectStaleOptions): Promise<CollectStaleResult> {
    const now = options.now ?? this.clock.now();
    const result: CollectStaleResult = { released: [], changed: [], failed: [] };
    const records = (await this.list()).filter((r) => !options.env || r.env === options.env);
    for (const record of records) {
      let reason: StaleReason | undefined;
      const at = lastActivity(record);
      if (options.ttlMs > 0 && at !== undefined && now - at > options.ttlMs) reason = 'expired';
      try {
        if (!reason && options.isClosed && (record.issue > 0 || record.pr > 0) && (await options.isClosed(record)))
          reason = 'closed';
        if (!reason) continue;
        await options.beforeRelease?.(record, reason);
        const outcome = await this.releaseIfUnchanged(record);
        if (outcome === 'changed') {
          this.logger.info(`slot ${record.slot} was written since it was found ${reason}; keeping it`);
          result.changed.push(record);
        } else {
          this.logger.info(
            `released slot ${record.slot} (${reason}; env ${record.env}, namespace ${record.namespace})`,
          );
          result.released.push({ record, reason });
        }
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        this.logger.warning(`slot ${record.slot}: ${error.message}`);
        result.failed.push({ record, reason, error });
      }
    }
    return result;
  }

  /** `configmap <ns>/<name>` for messages. */
  where(slot: number): string {
    return `configmap ${this.namespace}/${recordName(this.prefix, slot)}`;
  }

  /**
   * One merge patch that needs no prior read; when the record turns out to lack labels matching its data (the
   * predecessor wrote it, or changed its data since), a second patch sets them, guarded by the resourceVersion.
   */
  private async patchThenLabel(slot: number, data: Record<string, string>, what: string): Promise<SlotRecord> {
    // The labels this write can know without reading the record; the env label needs the record's data.
    const labels: Record<string, string> = { [LABEL_SLOT_STATE]: 'true', [LABEL_SLOT]: String(slot) };
    if (data.issue !== undefined) labels[LABEL_ISSUE] = data.issue;
    if (data.pr !== undefined) labels[LABEL_PR] = data.pr;
    const record = await this.write(
      slot,
      {
        metadata: { labels, annotations: { [ANNOTATION_CLAIM]: null } },
        data: { ...data, updatedAt: formatTimestamp(this.clock.now()) },
      },
      what,
    );
    if (record.labelled) return record;
    const patch: Record<string, unknown> = {
      metadata: { resourceVersion: record.resourceVersion, labels: recordLabels(record) },
    };
    if (!record.createdAt) patch.data = { createdAt: record.updatedAt };
    try {
      return await this.write(slot, patch, `labelling slot ${slot}`);
    } catch (err) {
      // Changed by someone else in between: their write is newer; the labels follow on the next write of ours.
      if (err instanceof SlotStateError && err.reason === 'Conflict') return record;
      throw err;
    }
  }

  private async write(slot: number, body: object, what = `updating slot ${slot}`): Promise<SlotRecord> {
    let cm: ConfigMap;
    try {
      cm = await this.client.patch(recordName(this.prefix, slot), body);
    } catch (err) {
      if (err instanceof KubectlError && err.reason === 'NotFound')
        throw new SlotStateError(`${what}: slot ${slot} has no record (${this.where(slot)}); it was released`, err);
      throw stateError(`${what} (${this.where(slot)})`, err);
    }
    return this.parse(cm, slot);
  }

  private parse(cm: ConfigMap, slot: number): SlotRecord {
    const record = parseRecord(cm, this.prefix);
    if (!record)
      throw new SlotStateError(
        `slot ${slot}: the API returned an object that is not a slot record (${cm.metadata.name})`,
      );
    return record;
  }
}
