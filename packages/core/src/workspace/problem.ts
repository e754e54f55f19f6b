/*
 * Why the sync pod is not Ready, in the cluster's words: `kubectl wait` only says it timed out, while the pod's
 * status says "persistentvolumeclaim "x" not found" or "ImagePullBackOff: ...", which is what the user must fix.
 */
import type { Kubectl } from '../kube/kubectl.js';

interface PodStatus {
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    containerStatuses?: { state?: Record<string, { reason?: string; message?: string } | undefined> }[];
  };
}

/** The reasons in a pod's status, most specific first; '' when it shows none. */
export function podProblem(pod: PodStatus): string {
  const s = pod.status ?? {};
  const out: string[] = [];
  for (const c of s.containerStatuses ?? [])
    for (const [state, detail] of Object.entries(c.state ?? {}))
      if (state !== 'running' && detail?.reason)
        out.push(`container ${state}: ${detail.reason}${detail.message ? ` (${detail.message})` : ''}`);
  for (const c of s.conditions ?? [])
    if (c.status === 'False' && c.message && c.type !== 'Ready' && c.type !== 'ContainersReady')
      out.push(`${c.type}: ${c.reason ? `${c.reason}: ` : ''}${c.message}`);
  if (s.reason) out.push(`pod ${s.phase ?? ''} ${s.reason}${s.message ? `: ${s.message}` : ''}`.replace(/\s+/g, ' '));
  if (out.length === 0 && s.phase && s.phase !== 'Running') out.push(`pod is ${s.phase}`);
  return out.join('; ');
}

/** One `get`, best effort: a failure here must not hide the wait's own error. */
export async function describePodProblem(
  kubectl: Kubectl,
  namespace: string,
  name: string,
  timeoutMs: number,
): Promise<string> {
  try {
    const json = await kubectl.run(['get', 'pod', name, '-n', namespace, '-o', 'json'], { timeoutMs });
    return podProblem(JSON.parse(json) as PodStatus);
  } catch {
    return '';
  }
}
