/**
 * Go's view of text: strings are UTF-8 byte sequences and character classes follow Unicode 13
 * (Go 1.19). JS strings are UTF-16 and Node ships a newer Unicode, so both differences are
 * bridged here.
 */
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

/** Number of bytes of the UTF-8 encoding (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

export function utf8Bytes(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}

/** Invalid sequences become U+FFFD: a JS string cannot carry arbitrary bytes. */
export function utf8Decode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** utf8.RuneCountInString. */
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

/** Go compares strings bytewise; in UTF-16 that only differs for surrogates versus U+E000..U+FFFF. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Slices by byte offsets like Go's s[i:j]; a cut inside a character yields U+FFFD. */
export function byteSlice(s: string, start: number, end: number): string {
  if (isAscii(s)) return s.slice(start, end);
  return utf8Decode(utf8Bytes(s).subarray(start, end));
}
