import { afterEach, describe, expect, it } from '@jest/globals';
import {
  boolInput,
  durationInput,
  githubTokenInput,
  intInput,
  positiveDurationInput,
  readSlotSelector,
  readStackInputs,
} from './inputs.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});
const set = (vars: Record<string, string>) => Object.assign(process.env, vars);

describe('action inputs', () => {
  it('an input beats its CODEXCTL_* variable, which beats the default', () => {
    expect(readStackInputs().env).toBe('ai');
    set({ CODEXCTL_ENV: 'ai-repair', CODEXCTL_ISSUE_NUMBER: '12' });
    expect(readStackInputs().env).toBe('ai-repair');
    expect(readSlotSelector().issue).toBe(12);
    set({ INPUT_ENV: 'staging', INPUT_ISSUE: '3' });
    expect(readStackInputs().env).toBe('staging');
    expect(readSlotSelector().issue).toBe(3);
  });

  it('keeps multi-line vars whole, after the comma-separated CODEXCTL_VARS entries (so the input wins)', () => {
    set({ CODEXCTL_VARS: 'A=1,B=2' });
    expect(readStackInputs().vars).toEqual(['A=1', 'B=2']);
    set({ INPUT_VARS: 'A=1,2\nB=x' });
    expect(readStackInputs().vars).toEqual(['A=1', 'B=2', 'A=1,2\nB=x']);
  });

  it('rejects bad values naming the input', () => {
    set({ INPUT_SLOT: 'two' });
    expect(() => readSlotSelector()).toThrow(/input slot: "two" is not a whole number/);
    set({ INPUT_WAIT: 'maybe' });
    expect(() => boolInput('wait', true)).toThrow(/input wait: "maybe" is not a boolean/);
    set({ 'INPUT_WAIT-TIMEOUT': '5 minutes' });
    expect(() => durationInput('wait-timeout', 0)).toThrow(/input wait-timeout: "5 minutes" is not a duration/);
  });

  it('a TTL of zero or below is an error', () => {
    set({ INPUT_TTL: '-5h' });
    expect(() => positiveDurationInput('ttl', 1)).toThrow(/input ttl: "-5h" must be longer than zero/);
    set({ INPUT_TTL: '0' });
    expect(() => positiveDurationInput('ttl', 1)).toThrow(/input ttl: "0" must be longer than zero/);
    set({ INPUT_TTL: '2h' });
    expect(positiveDurationInput('ttl', 1)).toBe(7_200_000);
  });

  it('the token falls back to CODEXCTL_GH_PAT, then GITHUB_TOKEN', () => {
    set({ GITHUB_TOKEN: 'from-runner' });
    expect(githubTokenInput()).toBe('from-runner');
    set({ CODEXCTL_GH_PAT: 'pat' });
    expect(githubTokenInput()).toBe('pat');
  });

  it('reads whole numbers in decimal digits only', () => {
    set({ INPUT_ISSUE: ' 42 ' });
    expect(intInput('issue', 0)).toBe(42);
    for (const bad of ['1e3', '0x10', '0b1', '1.0', '1 2', '-1', '+1', '9007199254740993']) {
      set({ INPUT_ISSUE: bad });
      expect(() => intInput('issue', 0)).toThrow(`input issue: "${bad}" is not a whole number >= 0`);
    }
    set({ INPUT_ISSUE: '', CODEXCTL_ISSUE_NUMBER: '0x10' });
    expect(() => intInput('issue', 0, 'CODEXCTL_ISSUE_NUMBER')).toThrow(/input issue: "0x10"/);
  });

  it('reads durations as Go durations or bare seconds', () => {
    set({ 'INPUT_WAIT-TIMEOUT': '1h30m' });
    expect(durationInput('wait-timeout', 0)).toBe(5_400_000);
    set({ 'INPUT_WAIT-TIMEOUT': '90' });
    expect(durationInput('wait-timeout', 0)).toBe(90_000);
  });
});
