import { describe, expect, it } from '@jest/globals';
import { DurationError, formatDuration, kubectlTimeout, parseGoDuration, parseTimeout } from './duration.js';

describe('Go durations', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['2h45m30.5s', 9_930_500],
    ['1.s', 1000],
    ['.5s', 500],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['0', 0],
    ['+5s', 5000],
    ['-5s', -5000],
    ['1h0m0s', 3_600_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 6);
  });

  it.each([
    ['', /empty/],
    ['5', /missing unit/],
    ['1x', /unknown unit "x"/],
    ['h', /expected a number/],
    ['.s', /expected a number/],
    ['1 h', /unknown unit " h"/],
    ['1hour', /unknown unit "hour"/],
  ])('rejects %j', (text, why) => {
    expect(() => parseGoDuration(text)).toThrow(DurationError);
    expect(() => parseGoDuration(text)).toThrow(why);
  });

  it('timeouts must be positive and say which field is wrong', () => {
    expect(parseTimeout(' 90s ', 'timeout')).toBe(90_000);
    expect(parseTimeout(1500, 'timeout')).toBe(1500);
    expect(() => parseTimeout('0s', 'hooks.beforeAll[0].timeout')).toThrow(
      /hooks.beforeAll\[0\].timeout must be greater than zero/,
    );
    expect(() => parseTimeout('ten', 'x.timeout')).toThrow(/x.timeout: /);
  });

  it('formats like Go and rounds kubectl timeouts up to whole seconds', () => {
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(3_600_000)).toBe('1h0m0s');
    expect(formatDuration(500)).toBe('500ms');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(1000)).toBe('1s');
    expect(formatDuration(-1500)).toBe('-1.5s');
    expect(kubectlTimeout(1500)).toBe('2s');
    expect(kubectlTimeout(10)).toBe('1s');
    expect(kubectlTimeout(600_000)).toBe('600s');
  });
});
