/** Errors of the slot store: each message names the object and what to do next. */
import { KubectlError } from '../kube/errors.js';
import { describeHolder } from './record.js';
import type { SlotRecord } from './types.js';
import { UserError } from '../util/errors.js';

/** The state could not be read or written (RBAC, the API server, a missing record). Carries kubectl's message. */
export class SlotStateError extends UserError {
  constructor(message: string, cause?: unknown) {
    super(message, undefined, undefined, undefined, { cause });
    this.name = 'SlotStateError';
  }

  /** The API server's reason when kubectl gave one (Forbidden, NotFound, InternalError, ...). */
  get reason(): string | undefined {
    return this.cause instanceof KubectlError ? this.cause.reason : undefined;
  }
}

/** Every slot in 1..maxSlots stayed taken for the whole wait. */
export class NoFreeSlotError extends UserError {
  constructor(
    readonly env: string,
    readonly maxSlots: number,
    readonly waitedMs: number,
    /** The records holding the numbers 1..maxSlots at the last look. */
    readonly holders: SlotRecord[],
  ) {
    super(noFreeSlotMessage(env, maxSlots, waitedMs, holders));
    this.name = 'NoFreeSlotError';
  }
}

function noFreeSlotMessage(env: string, maxSlots: number, waitedMs: number, holders: SlotRecord[]): string {
  const lines = holders.map((r) => {
    const where = [r.env && r.env !== env ? `env ${r.env}` : '', r.namespace ? `namespace ${r.namespace}` : '']
      .filter(Boolean)
      .join(', ');
    const since = r.updatedAt || r.createdAt;
    return `  slot ${r.slot}: ${describeHolder(r)}${where ? ` (${where})` : ''}${since ? `, active ${since}` : ''}`;
  });
  return [
    `no free slot for env "${env}": all ${maxSlots} slots are taken (maxSlots ${maxSlots}), waited ${formatSeconds(waitedMs)}.`,
    ...lines,
    'Free one (the cleanup action, by issue, PR or slot; `stale: true` releases slots of closed issues and PRs), ' +
      'raise maxSlots in services.yaml, or set a longer slot-wait-timeout.',
  ].join('\n');
}

function formatSeconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)}s` : `${(ms / 1000).toFixed(1)}s`;
}

/** Wraps a kubectl failure into a SlotStateError that says which record and step it was. */
export function stateError(what: string, err: unknown): SlotStateError {
  const detail = err instanceof Error ? err.message : String(err);
  return new SlotStateError(`${what}: ${detail}`, err);
}
