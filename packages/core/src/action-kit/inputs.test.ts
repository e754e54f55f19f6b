import { afterEach, describe, expect, it } from '@jest/globals';
import { boolInput, durationInput, intInput, readCommonInputs } from './inputs.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});
const set = (vars: Record<string, string>) => Object.assign(process.env, vars);

describe('action inputs', () => {
  it('an input beats its CODEXCTL_* variable, which beats the default', () => {
    expect(readCommonInputs().env).toBe('ai');
    set({ CODEXCTL_ENV: 'ai-repair', CODEXCTL_ISSUE_NUMBER: '12' });
    expect(readCommonInputs()).toMatchObject({ env: 'ai-repair', issue: 12 });
    set({ INPUT_ENV: 'staging', INPUT_ISSUE: '3' });
    expect(readCommonInputs()).toMatchObject({ env: 'staging', issue: 3 });
  });

  it('keeps multi-line vars whole and the predecessor comma format for CODEXCTL_VARS', () => {
    set({ CODEXCTL_VARS: 'A=1,B=2' });
    expect(readCommonInputs().vars).toEqual(['A=1', 'B=2']);
    set({ INPUT_VARS: 'A=1,2\nB=x' });
    expect(readCommonInputs().vars).toEqual(['A=1,2\nB=x']);
  });

  it('rejects bad values naming the input', () => {
    set({ INPUT_SLOT: 'two' });
    expect(() => readCommonInputs()).toThrow(/input slot: "two" is not a whole number/);
    set({ INPUT_SLOT: '', INPUT_LANG: 'de' });
    expect(() => readCommonInputs()).toThrow(/input lang: "de" is not supported/);
    set({ INPUT_WAIT: 'maybe' });
    expect(() => boolInput('wait', true)).toThrow(/input wait: "maybe" is not a boolean/);
    set({ 'INPUT_WAIT-TIMEOUT': '5 minutes' });
    expect(() => durationInput('wait-timeout', 0)).toThrow(/input wait-timeout: "5 minutes" is not a duration/);
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
