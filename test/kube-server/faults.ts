/** Fault injection (fail the next n requests, delay requests) and the request log. */
import type { RequestLogEntry } from './types.js';

export interface FailSpec {
  /** How many matching requests fail. */
  count: number;
  /** HTTP status (default 500). */
  status?: number;
  /** Status reason (default from the code: InternalError, ServiceUnavailable, TooManyRequests ...). */
  reason?: string;
  message?: string;
  /** Send `Retry-After: <n>` so client-go retries by itself (it retries 429/5xx only with this header). */
  retryAfterSeconds?: number;
  /** Only requests whose method matches (case-insensitive). */
  method?: string;
  /** Only requests whose path contains this string (or matches this regular expression source when it starts with `^`). */
  path?: string;
}

export interface DelaySpec {
  ms: number;
  /** Only the next `count` matching requests (default: every request until cleared). */
  count?: number;
  method?: string;
  path?: string;
}

export interface PendingFailure extends Required<Pick<FailSpec, 'count' | 'status'>> {
  reason?: string;
  message?: string;
  retryAfterSeconds?: number;
  method?: string;
  path?: string;
}

function matches(spec: { method?: string; path?: string }, method: string, path: string): boolean {
  if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  if (spec.path) {
    if (spec.path.startsWith('^')) return new RegExp(spec.path).test(path);
    return path.includes(spec.path);
  }
  return true;
}

export class Faults {
  private failures: PendingFailure[] = [];
  private delays: DelaySpec[] = [];

  failNext(spec: FailSpec): void {
    this.failures.push({ ...spec, status: spec.status ?? 500 });
  }

  delay(spec: DelaySpec): void {
    if (spec.ms <= 0 && spec.count === undefined) this.delays = [];
    else this.delays.push({ ...spec });
  }

  clear(): void {
    this.failures = [];
    this.delays = [];
  }

  /** Takes the failure for this request, if one is pending. */
  takeFailure(method: string, path: string): PendingFailure | undefined {
    const f = this.failures.find((x) => x.count > 0 && matches(x, method, path));
    if (!f) return undefined;
    f.count--;
    this.failures = this.failures.filter((x) => x.count > 0);
    return f;
  }

  /** Total delay for this request. */
  takeDelay(method: string, path: string): number {
    let ms = 0;
    for (const d of this.delays) {
      if (!matches(d, method, path)) continue;
      if (d.count !== undefined) {
        if (d.count <= 0) continue;
        d.count--;
      }
      ms += d.ms;
    }
    this.delays = this.delays.filter((d) => d.count === undefined || d.count > 0);
    return ms;
  }

  get pendingFailures(): number {
    return this.failures.reduce((n, f) => n + f.count, 0);
  }
}

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];

  add(e: RequestLogEntry): void {
    this.entries.push(e);
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** Counts by `METHOD path` (query left out). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.entries) {
      const k = `${e.method} ${e.path}`;
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  }

  /** One entry per kubectl process (by its Kubectl-Session header), with the command it ran. */
  kubectlInvocations(): { session: string; command: string; requests: number }[] {
    const bySession = new Map<string, { session: string; command: string; requests: number }>();
    for (const e of this.entries) {
      if (!e.kubectlSession) continue;
      const s = bySession.get(e.kubectlSession) ?? {
        session: e.kubectlSession,
        command: e.kubectlCommand ?? '',
        requests: 0,
      };
      s.requests++;
      bySession.set(e.kubectlSession, s);
    }
    return [...bySession.values()];
  }
}
