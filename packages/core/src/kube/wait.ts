/*
 * Readiness of applied workloads: one kubectl call per workload, each bounded by the same timeout and run a few
 * at a time, so the whole wait takes about as long as the slowest workload rather than the sum.
 * - Deployments, StatefulSets, DaemonSets: `rollout status` (waits for the new revision, not only for "some pods
 *   ready", and fails early when a Deployment exceeds its progress deadline).
 * - Jobs: `wait` until the Job has its first condition, printing the Job: `Complete` (or `SuccessCriteriaMet`) is
 *   success, `Failed` (or `FailureTarget`) fails at once with the Job's reason instead of waiting out the timeout.
 *   `kubectl wait` takes one `--for` only, and a Job gets no condition before it finishes, so the first condition is
 *   the outcome. Any other first condition (`Suspended`) falls back to `--for=condition=complete`.
 *   CronJobs are schedules, not something to wait for.
 * The result is a value, not an exception, so the caller decides between failing and a soft-fail output;
 * `assertReady` turns it into a WaitError for callers that want to fail.
 */
import type { KubeObject } from '../objects/object.js';
import {
  collectDiagnostics,
  formatDiagnostics,
  waitFailureMessage,
  type DiagnosticsOptions,
  type FailedTarget,
  type WaitFailure,
  type WaitFailureReason,
} from './diagnostics.js';
import { formatDuration, kubectlTimeout } from './duration.js';
import { KubectlError, isRetryable } from './errors.js';
import type { Kubectl } from './kubectl.js';
import { refOf, resourceArg, type ObjectRef } from '../objects/refs.js';
import { backoffDelay, defaultSleep } from '../util/retry.js';
import { UserError } from '../util/errors.js';

export interface WaitTarget {
  ref: ObjectRef;
  mode: 'rollout' | 'complete';
  /** Label selector of its pods (for logs and pod describe on failure). */
  selector?: string;
}

const ROLLOUT_KINDS = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet']);

function matchLabelsSelector(obj: KubeObject): string | undefined {
  const labels = obj.spec?.selector?.matchLabels;
  if (!labels || typeof labels !== 'object') return undefined;
  const parts = Object.entries(labels as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length ? parts.join(',') : undefined;
}

/**
 * The workloads among these objects worth waiting for, in order. Left out: CronJobs (schedules), suspended Jobs
 * (they never complete on their own) and OnDelete StatefulSets/DaemonSets (`rollout status` cannot follow them).
 */
export function waitTargets(objects: Iterable<KubeObject>): WaitTarget[] {
  const out: WaitTarget[] = [];
  for (const obj of objects) {
    const group = String(obj.apiVersion ?? '').split('/')[0];
    if (ROLLOUT_KINDS.has(`${group}/${obj.kind}`)) {
      if (obj.kind !== 'Deployment' && obj.spec?.updateStrategy?.type === 'OnDelete') continue;
      out.push({ ref: refOf(obj), mode: 'rollout', selector: matchLabelsSelector(obj) });
    } else if (group === 'batch' && obj.kind === 'Job' && obj.spec?.suspend !== true) {
      // The Job controller labels its pods `job-name=<name>` unless the Job brings its own selector.
      out.push({
        ref: refOf(obj),
        mode: 'complete',
        selector: matchLabelsSelector(obj) ?? `job-name=${obj.metadata?.name}`,
      });
    }
  }
  return out;
}

export interface WaitOptions {
  /** Limit of each workload's wait (default 10 minutes). */
  timeoutMs?: number;
  /** Waits running at once (default 4). */
  concurrency?: number;
  /** Collect describe/events/logs for failures (default true). */
  diagnostics?: boolean | DiagnosticsOptions;
  onEvent?: (event: WaitEvent) => void;
  /** Replaced in tests. */
  sleep?: (ms: number) => Promise<void>;
}

export type WaitEvent =
  | { type: 'start'; target: WaitTarget }
  | { type: 'ready'; target: WaitTarget; durationMs: number }
  | { type: 'failed'; target: WaitTarget; durationMs: number; reason: WaitFailureReason; message: string };

export interface WaitResult {
  ok: boolean;
  ready: ObjectRef[];
  failures: WaitFailure[];
  /** Empty when ok; else one sentence naming every failing object. */
  message: string;
  durationMs: number;
  /** kubectl processes the wait (and its diagnostics) started. */
  invocations: number;
}

export class WaitError extends UserError {
  constructor(
    readonly failures: WaitFailure[],
    message = waitFailureMessage(failures),
  ) {
    super(message);
    this.name = 'WaitError';
  }

  /** Text for a collapsed log group. */
  details(format: 'text' | 'markdown' = 'text'): string {
    return formatDiagnostics(this.failures, format);
  }
}

export function assertReady(result: WaitResult): void {
  if (!result.ok) throw new WaitError(result.failures, result.message);
}

/** `completeOnly`: the plain wait for `Complete`, for a Job whose first condition said nothing about its outcome. */
export function waitArgs(target: WaitTarget, timeoutMs: number, completeOnly = false): string[] {
  const ns = target.ref.namespace ? ['-n', target.ref.namespace] : [];
  const timeout = `--timeout=${kubectlTimeout(timeoutMs)}`;
  if (target.mode === 'rollout') return ['rollout', 'status', resourceArg(target.ref), ...ns, timeout];
  if (completeOnly) return ['wait', '--for=condition=complete', resourceArg(target.ref), ...ns, timeout];
  return ['wait', JOB_FINISHED, resourceArg(target.ref), ...ns, timeout, '-o', 'json'];
}

const JOB_FINISHED = '--for=jsonpath={.status.conditions[0].type}';

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** A Job's outcome from its conditions: done, failed (with the Job's own words), or not decided yet. */
export function jobOutcome(
  job: KubeObject | undefined,
): { state: 'complete' | 'pending' } | { state: 'failed'; message: string } {
  const conditions = (Array.isArray(job?.status?.conditions) ? job.status.conditions : []) as Condition[];
  const isTrue = (type: string) => conditions.find((c) => c.type === type && String(c.status) === 'True');
  const failed = isTrue('Failed') ?? isTrue('FailureTarget');
  if (failed) {
    const why = [failed.reason, failed.message?.trim()].filter(Boolean).join(': ');
    return { state: 'failed', message: `job failed${why ? `: ${why}` : ''}` };
  }
  if (isTrue('Complete') ?? isTrue('SuccessCriteriaMet')) return { state: 'complete' };
  return { state: 'pending' };
}

function parseObject(stdout: string): KubeObject | undefined {
  try {
    return JSON.parse(stdout) as KubeObject;
  } catch {
    return undefined;
  }
}

export function classifyWaitError(stderr: string): WaitFailureReason {
  if (/timed out waiting for the condition/i.test(stderr)) return 'timeout';
  if (/exceeded its progress deadline/i.test(stderr)) return 'progress-deadline';
  if (/\(NotFound\)|not found/i.test(stderr)) return 'not-found';
  return 'error';
}

/** kubectl's last error line, without its `error: ` prefix. */
function lastError(stderr: string, code: number): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  return (lines[lines.length - 1] ?? `exit code ${code}`).replace(/^error: /, '');
}

async function waitOne(
  kubectl: Kubectl,
  target: WaitTarget,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<FailedTarget | undefined> {
  const deadline = Date.now() + timeoutMs;
  let completeOnly = false;
  for (let retry = 1; ; retry++) {
    const remaining = Math.max(1000, deadline - Date.now());
    const args = waitArgs(target, remaining, completeOnly);
    // kubectl enforces --timeout itself; our limit only catches a kubectl that hangs.
    const res = await kubectl.exec(args, { timeoutMs: remaining + 30_000 });
    if (res.code === 0 && !res.timedOut) {
      if (target.mode === 'rollout' || completeOnly) return undefined;
      const outcome = jobOutcome(parseObject(res.stdout));
      if (outcome.state === 'complete') return undefined;
      if (outcome.state === 'failed')
        return { ref: target.ref, selector: target.selector, reason: 'failed', message: outcome.message };
      completeOnly = true;
      retry = 0;
      continue;
    }
    const err = new KubectlError(args, res.code, res.stderr, res.timedOut);
    const delay = backoffDelay(retry, { initialDelayMs: 1000, maxDelayMs: 10_000 });
    // A flaky API server should not fail a rollout that is fine: retry while time is left.
    if (isRetryable(err) && Date.now() + delay < deadline) {
      await sleep(delay);
      continue;
    }
    const reason = res.timedOut ? 'timeout' : classifyWaitError(res.stderr);
    return {
      ref: target.ref,
      selector: target.selector,
      reason,
      message: res.timedOut
        ? `kubectl did not return within ${formatDuration(remaining)}`
        : lastError(res.stderr, res.code),
    };
  }
}

/** Waits for every target; never throws for a workload that is not ready (see WaitResult). */
export async function waitFor(
  kubectl: Kubectl,
  targets: readonly WaitTarget[],
  options: WaitOptions = {},
): Promise<WaitResult> {
  const started = Date.now();
  const startCalls = kubectl.invocations;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const sleep = options.sleep ?? defaultSleep;
  const failed: FailedTarget[] = [];
  const ready: ObjectRef[] = [];
  const outcome = new Map<WaitTarget, FailedTarget | undefined>();
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const target = targets[next++];
      const t0 = Date.now();
      options.onEvent?.({ type: 'start', target });
      const f = await waitOne(kubectl, target, timeoutMs, sleep);
      outcome.set(target, f);
      const durationMs = Date.now() - t0;
      options.onEvent?.(
        f
          ? { type: 'failed', target, durationMs, reason: f.reason, message: f.message }
          : { type: 'ready', target, durationMs },
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, options.concurrency ?? 4), targets.length) }, worker));
  for (const t of targets) {
    const f = outcome.get(t);
    if (f) failed.push(f);
    else ready.push(t.ref);
  }
  const diag = options.diagnostics ?? true;
  const failures: WaitFailure[] = !failed.length
    ? []
    : diag === false
      ? failed.map((f) => ({
          object: f.ref,
          reason: f.reason,
          message: f.message,
          describe: '',
          pods: '',
          events: '',
          logs: '',
        }))
      : await collectDiagnostics(kubectl, failed, diag === true ? {} : diag);
  return {
    ok: failures.length === 0,
    ready,
    failures,
    message: waitFailureMessage(failures, formatDuration(timeoutMs)),
    durationMs: Date.now() - started,
    invocations: kubectl.invocations - startCalls,
  };
}

/** Waits for the workloads of these groups (a rendered stack's groups fit). */
export function waitForStack(
  kubectl: Kubectl,
  groups: readonly { documents: readonly { object: KubeObject }[] }[],
  options: WaitOptions = {},
): Promise<WaitResult> {
  return waitFor(kubectl, waitTargets(groups.flatMap((g) => g.documents.map((d) => d.object))), options);
}
