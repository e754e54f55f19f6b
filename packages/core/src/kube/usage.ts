/*
 * Who uses a shared cluster-scoped object.
 *
 * Every slot's stack may contain the same cluster-scoped objects (a ClusterIssuer, a ClusterRole, an IngressClass).
 * The predecessor deleted them with every slot, breaking the others. Here each slot records its use on the object
 * itself, as one annotation per user:
 *
 *     used-by.codex-k8s.io/<slot namespace>: "<project>/<env>/<slot>"
 *
 * - The key is the slot's namespace: a slot and its namespace are one-to-one, a namespace name is a valid annotation
 *   name (DNS label, at most 63 characters), and destroy knows it without any other state.
 * - One key per user (rather than one annotation holding a list) means adding or removing a user never
 *   reads-modifies-writes a shared value: `kubectl annotate key=value` / `key-` is a patch of that key only, so two
 *   slots applying or destroying at the same time cannot drop each other's entry.
 * - The marks are not part of the server-side apply of the stack (field manager `codex-k8s`, the same for every
 *   slot): SSA removes fields its manager stops sending, so slot 2's apply would remove slot 1's mark. `annotate`
 *   is a separate patch that the stack's apply neither sends nor owns, so it survives every later apply.
 * - `annotate -f -` patches existing objects only; it can never create an empty stub of an object that a concurrent
 *   destroy just removed (an SSA of a stub would).
 *
 * Destroy reads the objects (one `get`), removes its own key from those another slot still uses (one `annotate`),
 * and deletes those no other slot uses (one `delete`). An object without any mark (applied before tracking existed,
 * or by hand with our labels) counts as unused. The remaining race, another slot marking an object between our
 * read and our delete, costs that slot the object until its next apply re-creates it.
 */
import type { KubeObject } from '../objects/object.js';
import { KubectlError } from './errors.js';
import type { Kubectl } from './kubectl.js';
import { formatRef, groupOf, manifestStream, refKey, stubOf, type ObjectRef } from '../objects/refs.js';
import { missingOwnershipLabels } from './ownership.js';
import { withRetry, type RetryOptions } from '../util/retry.js';
import { UserError } from '../util/errors.js';

export const USAGE_PREFIX = 'used-by.codex-k8s.io/';

/** Who marks: the slot's namespace (the key) and a readable value. */
export interface UsageUser {
  namespace: string;
  /** Shown as the annotation's value, e.g. `shop/ai/3` (default: the namespace). */
  description?: string;
}

export interface UsageCallOptions {
  retry?: RetryOptions<KubectlError>;
  timeoutMs?: number;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function usageKey(namespace: string): string {
  if (!DNS_LABEL.test(namespace) || namespace.length > 63)
    throw new UserError(`usage tracking: "${namespace}" is not a valid namespace name`);
  return `${USAGE_PREFIX}${namespace}`;
}

/** The namespaces whose slots use this object. */
export function usersOf(obj: KubeObject): string[] {
  const annotations = obj.metadata?.annotations;
  if (!annotations || typeof annotations !== 'object') return [];
  return Object.keys(annotations)
    .filter((k) => k.startsWith(USAGE_PREFIX))
    .map((k) => k.slice(USAGE_PREFIX.length))
    .sort();
}

/** Records that `user` uses these (existing) objects: one `kubectl annotate` for all of them. */
export async function markUsage(
  kubectl: Kubectl,
  refs: readonly ObjectRef[],
  user: UsageUser,
  options: UsageCallOptions = {},
): Promise<void> {
  if (refs.length === 0) return;
  const key = usageKey(user.namespace);
  const value = user.description?.trim() || user.namespace;
  await withRetry(
    () =>
      kubectl.run(['annotate', '--overwrite', '-f', '-', `${key}=${value}`], {
        input: manifestStream(refs.map(stubOf)),
        timeoutMs: options.timeoutMs,
      }),
    options.retry,
  );
}

export interface UsageProblem {
  ref?: ObjectRef;
  message: string;
}

export interface ReleaseResult {
  /** Deleted: no other slot used them. */
  deleted: ObjectRef[];
  /** Kept because other slots use them (listed by namespace); this slot's mark was removed. */
  kept: { ref: ObjectRef; users: string[] }[];
  /** Not in the cluster (already gone, or their kind is not served any more). */
  absent: ObjectRef[];
  /** Left alone: unused, but without our ownership labels for the project (someone else's object of that name). */
  foreign: { ref: ObjectRef; reason: string }[];
  /** What failed; the other objects were still handled. */
  problems: UsageProblem[];
}

export interface ReleaseOptions extends UsageCallOptions {
  /** Decide and report, change nothing. */
  dryRun?: boolean;
  /** Delete only objects labelled as ours for this project (see ownership.ts); others are reported as foreign. */
  project?: string;
}

/**
 * Releases `user`'s use of these cluster-scoped objects: deletes those nobody else uses, removes the mark from the
 * others. At most three kubectl calls whatever the number of objects; an error on one object does not stop the rest.
 */
export async function releaseUsage(
  kubectl: Kubectl,
  refs: readonly ObjectRef[],
  user: UsageUser,
  options: ReleaseOptions = {},
): Promise<ReleaseResult> {
  const result: ReleaseResult = { deleted: [], kept: [], absent: [], foreign: [], problems: [] };
  if (refs.length === 0) return result;
  const key = usageKey(user.namespace);
  const call = { timeoutMs: options.timeoutMs };

  const read = await withRetry(async () => {
    const res = await kubectl.exec(['get', '-f', '-', '--ignore-not-found', '-o', 'json'], {
      ...call,
      input: manifestStream(refs.map(stubOf)),
    });
    const err = res.code === 0 ? undefined : new KubectlError(['get', '-f', '-'], res.code, res.stderr, res.timedOut);
    if (err?.transient) throw err;
    return { stdout: res.stdout, err };
  }, options.retry).catch((err: unknown) => ({ stdout: '', err: err as KubectlError }));

  const live = new Map<string, KubeObject>();
  for (const obj of parseList(read.stdout)) live.set(liveKey(obj), obj);
  // Refs whose state is unknown: neither deleted nor released, reported.
  const unreadable = new Set<string>();
  if (read.err) {
    const lines = errorLines(read.err.stderr);
    // A kind the cluster does not serve any more cannot have objects: nothing to release.
    const noKind = (l: string) => /no matches for kind|resource mapping not found/.test(l);
    const other = lines.filter((l) => !noKind(l));
    // A failure that names no object (a dropped connection, a conversion webhook) may have cost any object its
    // read: then an object missing from the output is not known to be absent.
    const unknown = unknownLines(read.err.stderr);
    let unpinned = unknown.length > 0;
    for (const line of other) {
      const hit = refs.filter((r) => mentions(line, r));
      hit.forEach((r) => unreadable.add(refKey(r)));
      if (!hit.length) unpinned = true;
      result.problems.push({ ref: hit.length === 1 ? hit[0] : undefined, message: `cannot read: ${line}` });
    }
    // Without any error line, the call's own message (below) says the same.
    if (lines.length) for (const line of unknown) result.problems.push({ message: `cannot read: ${line}` });
    if (!lines.length || (other.length && !read.stdout.trim())) {
      // Nothing to tell which objects were read: decide nothing.
      if (!lines.length)
        result.problems.push({ message: `cannot read the cluster-scoped objects: ${read.err.message}` });
      refs.forEach((r) => unreadable.add(refKey(r)));
    } else if (unpinned) {
      for (const r of refs) if (!live.has(liveKey(stubOf(r)))) unreadable.add(refKey(r));
    }
  }

  const toDelete: ObjectRef[] = [];
  const toUnmark: ObjectRef[] = [];
  for (const ref of refs) {
    if (unreadable.has(refKey(ref))) continue;
    const obj = live.get(liveKey(stubOf(ref)));
    if (!obj) {
      result.absent.push(ref);
      continue;
    }
    const users = usersOf(obj);
    const others = users.filter((u) => u !== user.namespace);
    if (others.length) {
      result.kept.push({ ref, users: others });
      if (users.includes(user.namespace)) toUnmark.push(ref);
    } else {
      const notOurs = options.project ? missingOwnershipLabels(obj.metadata?.labels, options.project) : undefined;
      if (notOurs) {
        result.foreign.push({ ref, reason: notOurs });
        if (users.includes(user.namespace)) toUnmark.push(ref);
      } else toDelete.push(ref);
    }
  }
  if (options.dryRun) {
    result.deleted = toDelete;
    return result;
  }

  if (toUnmark.length) {
    const res = await runTolerant(kubectl, ['annotate', '-f', '-', `${key}-`], toUnmark, call, options.retry);
    for (const p of res.problems) result.problems.push({ ...p, message: `cannot remove ${key}: ${p.message}` });
  }
  if (toDelete.length) {
    const res = await runTolerant(
      kubectl,
      ['delete', '-f', '-', '--ignore-not-found', '--wait=false'],
      toDelete,
      call,
      options.retry,
    );
    // After a failed call, only what kubectl confirmed counts as deleted: an error line may name no object, or
    // name one in text that a webhook wrote (and so be pinned on the wrong one). A failed object is never confirmed.
    const callFailed = res.problems.length > 0;
    result.deleted = toDelete.filter((ref) => !callFailed || confirmsDeletion(res.stdout, ref));
    for (const p of res.problems) result.problems.push({ ...p, message: `cannot delete: ${p.message}` });
  }
  return result;
}

/** Runs a call over several objects; per-object errors come back as problems instead of an exception. */
async function runTolerant(
  kubectl: Kubectl,
  args: string[],
  refs: readonly ObjectRef[],
  call: { timeoutMs?: number },
  retry: RetryOptions<KubectlError> | undefined,
): Promise<{ stdout: string; problems: UsageProblem[] }> {
  // The output of the last attempt: a call that failed on some objects still says which ones it handled.
  let stdout = '';
  try {
    await withRetry(async () => {
      const res = await kubectl.exec(args, { ...call, input: manifestStream(refs.map(stubOf)) });
      stdout = res.stdout;
      if (res.code !== 0 || res.timedOut || res.aborted)
        throw new KubectlError(args, res.code, res.stderr, res.timedOut || !!res.aborted);
    }, retry);
    return { stdout, problems: [] };
  } catch (err) {
    if (!(err instanceof KubectlError)) throw err;
    const lines = errorLines(err.stderr);
    const problems: UsageProblem[] = [];
    for (const line of lines) {
      const hit = refs.filter((r) => mentions(line, r));
      if (hit.length) hit.forEach((ref) => problems.push({ ref, message: line }));
      else problems.push({ message: line });
    }
    if (!lines.length) problems.push({ message: err.message });
    return { stdout, problems };
  }
}

/** kubectl's error lines; the rest of stderr (warnings, klog lines) may mention objects without any failing. */
function errorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(error|Error from server)/i.test(l) || /^The (\S+ "[^"]*"|request) is invalid(:|$)/.test(l));
}

/**
 * Lines of a failed call that are neither error lines nor known to be harmless (warnings, klog lines, the causes
 * listed under an "is invalid" line, kubectl's hint after a missing kind), such as `Unable to connect to the
 * server: ...`.
 */
function unknownLines(stderr: string): string[] {
  const harmless = /^(Warning:|[IWEF]\d{4} |\* |ensure CRDs are installed first)/;
  const errors = new Set(errorLines(stderr));
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !errors.has(l) && !harmless.test(l));
}

/**
 * kubectl names an object in its errors as `<resource>[.<group>] "<name>"` (`clusterroles.rbac.authorization.k8s.io
 * "x" is forbidden`, `The ClusterRole "x" is invalid`), or as `name: "<name>"` in mapping errors. The resource
 * must be this kind (singular or plural) and no other: a ClusterRoleBinding's error must not be pinned on the
 * ClusterRole of the same name, nor one group's ClusterIssuer's on another group's.
 */
function mentions(line: string, ref: ObjectRef): boolean {
  if (!line.includes(`"${ref.name}"`)) return false;
  if (/resource mapping not found/.test(line)) return true;
  const lower = escapeRegExp(ref.kind.toLowerCase());
  const plural = lower.endsWith('y') ? `${lower.slice(0, -1)}(?:y|ys|ies)` : `${lower}(?:e?s)?`;
  // The kind as written (`The ClusterRole "x" is invalid`) or kubectl's resource name (`clusterroles "x"`).
  return namePattern(`(?:${escapeRegExp(ref.kind)}|${plural})`, ref, '').test(line);
}

/** kubectl's `<kind>.<group> "<name>" deleted` line for this object (the kind in lower case, singular). */
function confirmsDeletion(stdout: string, ref: ObjectRef): boolean {
  return namePattern(escapeRegExp(ref.kind.toLowerCase()), ref, ' deleted').test(stdout);
}

/** `<resource>[.<group>] "<name>"<after>`, not the tail of a longer resource or group name; the name exactly. */
function namePattern(resource: string, ref: ObjectRef, after: string): RegExp {
  const group = groupOf(ref.apiVersion);
  const qualified = group ? `${resource}(?:\\.${escapeRegExp(group)})?` : resource;
  return new RegExp(`(?:^|[^A-Za-z0-9.-])${qualified} "${escapeRegExp(ref.name)}"${after}`, 'm');
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function liveKey(obj: KubeObject): string {
  return `${groupOf(String(obj.apiVersion ?? ''))}/${obj.kind}/${obj.metadata?.name}`;
}

function parseList(stdout: string): KubeObject[] {
  if (!stdout.trim()) return [];
  try {
    const data = JSON.parse(stdout) as KubeObject;
    if (Array.isArray(data.items)) return data.items as KubeObject[];
    return data.kind ? [data] : [];
  } catch {
    return [];
  }
}

export function describeRelease(r: ReleaseResult): string[] {
  return [
    ...r.deleted.map((ref) => `deleted ${formatRef(ref)} (no other slot uses it)`),
    ...r.kept.map((k) => `kept ${formatRef(k.ref)}: still used by ${k.users.join(', ')}`),
    ...r.foreign.map((f) => `kept ${formatRef(f.ref)}: not managed by codex-k8s for this project (${f.reason})`),
    ...r.problems.map((p) => `${p.ref ? `${formatRef(p.ref)}: ` : ''}${p.message}`),
  ];
}
