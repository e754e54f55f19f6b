/**
 * The slot state record and the names it is stored under. A slot is one project's whole stack in its own
 * namespace, held for one issue or PR; its record is a ConfigMap `<prefix><slot>` in the state namespace.
 */

/** Prefix of the record names when `state.configmapPrefix` is not set (the predecessor's default). */
export const DEFAULT_CONFIGMAP_PREFIX = 'codex-env-';

/** Labels we add to every record we write, so records can be selected without reading their data. */
export const LABEL_SLOT_STATE = 'codex-k8s.io/slot-state';
export const LABEL_ISSUE = 'codex-k8s.io/issue';
export const LABEL_PR = 'codex-k8s.io/pr';
export const LABEL_ENV = 'codex-k8s.io/env';
export const LABEL_SLOT = 'codex-k8s.io/slot';

/**
 * Set on a record when it is claimed and removed by the first later write (touch, link, reuse). While it is there,
 * the record's resourceVersion is still its creation version, which orders concurrent claims for one issue (see
 * `pickWinner`). The predecessor ignores annotations.
 */
export const ANNOTATION_CLAIM = 'codex-k8s.io/claim';
export const CLAIM_PENDING = 'pending';

/**
 * The predecessor's data keys, exactly; `updatedAt`, `appliedDigest` and `appliedAt` are ours (the predecessor
 * ignores keys it does not know). All values are strings in the ConfigMap.
 */
export const DATA_KEYS = ['slot', 'env', 'namespace', 'owner', 'issue', 'pr', 'createdAt'] as const;

export interface SlotRecord {
  slot: number;
  env: string;
  /** Namespace the slot's stack lives in. */
  namespace: string;
  /** Who claimed it (the run id, or `manual`); informational. */
  owner: string;
  /** 0 when the slot is not held for an issue. */
  issue: number;
  /** 0 when the slot is not held for a PR. */
  pr: number;
  /** RFC 3339 UTC, second precision; '' when the stored value is missing or not a timestamp. */
  createdAt: string;
  /** Last heartbeat (RFC 3339 UTC); '' on records the predecessor wrote and we never touched. */
  updatedAt: string;
  /**
   * `sha256:<hex>` of the stack last applied to the slot completely (apply, hooks and waits succeeded); '' when
   * none was, or an apply started since. ensure-ready applies whenever the stack it renders differs.
   */
  appliedDigest: string;
  /** When `appliedDigest` was written (RFC 3339 UTC); ''. */
  appliedAt: string;
  /** ConfigMap name (`<prefix><slot>`). */
  name: string;
  resourceVersion: string;
  /** Carries our labels, in step with its data (false for a record the predecessor wrote, until we write to it). */
  labelled: boolean;
  /** Claimed and not written since (see ANNOTATION_CLAIM). */
  pending: boolean;
}

/** What a caller supplies to create a record; the rest is derived. */
export interface NewSlotRecord {
  env: string;
  namespace: string;
  owner: string;
  issue?: number;
  pr?: number;
}

export interface SlotQuery {
  env?: string;
  issue?: number;
  pr?: number;
  slot?: number;
  /**
   * How issue and PR combine when both are given: `any` (default) matches a record holding either (a PR opened
   * for an issue finds the issue's slot), `all` only one holding both (the predecessor's rule).
   */
  match?: 'any' | 'all';
}

/** Time source and pause, replaced in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
