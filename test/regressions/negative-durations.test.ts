/**
 * Odd input values: ttl rejects zero and negative durations, but slot-wait-timeout and wait-timeout take them
 * silently. `slot-wait-timeout: -5m` becomes "do not wait"; `wait-timeout: -5m` (or 0) becomes a 1 s wait whose
 * failure message then says "within -5m". Both should fail the step naming the input, as ttl does.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { readInputs as ensureReadyInputs } from '../../actions/ensure-ready/src/inputs.js';
import { readInputs as applyInputs } from '../../actions/apply/src/inputs.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function withInputs(inputs: Record<string, string>, read: () => unknown): () => unknown {
  return () => {
    for (const k of Object.keys(process.env))
      if (k.startsWith('INPUT_') || k.startsWith('CODEXCTL_')) delete process.env[k];
    for (const [k, v] of Object.entries(inputs)) process.env[`INPUT_${k.toUpperCase()}`] = v;
    return read();
  };
}

describe('negative and zero durations', () => {
  it('ensure-ready: slot-wait-timeout -5m is an error naming the input', () => {
    expect(withInputs({ 'slot-wait-timeout': '-5m' }, ensureReadyInputs)).toThrow(/slot-wait-timeout/);
  });
  it('ensure-ready: wait-timeout -5m is an error naming the input', () => {
    expect(withInputs({ 'wait-timeout': '-5m' }, ensureReadyInputs)).toThrow(/wait-timeout/);
  });
  it('apply: wait-timeout 0 is an error naming the input', () => {
    expect(withInputs({ 'wait-timeout': '0' }, applyInputs)).toThrow(/wait-timeout/);
  });
});
