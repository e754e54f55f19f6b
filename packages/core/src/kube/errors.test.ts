import { describe, expect, it } from '@jest/globals';
import { KubectlError } from './errors.js';
import { backoffDelay, isRetryable, withRetry } from './retry.js';

const err = (stderr: string, timedOut = false) => new KubectlError(['apply', '-f', '-'], 1, stderr, timedOut);

describe('KubectlError classification', () => {
  it('reads the server reason and treats server failures as transient', () => {
    const e = err(
      'Error from server (InternalError): an error on the server ("boom") has prevented the request from succeeding',
    );
    expect(e.reason).toBe('InternalError');
    expect(e.transient).toBe(true);
    expect(
      err('Error from server (ServiceUnavailable): the server is currently unable to handle the request').transient,
    ).toBe(true);
    expect(err('Error from server (TooManyRequests): slow down').transient).toBe(true);
  });

  it('never treats refused requests as transient', () => {
    expect(err('Error from server (Forbidden): deployments.apps is forbidden: User "x" cannot patch').transient).toBe(
      false,
    );
    expect(err('Error from server (NotFound): namespaces "nn" not found').transient).toBe(false);
    const invalid = err(
      'The ConfigMap "C_bad" is invalid: metadata.name: Invalid value: "C_bad": a lowercase RFC 1123 subdomain',
    );
    expect(invalid.reason).toBe('Invalid');
    expect(invalid.transient).toBe(false);
    const conflict = err(
      'error: Apply failed with 1 conflict: conflict with "deployer" using v1: .data.mode\nPlease review the fields above',
    );
    expect(conflict.reason).toBe('Conflict');
    expect(conflict.transient).toBe(false);
    expect(
      err(
        'error: resource mapping not found for name: "le" namespace: "" from "STDIN": no matches for kind "Nope" in version "example.com/v1"',
      ).reason,
    ).toBe('NoKindMatch');
  });

  it('a call that failed on several objects is transient only if every failure is', () => {
    const mixed = err(
      'Error from server (InternalError): boom\nThe Service "x" is invalid: spec.ports: Required value',
    );
    expect(mixed.reasons).toEqual(['InternalError', 'Invalid']);
    expect(mixed.transient).toBe(false);
    expect(err('Error from server (InternalError): a\nError from server (ServerTimeout): b').transient).toBe(true);
  });

  it('network failures without a reason are transient; our own timeout is not', () => {
    expect(
      err(
        'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\ndial tcp: connection refused',
      ).transient,
    ).toBe(true);
    expect(err('Error from server (InternalError): x', true).transient).toBe(false);
    expect(err('error: something else').transient).toBe(false);
  });
});

describe('retry', () => {
  const noSleep = { sleep: async () => undefined };

  it('retries transient errors with doubling delays, then succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const out = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw err('Error from server (InternalError): injected');
        return 'ok';
      },
      { ...noSleep, onRetry: (_e, _a, d) => delays.push(d) },
    );
    expect(out).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toEqual([1000, 2000]);
  });

  it.each(['Invalid', 'Forbidden', 'Conflict', 'NotFound', 'AlreadyExists'])('does not retry %s', async (reason) => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw err(`Error from server (${reason}): no`);
      }, noSleep),
    ).rejects.toThrow(/no/);
    expect(calls).toBe(1);
  });

  it('gives up after the attempts and rethrows the last error; plain errors are not retried', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw err(`Error from server (ServiceUnavailable): attempt ${calls}`);
        },
        { ...noSleep, attempts: 3 },
      ),
    ).rejects.toThrow(/attempt 3/);
    expect(calls).toBe(3);
    expect(isRetryable(new Error('x'))).toBe(false);
  });

  it('caps the backoff', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n))).toEqual([1000, 2000, 4000, 8000, 15000, 15000]);
    expect(backoffDelay(3, { initialDelayMs: 10, maxDelayMs: 25 })).toBe(25);
  });
});
