/*
 * What a user needs to see when a workload is not ready: `describe` of the workload and its pods, the recent events
 * that concern it, and the last log lines of its pods. Collected only on failure, so a healthy rollout costs no
 * extra kubectl call; a failure costs three calls plus one events listing per namespace (filtered here rather than
 * one `--field-selector` call per object, since pod and ReplicaSet events carry generated names).
 * Collection never throws: a diagnostic that cannot be fetched says why in its place.
 */
import type { Kubectl } from './kubectl.js';
import { formatRef, resourceArg, type ObjectRef } from '../objects/refs.js';
import { waitCause, waitHint, type WaitCause } from './wait-hints.js';

export type WaitFailureReason = 'timeout' | 'progress-deadline' | 'failed' | 'not-found' | 'error';

/** One workload that did not become ready, with everything needed to tell why. */
export interface WaitFailure {
  object: ObjectRef;
  reason: WaitFailureReason;
  /** kubectl's own words (`timed out waiting for the condition`, `exceeded its progress deadline`). */
  message: string;
  describe: string;
  /** `describe` of the workload's pods (the container states: CrashLoopBackOff, ImagePullBackOff, ...). */
  pods: string;
  events: string;
  logs: string;
}

export interface FailedTarget {
  ref: ObjectRef;
  /** Label selector of its pods, when known. */
  selector?: string;
  reason: WaitFailureReason;
  message: string;
}

export interface DiagnosticsOptions {
  /** Log lines per container (default 50). */
  logTail?: number;
  /** Events per object (default 25, the most recent). */
  maxEvents?: number;
  /** Describe the pods too (default true). */
  describePods?: boolean;
  /** Collect details for at most this many failures (default 5); the others keep their message. */
  maxFailures?: number;
  /** Limit of each kubectl call (default 30 s). */
  timeoutMs?: number;
  /**
   * Secret values (see secretValues in secrets.ts) replaced by `***` in every collected text: `describe` of a pod
   * shows env values given inline, and logs print what they like.
   */
  mask?: readonly string[] | (() => readonly string[]);
}

const nsArgs = (ns?: string) => (ns ? ['-n', ns] : []);

async function capture(kubectl: Kubectl, args: string[], timeoutMs: number): Promise<string> {
  try {
    const res = await kubectl.exec(args, { timeoutMs });
    if (res.code === 0 && !res.timedOut) return res.stdout.trimEnd() || '(empty)';
    const why = res.timedOut ? `timed out after ${timeoutMs / 1000}s` : res.stderr.trim() || `exit code ${res.code}`;
    return [res.stdout.trimEnd(), `(kubectl ${args[0]} failed: ${why})`].filter(Boolean).join('\n');
  } catch (err) {
    return `(kubectl ${args[0]} could not run: ${(err as Error).message})`;
  }
}

interface EventItem {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  firstTimestamp?: string;
  metadata?: { creationTimestamp?: string };
  involvedObject?: { kind?: string; name?: string };
}

const eventTime = (e: EventItem) =>
  e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '';

/** Events about the workload itself and the objects it owns by name (`api-7d9f…` ReplicaSets, `api-7d9f…-x2k` pods). */
export function eventsFor(items: readonly EventItem[], name: string, max: number): string {
  const mine = items
    .filter((e) => {
      const n = e.involvedObject?.name ?? '';
      return n === name || n.startsWith(`${name}-`);
    })
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
    .slice(-max);
  if (!mine.length) return '(no events)';
  return mine
    .map((e) => {
      const obj = `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`;
      const count = e.count && e.count > 1 ? ` (x${e.count})` : '';
      return `${eventTime(e)}  ${e.type ?? ''}  ${e.reason ?? ''}  ${obj}: ${(e.message ?? '').trim()}${count}`;
    })
    .join('\n');
}

/** Fetches describe, pod describe, events and logs for each failure (bounded by `maxFailures`). */
export async function collectDiagnostics(
  kubectl: Kubectl,
  failed: readonly FailedTarget[],
  options: DiagnosticsOptions = {},
): Promise<WaitFailure[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const tail = options.logTail ?? 50;
  const maxEvents = options.maxEvents ?? 25;
  const limit = options.maxFailures ?? 5;
  const detailed = failed.slice(0, limit);

  const eventsByNs = new Map<string, Promise<EventItem[] | string>>();
  const eventsIn = (ns: string | undefined) => {
    const key = ns ?? '';
    let p = eventsByNs.get(key);
    if (!p) {
      p = kubectl
        .exec(['get', 'events', ...nsArgs(ns), '-o', 'json'], { timeoutMs })
        .then((res) => {
          if (res.code !== 0) return `(kubectl get events failed: ${res.stderr.trim() || `exit code ${res.code}`})`;
          return ((JSON.parse(res.stdout) as { items?: EventItem[] }).items ?? []) as EventItem[];
        })
        .catch((err: Error) => `(kubectl get events could not run: ${err.message})`);
      eventsByNs.set(key, p);
    }
    return p;
  };

  const out = await Promise.all(
    detailed.map(async (f): Promise<WaitFailure> => {
      const ns = f.ref.namespace;
      const logArgs = f.selector
        ? [
            'logs',
            ...nsArgs(ns),
            '-l',
            f.selector,
            `--tail=${tail}`,
            '--all-containers=true',
            '--prefix=true',
            '--ignore-errors=true',
            '--max-log-requests=10',
          ]
        : ['logs', ...nsArgs(ns), resourceArg(f.ref), `--tail=${tail}`, '--all-containers=true', '--prefix=true'];
      const [describe, pods, events, logs] = await Promise.all([
        capture(kubectl, ['describe', ...nsArgs(ns), resourceArg(f.ref)], timeoutMs),
        options.describePods !== false && f.selector
          ? capture(kubectl, ['describe', ...nsArgs(ns), 'pods', '-l', f.selector], timeoutMs)
          : Promise.resolve(''),
        eventsIn(ns).then((items) => (typeof items === 'string' ? items : eventsFor(items, f.ref.name, maxEvents))),
        capture(kubectl, logArgs, timeoutMs),
      ]);
      return { object: f.ref, reason: f.reason, message: f.message, describe, pods, events, logs };
    }),
  );
  const skipped = `(not collected: details are collected for the first ${limit} failing workloads only; run kubectl describe for this one)`;
  for (const f of failed.slice(limit))
    out.push({
      object: f.ref,
      reason: f.reason,
      message: f.message,
      describe: skipped,
      pods: '',
      events: '',
      logs: '',
    });
  const hide = maskText(typeof options.mask === 'function' ? options.mask() : options.mask);
  return out.map((f) => ({
    ...f,
    message: hide(f.message),
    describe: hide(f.describe),
    pods: hide(f.pods),
    events: hide(f.events),
    logs: hide(f.logs),
  }));
}

/** Replaces every occurrence of the values by `***`, longest first (a value may contain a shorter one). */
export function maskText(values: readonly string[] | undefined): (text: string) => string {
  const list = [...new Set(values ?? [])].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  if (!list.length) return (text) => text;
  return (text) => {
    let out = text;
    for (const v of list) out = out.split(v).join('***');
    return out;
  };
}

const REASON_TEXT: Record<WaitFailureReason, string> = {
  timeout: 'timed out',
  'progress-deadline': 'exceeded its progress deadline',
  failed: 'failed',
  'not-found': 'not found',
  error: 'wait failed',
};

/**
 * One message naming every failing object and, per cause, what to look at: the message an action fails with.
 * Only a plain timeout with pods still starting suggests a longer wait-timeout.
 */
export function waitFailureMessage(failures: readonly WaitFailure[], timeout?: string): string {
  if (!failures.length) return '';
  const names = failures.map((f) => `${formatRef(f.object)} (${REASON_TEXT[f.reason]})`).join(', ');
  const byCause = new Map<WaitCause, string[]>();
  for (const f of failures) {
    const cause = waitCause(f);
    byCause.set(cause, [...(byCause.get(cause) ?? []), formatRef(f.object)]);
  }
  const hints = [...byCause].map(([cause, objects]) => `${objects.join(', ')}: ${waitHint(cause)}.`);
  return [
    `${failures.length === 1 ? 'a workload is' : `${failures.length} workloads are`} not ready${timeout && failures.every((f) => f.reason === 'timeout') ? ` within ${timeout}` : ''}: ${names}.`,
    ...hints,
    'The describe output, events and pod logs of each are printed above.',
  ].join(' ');
}

/** A Markdown code fence longer than any backtick run in the text, so logs cannot break out of it. */
export function codeBlock(text: string, lang = 'text'): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text.trimEnd()}\n${fence}`;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The diagnostics as text (for a collapsed `core.group` in the log) or Markdown (for the job summary: one heading
 * per object, each diagnostic in a `<details>` block so the summary stays short until opened).
 */
export function formatDiagnostics(failures: readonly WaitFailure[], format: 'text' | 'markdown' = 'text'): string {
  const sections: string[] = [];
  for (const f of failures) {
    const name = formatRef(f.object);
    const parts: [string, string][] = [
      [`describe ${name}`, f.describe],
      ['pods', f.pods],
      ['events', f.events],
      ['logs (last lines of each container)', f.logs],
    ];
    if (format === 'markdown') {
      const body = [`#### ${escapeHtml(name)}: ${REASON_TEXT[f.reason]}`, '', escapeHtml(f.message), ''];
      for (const [title, text] of parts) {
        if (!text) continue;
        body.push(`<details><summary>${escapeHtml(title)}</summary>`, '', codeBlock(text), '', '</details>', '');
      }
      sections.push(body.join('\n'));
    } else {
      const body = [`=== ${name}: ${REASON_TEXT[f.reason]}: ${f.message}`];
      for (const [title, text] of parts) if (text) body.push(`--- ${title} ---`, text.trimEnd());
      sections.push(body.join('\n'));
    }
  }
  return sections.join('\n\n');
}
