/** Go's strconv quoting and unquoting, as used by %q, error messages and template literals. */
import { isPrint, mayHaveEscapes, utf8Decode } from './unicode.js';

const HEX = '0123456789abcdef';

function hexDigits(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function escapeRune(cp: number, quote: number, asciiOnly: boolean): string {
  if (cp === quote || cp === 0x5c) return '\\' + String.fromCharCode(cp);
  if (asciiOnly ? cp < 0x80 && isPrint(cp) : isPrint(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + HEX[cp >> 4] + HEX[cp & 0xf];
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  return cp < 0x10000 ? '\\u' + hexDigits(cp, 4) : '\\U' + hexDigits(cp, 8);
}

/** strconv.Quote (or QuoteToASCII). An escaped (invalid) byte prints as \xNN, as Go does. */
export function quote(s: string, asciiOnly = false): string {
  // Most strings need no escaping at all.
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) {
      // Copy the whole run of plain ASCII at once.
      let j = i + 1;
      for (; j < s.length; j++) {
        const d = s.charCodeAt(j);
        if (d < 0x20 || d >= 0x7f || d === 0x22 || d === 0x5c) break;
      }
      out += j - i === s.length ? s : s.slice(i, j);
      i = j - 1;
      continue;
    }
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        i++;
      }
    }
    if (cp >= 0xdc80 && cp <= 0xdcff) {
      out += '\\x' + HEX[(cp >> 4) & 0xf] + HEX[cp & 0xf];
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    out += escapeRune(cp, 0x22, asciiOnly);
  }
  return out + '"';
}

/** strconv.QuoteRune (or QuoteRuneToASCII). */
export function quoteRune(cp: number, asciiOnly = false): string {
  if (cp > 0x10ffff || cp < 0 || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  return "'" + escapeRune(cp, 0x27, asciiOnly) + "'";
}

/** strconv.CanBackquote. */
export function canBackquote(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x60 || c === 0x7f || c === 0xfeff) return false;
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    }
  }
  return true;
}

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

export interface UnquotedChar {
  value: number;
  /** True when the value is a rune to be UTF-8 encoded, false when it is a single raw byte. */
  multibyte: boolean;
  next: number;
}

/** strconv.UnquoteChar over s starting at index i; null means ErrSyntax. */
export function unquoteChar(s: string, i: number, quoteChar: number): UnquotedChar | null {
  if (i >= s.length) return null;
  const c = s.charCodeAt(i);
  if (c === quoteChar && (quoteChar === 0x27 || quoteChar === 0x22)) return null;
  if (c !== 0x5c) {
    const cp = s.codePointAt(i) as number;
    // An invalid byte decodes as RuneError.
    if (cp >= 0xd800 && cp <= 0xdfff) return { value: 0xfffd, multibyte: true, next: i + 1 };
    return { value: cp, multibyte: cp >= 0x80, next: i + (cp > 0xffff ? 2 : 1) };
  }
  if (i + 1 >= s.length) return null;
  const e = s[i + 1];
  let j = i + 2;
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 0x5c };
  if (e in simple) return { value: simple[e], multibyte: false, next: j };
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
    if (j + n > s.length) return null;
    let v = 0;
    for (let k = 0; k < n; k++) {
      const x = unhex(s.charCodeAt(j + k));
      if (x < 0) return null;
      v = v * 16 + x;
    }
    j += n;
    if (e === 'x') return { value: v, multibyte: false, next: j };
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return null;
    return { value: v, multibyte: true, next: j };
  }
  if (e >= '0' && e <= '7') {
    let v = e.charCodeAt(0) - 0x30;
    if (j + 2 > s.length) return null;
    for (let k = 0; k < 2; k++) {
      const x = s.charCodeAt(j + k) - 0x30;
      if (x < 0 || x > 7) return null;
      v = (v << 3) | x;
    }
    j += 2;
    if (v > 255) return null;
    return { value: v, multibyte: false, next: j };
  }
  if (e === "'" || e === '"') {
    if (e.charCodeAt(0) !== quoteChar) return null;
    return { value: quoteChar, multibyte: false, next: j };
  }
  return null;
}

function pushRune(bytes: number[], cp: number): void {
  if (cp < 0x80) bytes.push(cp);
  else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/** strconv.Unquote for "..." and `...` literals; null means ErrSyntax. */
export function unquote(lit: string): string | null {
  if (lit.length < 2) return null;
  const q = lit.charCodeAt(0);
  if (lit.charCodeAt(lit.length - 1) !== q) return null;
  const body = lit.slice(1, -1);
  if (q === 0x60) return body.includes('`') ? null : body.replace(/\r/g, '');
  if (q !== 0x22) return null;
  if (!body.includes('\\') && !body.includes('\n') && !body.includes('"') && !mayHaveEscapes(body)) return body;
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    if (body.charCodeAt(i) === 0x0a) return null;
    const r = unquoteChar(body, i, q);
    if (r === null) return null;
    if (r.multibyte) pushRune(bytes, r.value);
    else bytes.push(r.value);
    i = r.next;
  }
  return utf8Decode(Uint8Array.from(bytes));
}
