import { KubectlError } from './errors.js';

export interface RetryOptions {
  /** Calls in total, the first included (default 4). */
  attempts?: number;
  /** Pause before the first retry (default 1 s); doubles each time up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Replaced in tests so retries do not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Told about each retry (for a log line). */
  onRetry?: (error: KubectlError, attempt: number, delayMs: number) => void;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Only errors of the server or the network are retried. A request the server refused (Invalid, Forbidden, a field
 * Conflict, NotFound) gives the same answer the next time, so retrying it would only delay the real message.
 */
export function isRetryable(err: unknown): err is KubectlError {
  return err instanceof KubectlError && err.transient;
}

export function backoffDelay(retry: number, options: RetryOptions = {}): number {
  const initial = options.initialDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 15_000;
  return Math.min(max, initial * 2 ** (retry - 1));
}

/** Runs `fn`, again after a growing pause while it fails with a transient kubectl error. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      const delay = backoffDelay(attempt, options);
      options.onRetry?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}
