/** Job -> pods; Complete (SuccessCriteriaMet) when enough succeeded, Failed (BackoffLimitExceeded) on the first failure. */
import { randomSuffix } from './api.js';
import { cond, type ControllerKit } from './controller-kit.js';
import { isActive, isPodReady } from './pods.js';
import { nowIso } from './store.js';
import type { JsonObject, KubeObject } from './types.js';

export function reconcileJob(k: ControllerKit, j: KubeObject): void {
  const conditions = (j.status?.conditions ?? []) as JsonObject[];
  if (conditions.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')) return;
  if (j.spec?.suspend) return;
  const completions = Number(j.spec?.completions ?? 1);
  const parallelism = Number(j.spec?.parallelism ?? 1);
  let pods = k.ownedPods(j);
  const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
  const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
  const now = nowIso();
  const status: JsonObject = { ...(j.status ?? {}), startTime: j.status?.startTime ?? now };
  if (succeeded >= completions) {
    status.conditions = [
      cond(conditions, 'SuccessCriteriaMet', true, 'CompletionsReached', 'Reached expected number of succeeded pods'),
      cond(conditions, 'Complete', true, 'CompletionsReached', 'Reached expected number of succeeded pods'),
    ].map(({ lastUpdateTime: _u, ...c }) => ({ ...c, lastProbeTime: now }));
    status.completionTime = now;
    k.events.record(j, 'Normal', 'Completed', 'Job completed', 'job-controller');
  } else if (failed > 0) {
    status.conditions = [
      cond(conditions, 'FailureTarget', true, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
      cond(conditions, 'Failed', true, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
    ].map(({ lastUpdateTime: _u, ...c }) => ({ ...c, lastProbeTime: now }));
    k.events.record(
      j,
      'Warning',
      'BackoffLimitExceeded',
      'Job has reached the specified backoff limit',
      'job-controller',
    );
  } else {
    const active = pods.filter(isActive).length;
    const want = Math.min(parallelism, completions - succeeded) - active;
    for (let i = 0; i < want; i++) k.createPod(j, `${j.metadata.name}-${randomSuffix()}`, {});
    pods = k.ownedPods(j);
  }
  const active = pods.filter(isActive);
  status.active = active.length;
  status.ready = active.filter(isPodReady).length;
  status.succeeded = succeeded;
  status.failed = failed;
  status.terminating = 0;
  status.uncountedTerminatedPods = {};
  for (const k of ['active', 'succeeded', 'failed']) if (status[k] === 0) delete status[k];
  k.writeStatus(k.ri.Job, j, status);
}
