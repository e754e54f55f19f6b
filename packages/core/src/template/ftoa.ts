/**
 * strconv.FormatFloat(v, fmt, prec, 64). Shortest digits come from the JS engine (both pick the
 * shortest round-tripping digits closest to the value); fixed precisions are rounded half-to-even
 * on the exact binary value, which JS's toFixed/toExponential (ties away from zero) cannot do.
 */

interface Digits {
  /** Decimal digits without leading zeros; empty for zero. */
  d: string;
  /** Decimal point position: value = 0.d × 10^dp. */
  dp: number;
}

const view = new DataView(new ArrayBuffer(8));

function bits(v: number): { neg: boolean; exp: number; mant: bigint } {
  view.setFloat64(0, v);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  return { neg: hi >>> 31 === 1, exp: (hi >>> 20) & 0x7ff, mant: (BigInt(hi & 0xfffff) << 32n) | BigInt(lo) };
}

function trimZeros(d: Digits): Digits {
  let n = d.d.length;
  while (n > 0 && d.d.charCodeAt(n - 1) === 0x30) n--;
  return n === d.d.length ? d : { d: d.d.slice(0, n), dp: n === 0 ? 0 : d.dp };
}

function shortestDigits(a: number): Digits {
  if (a === 0) return { d: '', dp: 0 };
  const s = a.toExponential();
  const e = s.indexOf('e');
  const mant = s.slice(0, e).replace('.', '');
  return trimZeros({ d: mant, dp: Number(s.slice(e + 1)) + 1 });
}

function exactDigits(a: number): Digits {
  if (a === 0) return { d: '', dp: 0 };
  const b = bits(a);
  let exp = b.exp;
  let mant = b.mant;
  if (exp === 0) exp = 1;
  else mant |= 1n << 52n;
  exp -= 1075;
  if (exp >= 0) {
    const s = (mant << BigInt(exp)).toString();
    return trimZeros({ d: s, dp: s.length });
  }
  const s = (mant * 5n ** BigInt(-exp)).toString();
  return trimZeros({ d: s, dp: s.length + exp });
}

/** decimal.Round: keep nd digits, rounding half to even on the exact value. */
function round(x: Digits, nd: number): Digits {
  if (nd < 0 || nd >= x.d.length) return x;
  const c = x.d.charCodeAt(nd);
  let up: boolean;
  if (c === 0x35 && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 0x30) % 2 === 1;
  else up = c >= 0x35;
  if (!up) return trimZeros({ d: x.d.slice(0, nd), dp: x.dp });
  for (let i = nd - 1; i >= 0; i--) {
    const ch = x.d.charCodeAt(i);
    if (ch < 0x39) return { d: x.d.slice(0, i) + String.fromCharCode(ch + 1), dp: x.dp };
  }
  return { d: '1', dp: x.dp + 1 };
}

function fmtE(neg: boolean, x: Digits, prec: number, ch: string): string {
  let out = neg ? '-' : '';
  out += x.d.length ? x.d[0] : '0';
  if (prec > 0) {
    out += '.';
    const m = Math.min(x.d.length, prec + 1);
    if (m > 1) out += x.d.slice(1, m);
    for (let i = Math.max(m, 1); i <= prec; i++) out += '0';
  }
  let exp = x.d.length === 0 ? 0 : x.dp - 1;
  out += ch;
  if (exp < 0) {
    out += '-';
    exp = -exp;
  } else out += '+';
  return out + (exp < 10 ? '0' + exp : String(exp));
}

function fmtF(neg: boolean, x: Digits, prec: number): string {
  let out = neg ? '-' : '';
  if (x.dp > 0) {
    const m = Math.min(x.d.length, x.dp);
    out += x.d.slice(0, m);
    for (let i = m; i < x.dp; i++) out += '0';
  } else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      const j = x.dp + i;
      out += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
  }
  return out;
}

function fmtB(v: number): string {
  const b = bits(v);
  let exp = b.exp;
  let mant = b.mant;
  if (exp === 0) exp = 1;
  else mant |= 1n << 52n;
  exp = exp - 1023 - 52;
  return (b.neg ? '-' : '') + mant.toString() + 'p' + (exp >= 0 ? '+' : '') + exp;
}

const MASK64 = (1n << 64n) - 1n;

function fmtX(v: number, prec: number, verb: 'x' | 'X'): string {
  const b = bits(v);
  let exp = b.exp;
  let mant = b.mant;
  if (exp === 0) exp = 1;
  else mant |= 1n << 52n;
  exp -= 1023;
  if (mant === 0n) exp = 0;
  mant <<= 8n;
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = verb === 'X' ? '0123456789ABCDEF' : '0123456789abcdef';
  let out = (b.neg ? '-' : '') + '0' + verb + String(Number((mant >> 60n) & 1n));
  mant = (mant << 4n) & MASK64;
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & MASK64;
    }
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & MASK64;
    }
  }
  out += verb === 'X' ? 'P' : 'p';
  if (exp < 0) {
    out += '-';
    exp = -exp;
  } else out += '+';
  return out + (exp < 10 ? '0' + exp : String(exp));
}

export type FloatFormat = 'e' | 'E' | 'f' | 'g' | 'G' | 'b' | 'x' | 'X';

/** strconv.FormatFloat(v, fmt, prec, 64); prec < 0 asks for the shortest representation. */
export function formatFloat(v: number, fmt: FloatFormat, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (fmt === 'b') return fmtB(v);
  if (fmt === 'x' || fmt === 'X') return fmtX(v, prec, fmt);
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  const shortest = prec < 0;
  let x: Digits;
  if (shortest) {
    x = shortestDigits(a);
    if (fmt === 'e' || fmt === 'E') prec = Math.max(x.d.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(x.d.length - x.dp, 0);
    else prec = x.d.length;
  } else {
    x = exactDigits(a);
    if (fmt === 'e' || fmt === 'E') x = round(x, prec + 1);
    else if (fmt === 'f') x = round(x, x.dp + prec);
    else {
      if (prec === 0) prec = 1;
      x = round(x, prec);
    }
  }
  if (fmt === 'e' || fmt === 'E') return fmtE(neg, x, prec, fmt);
  if (fmt === 'f') return fmtF(neg, x, prec);
  let eprec = prec;
  if (eprec > x.d.length && x.d.length >= x.dp) eprec = x.d.length;
  if (shortest) eprec = 6;
  const exp = x.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > x.d.length) prec = x.d.length;
    return fmtE(neg, x, prec - 1, fmt === 'g' ? 'e' : 'E');
  }
  if (prec > x.dp) prec = x.d.length;
  return fmtF(neg, x, Math.max(prec - x.dp, 0));
}
