import { describe, expect, it } from '@jest/globals';
import { KubectlError } from '../kube/errors.js';
import { backoffDelay, retryTransient } from './backoff.js';

const o = { initialMs: 100, maxMs: 1000 };

describe('backoff', () => {
  it('doubles, caps, and jitters between half and the full delay', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, { ...o, random: () => 0.999999 }))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect([1, 2, 3].map((n) => backoffDelay(n, { ...o, random: () => 0 }))).toEqual([50, 100, 200]);
  });

  it('retries transient kubectl failures only, a bounded number of times', async () => {
    const sleeps: number[] = [];
    const sleep = async (ms: number) => void sleeps.push(ms);
    const internal = new KubectlError(['get'], 1, 'Error from server (InternalError): boom');
    let calls = 0;
    await expect(
      retryTransient(
        async () => {
          calls++;
          if (calls < 3) throw internal;
          return 'ok';
        },
        { ...o, attempts: 4, sleep, random: () => 0.5 },
      ),
    ).resolves.toBe('ok');
    expect(calls).toBe(3);
    expect(sleeps).toEqual([75, 150]);

    calls = 0;
    await expect(
      retryTransient(
        async () => {
          calls++;
          throw internal;
        },
        { ...o, attempts: 4, sleep },
      ),
    ).rejects.toBe(internal);
    expect(calls).toBe(4);

    calls = 0;
    const forbidden = new KubectlError(['create'], 1, 'Error from server (Forbidden): no');
    await expect(
      retryTransient(
        async () => {
          calls++;
          throw forbidden;
        },
        { ...o, attempts: 4, sleep },
      ),
    ).rejects.toBe(forbidden);
    expect(calls).toBe(1);
  });
});
