/**
 * Conversion between a ConfigMap and a SlotRecord. The data layout is the predecessor's, byte for byte, so that
 * codexctl and this tool can share a state namespace while a team migrates; the labels and `updatedAt` are ours.
 */
import {
  ANNOTATION_CLAIM,
  CLAIM_PENDING,
  LABEL_ENV,
  LABEL_ISSUE,
  LABEL_PR,
  LABEL_SLOT,
  LABEL_SLOT_STATE,
  type NewSlotRecord,
  type SlotRecord,
} from './types.js';

export interface ConfigMap {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  data?: Record<string, string>;
}

export const recordName = (prefix: string, slot: number): string => `${prefix}${slot}`;

/** RFC 3339 UTC with second precision (`2026-02-06T10:00:00Z`), the predecessor's `createdAt` format. */
export function formatTimestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What `appliedDigest` holds; anything else reads as "no complete apply recorded". */
export const STACK_DIGEST = /^sha256:[0-9a-f]{64}$/;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds of an RFC 3339 timestamp, or undefined (the predecessor ignores bad timestamps; so do we). */
export function parseTimestamp(value: string | undefined): number | undefined {
  const v = value?.trim() ?? '';
  if (!RFC3339.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The predecessor reads bad numbers as 0; so do we (a record is never dropped for a bad issue number). */
function parseCount(value: string | undefined): number {
  const v = value?.trim() ?? '';
  return /^\d+$/.test(v) ? Number(v) : 0;
}

/** The slot number in a record name, or undefined when the name is not `<prefix><positive integer>`. */
export function slotFromName(name: string, prefix: string): number | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^[1-9]\d{0,8}$/.test(rest) ? Number(rest) : undefined;
}

/**
 * A record from a listed ConfigMap, or undefined when the ConfigMap is not a record of this prefix. The slot comes
 * from the name: the name is what makes a claim unique, so it is the truth when `data.slot` disagrees.
 */
export function parseRecord(cm: ConfigMap, prefix: string): SlotRecord | undefined {
  const name = cm.metadata.name ?? '';
  const slot = slotFromName(name, prefix);
  if (slot === undefined) return undefined;
  const data = cm.data ?? {};
  const labels = cm.metadata.labels ?? {};
  const createdAt = data.createdAt?.trim() ?? '';
  const updatedAt = data.updatedAt?.trim() ?? '';
  const values = {
    slot,
    env: data.env?.trim() ?? '',
    namespace: data.namespace?.trim() ?? '',
    owner: data.owner?.trim() ?? '',
    issue: parseCount(data.issue),
    pr: parseCount(data.pr),
  };
  const want = recordLabels(values);
  return {
    ...values,
    createdAt: parseTimestamp(createdAt) === undefined ? '' : createdAt,
    updatedAt: parseTimestamp(updatedAt) === undefined ? '' : updatedAt,
    appliedDigest: STACK_DIGEST.test(data.appliedDigest?.trim() ?? '') ? data.appliedDigest!.trim() : '',
    appliedAt: parseTimestamp(data.appliedAt) === undefined ? '' : data.appliedAt!.trim(),
    name,
    resourceVersion: cm.metadata.resourceVersion ?? '',
    labelled: Object.entries(want).every(([k, v]) => labels[k] === v),
    pending: cm.metadata.annotations?.[ANNOTATION_CLAIM] === CLAIM_PENDING,
  };
}

/** Our labels for a record's values. Label values must be valid label values; these are digits and env names. */
export function recordLabels(r: { slot: number; env: string; issue: number; pr: number }): Record<string, string> {
  return {
    [LABEL_SLOT_STATE]: 'true',
    [LABEL_ENV]: labelValue(r.env),
    [LABEL_SLOT]: String(r.slot),
    [LABEL_ISSUE]: String(r.issue),
    [LABEL_PR]: String(r.pr),
  };
}

/**
 * A label value (at most 63 characters of `[A-Za-z0-9._-]`, alphanumeric at both ends). Env names are already
 * like that; anything else is squeezed into that shape rather than making the write fail.
 */
export function labelValue(value: string): string {
  const v = value
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return v;
}

/** The record's data in the predecessor's key order, plus `updatedAt`. */
export function recordData(r: {
  slot: number;
  env: string;
  namespace: string;
  owner: string;
  issue: number;
  pr: number;
  createdAt: string;
  updatedAt: string;
}): Record<string, string> {
  return {
    slot: String(r.slot),
    env: r.env,
    namespace: r.namespace,
    owner: r.owner,
    issue: String(r.issue),
    pr: String(r.pr),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** The ConfigMap that claims `slot`: piped to `kubectl create -f -` (JSON body, nothing in argv). */
export function recordManifest(
  slot: number,
  input: NewSlotRecord,
  options: { stateNamespace: string; prefix: string; now: number },
): ConfigMap {
  const at = formatTimestamp(options.now);
  const values = {
    slot,
    env: input.env,
    namespace: input.namespace,
    owner: input.owner,
    issue: input.issue ?? 0,
    pr: input.pr ?? 0,
    createdAt: at,
    updatedAt: at,
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: recordName(options.prefix, slot),
      namespace: options.stateNamespace,
      labels: recordLabels(values),
      annotations: { [ANNOTATION_CLAIM]: CLAIM_PENDING },
    },
    data: recordData(values),
  };
}

/** When the record was last known alive: the heartbeat, else the claim time; undefined when neither parses. */
export function lastActivity(r: SlotRecord): number | undefined {
  return parseTimestamp(r.updatedAt) ?? parseTimestamp(r.createdAt);
}

/** `issue #7`, `PR #12`, `issue #7 / PR #12`, or `no issue or PR` for messages. */
export function describeHolder(r: { issue: number; pr: number }): string {
  const parts = [r.issue > 0 ? `issue #${r.issue}` : '', r.pr > 0 ? `PR #${r.pr}` : ''].filter(Boolean);
  return parts.length ? parts.join(' / ') : 'no issue or PR';
}
