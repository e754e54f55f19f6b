/*
 * Which namespaces destroy and cleanup may delete.
 *
 * A namespace name comes from services.yaml, a flag or a slot record, so a typo or a hostile config could point a
 * destroy at `kube-system` or at another team's namespace. A namespace is deleted only when it is ours:
 * - it carries our ownership labels for this project (`app.kubernetes.io/managed-by: codex-k8s` and
 *   `codex-k8s.io/project: <project>`), which apply puts on every namespace it creates; or
 * - a slot record of this project names it: the predecessor's slots have no labels of ours, and a team migrating
 *   must still be able to clean them up. A namespace labelled for another project is refused even then: the label
 *   is the stronger statement of who owns it.
 * `kube-*`, `default` and the state namespace (it holds every slot record) are refused always, even with force.
 */
import { LABEL_MANAGED_BY, LABEL_PROJECT, MANAGER_NAME } from '../objects/labels.js';
import { UserError } from '../util/errors.js';
import { KubectlError } from './errors.js';
import type { Kubectl } from './kubectl.js';
import { withRetry, type RetryOptions } from '../util/retry.js';

export interface NamespaceOwnershipRule {
  /** The project of services.yaml: the value its `codex-k8s.io/project` label must have. */
  project: string;
  /** `state.configmapNamespace`: never deleted. */
  stateNamespace?: string;
  /**
   * Whether a slot record of the project names the namespace (asked only when the labels do not settle it): true,
   * false, or why a record that names it does not count (one clause, e.g. its slot renders another namespace).
   */
  namedByRecord?: RecordVouch | (() => Promise<RecordVouch>);
  /** Delete a namespace that is not ours (the CLI's --force); protected namespaces stay refused. */
  force?: boolean;
  /** How the user overrides a refusal, appended to it (the CLI: "pass --force to delete it anyway"). */
  forceHint?: string;
}

export type RecordVouch = boolean | string;

export interface NamespaceOwnership {
  namespace: string;
  exists: boolean;
  /** Deleting it is allowed (an absent namespace is: there is nothing to delete). */
  allowed: boolean;
  /** Why it is allowed. */
  basis?: 'absent' | 'labels' | 'record' | 'force';
  /** Why it is refused, or what --force overrode: one sentence naming what is missing. */
  reason?: string;
}

/** Thrown where a refused namespace must stop an operation before anything else happens. */
export class NamespaceNotOwnedError extends UserError {
  constructor(readonly ownership: NamespaceOwnership) {
    super(ownership.reason ?? `namespace ${ownership.namespace} may not be deleted`);
  }
}

/** Why a namespace may never be deleted by us, whatever its labels and records say. */
export function protectedNamespaceReason(namespace: string, stateNamespace?: string): string | undefined {
  if (namespace.startsWith('kube-'))
    return `namespace ${namespace} is a Kubernetes system namespace (kube-*): codex-k8s never deletes it, even with --force`;
  if (namespace === 'default')
    return "namespace default is the cluster's default namespace: codex-k8s never deletes it, even with --force";
  if (stateNamespace && namespace === stateNamespace.trim())
    return `namespace ${namespace} holds the slot records (state.configmapNamespace): codex-k8s never deletes it, even with --force`;
  return undefined;
}

/** What the labels lack for the namespace to be this project's, or undefined when they prove it. */
export function missingOwnershipLabels(
  labels: Record<string, unknown> | undefined,
  project: string,
): string | undefined {
  const managedBy = labels?.[LABEL_MANAGED_BY];
  if (managedBy !== MANAGER_NAME)
    return managedBy === undefined
      ? `it has no label ${LABEL_MANAGED_BY}=${MANAGER_NAME}`
      : `its label ${LABEL_MANAGED_BY} is ${String(managedBy)}, not ${MANAGER_NAME}`;
  const owner = labels?.[LABEL_PROJECT];
  if (owner !== project)
    return owner === undefined
      ? `it has no label ${LABEL_PROJECT}=${project}`
      : `it belongs to project ${String(owner)} (label ${LABEL_PROJECT}=${String(owner)})`;
  return undefined;
}

/**
 * Decides whether `namespace` may be deleted, reading it once (no call for a protected name; one more, the record
 * lookup, only when the labels do not settle it).
 */
export async function checkNamespaceOwnership(
  kubectl: Kubectl,
  namespace: string,
  rule: NamespaceOwnershipRule,
  call: { retry?: RetryOptions<KubectlError>; timeoutMs?: number } = {},
): Promise<NamespaceOwnership> {
  const guarded = protectedNamespaceReason(namespace, rule.stateNamespace);
  if (guarded) return { namespace, exists: true, allowed: false, reason: guarded };

  let stdout: string;
  try {
    stdout = await withRetry(
      () =>
        kubectl.run(['get', 'namespace', namespace, '--ignore-not-found', '-o', 'json'], { timeoutMs: call.timeoutMs }),
      call.retry,
    );
  } catch (err) {
    if (err instanceof KubectlError)
      throw new UserError(`cannot read namespace ${namespace} to check who owns it: ${err.message}`);
    throw err;
  }
  if (!stdout.trim()) return { namespace, exists: false, allowed: true, basis: 'absent' };
  const labels = (JSON.parse(stdout) as { metadata?: { labels?: Record<string, unknown> } }).metadata?.labels;
  const missing = missingOwnershipLabels(labels, rule.project);
  if (!missing) return { namespace, exists: true, allowed: true, basis: 'labels' };

  const otherProject = labels?.[LABEL_MANAGED_BY] === MANAGER_NAME && labels?.[LABEL_PROJECT] !== undefined;
  const named = otherProject
    ? false
    : typeof rule.namedByRecord === 'function'
      ? await rule.namedByRecord()
      : (rule.namedByRecord ?? false);
  if (named === true) return { namespace, exists: true, allowed: true, basis: 'record' };

  const noRecord = typeof named === 'string' ? ` and ${named}` : ' and no slot record names it';
  const why = `namespace ${namespace} is not managed by codex-k8s for project ${rule.project}: ${missing}${otherProject ? '' : noRecord}`;
  if (rule.force) return { namespace, exists: true, allowed: true, basis: 'force', reason: why };
  return { namespace, exists: true, allowed: false, reason: rule.forceHint ? `${why}; ${rule.forceHint}` : why };
}
