/*
 * The next step for a workload that did not become ready, from what its diagnostics show. A longer wait-timeout
 * only helps pods that are still making progress; a crashing container, an image that cannot be pulled, a failed
 * Job, a rollout past its progress deadline or pods that cannot be scheduled stay broken however long we wait.
 */
import type { WaitFailure } from './diagnostics.js';

export type WaitCause =
  'image-pull' | 'crash-loop' | 'unschedulable' | 'job-failed' | 'progress-deadline' | 'not-found' | 'error' | 'slow';

const HINTS: Record<WaitCause, string> = {
  'image-pull':
    'the image cannot be pulled (ImagePullBackOff/ErrImagePull): check the image name and tag, that it was pushed, and the registry credentials (imagePullSecrets); a longer wait-timeout will not help',
  'crash-loop':
    "a container keeps crashing (CrashLoopBackOff): read the pod's logs for the error; a longer wait-timeout will not help",
  unschedulable:
    'the pods cannot be scheduled (Unschedulable): check their resource requests against the nodes, node selectors, tolerations and volume claims; a longer wait-timeout will not help',
  'job-failed':
    "the Job failed: read its pod's logs for the error, fix it and apply again; a longer wait-timeout will not help",
  'progress-deadline':
    "the rollout exceeded its progress deadline: look at the pods' events and logs for why they do not become ready; a longer wait-timeout will not help",
  'not-found': 'the object is not in the cluster: check that the stack applied it (filters, when conditions)',
  error: 'kubectl could not follow the rollout: check the cluster connection and permissions, then run again',
  slow: 'it is still in progress: if it only needs more time, raise wait-timeout; else its events and logs show what it waits for',
};

/** Why a workload is not ready, most specific first: what the pods show beats the wait's own reason. */
export function waitCause(f: Pick<WaitFailure, 'reason' | 'message' | 'pods' | 'events' | 'describe'>): WaitCause {
  const text = [f.pods, f.events, f.describe].join('\n');
  if (
    /ImagePullBackOff|ErrImagePull|InvalidImageName|ErrImageNeverPull|Back-off pulling image|Failed to pull image/.test(
      text,
    )
  )
    return 'image-pull';
  if (/CrashLoopBackOff|Back-off restarting failed container/.test(text)) return 'crash-loop';
  if (f.reason === 'failed') return 'job-failed';
  if (/Unschedulable|FailedScheduling/.test(text)) return 'unschedulable';
  if (f.reason === 'progress-deadline') return 'progress-deadline';
  if (f.reason === 'not-found') return 'not-found';
  if (f.reason === 'error') return 'error';
  return 'slow';
}

export function waitHint(cause: WaitCause): string {
  return HINTS[cause];
}
