import { describe, expect, it } from '@jest/globals';
import { KubectlError, isRetryable } from './errors.js';
import { FakeRunner } from './fake-runner.js';
import { Kubectl } from './kubectl.js';

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

describe('isRetryable', () => {
  it('is true for transient kubectl errors only', () => {
    expect(isRetryable(err('Error from server (InternalError): boom'))).toBe(true);
    expect(isRetryable(err('Error from server (Forbidden): no'))).toBe(false);
    expect(isRetryable(Object.assign(new Error('x'), { transient: true }))).toBe(false);
    expect(isRetryable(new Error('x'))).toBe(false);
  });
});

describe('KubectlError: more reasons', () => {
  it('a server Timeout and an unknown server error are transient; ten conflicts are a conflict', () => {
    expect(
      err('Error from server (Timeout): the server was unable to return a response in the time allotted').transient,
    ).toBe(true);
    expect(
      err(
        'error: an error on the server ("unable to decode an event from the watch stream") has prevented the request from succeeding',
      ).transient,
    ).toBe(true);
    const many = err('error: Apply failed with 12 conflicts: conflicts with "helm":\n- .spec.replicas');
    expect(many.reason).toBe('Conflict');
    expect(many.transient).toBe(false);
  });
});

describe('Kubectl calls', () => {
  it('a call limit wins over the default one; a killed call is a timed-out error', async () => {
    const runner = new FakeRunner()
      .on('get', { code: 143, timedOut: true }, 1)
      .on('wait', { code: 143, aborted: true });
    const kubectl = new Kubectl(runner, { binary: 'kubectl', timeoutMs: 1000 });
    await kubectl.exec(['version'], { timeoutMs: 5000 });
    await kubectl.exec(['version']);
    expect(runner.calls.map((c) => c.options.timeoutMs)).toEqual([5000, 1000]);
    const timedOut = await kubectl.run(['get', 'pods']).catch((e: unknown) => e as KubectlError);
    expect(timedOut).toMatchObject({ timedOut: true, message: 'kubectl get timed out: exit code 143' });
    const aborted = await kubectl.run(['wait', 'x']).catch((e: unknown) => e as KubectlError);
    expect(aborted).toMatchObject({ timedOut: true });
  });
});
