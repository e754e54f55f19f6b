/** The html, js and urlquery builtins (text/template's HTMLEscaper, JSEscaper, URLQueryEscaper). */
import { sprint } from './fmt.js';
import { isPrint, utf8Bytes } from './unicode.js';

/**
 * evalArgs: a lone string is used as is; otherwise the arguments print like fmt.Sprint, except
 * that a nil argument shows as "<no value>" (it is what a missing value turns into).
 */
export function evalArgs(args: readonly unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(...args.map((a) => (a === null || a === undefined ? '<no value>' : a)));
}

function isHtmlSpecial(c: number): boolean {
  return c === 0x27 || c === 0x22 || c === 0x26 || c === 0x3c || c === 0x3e || c === 0;
}

export function htmlEscape(s: string): string {
  let i = 0;
  while (i < s.length && !isHtmlSpecial(s.charCodeAt(i))) i++;
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0:
        out += '\uFFFD';
        break;
      case 0x22:
        out += '&#34;';
        break;
      case 0x27:
        out += '&#39;';
        break;
      case 0x26:
        out += '&amp;';
        break;
      case 0x3c:
        out += '&lt;';
        break;
      case 0x3e:
        out += '&gt;';
        break;
      default:
        out += s[i];
    }
  }
  return out;
}

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (c >= 0x80) {
      // Lone surrogates stand for invalid UTF-8, which Go decodes as the printable U+FFFD.
      const r = c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
      out += isPrint(r) ? ch : '\\u' + r.toString(16).toUpperCase().padStart(4, '0');
      continue;
    }
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case "'":
        out += "\\'";
        break;
      case '"':
        out += '\\"';
        break;
      case '<':
        out += '\\u003C';
        break;
      case '>':
        out += '\\u003E';
        break;
      case '&':
        out += '\\u0026';
        break;
      case '=':
        out += '\\u003D';
        break;
      default:
        out += c < 0x20 ? '\\u00' + c.toString(16).toUpperCase().padStart(2, '0') : ch;
    }
  }
  return out;
}

const HEX_UPPER = '0123456789ABCDEF';

/** url.QueryEscape. */
export function urlQueryEscape(s: string): string {
  let out = '';
  let start = 0;
  let i = 0;
  // Plain ASCII runs are copied whole; anything else goes byte by byte.
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) continue;
    if (c === 0x2d || c === 0x5f || c === 0x2e || c === 0x7e) continue;
    if (c >= 0x80) break;
    out += s.slice(start, i) + (c === 0x20 ? '+' : '%' + HEX_UPPER[c >> 4] + HEX_UPPER[c & 0xf]);
    start = i + 1;
  }
  out += s.slice(start, i);
  if (i === s.length) return out;
  for (const b of utf8Bytes(s.slice(i))) {
    const unreserved =
      (b >= 0x61 && b <= 0x7a) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x30 && b <= 0x39) ||
      b === 0x2d ||
      b === 0x5f ||
      b === 0x2e ||
      b === 0x7e;
    if (unreserved) out += String.fromCharCode(b);
    else if (b === 0x20) out += '+';
    else out += '%' + HEX_UPPER[b >> 4] + HEX_UPPER[b & 0xf];
  }
  return out;
}
