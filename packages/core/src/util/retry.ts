/*
 * The one retry loop of the project (kubectl calls in kube/, the slot store in slots/): exponential backoff,
 * jittered where many runs fail together, bounded by a number of attempts and/or a deadline, and an immediate stop
 * on an error that another try cannot fix.
 *
 * What is retryable is decided by the error itself: an error whose `transient` is true (KubectlError: the server or
 * the network failed, not the request). A refused request (Invalid, Forbidden, a field Conflict, NotFound) gives the
 * same answer the next time, so retrying it would only delay the real message.
 */

export interface BackoffOptions {
  /** Pause before the first retry (default 1 s); doubles with each retry up to `maxDelayMs`. */
  initialDelayMs?: number;
  /** Longest pause (default 15 s). */
  maxDelayMs?: number;
  /**
   * Scale each pause by a random factor in [0.5, 1) ("equal jitter"), so runs that failed together (slot claims
   * waking at the same moment) do not retry together, yet never retry immediately.
   */
  jitter?: boolean;
  /** [0, 1); replaced in tests. */
  random?: () => number;
}

export interface RetryOptions<E = Error> extends BackoffOptions {
  /** Calls in total, the first included (default 4; unbounded when only a deadline is given). */
  attempts?: number;
  /** Time (as `now()` counts it) after which no retry starts: a pause that would end later is not taken. */
  deadline?: number;
  /** Worth another try (default: `isTransient`). */
  retryable?: (err: unknown) => boolean;
  /** Replaced in tests so retries do not wait. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told about each retry (for a log line). */
  onRetry?: (error: E, attempt: number, delayMs: number) => void;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The error says another try can help (KubectlError's `transient`). */
export function isTransient(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { transient?: unknown }).transient === true;
}

/** Pause before retry number `retry` (1-based): `initial * 2^(retry-1)`, capped, jittered when asked. */
export function backoffDelay(retry: number, options: BackoffOptions = {}): number {
  const initial = options.initialDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 15_000;
  const base = Math.min(max, initial * 2 ** Math.max(0, retry - 1));
  if (!options.jitter) return base;
  return Math.round(base * (0.5 + (options.random ?? Math.random)() / 2));
}

/** Runs `fn`, again after a growing pause while it fails with a retryable error and attempts and time are left. */
export async function withRetry<T, E = Error>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions<E> = {},
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? (options.deadline === undefined ? 4 : Infinity));
  const retryable = options.retryable ?? isTransient;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= attempts || !retryable(err)) throw err;
      const delay = backoffDelay(attempt, options);
      if (options.deadline !== undefined && now() + delay > options.deadline) throw err;
      options.onRetry?.(err as E, attempt, delay);
      await sleep(delay);
    }
  }
}
