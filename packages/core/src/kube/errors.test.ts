import { describe, expect, it } from '@jest/globals';
import { KubectlError, isRetryable } from './errors.js';

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
