/**
 * Go's view of text: strings are UTF-8 byte sequences and character classes follow Unicode 13
 * (Go 1.19). JS strings are UTF-16 and Node ships a newer Unicode, so both differences are
 * bridged here.
 */
import { isUtf8 } from 'node:buffer';
import { goLowerExceptions, notDigitInGo, notLetterInGo, notPrintInGo } from './unicode-tables.js';

const PRINT_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const LETTER_RE = /^\p{L}$/u;
const DIGIT_RE = /^\p{Nd}$/u;

function inRanges(table: readonly number[], cp: number): boolean {
  let lo = 0;
  let hi = table.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < table[2 * mid]) hi = mid - 1;
    else if (cp > table[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

function isScalar(cp: number): boolean {
  return cp >= 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
}

/** strconv.IsPrint / unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space. */
export function isPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  if (!isScalar(cp)) return false;
  return PRINT_RE.test(String.fromCodePoint(cp)) && !inRanges(notPrintInGo, cp);
}

export function isLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  if (!isScalar(cp)) return false;
  return LETTER_RE.test(String.fromCodePoint(cp)) && !inRanges(notLetterInGo, cp);
}

export function isDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  if (!isScalar(cp)) return false;
  return DIGIT_RE.test(String.fromCodePoint(cp)) && !inRanges(notDigitInGo, cp);
}

/** unicode.IsSpace (JS trim() also strips U+FEFF, which Go keeps). */
export function isSpace(cp: number): boolean {
  switch (cp) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
  }
  return cp >= 0x2000 && cp <= 0x200a;
}

/** strings.TrimSpace. Every Go space is a single UTF-16 unit, so index arithmetic is safe. */
export function trimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

let lowerExceptions: Map<number, number> | undefined;

/** strings.ToLower: a per-code-point mapping, so no context rules (final sigma) and no expansions. */
export function toLower(s: string): string {
  if (isAscii(s)) return s.toLowerCase();
  lowerExceptions ??= new Map(goLowerExceptions.map(([from, to]) => [from, to]));
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      // An invalid byte: strings.Map writes RuneError for it.
      out += '\uFFFD';
      continue;
    }
    const mapped = lowerExceptions.get(cp);
    if (mapped !== undefined) {
      out += String.fromCodePoint(mapped);
      continue;
    }
    const lower = ch.toLowerCase();
    out += lower.length === ch.length || [...lower].length === 1 ? lower : ch;
  }
  return out;
}

/*
 * Go strings are byte sequences that need not be valid UTF-8. Engine strings are JS strings in which
 * every byte that is not part of a valid UTF-8 sequence is a lone surrogate U+DC80..U+DCFF (byte
 * 0x80..0xFF), as Python's "surrogateescape" does; everything else is the text itself. A string is
 * canonical when no run of escaped bytes forms valid UTF-8: then equal bytes mean equal JS strings.
 * Other lone surrogates (which no Go string can produce) count as U+FFFD, as Buffer.from does.
 */

/** String.prototype.isWellFormed and toWellFormed (ES2024, in Node 20; typed here for ES2023). */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * Whether s may contain escaped bytes: escapes are lone surrogates, so a well-formed string has
 * none. The native check is much cheaper than a regular expression, which matters when cold.
 */
export function mayHaveEscapes(s: string): boolean {
  return !(s as unknown as WellFormed).isWellFormed();
}

/** Number of bytes of the Go string (utf8 length, an escaped byte counting 1). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2;
        i++;
      } else n += 2;
    } else if (c >= 0xdc80 && c <= 0xdcff) {
      // An escaped byte.
    } else n += 2;
  }
  return n;
}

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** The bytes of a Go string. */
export function utf8Bytes(s: string): Uint8Array {
  if (!mayHaveEscapes(s)) return Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(utf8Length(s));
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[j++] = c;
      continue;
    }
    if (c < 0x800) {
      out[j++] = 0xc0 | (c >> 6);
      out[j++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        i++;
        out[j++] = 0xf0 | (cp >> 18);
        out[j++] = 0x80 | ((cp >> 12) & 0x3f);
        out[j++] = 0x80 | ((cp >> 6) & 0x3f);
        out[j++] = 0x80 | (cp & 0x3f);
        continue;
      }
      if (c >= 0xdc80 && c <= 0xdcff) {
        out[j++] = c - 0xdc00;
        continue;
      }
      c = 0xfffd;
    }
    out[j++] = 0xe0 | (c >> 12);
    out[j++] = 0x80 | ((c >> 6) & 0x3f);
    out[j++] = 0x80 | (c & 0x3f);
  }
  return out;
}

/** Length of the valid UTF-8 sequence at b[i] (Go's utf8.DecodeRune rules), 0 when invalid. */
function validSeqLen(b: Uint8Array, i: number, n: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  if (c < 0xc2 || c > 0xf4) return 0;
  const c1 = i + 1 < n ? b[i + 1] : 0;
  if (c < 0xe0) return c1 >= 0x80 && c1 <= 0xbf ? 2 : 0;
  let lo = 0x80;
  let hi = 0xbf;
  if (c === 0xe0) lo = 0xa0;
  else if (c === 0xed) hi = 0x9f;
  else if (c === 0xf0) lo = 0x90;
  else if (c === 0xf4) hi = 0x8f;
  if (c1 < lo || c1 > hi) return 0;
  const c2 = i + 2 < n ? b[i + 2] : 0;
  if (c2 < 0x80 || c2 > 0xbf) return 0;
  if (c < 0xf0) return 3;
  const c3 = i + 3 < n ? b[i + 3] : 0;
  return c3 >= 0x80 && c3 <= 0xbf ? 4 : 0;
}

/** The Go string of some bytes: invalid bytes become escapes, so nothing is lost. */
export function utf8Decode(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  let start = 0;
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const len = validSeqLen(bytes, i, n);
    if (len > 0) {
      i += len;
      continue;
    }
    if (i > start) out += buf.toString('utf8', start, i);
    out += String.fromCharCode(0xdc00 + bytes[i]);
    i++;
    start = i;
  }
  if (start < n) out += buf.toString('utf8', start, n);
  return out;
}

/** A Go string's canonical form: escaped bytes that together form valid UTF-8 become the text. */
export function canonical(s: string): string {
  return mayHaveEscapes(s) ? utf8Decode(utf8Bytes(s)) : s;
}

/** Replaces lone surrogates by U+FFFD, as Go's JSON decoder does for unpaired surrogate escapes. */
export function wellFormed(s: string): string {
  return (s as unknown as WellFormed).isWellFormed() ? s : (s as unknown as WellFormed).toWellFormed();
}

/** The raw bytes a Go string stands for: use it to write execute()'s output where bytes matter. */
export function goStringToBuffer(s: string): Buffer {
  const b = utf8Bytes(s);
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** The Go string for raw bytes (a template file, say): invalid UTF-8 is kept byte for byte. */
export function bufferToGoString(b: Uint8Array): string {
  return utf8Decode(b);
}

/** utf8.RuneCountInString (an escaped byte is one rune, as Go counts an invalid byte). */
export function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(goStringToBuffer(a), goStringToBuffer(b));
}

/**
 * Go compares strings bytewise. Without escaped bytes, UTF-16 order only differs from UTF-8 order
 * for surrogate pairs versus U+E000..U+FFFF, which the remapping below fixes.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 || y >= 0xd800) {
      if (mayHaveEscapes(a) || mayHaveEscapes(b)) return compareBytes(a, b);
      if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Slices by byte offsets like Go's s[i:j]; a cut inside a character leaves escaped bytes. */
export function byteSlice(s: string, start: number, end: number): string {
  if (isAscii(s)) return s.slice(start, end);
  return utf8Decode(utf8Bytes(s).subarray(start, end));
}

/** strings.HasPrefix on bytes. */
export function hasBytePrefix(s: string, prefix: string): boolean {
  if (s.startsWith(prefix)) return true;
  if (!mayHaveEscapes(prefix)) return false;
  return goStringToBuffer(s).subarray(0, utf8Length(prefix)).equals(goStringToBuffer(prefix));
}
