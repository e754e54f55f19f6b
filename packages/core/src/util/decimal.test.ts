import { describe, expect, it } from '@jest/globals';
import { parseDecimalInt } from './decimal.js';

describe('parseDecimalInt', () => {
  it('reads decimal digits, blanks around them allowed', () => {
    expect(parseDecimalInt('0')).toBe(0);
    expect(parseDecimalInt(' 17\n')).toBe(17);
    expect(parseDecimalInt('007')).toBe(7);
    expect(parseDecimalInt('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses other number syntaxes, blanks and values past 2^53', () => {
    for (const text of [
      '',
      '  ',
      '1e3',
      '0x10',
      '0o7',
      '0b1',
      '1.0',
      '1_000',
      '1 2',
      '-1',
      '+1',
      'Infinity',
      '9007199254740992',
    ]) {
      expect(parseDecimalInt(text)).toBeUndefined();
    }
  });
});
