/** Number literal parsing with the rules of strconv.ParseInt/ParseUint/ParseFloat (base 0). */

const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** strconv's underscoreOK: underscores only between digits (or after a base prefix). */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1])) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** strconv.ParseUint(s, 0, 64); null on syntax or range error. */
export function parseUint(s: string): bigint | null {
  if (s === '') return null;
  const s0 = s;
  let base = 10;
  if (s[0] === '0') {
    const p = s.length >= 3 ? s[1].toLowerCase() : '';
    if (p === 'b') base = 2;
    else if (p === 'o') base = 8;
    else if (p === 'x') base = 16;
    else base = 8;
    s = base === 8 && p !== 'o' ? s.slice(1) : s.slice(2);
  }
  let n = 0n;
  let underscores = false;
  const b = BigInt(base);
  for (const c of s) {
    let d: number;
    if (c === '_') {
      underscores = true;
      continue;
    } else if (c >= '0' && c <= '9') d = c.charCodeAt(0) - 48;
    else if (/[a-zA-Z]/.test(c)) d = c.toLowerCase().charCodeAt(0) - 97 + 10;
    else return null;
    if (d >= base) return null;
    n = n * b + BigInt(d);
    if (n > UINT64_MAX) return null;
  }
  if (underscores && !underscoreOK(s0)) return null;
  return n;
}

/** strconv.ParseInt(s, 0, 64); null on syntax or range error. */
export function parseInt64(s: string): bigint | null {
  if (s === '') return null;
  let neg = false;
  let body = s;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    body = s.slice(1);
  }
  const un = parseUint(body);
  if (un === null) return null;
  if (!neg && un > INT64_MAX) return null;
  if (neg && un > INT64_MAX + 1n) return null;
  return neg ? -un : un;
}

/** strconv.ParseFloat(s, 64); null on syntax error or overflow to infinity. */
export function parseFloat64(s: string): number | null {
  let i = 0;
  let neg = false;
  if (s[i] === '+') i++;
  else if (s[i] === '-') {
    neg = true;
    i++;
  }
  let hex = false;
  if (i + 2 < s.length && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) {
    hex = true;
    i += 2;
  }
  const mantStart = i;
  let sawdot = false;
  let sawdigits = false;
  let underscores = false;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '_') {
      underscores = true;
      continue;
    }
    if (c === '.') {
      if (sawdot) break;
      sawdot = true;
      continue;
    }
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      sawdigits = true;
      continue;
    }
    break;
  }
  if (!sawdigits) return null;
  const mantEnd = i;
  let exp = 0;
  const expChar = hex ? 'p' : 'e';
  if (i < s.length && s[i].toLowerCase() === expChar) {
    i++;
    if (i >= s.length) return null;
    let esign = 1;
    if (s[i] === '+') i++;
    else if (s[i] === '-') {
      i++;
      esign = -1;
    }
    if (i >= s.length || s[i] < '0' || s[i] > '9') return null;
    let e = 0;
    for (; i < s.length && ((s[i] >= '0' && s[i] <= '9') || s[i] === '_'); i++) {
      if (s[i] === '_') {
        underscores = true;
        continue;
      }
      if (e < 10000) e = e * 10 + (s.charCodeAt(i) - 48);
    }
    exp = e * esign;
  } else if (hex) return null;
  if (i !== s.length) return null;
  if (underscores && !underscoreOK(s)) return null;
  const mant = s.slice(mantStart, mantEnd).replace(/_/g, '');
  let v: number;
  if (hex) {
    const dot = mant.indexOf('.');
    const digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
    const fracBits = dot < 0 ? 0 : (mant.length - dot - 1) * 4;
    const m = BigInt('0x' + digits);
    v = hexToFloat(m, exp - fracBits);
  } else {
    v = Number(mant + 'e' + exp);
  }
  if (!Number.isFinite(v)) return null;
  return neg ? -v : v;
}

/** m × 2^e rounded to nearest-even float64. */
function hexToFloat(m: bigint, e: number): number {
  if (m === 0n) return 0;
  // Round to 53 significant bits first so the final multiplication is exact (barring subnormals).
  const bitsLen = m.toString(2).length;
  if (bitsLen > 53) {
    const shift = bitsLen - 53;
    const rem = m & ((1n << BigInt(shift)) - 1n);
    const half = 1n << BigInt(shift - 1);
    m >>= BigInt(shift);
    if (rem > half || (rem === half && (m & 1n) === 1n)) m += 1n;
    e += shift;
  }
  return Number(m) * Math.pow(2, e);
}
