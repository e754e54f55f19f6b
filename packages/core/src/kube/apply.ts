/*
 * Server-side apply, one kubectl call per infra group or service.
 *
 * - SSA with the field manager `codex-k8s`: the server merges, tracks ownership and reports real conflicts.
 *   `--force-conflicts` is on by default because objects first created by the predecessor's client-side apply are
 *   owned by another manager (`kubectl-client-side-apply`) and would otherwise conflict on every field.
 * - One call per group, never per document: a stack of 40 objects costs as many calls as it has groups, and a
 *   group's objects are applied together, in file order.
 * - Documents travel on stdin only; a Secret's data never appears in argv (visible in `ps` and in kubectl's errors).
 * - Only transient API errors are retried (see util/retry.ts); a refused request fails at once with the server's words
 *   and a hint for the user.
 * - Dry run means "apply nothing": the result lists what would be applied and `diffStack` (diff.ts) shows how it
 *   differs from the cluster. A server-side dry run cannot validate objects in a namespace that does not exist
 *   yet, which is every new slot, so it would fail exactly where a preview matters most.
 */
import type { KubeObject } from '../objects/object.js';
import { LABEL_ENV, LABEL_MANAGED_BY, LABEL_PROJECT, LABEL_SLOT, MANAGER_NAME } from '../objects/labels.js';
import { isClusterScoped } from '../objects/kinds.js';
import { KubectlError } from './errors.js';
import type { Kubectl } from './kubectl.js';
import { formatRef, manifestStream, refOf, type ObjectRef } from '../objects/refs.js';
import { withRetry, type RetryOptions } from '../util/retry.js';
import { markUsage, type UsageUser } from './usage.js';
import { stackToYaml } from '../objects/yaml.js';
import { UserError } from '../util/errors.js';

export const FIELD_MANAGER = MANAGER_NAME;

/** What one kubectl apply carries: an infra group or a service (a `StackGroup` of the rendered stack fits). */
export interface ApplyGroup {
  type: 'infra' | 'service';
  name: string;
  documents: readonly { object: KubeObject }[];
}

export interface ApplyFlags {
  fieldManager?: string;
  /** Take over fields owned by other managers (default true). */
  forceConflicts?: boolean;
  /** `server`: let the API server validate and admit without persisting. */
  dryRun?: 'server';
}

/** `apply --server-side --field-manager=codex-k8s [--force-conflicts] -f -` */
export function applyArgs(flags: ApplyFlags = {}): string[] {
  return [
    'apply',
    '--server-side',
    `--field-manager=${flags.fieldManager ?? FIELD_MANAGER}`,
    ...(flags.forceConflicts === false ? [] : ['--force-conflicts']),
    ...(flags.dryRun ? [`--dry-run=${flags.dryRun}`] : []),
    '-f',
    '-',
  ];
}

export interface ApplyOptions extends Omit<ApplyFlags, 'dryRun'> {
  /** The slot's namespace: ensured before the first group, and the key of the cluster-scoped usage marks. */
  namespace?: string;
  /** Labels of a namespace this call creates (the stack's ownership labels). */
  namespaceLabels?: Record<string, string>;
  /** Create the namespace when missing (default true when `namespace` is set). */
  ensureNamespace?: boolean;
  /** Apply nothing; report what would be applied. */
  dryRun?: boolean;
  retry?: RetryOptions<KubectlError>;
  /** Limit of one kubectl call (default 5 minutes: admission webhooks can be slow). */
  timeoutMs?: number;
  /** Who marks the stack's cluster-scoped objects as used (default: the namespace); false: no marks. */
  usage?: UsageUser | false;
  onEvent?: (event: ApplyEvent) => void;
  /**
   * Runs once after the infra groups and before the first service group: the namespace, volumes and data services
   * exist by then, and service pods have not started yet (ensure-ready copies the sources into the workspace here).
   */
  beforeServices?: () => Promise<void>;
}

export type ApplyEvent =
  | { type: 'namespace'; name: string; outcome: NamespaceOutcome }
  | { type: 'group'; group: GroupApplyResult }
  | { type: 'retry'; what: string; attempt: number; delayMs: number; error: KubectlError }
  | { type: 'usage'; objects: ObjectRef[] };

export type NamespaceOutcome = 'created' | 'exists' | 'applied' | 'in-stack' | 'skipped';

export interface AppliedObject {
  /** kubectl's name for it, e.g. `deployment.apps/api`. */
  resource: string;
  /** `serverside-applied`, `unchanged`, `created`, ... */
  action: string;
}

export interface GroupApplyResult {
  type: ApplyGroup['type'];
  name: string;
  documents: number;
  objects: AppliedObject[];
  attempts: number;
  /** Why nothing was sent. */
  skipped?: 'empty' | 'dry-run';
}

export interface ApplyResult {
  dryRun: boolean;
  namespace?: { name: string; outcome: NamespaceOutcome };
  groups: GroupApplyResult[];
  /** Cluster-scoped objects marked as used by this slot. */
  marked: ObjectRef[];
  /** kubectl processes this apply started. */
  invocations: number;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** A group's apply failed: names the group, carries kubectl's error and what to do about it. */
export class ApplyError extends UserError {
  constructor(
    readonly group: { type: string; name: string },
    override readonly cause: KubectlError,
    readonly attempts: number,
    readonly hint: string,
    subject = `apply of ${group.type} "${group.name}"`,
  ) {
    const detail = cause.stderr.trim().split('\n').filter(Boolean).slice(0, 20).join('\n  ') || cause.message;
    super(
      `${subject} failed${attempts > 1 ? ` after ${attempts} attempts` : ''}:\n  ${detail}${hint ? `\n${hint}` : ''}`,
    );
    this.name = 'ApplyError';
  }
}

/** What the user can do about a refused apply, from the server's reasons. */
export function applyHint(err: KubectlError, forceConflicts: boolean): string {
  const reasons = err.reasons;
  if (/being terminated/.test(err.stderr))
    return 'The namespace is being deleted: wait until it is gone and apply again (ensure-ready re-creates it).';
  if (reasons.includes('Conflict'))
    return forceConflicts
      ? 'Another field manager owns these fields.'
      : 'Another field manager owns these fields: set force-conflicts: true to take them over, or stop the other tool from managing them.';
  if (reasons.includes('NoKindMatch'))
    return 'The cluster does not serve this kind: install its CRD first (for example in an earlier infra group).';
  if (reasons.includes('Invalid')) return 'Fix the manifest named above (services.yaml names the file it comes from).';
  if (reasons.includes('Forbidden') || reasons.includes('Unauthorized'))
    return "The kubeconfig's credentials may not change these objects: check the RBAC of the account it uses.";
  if (reasons.includes('NotFound') && /namespaces? "[^"]+" not found/.test(err.stderr))
    return 'The target namespace does not exist: add it to the stack or let apply create the slot namespace.';
  if (err.transient) return 'The API server kept failing: check the cluster and run again.';
  return '';
}

/** Labels of a slot namespace that apply creates itself: the stack's ownership labels. */
export function namespaceLabels(project: string, env: string, slot: number): Record<string, string> {
  return {
    [LABEL_MANAGED_BY]: MANAGER_NAME,
    [LABEL_PROJECT]: project,
    [LABEL_ENV]: env,
    ...(slot > 0 ? { [LABEL_SLOT]: String(slot) } : {}),
  };
}

export interface EnsureNamespaceOptions {
  labels?: Record<string, string>;
  /** The stack's own Namespace object: applied (server-side) instead of a generated one. */
  manifest?: KubeObject;
  fieldManager?: string;
  retry?: RetryOptions<KubectlError>;
  timeoutMs?: number;
  onRetry?: (err: KubectlError, attempt: number, delayMs: number) => void;
}

/**
 * Makes sure the namespace exists, in one call. A generated namespace is `create`d, so an existing one (a shared
 * staging namespace, one created by hand) is left exactly as it is; AlreadyExists is success.
 */
export async function ensureNamespace(
  kubectl: Kubectl,
  name: string,
  options: EnsureNamespaceOptions = {},
): Promise<'created' | 'exists' | 'applied'> {
  const retry = { ...options.retry, onRetry: options.onRetry ?? options.retry?.onRetry };
  const call = { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  try {
    if (options.manifest) {
      await withRetry(
        () =>
          kubectl.run(applyArgs({ fieldManager: options.fieldManager }), {
            ...call,
            input: stackToYaml([{ object: options.manifest }]),
          }),
        retry,
      );
      return 'applied';
    }
    const manifest: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, ...(options.labels && Object.keys(options.labels).length ? { labels: options.labels } : {}) },
    };
    await withRetry(
      () =>
        kubectl.run(['create', `--field-manager=${options.fieldManager ?? FIELD_MANAGER}`, '-f', '-'], {
          ...call,
          input: manifestStream([manifest]),
        }),
      retry,
    );
    return 'created';
  } catch (err) {
    if (err instanceof KubectlError && err.reason === 'AlreadyExists') return 'exists';
    if (err instanceof KubectlError) throw new ApplyError({ type: 'namespace', name }, err, 1, applyHint(err, true));
    throw err;
  }
}

/** Applies one group in one kubectl call (retried on transient errors only). */
export async function applyGroup(
  kubectl: Kubectl,
  group: ApplyGroup,
  options: Pick<ApplyOptions, 'fieldManager' | 'forceConflicts' | 'retry' | 'timeoutMs' | 'onEvent' | 'dryRun'> = {},
): Promise<GroupApplyResult> {
  const base = { type: group.type, name: group.name, documents: group.documents.length, objects: [], attempts: 0 };
  if (group.documents.length === 0) return { ...base, skipped: 'empty' };
  if (options.dryRun) return { ...base, skipped: 'dry-run' };
  const input = stackToYaml(group.documents);
  let attempts = 0;
  try {
    const stdout = await withRetry(
      () => {
        attempts++;
        return kubectl.run(applyArgs({ fieldManager: options.fieldManager, forceConflicts: options.forceConflicts }), {
          input,
          timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        });
      },
      {
        ...options.retry,
        onRetry: (error: KubectlError, attempt, delayMs) => {
          options.retry?.onRetry?.(error, attempt, delayMs);
          options.onEvent?.({ type: 'retry', what: `${group.type} ${group.name}`, attempt, delayMs, error });
        },
      },
    );
    return { ...base, objects: parseApplyOutput(stdout), attempts };
  } catch (err) {
    if (err instanceof KubectlError)
      throw new ApplyError(group, err, attempts, applyHint(err, options.forceConflicts !== false));
    throw err;
  }
}

/** `deployment.apps/api serverside-applied` lines. */
export function parseApplyOutput(stdout: string): AppliedObject[] {
  const out: AppliedObject[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S+\/\S+)\s+(.+)$/.exec(line.trim());
    if (m) out.push({ resource: m[1], action: m[2] });
  }
  return out;
}

const isNamespaceDoc = (obj: KubeObject, name: string) =>
  obj.kind === 'Namespace' && String(obj.apiVersion ?? 'v1') === 'v1' && obj.metadata?.name === name;

/**
 * Moves the stack's own Namespace object for `namespace` to the very front of the first group that sends anything,
 * so it is created by that group's call (no extra call) before any object that lives in it.
 */
export function hoistNamespace(
  groups: readonly ApplyGroup[],
  namespace: string,
): { groups: ApplyGroup[]; manifest?: KubeObject } {
  const owner = groups.findIndex((g) => g.documents.some((d) => isNamespaceDoc(d.object, namespace)));
  if (owner < 0) return { groups: [...groups] };
  const manifest = groups[owner].documents.find((d) => isNamespaceDoc(d.object, namespace))!.object;
  const rest = groups.map((g) => ({ ...g, documents: g.documents.filter((d) => d.object !== manifest) }));
  // Its own group when nothing is applied before it (keeps the report natural), else the first group applied.
  const first = groups.findIndex((g) => g.documents.length > 0);
  const at = first === owner ? owner : first;
  rest[at] = { ...rest[at], documents: [{ object: manifest }, ...rest[at].documents] };
  return { groups: rest, manifest };
}

/** Cluster-scoped objects of these groups that usage tracking covers (the slot's own namespace is not shared). */
export function sharedClusterObjects(groups: readonly ApplyGroup[], namespace?: string): ObjectRef[] {
  const seen = new Set<string>();
  const out: ObjectRef[] = [];
  for (const g of groups)
    for (const d of g.documents) {
      if (!isClusterScoped(d.object)) continue;
      if (namespace && isNamespaceDoc(d.object, namespace)) continue;
      const ref = refOf(d.object);
      const key = `${ref.apiVersion}/${ref.kind}/${ref.name}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(ref);
      }
    }
  return out;
}

/**
 * Applies the stack: the namespace (when missing), then each group in order, then marks the cluster-scoped
 * objects as used by this slot. Stops at the first failing group (later groups usually depend on earlier ones);
 * what was applied before it is still marked.
 *
 * kubectl calls: one per non-empty group, plus one for the namespace unless the stack contains it, plus one for
 * usage marks when the stack has shared cluster-scoped objects.
 */
export async function applyStack(
  kubectl: Kubectl,
  groups: readonly ApplyGroup[],
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const start = kubectl.invocations;
  const result: ApplyResult = { dryRun: !!options.dryRun, groups: [], marked: [], invocations: 0 };
  const ns = options.namespace?.trim() || undefined;
  let plan: ApplyGroup[] = [...groups];
  if (ns) {
    const hoisted = hoistNamespace(groups, ns);
    plan = hoisted.groups;
    let outcome: NamespaceOutcome;
    if (hoisted.manifest) outcome = 'in-stack';
    else if (options.ensureNamespace === false || options.dryRun) outcome = 'skipped';
    else
      outcome = await ensureNamespace(kubectl, ns, {
        labels: options.namespaceLabels,
        fieldManager: options.fieldManager,
        retry: options.retry,
        timeoutMs: options.timeoutMs,
        onRetry: (error, attempt, delayMs) =>
          options.onEvent?.({ type: 'retry', what: `namespace ${ns}`, attempt, delayMs, error }),
      });
    result.namespace = { name: ns, outcome };
    options.onEvent?.({ type: 'namespace', name: ns, outcome });
  }

  const applied: ApplyGroup[] = [];
  let failure: unknown;
  let servicesStarted = false;
  const startServices = async () => {
    if (servicesStarted) return;
    servicesStarted = true;
    if (!options.dryRun) await options.beforeServices?.();
  };
  for (const group of plan) {
    try {
      if (group.type === 'service') await startServices();
      const r = await applyGroup(kubectl, group, options);
      result.groups.push(r);
      if (!r.skipped) applied.push(group);
      options.onEvent?.({ type: 'group', group: r });
    } catch (err) {
      failure = err;
      break;
    }
  }
  if (!failure) {
    try {
      await startServices();
    } catch (err) {
      failure = err;
    }
  }

  const user = options.usage === false ? undefined : (options.usage ?? (ns ? { namespace: ns } : undefined));
  const shared = user ? sharedClusterObjects(applied, ns) : [];
  if (user && shared.length) {
    try {
      await markUsage(kubectl, shared, user, { retry: options.retry, timeoutMs: options.timeoutMs });
      result.marked = shared;
      options.onEvent?.({ type: 'usage', objects: shared });
    } catch (err) {
      if (!failure) {
        const e = err instanceof KubectlError ? err : undefined;
        failure = e
          ? new ApplyError(
              { type: 'usage', name: user.namespace },
              e,
              1,
              "The objects were applied, but without the mark another slot's destroy could delete them: run apply again.",
              `marking ${shared.map(formatRef).join(', ')} as used by ${user.namespace}`,
            )
          : err;
      }
    }
  }
  result.invocations = kubectl.invocations - start;
  if (failure) throw failure;
  return result;
}
