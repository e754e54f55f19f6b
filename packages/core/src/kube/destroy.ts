/*
 * Destroying a slot: its namespace (everything in it, PVCs included) and its share of the cluster-scoped objects.
 * Deleting the namespace is started first without waiting, the shared objects are released meanwhile (usage.ts:
 * deleted only when no other live slot uses them), then we wait for the namespace to be gone. A failure on one
 * part never stops the others; every problem is reported, and the result says whether all went well.
 * kubectl calls: delete + wait for the namespace, at most three for the cluster-scoped objects.
 */
import type { KubeObject } from '../objects/object.js';
import { isClusterScoped } from '../objects/kinds.js';
import { formatDuration, kubectlTimeout } from './duration.js';
import { KubectlError } from './errors.js';
import type { Kubectl } from './kubectl.js';
import { formatRef, refOf, type ObjectRef } from '../objects/refs.js';
import { checkNamespaceOwnership, type NamespaceOwnership, type NamespaceOwnershipRule } from './ownership.js';
import { withRetry, type RetryOptions } from '../util/retry.js';
import { describeRelease, releaseUsage, type ReleaseResult } from './usage.js';
import { plural } from '../util/plural.js';
import { UserError } from '../util/errors.js';

export interface DestroyOptions {
  /** The slot's namespace: deleted, and the key of its usage marks. */
  namespace: string;
  /** Delete the namespace (default true; false for records that share another env's namespace). */
  deleteNamespace?: boolean;
  /**
   * Delete the namespace only when it is ours by this rule (ownership.ts); a refused namespace stops the whole
   * destroy, cluster-scoped objects included. Required, so that no caller (a dry run included) skips the check.
   */
  owner: NamespaceOwnershipRule;
  /**
   * The slot stack's cluster-scoped objects (a rendered stack's documents fit: anything namespaced and the slot's own
   * Namespace are ignored). Each is deleted only when no other slot uses it.
   */
  clusterObjects?: readonly (KubeObject | ObjectRef)[];
  /** Release cluster-scoped objects (default true). */
  releaseClusterObjects?: boolean;
  /** How long to wait for the namespace to be gone (default 5 minutes); 0: do not wait. */
  namespaceTimeoutMs?: number;
  /** Report what would be deleted, delete nothing. */
  dryRun?: boolean;
  retry?: RetryOptions<KubectlError>;
  /** Limit of each short kubectl call (default 60 s). */
  timeoutMs?: number;
}

export interface DestroyProblem {
  object: string;
  message: string;
}

export interface DestroyResult {
  ok: boolean;
  dryRun: boolean;
  namespace: {
    name: string;
    existed?: boolean;
    gone?: boolean;
    skipped?: boolean;
    /** Not ours: nothing was deleted (see `ownership.reason`). */
    refused?: boolean;
    ownership?: NamespaceOwnership;
  };
  cluster: ReleaseResult;
  problems: DestroyProblem[];
  invocations: number;
}

export class DestroyError extends UserError {
  constructor(readonly result: DestroyResult) {
    super(
      `destroy of namespace ${result.namespace.name} left ${plural(result.problems.length, 'problem')}:\n` +
        result.problems.map((p) => `  ${p.object}: ${p.message}`).join('\n'),
    );
    this.name = 'DestroyError';
  }
}

function isRef(o: KubeObject | ObjectRef): o is ObjectRef {
  return typeof (o as ObjectRef).name === 'string' && !('metadata' in o);
}

/** The shared objects of a slot's stack: cluster-scoped, minus the slot namespace itself. */
export function clusterObjectsOf(objects: readonly (KubeObject | ObjectRef)[], namespace: string): ObjectRef[] {
  const out: ObjectRef[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    const ref = isRef(o) ? o : isClusterScoped(o) ? refOf(o) : undefined;
    if (!ref || ref.namespace) continue;
    if (ref.kind === 'Namespace' && ref.name === namespace) continue;
    const key = `${ref.apiVersion}/${ref.kind}/${ref.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(ref);
  }
  return out;
}

export async function destroySlot(kubectl: Kubectl, options: DestroyOptions): Promise<DestroyResult> {
  const start = kubectl.invocations;
  const ns = options.namespace;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const problems: DestroyProblem[] = [];
  const result: DestroyResult = {
    ok: false,
    dryRun: !!options.dryRun,
    namespace: { name: ns },
    cluster: { deleted: [], kept: [], absent: [], foreign: [], problems: [] },
    problems,
    invocations: 0,
  };
  const nsLabel = `Namespace ${ns}`;

  let deleting = false;
  // Checked also when the namespace is kept (shared by another slot): what is released and the hooks around the
  // destroy still act in it, so it must be ours all the same.
  {
    try {
      const ownership = await checkNamespaceOwnership(kubectl, ns, options.owner, { retry: options.retry, timeoutMs });
      result.namespace.ownership = ownership;
      if (!ownership.allowed) {
        result.namespace.refused = true;
        problems.push({ object: nsLabel, message: ownership.reason ?? 'not ours' });
      }
    } catch (err) {
      problems.push({ object: nsLabel, message: errorText(err) });
    }
    if (problems.length) {
      result.invocations = kubectl.invocations - start;
      return result;
    }
  }
  if (options.deleteNamespace === false) result.namespace.skipped = true;
  else if (options.dryRun && result.namespace.ownership) result.namespace.existed = result.namespace.ownership.exists;
  else if (options.dryRun) {
    try {
      const found = await kubectl.run(['get', 'namespace', ns, '--ignore-not-found', '-o', 'name'], { timeoutMs });
      result.namespace.existed = found.trim() !== '';
    } catch (err) {
      problems.push({ object: nsLabel, message: (err as Error).message });
    }
  } else {
    try {
      const out = await withRetry(
        () => kubectl.run(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false'], { timeoutMs }),
        options.retry,
      );
      // --ignore-not-found prints nothing for a namespace that was already gone.
      result.namespace.existed = out.trim() !== '';
      deleting = result.namespace.existed;
      if (!deleting) result.namespace.gone = true;
    } catch (err) {
      problems.push({ object: nsLabel, message: errorText(err) });
    }
  }

  if (options.releaseClusterObjects !== false) {
    const refs = clusterObjectsOf(options.clusterObjects ?? [], ns);
    try {
      result.cluster = await releaseUsage(
        kubectl,
        refs,
        { namespace: ns },
        {
          dryRun: options.dryRun,
          project: options.owner.project,
          retry: options.retry,
          timeoutMs,
        },
      );
      for (const p of result.cluster.problems)
        problems.push({ object: p.ref ? formatRef(p.ref) : 'cluster-scoped objects', message: p.message });
    } catch (err) {
      problems.push({ object: 'cluster-scoped objects', message: errorText(err) });
    }
  }

  const waitMs = options.namespaceTimeoutMs ?? 300_000;
  if (deleting && waitMs > 0) {
    const args = ['wait', '--for=delete', `namespace/${ns}`, `--timeout=${kubectlTimeout(waitMs)}`];
    const res = await kubectl.exec(args, { timeoutMs: waitMs + 30_000 });
    if (res.code === 0 && !res.timedOut) result.namespace.gone = true;
    else {
      result.namespace.gone = false;
      const why =
        /timed out/i.test(res.stderr) || res.timedOut
          ? `still terminating after ${formatDuration(waitMs)}`
          : errorText(new KubectlError(args, res.code, res.stderr));
      problems.push({
        object: nsLabel,
        message: `${why}; look for finalizers that cannot finish (kubectl get namespace ${ns} -o yaml, and the objects left in it)`,
      });
    }
  }

  result.ok = problems.length === 0;
  result.invocations = kubectl.invocations - start;
  return result;
}

/** Human-readable lines of what destroy did. */
export function describeDestroy(r: DestroyResult): string[] {
  const lines: string[] = [];
  const n = r.namespace;
  if (n.refused) return [`namespace ${n.name}: refused: ${n.ownership?.reason ?? 'not ours'}`];
  if (n.ownership?.basis === 'force') lines.push(`namespace ${n.name}: --force overrides: ${n.ownership.reason}`);
  if (n.skipped) lines.push(`namespace ${n.name}: kept (not deleted for this record)`);
  else if (r.dryRun) lines.push(`namespace ${n.name}: ${n.existed ? 'would be deleted' : 'does not exist'}`);
  else if (n.existed === false) lines.push(`namespace ${n.name}: already gone`);
  else if (n.gone) lines.push(`namespace ${n.name}: deleted`);
  else if (n.existed) lines.push(`namespace ${n.name}: deletion started`);
  lines.push(...describeRelease(r.cluster).map((l) => (r.dryRun ? l.replace(/^deleted /, 'would delete ') : l)));
  return lines;
}

function errorText(err: unknown): string {
  if (err instanceof KubectlError) return err.stderr.trim().split('\n').filter(Boolean).join('; ') || err.message;
  return (err as Error).message;
}
