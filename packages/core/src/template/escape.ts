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

const HTML_RE = /['"&<>\0]/;

export function htmlEscape(s: string): string {
  if (!HTML_RE.test(s)) return s;
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '\0':
        out += '\uFFFD';
        break;
      case '"':
        out += '&#34;';
        break;
      case "'":
        out += '&#39;';
        break;
      case '&':
        out += '&amp;';
        break;
      case '<':
        out += '&lt;';
        break;
      case '>':
        out += '&gt;';
        break;
      default:
        out += ch;
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

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** url.QueryEscape. */
export function urlQueryEscape(s: string): string {
  let out = '';
  for (const b of utf8Bytes(s)) {
    const ch = String.fromCharCode(b);
    if (b < 0x80 && UNRESERVED.test(ch)) out += ch;
    else if (b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
