import { describe, expect, it } from '@jest/globals';
import { KubectlError } from '../kube/errors.js';
import { backoffDelay, isTransient, withRetry } from './retry.js';

const kubectlError = (stderr: string) => new KubectlError(['apply', '-f', '-'], 1, stderr);
const internal = kubectlError('Error from server (InternalError): an error on the server ("boom")');

/** A function failing with `error` on its first `failures` calls, then returning 'ok'. */
function flaky(failures: number, error: (call: number) => unknown = () => internal) {
  const fn = async () => {
    fn.calls++;
    if (fn.calls <= failures) throw error(fn.calls);
    return 'ok';
  };
  fn.calls = 0;
  return fn;
}

describe('backoffDelay', () => {
  it('doubles from 1 s and caps at 15 s by default', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n))).toEqual([1000, 2000, 4000, 8000, 15000, 15000]);
    expect(backoffDelay(3, { initialDelayMs: 10, maxDelayMs: 25 })).toBe(25);
  });

  it('with jitter: between half and the full delay', () => {
    const o = { initialDelayMs: 100, maxDelayMs: 1000, jitter: true };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, { ...o, random: () => 0.999999 }))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect([1, 2, 3].map((n) => backoffDelay(n, { ...o, random: () => 0 }))).toEqual([50, 100, 200]);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(2, o);
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(200);
    }
  });
});

describe('withRetry', () => {
  const sleeps: number[] = [];
  const sleep = async (ms: number) => void sleeps.push(ms);

  it('retries transient errors with growing pauses, then returns the result', async () => {
    sleeps.length = 0;
    const fn = flaky(2);
    const told: [number, number][] = [];
    const out = await withRetry(fn, { sleep, onRetry: (_e, attempt, delay) => told.push([attempt, delay]) });
    expect(out).toBe('ok');
    expect(fn.calls).toBe(3);
    expect(sleeps).toEqual([1000, 2000]);
    expect(told).toEqual([
      [1, 1000],
      [2, 2000],
    ]);
  });

  it('jittered pauses come from the backoff options', async () => {
    sleeps.length = 0;
    const fn = flaky(2);
    await withRetry(fn, { sleep, initialDelayMs: 100, maxDelayMs: 1000, jitter: true, random: () => 0.5 });
    expect(sleeps).toEqual([75, 150]);
  });

  it('gives up after the attempts (default 4) and rethrows the last error', async () => {
    const fn = flaky(10, (call) => kubectlError(`Error from server (ServiceUnavailable): attempt ${call}`));
    await expect(withRetry(fn, { sleep })).rejects.toThrow(/attempt 4/);
    expect(fn.calls).toBe(4);
    const three = flaky(10);
    await expect(withRetry(three, { sleep, attempts: 3 })).rejects.toBe(internal);
    expect(three.calls).toBe(3);
  });

  it.each(['Invalid', 'Forbidden', 'Conflict', 'NotFound', 'AlreadyExists'])(
    'stops at once on %s, and on plain errors',
    async (reason) => {
      const refused = kubectlError(`Error from server (${reason}): no`);
      const fn = flaky(10, () => refused);
      await expect(withRetry(fn, { sleep })).rejects.toBe(refused);
      expect(fn.calls).toBe(1);
      const plain = flaky(10, () => new Error('bug'));
      await expect(withRetry(plain, { sleep })).rejects.toThrow('bug');
      expect(plain.calls).toBe(1);
    },
  );

  it('a deadline stops the retries whose pause would end after it', async () => {
    sleeps.length = 0;
    let clock = 0;
    const fn = flaky(10);
    await expect(
      withRetry(fn, {
        initialDelayMs: 100,
        deadline: 650,
        now: () => clock,
        sleep: async (ms) => {
          sleeps.push(ms);
          clock += ms;
        },
      }),
    ).rejects.toBe(internal);
    // 100 + 200 = 300 elapsed; the next pause (400) would end at 700, after the deadline.
    expect(sleeps).toEqual([100, 200]);
    expect(fn.calls).toBe(3);
  });

  it('a custom retryable decides what is worth another try', async () => {
    const fn = flaky(2, () => new Error('busy'));
    await expect(withRetry(fn, { sleep, retryable: (e) => e instanceof Error && e.message === 'busy' })).resolves.toBe(
      'ok',
    );
    expect(fn.calls).toBe(3);
  });

  it('isTransient reads the verdict of the error itself', () => {
    expect(isTransient(internal)).toBe(true);
    expect(isTransient(kubectlError('Error from server (Forbidden): no'))).toBe(false);
    expect(isTransient(new Error('x'))).toBe(false);
    expect(isTransient(undefined)).toBe(false);
  });
});
