/**
 * Exponential backoff with jitter, and a retry of transient kubectl failures. Kept here rather than shared with
 * kube/retry.ts because the slot store also needs jittered waits for a free slot, where many runs wake together.
 */
import { KubectlError } from '../kube/errors.js';

export interface BackoffOptions {
  /** First pause (ms). */
  initialMs: number;
  /** Longest pause (ms). */
  maxMs: number;
  /** [0, 1); replaced in tests. */
  random?: () => number;
}

/**
 * Pause before retry number `retry` (1-based): `initial * 2^(retry-1)`, capped, then scaled by a random factor in
 * [0.5, 1) ("equal jitter"), so runs that failed together do not retry together, yet never retry immediately.
 */
export function backoffDelay(retry: number, o: BackoffOptions): number {
  const base = Math.min(o.maxMs, o.initialMs * 2 ** Math.max(0, retry - 1));
  const r = (o.random ?? Math.random)();
  return Math.round(base * (0.5 + r / 2));
}

export interface RetryOptions extends BackoffOptions {
  /** Calls in total, the first included. */
  attempts: number;
  sleep: (ms: number) => Promise<void>;
  onRetry?: (error: KubectlError, retry: number, delayMs: number) => void;
}

/**
 * Retries `fn` while it fails with an error of the server or the network (500, 503, 429, connection refused).
 * Anything else (Forbidden, NotFound, AlreadyExists, a timeout of our own) is final and thrown at once.
 */
export async function retryTransient<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof KubectlError) || !err.transient || attempt >= o.attempts) throw err;
      const delay = backoffDelay(attempt, o);
      o.onRetry?.(err, attempt, delay);
      await o.sleep(delay);
    }
  }
}
