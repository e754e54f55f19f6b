/*
 * The pod of the agent deployment that a run execs into: the deployment rolled out, then its newest Running and
 * Ready pod (not one being deleted), with the container's working directory (the workspace).
 */
import { KubectlError } from '../kube/errors.js';
import type { Kubectl } from '../kube/kubectl.js';
import { UserError } from '../util/errors.js';

export interface AgentPod {
  name: string;
  container: string;
  /** The container's working directory: the repository checkout the agent works in. */
  workdir: string;
}

export interface AgentPodQuery {
  namespace: string;
  deployment: string;
  container: string;
  /** How long to wait for the rollout. */
  timeoutMs: number;
  signal?: AbortSignal;
}

const DEFAULT_WORKDIR = '/workspace';
type Json = Record<string, unknown>;

/** Waits for the deployment's rollout, then picks its pod. Three kubectl calls. */
export async function findAgentPod(kubectl: Kubectl, q: AgentPodQuery): Promise<AgentPod> {
  const ns = ['-n', q.namespace];
  const seconds = Math.max(1, Math.floor(q.timeoutMs / 1000));
  try {
    await kubectl.run(['rollout', 'status', ...ns, `deployment/${q.deployment}`, `--timeout=${seconds}s`], {
      timeoutMs: q.timeoutMs + 10_000,
      signal: q.signal,
    });
  } catch (err) {
    const why = err instanceof KubectlError ? err.message : String(err);
    throw new UserError(
      `the agent deployment ${q.namespace}/${q.deployment} is not ready after ${seconds}s: ${why}. ` +
        'Check that ensure-ready ran for this slot, and that agent-deployment names the agent (default codex)',
    );
  }
  return pickAgentPod(kubectl, q);
}

/** The pod, without waiting for a rollout (after a lost connection). Two kubectl calls. */
export async function pickAgentPod(kubectl: Kubectl, q: AgentPodQuery): Promise<AgentPod> {
  const ns = ['-n', q.namespace];
  const deployment = JSON.parse(
    await kubectl.run(['get', ...ns, 'deployment', q.deployment, '-o', 'json'], { signal: q.signal }),
  ) as Json;
  const spec = (deployment.spec ?? {}) as Json;
  const template = ((spec.template ?? {}) as Json).spec as Json | undefined;
  const containers = ((template?.containers ?? []) as Json[]).map((c) => c);
  const container = containers.find((c) => c.name === q.container);
  if (!container)
    throw new UserError(
      `the agent deployment ${q.namespace}/${q.deployment} has no container "${q.container}" ` +
        `(it has: ${containers.map((c) => String(c.name)).join(', ') || 'none'}); set agent-container`,
    );
  const labels = (((spec.selector ?? {}) as Json).matchLabels ?? {}) as Record<string, string>;
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (!selector) throw new UserError(`the agent deployment ${q.namespace}/${q.deployment} has no selector.matchLabels`);
  const pods = (
    (JSON.parse(await kubectl.run(['get', ...ns, 'pods', '-l', selector, '-o', 'json'], { signal: q.signal })) as Json)
      .items as Json[]
  ).filter((p) => {
    const meta = (p.metadata ?? {}) as Json;
    const status = (p.status ?? {}) as Json;
    const ready = ((status.conditions ?? []) as Json[]).some((c) => c.type === 'Ready' && c.status === 'True');
    return !meta.deletionTimestamp && status.phase === 'Running' && ready;
  });
  if (pods.length === 0)
    throw new UserError(
      `no Running and Ready pod of the agent deployment ${q.namespace}/${q.deployment} (selector ${selector})`,
    );
  const created = (p: Json) => String(((p.metadata ?? {}) as Json).creationTimestamp ?? '');
  pods.sort((a, b) => (created(a) < created(b) ? 1 : created(a) > created(b) ? -1 : 0));
  const workingDir = typeof container.workingDir === 'string' && container.workingDir ? container.workingDir : '';
  return {
    name: String(((pods[0].metadata ?? {}) as Json).name),
    container: q.container,
    workdir: workingDir || DEFAULT_WORKDIR,
  };
}
