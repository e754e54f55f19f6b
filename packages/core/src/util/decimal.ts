/**
 * A whole number written in decimal digits only (surrounding blanks allowed), at most Number.MAX_SAFE_INTEGER;
 * undefined for anything else. `Number()` would also take `1e3`, `0x10`, `0b1`, `1.0` and `""`, and round
 * numbers past 2^53 silently.
 */
export function parseDecimalInt(text: string): number | undefined {
  const t = text.trim();
  if (!/^[0-9]+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}
