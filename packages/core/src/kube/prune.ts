/*
 * Prune: delete what an earlier apply created for this env and slot but the stack no longer renders.
 *
 * Which kinds to look at is recorded the way ApplySet does it, so prune never lists every kind of the cluster: a
 * ConfigMap `codex-k8s-applyset` in the target namespace holds, per infra group or service (`service.api`,
 * `infra.postgres`), the kinds it ever applied and their namespaces, one `Kind.group namespace` line each.
 * The record only says where to look; what may be deleted is decided by labels and the rendered stack:
 *
 * - only objects carrying our ownership labels for this project and env (one list per namespace, by label
 *   selector), and this slot's (`codex-k8s.io/slot`; none for an env without slots);
 * - of a filtered apply, only objects labelled with one of the infra groups or services it selected
 *   (`codex-k8s.io/infra` / `codex-k8s.io/service`); an object without such a label is pruned only by a full apply;
 * - never an object the stack renders now, one owned by another object (the garbage collector's), the tool's own
 *   helpers (`codex-k8s.io/role`), the record itself, the target namespace, a namespace the stack still uses, or
 *   `default`, `kube-*` and other protected namespaces;
 * - cluster-scoped objects are shared by slots (usage.ts): this slot's mark is removed, and the object is deleted
 *   only when no other slot's mark is left. One of another slot is considered only when it carries our mark.
 *
 * The record is written before the apply when it exists (its namespace exists then), else right after it, so
 * objects are tracked from the apply that created them. Objects applied before any record existed are not known
 * to prune, as with ApplySet.
 */
import type { KubeObject } from '../objects/object.js';
import {
  LABEL_ENV,
  LABEL_INFRA,
  LABEL_MANAGED_BY,
  LABEL_PROJECT,
  LABEL_SERVICE,
  LABEL_SLOT,
  MANAGER_NAME,
  componentLabelValue,
} from '../objects/labels.js';
import { isClusterScoped } from '../objects/kinds.js';
import { withRetry, type RetryOptions } from '../util/retry.js';
import type { ApplyGroup } from './apply.js';
import { KubectlError } from './errors.js';
import type { Kubectl } from './kubectl.js';
import { formatRef, groupOf, manifestStream, refKey, stubOf, type ObjectRef } from '../objects/refs.js';
import { releaseUsage, usersOf } from './usage.js';

export const APPLYSET_NAME = 'codex-k8s-applyset';
const LABEL_ROLE = 'codex-k8s.io/role';
const ROLE_APPLYSET = 'applyset';
const DEFAULT_TIMEOUT_MS = 60_000;

/** An infra group or service of services.yaml. */
export interface Component {
  type: 'infra' | 'service';
  name: string;
}

/** `service.api`: the record's data key of a component. */
export function componentKey(c: Component): string {
  return `${c.type}.${componentLabelValue(c.name)}`;
}

/** What the record holds: per component key, `Kind.group namespace` entries (namespace empty when none). */
export interface ApplySetRecord {
  exists: boolean;
  resourceVersion?: string;
  entries: Map<string, Set<string>>;
}

/** `Deployment.apps shop-dev-1`, `ClusterRole.rbac.authorization.k8s.io`, `ConfigMap default`. */
function entryOf(obj: KubeObject): string {
  const group = groupOf(String(obj.apiVersion ?? ''));
  const ns = typeof obj.metadata?.namespace === 'string' ? obj.metadata.namespace.trim() : '';
  return `${obj.kind}${group ? `.${group}` : ''}${ns ? ` ${ns}` : ''}`;
}

/** The entries the groups add to the record. */
export function entriesOf(groups: readonly ApplyGroup[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const g of groups) {
    const set = out.get(componentKey(g)) ?? new Set<string>();
    for (const d of g.documents) if (typeof d.object.kind === 'string') set.add(entryOf(d.object));
    if (set.size) out.set(componentKey(g), set);
  }
  return out;
}

function parseRecord(obj: KubeObject | undefined): ApplySetRecord {
  const entries = new Map<string, Set<string>>();
  if (!obj) return { exists: false, entries };
  const data = (obj.data ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(data))
    entries.set(
      key,
      new Set(
        String(value)
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      ),
    );
  return { exists: true, resourceVersion: obj.metadata?.resourceVersion as string | undefined, entries };
}

export interface RecordOptions {
  retry?: RetryOptions<KubectlError>;
  timeoutMs?: number;
}

/** Reads the record of `namespace` (absent, also when the namespace is: one call). */
export async function readApplySet(
  kubectl: Kubectl,
  namespace: string,
  options: RecordOptions = {},
): Promise<ApplySetRecord> {
  const out = await withRetry(
    () =>
      kubectl.run(['get', 'configmap', APPLYSET_NAME, '-n', namespace, '--ignore-not-found', '-o', 'json'], {
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      }),
    options.retry,
  );
  return parseRecord(out.trim() ? (JSON.parse(out) as KubeObject) : undefined);
}

function merged(
  record: ApplySetRecord,
  add: Map<string, Set<string>>,
): { entries: Map<string, Set<string>>; changed: boolean } {
  const entries = new Map([...record.entries].map(([k, v]) => [k, new Set(v)]));
  let changed = false;
  for (const [key, values] of add) {
    const set = entries.get(key) ?? new Set<string>();
    for (const v of values)
      if (!set.has(v)) {
        set.add(v);
        changed = true;
      }
    entries.set(key, set);
  }
  return { entries, changed };
}

/**
 * Adds the groups' kinds to the record of `namespace`: nothing when they are recorded already, else one write
 * (`create`, or `replace` guarded by the resourceVersion read, re-read and retried when another run wrote first).
 * Returns the record as it now stands.
 */
export async function recordApplied(
  kubectl: Kubectl,
  namespace: string,
  groups: readonly ApplyGroup[],
  labels: Record<string, string>,
  options: RecordOptions & { current?: ApplySetRecord } = {},
): Promise<ApplySetRecord> {
  const add = entriesOf(groups);
  let record = options.current ?? (await readApplySet(kubectl, namespace, options));
  for (let attempt = 1; ; attempt++) {
    const { entries, changed } = merged(record, add);
    if (!changed && record.exists) return record;
    const manifest: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: APPLYSET_NAME,
        namespace,
        labels: { ...labels, [LABEL_ROLE]: ROLE_APPLYSET },
        ...(record.exists ? { resourceVersion: record.resourceVersion } : {}),
      },
      data: Object.fromEntries(
        [...entries].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort().join('\n')]),
      ),
    };
    try {
      const out = await withRetry(
        () =>
          kubectl.run([record.exists ? 'replace' : 'create', '-f', '-', '-o', 'json'], {
            input: manifestStream([manifest]),
            timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          }),
        options.retry,
      );
      return parseRecord(JSON.parse(out) as KubeObject);
    } catch (err) {
      const lost = err instanceof KubectlError && (err.reason === 'Conflict' || err.reason === 'AlreadyExists');
      if (!lost || attempt >= 5) throw err;
      record = await readApplySet(kubectl, namespace, options);
    }
  }
}

export interface PruneOptions {
  /** The target namespace: holds the record; never pruned. */
  namespace: string;
  project: string;
  env: string;
  /** 0 for an env without slots. */
  slot: number;
  /** The groups of the rendered stack (everything they render is kept). */
  groups: readonly ApplyGroup[];
  /** The record as read before this apply (prune looks only where it and this apply say). */
  record: ApplySetRecord;
  /** The components a filtered apply selected; unset: the whole env is in scope. */
  scope?: readonly Component[];
  /** More namespaces that are never pruned (the slot state namespace). */
  protectedNamespaces?: readonly string[];
  dryRun?: boolean;
  retry?: RetryOptions<KubectlError>;
  timeoutMs?: number;
}

export interface PruneResult {
  dryRun: boolean;
  /** Deleted (with dryRun: would be deleted). */
  deleted: ObjectRef[];
  /** Cluster-scoped objects other slots still use: only this slot's mark was (would be) removed. */
  released: { ref: ObjectRef; users: string[] }[];
  /** What could not be listed or deleted; the rest was still handled. */
  problems: string[];
  invocations: number;
}

const SYSTEM_NAMESPACES = /^(default|kube-.*)$/;

/** The label selector of this project and env (the slot is checked per object: see `isOurSlot`). */
export function pruneSelector(project: string, env: string): string {
  return `${LABEL_MANAGED_BY}=${MANAGER_NAME},${LABEL_PROJECT}=${project},${LABEL_ENV}=${env},!${LABEL_ROLE}`;
}

/** Finds what the stack no longer renders and deletes it (or, with dryRun, reports it). */
export async function pruneStack(kubectl: Kubectl, o: PruneOptions): Promise<PruneResult> {
  const start = kubectl.invocations;
  const result: PruneResult = { dryRun: !!o.dryRun, deleted: [], released: [], problems: [], invocations: 0 };
  const call = { timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  const scopeKeys = o.scope && new Set(o.scope.map(componentKey));

  // Where to look: the recorded entries (of the selected components, for a filtered apply) and this apply's.
  const entries = merged(o.record, entriesOf(o.groups)).entries;
  const byNamespace = new Map<string, Set<string>>();
  for (const [key, values] of entries) {
    if (scopeKeys && !scopeKeys.has(key)) continue;
    for (const entry of values) {
      const [kind, recorded = ''] = entry.split(' ');
      // kubectl lists a cluster-scoped kind cluster-wide whatever -n says: it joins the target namespace's call.
      const ns = !recorded && isClusterScoped({ kind: kind.split('.')[0] }) ? o.namespace : recorded;
      const set = byNamespace.get(ns) ?? new Set<string>();
      set.add(kind.replace(/^([^.]+)/, (k) => k.toLowerCase()));
      byNamespace.set(ns, set);
    }
  }

  const selector = pruneSelector(o.project, o.env);
  const live: KubeObject[] = [];
  for (const [ns, kinds] of [...byNamespace].sort(([a], [b]) => a.localeCompare(b))) {
    const args = ['get', [...kinds].sort().join(','), ...(ns ? ['-n', ns] : []), '-l', selector, '-o', 'json'];
    const res = await withRetry(async () => {
      const r = await kubectl.exec(args, call);
      if (r.code !== 0 && new KubectlError(args, r.code, r.stderr, r.timedOut).transient)
        throw new KubectlError(args, r.code, r.stderr, r.timedOut);
      return r;
    }, o.retry).catch((err: unknown) => {
      if (err instanceof KubectlError)
        return { code: err.code, stdout: '', stderr: err.stderr, timedOut: err.timedOut };
      throw err;
    });
    // What kubectl could list is still printed; what it could not (a kind no longer served, a forbidden one) is
    // not pruned, and said so.
    live.push(...parseItems(res.stdout));
    if (res.code !== 0) {
      const why = res.stderr.trim().split('\n').filter(Boolean)[0] ?? `exit code ${res.code}`;
      result.problems.push(`cannot list ${[...kinds].sort().join(', ')}${ns ? ` in ${ns}` : ''}: ${why}`);
    }
  }

  const rendered = renderedKeys(o.groups);
  const usedNamespaces = new Set([o.namespace, ...(o.protectedNamespaces ?? []), ...renderedNamespaces(o.groups)]);
  const namespaced: ObjectRef[] = [];
  const cluster: ObjectRef[] = [];
  const seen = new Set<string>();
  for (const obj of live) {
    const ref = liveRef(obj);
    const key = refKey(ref);
    if (seen.has(key)) continue;
    seen.add(key);
    if (rendered.has(key) || (ref.namespace && rendered.has(refKey({ ...ref, namespace: '*' })))) continue;
    if (!isOurSlot(obj, o.slot, o.namespace)) continue;
    if (scopeKeys && !scopeKeys.has(componentOf(obj) ?? '')) continue;
    if ((obj.metadata?.ownerReferences as unknown[] | undefined)?.length) continue;
    if (ref.kind === 'ConfigMap' && ref.name === APPLYSET_NAME) continue;
    if (ref.kind === 'Namespace' && groupOf(ref.apiVersion) === '') {
      if (usedNamespaces.has(ref.name) || SYSTEM_NAMESPACES.test(ref.name)) continue;
    }
    (ref.namespace ? namespaced : cluster).push(ref);
  }

  if (namespaced.length) {
    if (o.dryRun) result.deleted.push(...namespaced);
    else {
      const args = ['delete', '-f', '-', '--ignore-not-found', '--wait=false'];
      // The output of the last attempt: a call that failed still says what it deleted.
      let stdout = '';
      try {
        await withRetry(async () => {
          const res = await kubectl.exec(args, { ...call, input: manifestStream(namespaced.map(stubOf)) });
          stdout = res.stdout;
          if (res.code !== 0 || res.timedOut || res.aborted)
            throw new KubectlError(args, res.code, res.stderr, res.timedOut || !!res.aborted);
        }, o.retry);
        result.deleted.push(...namespaced);
      } catch (err) {
        if (!(err instanceof KubectlError)) throw err;
        const failed = namespaced.filter((r) => err.stderr.includes(`"${r.name}"`));
        // An error that names no object may have stopped the call anywhere: only what kubectl said it deleted counts.
        const done = failed.length
          ? namespaced.filter((r) => !failed.includes(r))
          : namespaced.filter((r) => stdout.includes(`"${r.name}" deleted`));
        result.deleted.push(...done);
        result.problems.push(
          `cannot delete ${namespaced
            .filter((r) => !done.includes(r))
            .map(formatRef)
            .join(', ')}: ${firstLine(err)}`,
        );
      }
    }
  }
  if (cluster.length) {
    const released = await releaseUsage(
      kubectl,
      cluster,
      { namespace: o.namespace },
      { ...call, dryRun: o.dryRun, retry: o.retry },
    );
    result.deleted.push(...released.deleted);
    result.released.push(...released.kept);
    result.problems.push(...released.problems.map((p) => `${p.ref ? `${formatRef(p.ref)}: ` : ''}${p.message}`));
  }
  result.invocations = kubectl.invocations - start;
  return result;
}

/** Lines for a log or summary: what prune did (or, in a dry run, would do). */
export function describePrune(r: PruneResult): string[] {
  const verb = r.dryRun ? 'would prune' : 'pruned';
  return [
    ...r.deleted.map((ref) => `${verb} ${formatRef(ref)}`),
    ...r.released.map(
      (k) => `${r.dryRun ? 'would keep' : 'kept'} ${formatRef(k.ref)}: still used by ${k.users.join(', ')}`,
    ),
    ...r.problems.map((p) => `prune: ${p}`),
  ];
}

/** This slot's: its slot label (none in an env without slots); a cluster-scoped object also by this slot's mark. */
function isOurSlot(obj: KubeObject, slot: number, namespace: string): boolean {
  const label = (obj.metadata?.labels as Record<string, string> | undefined)?.[LABEL_SLOT];
  if (slot > 0 ? label === String(slot) : label === undefined) return true;
  return !obj.metadata?.namespace && usersOf(obj).includes(namespace);
}

function componentOf(obj: KubeObject): string | undefined {
  const labels = (obj.metadata?.labels ?? {}) as Record<string, string>;
  if (labels[LABEL_SERVICE]) return `service.${labels[LABEL_SERVICE]}`;
  if (labels[LABEL_INFRA]) return `infra.${labels[LABEL_INFRA]}`;
  return undefined;
}

function liveRef(obj: KubeObject): ObjectRef {
  const ns = obj.metadata?.namespace;
  return {
    apiVersion: String(obj.apiVersion ?? ''),
    kind: String(obj.kind ?? ''),
    name: String(obj.metadata?.name ?? ''),
    ...(typeof ns === 'string' && ns ? { namespace: ns } : {}),
  };
}

/**
 * Keys of the rendered objects. A namespaced object written without a namespace lands in kubectl's default
 * namespace, which is not known here: it matches its name in any namespace, so it is never taken for stale.
 */
function renderedKeys(groups: readonly ApplyGroup[]): Set<string> {
  const keys = new Set<string>();
  for (const g of groups)
    for (const d of g.documents) {
      const ref = liveRef(d.object);
      keys.add(refKey(ref));
      if (!ref.namespace) keys.add(refKey({ ...ref, namespace: '*' }));
    }
  return keys;
}

function renderedNamespaces(groups: readonly ApplyGroup[]): string[] {
  return groups.flatMap((g) =>
    g.documents.flatMap((d) => {
      const ns = d.object.metadata?.namespace;
      return typeof ns === 'string' && ns ? [ns] : [];
    }),
  );
}

function parseItems(stdout: string): KubeObject[] {
  if (!stdout.trim()) return [];
  try {
    const data = JSON.parse(stdout) as KubeObject;
    return Array.isArray(data.items) ? (data.items as KubeObject[]) : data.kind ? [data] : [];
  } catch {
    return [];
  }
}

function firstLine(err: KubectlError): string {
  return err.stderr.trim().split('\n').filter(Boolean)[0] ?? err.message;
}
