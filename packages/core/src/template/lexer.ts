/**
 * Tokenizer for Go text/template (text/template/parse/lex.go semantics). The whole input is
 * tokenized up front; a lexical error ends the token list with an Error token, which the parser
 * reports when it reaches it, in the same order Go's lazily running lexer would.
 *
 * Tokens are kept in parallel typed arrays (type, start, end) rather than objects: a token's text
 * is only cut out of the input when the parser needs it, and lines are never computed here.
 */
import { quote } from './quote.js';
import { isDigit, isLetter, isPrint, utf8Length } from './unicode.js';

export const Item = {
  Error: 0,
  Bool: 1,
  Char: 2,
  CharConstant: 3,
  Complex: 4,
  Assign: 5,
  Declare: 6,
  EOF: 7,
  Field: 8,
  Identifier: 9,
  LeftDelim: 10,
  LeftParen: 11,
  Number: 12,
  Pipe: 13,
  RawString: 14,
  RightDelim: 15,
  RightParen: 16,
  Space: 17,
  String: 18,
  Text: 19,
  Variable: 20,
  /** Keywords sort after this marker. */
  Keyword: 30,
  Block: 31,
  Break: 32,
  Continue: 33,
  Dot: 34,
  Define: 35,
  Else: 36,
  End: 37,
  If: 38,
  Nil: 39,
  Range: 40,
  Template: 41,
  With: 42,
} as const;
export type ItemType = (typeof Item)[keyof typeof Item];

// The delimiters are fixed: "{{", "}}", "/*", "*/".
const RBRACE = 0x7d;
const EOF_RUNE = -1;

/** How Go's item.String() shows a token in "unexpected ..." messages. */
export function tokenString(type: number, val: string): string {
  if (type === Item.EOF) return 'EOF';
  if (type === Item.Error) return val;
  if (type > Item.Keyword) return '<' + val + '>';
  if (utf8Length(val) > 10) return quote([...val].slice(0, 10).join('')) + '...';
  return quote(val);
}

/** fmt's %#U of a rune, used in lexer messages. */
export function runeU(cp: number): string {
  // A lone surrogate is an invalid byte, which Go decodes as RuneError.
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  let s = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  if (isPrint(cp)) s += " '" + String.fromCodePoint(cp) + "'";
  return s;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function isAlphaNumeric(cp: number): boolean {
  if (cp < 0x80) {
    return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x30 && cp <= 0x39) || cp === 0x5f;
  }
  return isLetter(cp) || isDigit(cp);
}

/**
 * The token list of a template text. One list is reused from parse to parse (parsing never runs
 * user code, so it cannot be re-entered): lexing then allocates nothing but error messages.
 */
export class Tokens {
  /** Item type of each token. */
  type = new Uint8Array(256);
  /** Offset of each token in the text (UTF-16 units). */
  start = new Int32Array(256);
  end = new Int32Array(256);
  count = 0;
  /** The message of the final Error token, if any. */
  error = '';
  input = '';

  reset(input: string): void {
    // Every token but the final EOF or Error spans at least one character.
    const need = input.length + 2;
    if (this.type.length < need) {
      const cap = Math.max(need, this.type.length * 2);
      this.type = new Uint8Array(cap);
      this.start = new Int32Array(cap);
      this.end = new Int32Array(cap);
    }
    this.input = input;
    this.count = 0;
    this.error = '';
  }

  /** Forgets the text, and lets go of the arrays if a huge text grew them. */
  release(): void {
    this.input = '';
    this.error = '';
    if (this.type.length > 1 << 20) {
      this.type = new Uint8Array(256);
      this.start = new Int32Array(256);
      this.end = new Int32Array(256);
    }
  }

  /** The token's text (the message for an Error token). */
  val(i: number): string {
    return this.type[i] === Item.Error ? this.error : this.input.slice(this.start[i], this.end[i]);
  }
}

const shared = new Tokens();

/** Set by the scanning helpers when they fail: the Error token's message. */
let failure = '';

/** Consumes a run of digits of the given base (with underscores) from p. */
function digitsEnd(s: string, p: number, len: number, base: number): number {
  for (; p < len; p++) {
    const c = s.charCodeAt(p);
    if (c === 0x5f) continue;
    if (base === 16) {
      if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)) continue;
    } else if (c >= 0x30 && c < 0x30 + base) continue;
    break;
  }
  return p;
}

function signEnd(s: string, p: number): number {
  const c = s.charCodeAt(p);
  return c === 0x2b || c === 0x2d ? p + 1 : p;
}

/** The rune at p (EOF_RUNE at the end). */
function runeAt(s: string, p: number, len: number): number {
  return p >= len ? EOF_RUNE : (s.codePointAt(p) as number);
}

/** lex.go's scanNumber from p: the end of the number, or -(end + 1) when it is bad. */
function scanNumber(s: string, p: number, len: number): number {
  p = signEnd(s, p);
  let base = 10;
  if (s.charCodeAt(p) === 0x30) {
    p++;
    const c = s.charCodeAt(p) | 0x20;
    if (c === 0x78) base = 16;
    else if (c === 0x6f) base = 8;
    else if (c === 0x62) base = 2;
    if (base !== 10) p++;
  }
  p = digitsEnd(s, p, len, base);
  if (s.charCodeAt(p) === 0x2e) p = digitsEnd(s, p + 1, len, base);
  if (base === 10 && (s.charCodeAt(p) | 0x20) === 0x65) p = digitsEnd(s, signEnd(s, p + 1), len, 10);
  if (base === 16 && (s.charCodeAt(p) | 0x20) === 0x70) p = digitsEnd(s, signEnd(s, p + 1), len, 10);
  if (s.charCodeAt(p) === 0x69) p++;
  const r = runeAt(s, p, len);
  if (r !== EOF_RUNE && isAlphaNumeric(r)) return -(p + (r > 0xffff ? 2 : 1) + 1);
  return p;
}

/** A number (or complex number) token from start: its end, or -1 with `failure` set. */
function lexNumber(s: string, start: number, len: number): number {
  let p = scanNumber(s, start, len);
  if (p < 0) {
    failure = 'bad number syntax: ' + quote(s.slice(start, -p - 1));
    return -1;
  }
  const sign = s.charCodeAt(p);
  if (sign === 0x2b || sign === 0x2d) {
    const q = scanNumber(s, p, len);
    if (q < 0 || s.charCodeAt(q - 1) !== 0x69) {
      failure = 'bad number syntax: ' + quote(s.slice(start, q < 0 ? -q - 1 : q));
      return -1;
    }
    p = q;
    // The caller tells a complex number by the "i" it ends with and a sign inside.
  }
  return p;
}

/** A quoted string or character constant from its opening quote at p: its end, or -1. */
function lexQuoted(s: string, p: number, len: number, q: number, what: string): number {
  p++;
  for (;;) {
    if (p >= len) {
      failure = what;
      return -1;
    }
    const r = s.charCodeAt(p++);
    if (r === 0x5c) {
      if (p < len && s.charCodeAt(p) !== 0x0a) {
        p++;
        continue;
      }
      failure = what;
      return -1;
    }
    if (r === 0x0a) {
      failure = what;
      return -1;
    }
    if (r === q) return p;
  }
}

/** The end of a run of alphanumerics from p. */
function alnumEnd(s: string, p: number, len: number): number {
  for (;;) {
    if (p >= len) return p;
    const c = s.charCodeAt(p);
    if (c < 0x80) {
      if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f) {
        p++;
        continue;
      }
      return p;
    }
    const r = s.codePointAt(p) as number;
    if (!isAlphaNumeric(r)) return p;
    p += r > 0xffff ? 2 : 1;
  }
}

/** lex.go's atTerminator at p. */
function atTerminator(s: string, p: number, len: number): boolean {
  if (p >= len) return true;
  switch (s.charCodeAt(p)) {
    case 0x20:
    case 0x09:
    case 0x0d:
    case 0x0a:
    case 0x2e: // .
    case 0x2c: // ,
    case 0x7c: // |
    case 0x3a: // :
    case 0x29: // )
    case 0x28: // (
      return true;
    case RBRACE:
      return s.charCodeAt(p + 1) === RBRACE;
  }
  return false;
}

/** A trim marker " -" followed by "}}" at p. */
function atTrimRightDelim(s: string, p: number, len: number): boolean {
  return (
    p + 3 < len &&
    s.charCodeAt(p + 1) === 0x2d &&
    s.charCodeAt(p + 2) === RBRACE &&
    s.charCodeAt(p + 3) === RBRACE &&
    isSpace(s.charCodeAt(p))
  );
}

/**
 * Tokenizes a template text. One function with local state, because this runs cold (once per
 * template text) and the interpreter is much faster on locals than on object fields.
 */
export function lex(input: string, breakOK = true, continueOK = true): Tokens {
  const t = shared;
  t.reset(input);
  const ty = t.type;
  const ts = t.start;
  const te = t.end;
  const s = input;
  const len = s.length;
  let n = 0;
  let pos = 0;
  let start = 0;
  let msg = '';
  text: for (;;) {
    // lexText: text up to the next "{{".
    const x = s.indexOf('{{', pos);
    if (x < 0) {
      if (len > start) {
        ty[n] = Item.Text;
        ts[n] = start;
        te[n++] = len;
      }
      ty[n] = Item.EOF;
      ts[n] = len;
      te[n++] = len;
      break;
    }
    // A left trim marker: "{{- " (the space may be any of the four).
    const trim = s.charCodeAt(x + 2) === 0x2d && isSpace(s.charCodeAt(x + 3));
    let trimEnd = x;
    if (trim) while (trimEnd > start && isSpace(s.charCodeAt(trimEnd - 1))) trimEnd--;
    if (trimEnd > start) {
      ty[n] = Item.Text;
      ts[n] = start;
      te[n++] = trimEnd;
    }
    pos = x + (trim ? 4 : 2);
    if (s.charCodeAt(pos) === 0x2f && s.charCodeAt(pos + 1) === 0x2a) {
      // A comment: "/*" ... "*/" then the right delimiter.
      start = pos;
      const i = s.indexOf('*/', pos + 2);
      if (i < 0) {
        msg = 'unclosed comment';
        break;
      }
      pos = i + 2;
      const trimRight = atTrimRightDelim(s, pos, len);
      if (!trimRight && !(s.charCodeAt(pos) === RBRACE && s.charCodeAt(pos + 1) === RBRACE)) {
        msg = 'comment ends before closing delimiter';
        break;
      }
      pos += trimRight ? 4 : 2;
      if (trimRight) while (pos < len && isSpace(s.charCodeAt(pos))) pos++;
      start = pos;
      continue;
    }
    ty[n] = Item.LeftDelim;
    ts[n] = x;
    te[n++] = x + 2;
    start = pos;
    let parenDepth = 0;
    // lexInsideAction, one token per iteration.
    for (;;) {
      let c = s.charCodeAt(pos);
      // A right delimiter: "}}", or " -}}" with a trim marker (tested where spaces are handled).
      let delim = 0;
      if (c === RBRACE) {
        if (s.charCodeAt(pos + 1) === RBRACE) delim = 1;
      } else if ((c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) && s.charCodeAt(pos + 1) === 0x2d) {
        if (atTrimRightDelim(s, pos, len)) delim = 2;
      }
      if (delim !== 0) {
        if (parenDepth !== 0) {
          msg = 'unclosed left paren';
          break text;
        }
        if (delim === 2) pos += 2;
        ty[n] = Item.RightDelim;
        ts[n] = pos;
        te[n++] = pos + 2;
        pos += 2;
        if (delim === 2) while (pos < len && isSpace(s.charCodeAt(pos))) pos++;
        start = pos;
        continue text;
      }
      if (pos >= len) {
        msg = 'unclosed action';
        break text;
      }
      let type: number;
      switch (c) {
        case 0x20:
        case 0x09:
        case 0x0d:
        case 0x0a: {
          // A run of spaces; a trim-marked right delimiter starts with one, so stop before it.
          let p = pos + 1;
          for (; p < len; p++) {
            const d = s.charCodeAt(p);
            if (d !== 0x20 && d !== 0x09 && d !== 0x0a && d !== 0x0d) break;
          }
          if (s.charCodeAt(p) === 0x2d && atTrimRightDelim(s, p - 1, len)) {
            p--;
            if (p - pos === 0) {
              // Unreachable in practice: the check above already saw " -}}" here.
              pos = p;
              continue;
            }
          }
          pos = p;
          type = Item.Space;
          break;
        }
        case 0x3d: // =
          pos++;
          type = Item.Assign;
          break;
        case 0x3a: // :
          if (s.charCodeAt(pos + 1) !== 0x3d) {
            msg = 'expected :=';
            break text;
          }
          pos += 2;
          type = Item.Declare;
          break;
        case 0x7c: // |
          pos++;
          type = Item.Pipe;
          break;
        case 0x22: {
          // " ... ": when no backslash or newline comes before the closing quote, jump to it.
          const q = s.indexOf('"', pos + 1);
          if (q >= 0) {
            const bs = s.indexOf('\\', pos + 1);
            const nl = s.indexOf('\n', pos + 1);
            if ((bs < 0 || bs > q) && (nl < 0 || nl > q)) {
              pos = q + 1;
              type = Item.String;
              break;
            }
          }
          pos = lexQuoted(s, pos, len, 0x22, 'unterminated quoted string');
          if (pos < 0) {
            msg = failure;
            break text;
          }
          type = Item.String;
          break;
        }
        case 0x60: {
          // `
          const i = s.indexOf('`', pos + 1);
          if (i < 0) {
            msg = 'unterminated raw quoted string';
            break text;
          }
          pos = i + 1;
          type = Item.RawString;
          break;
        }
        case 0x27: // '
          pos = lexQuoted(s, pos, len, 0x27, 'unterminated character constant');
          if (pos < 0) {
            msg = failure;
            break text;
          }
          type = Item.CharConstant;
          break;
        case 0x28: // (
          pos++;
          parenDepth++;
          type = Item.LeftParen;
          break;
        case 0x29: // )
          ty[n] = Item.RightParen;
          ts[n] = start;
          te[n++] = ++pos;
          start = pos;
          if (--parenDepth < 0) {
            msg = 'unexpected right paren ' + runeU(c);
            break text;
          }
          continue;
        case 0x24: // $
        case 0x2e: {
          // . (a field unless a digit follows, which makes it a number)
          const next = s.charCodeAt(pos + 1);
          // At the very end, Go lexes a lone "." as a number too.
          if (c === 0x2e && ((next >= 0x30 && next <= 0x39) || pos + 1 >= len)) {
            const p = lexNumber(s, pos, len);
            if (p < 0) {
              msg = failure;
              break text;
            }
            type = isComplex(s, pos, p) ? Item.Complex : Item.Number;
            pos = p;
            break;
          }
          pos++;
          if (atTerminator(s, pos, len)) {
            type = c === 0x24 ? Item.Variable : Item.Dot;
            break;
          }
          pos = alnumEnd(s, pos, len);
          if (!atTerminator(s, pos, len)) {
            msg = 'bad character ' + runeU(runeAt(s, pos, len));
            break text;
          }
          type = c === 0x24 ? Item.Variable : Item.Field;
          break;
        }
        default: {
          if (c === 0x2b || c === 0x2d || (c >= 0x30 && c <= 0x39)) {
            const p = lexNumber(s, pos, len);
            if (p < 0) {
              msg = failure;
              break text;
            }
            type = isComplex(s, pos, p) ? Item.Complex : Item.Number;
            pos = p;
            break;
          }
          if (c >= 0xd800 && c <= 0xdbff) c = s.codePointAt(pos) as number;
          if (isAlphaNumeric(c)) {
            pos = alnumEnd(s, pos, len);
            if (!atTerminator(s, pos, len)) {
              msg = 'bad character ' + runeU(runeAt(s, pos, len));
              break text;
            }
            type = identifierType(s, start, pos, breakOK, continueOK);
            break;
          }
          if (c < 0x80 && isPrint(c)) {
            pos++;
            type = Item.Char;
            break;
          }
          msg = 'unrecognized character in action: ' + runeU(c);
          break text;
        }
      }
      ty[n] = type;
      ts[n] = start;
      te[n++] = pos;
      start = pos;
    }
  }
  if (msg !== '') {
    ty[n] = Item.Error;
    ts[n] = start;
    te[n++] = start;
    t.error = msg;
  }
  t.count = n;
  return t;
}

/** lexNumber emits a Complex token when a signed imaginary part followed the first number. */
function isComplex(s: string, start: number, end: number): boolean {
  if (s.charCodeAt(end - 1) !== 0x69) return false;
  const first = scanNumber(s, start, end);
  return first >= 0 && first < end;
}

/** Keyword, bool or plain identifier: the type of the word s[start:end), told without cutting it out. */
function identifierType(s: string, start: number, end: number, breakOK: boolean, continueOK: boolean): number {
  const n = end - start;
  let key: number = Item.Identifier;
  switch (s.charCodeAt(start)) {
    case 0x62: // b
      if (n === 5 && s.startsWith('block', start)) key = Item.Block;
      else if (n === 5 && s.startsWith('break', start)) key = breakOK ? Item.Break : Item.Identifier;
      break;
    case 0x63: // c
      if (n === 8 && s.startsWith('continue', start)) key = continueOK ? Item.Continue : Item.Identifier;
      break;
    case 0x64: // d
      if (n === 6 && s.startsWith('define', start)) key = Item.Define;
      break;
    case 0x65: // e
      if (n === 4 && s.startsWith('else', start)) key = Item.Else;
      else if (n === 3 && s.startsWith('end', start)) key = Item.End;
      break;
    case 0x66: // f
      if (n === 5 && s.startsWith('false', start)) key = Item.Bool;
      break;
    case 0x69: // i
      if (n === 2 && s.charCodeAt(start + 1) === 0x66) key = Item.If;
      break;
    case 0x6e: // n
      if (n === 3 && s.startsWith('nil', start)) key = Item.Nil;
      break;
    case 0x72: // r
      if (n === 5 && s.startsWith('range', start)) key = Item.Range;
      break;
    case 0x74: // t
      if (n === 8 && s.startsWith('template', start)) key = Item.Template;
      else if (n === 4 && s.startsWith('true', start)) key = Item.Bool;
      break;
    case 0x77: // w
      if (n === 4 && s.startsWith('with', start)) key = Item.With;
      break;
  }
  return key;
}
