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

const KEYWORDS: ReadonlyMap<string, ItemType> = new Map<string, ItemType>([
  ['.', Item.Dot],
  ['block', Item.Block],
  ['break', Item.Break],
  ['continue', Item.Continue],
  ['define', Item.Define],
  ['else', Item.Else],
  ['end', Item.End],
  ['if', Item.If],
  ['range', Item.Range],
  ['nil', Item.Nil],
  ['template', Item.Template],
  ['with', Item.With],
]);

// The delimiters are fixed: "{{", "}}", "/*", "*/".
const LBRACE = 0x7b;
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
    return (
      (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x30 && cp <= 0x39) || cp === 0x5f
    );
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

  /** The token's text (the message for an Error token). */
  val(i: number): string {
    return this.type[i] === Item.Error ? this.error : this.input.slice(this.start[i], this.end[i]);
  }
}

const shared = new Tokens();

class Lexer {
  readonly t: Tokens;
  private readonly input: string;
  private readonly len: number;
  private pos = 0;
  private start = 0;
  private parenDepth = 0;

  constructor(
    input: string,
    private readonly breakOK: boolean,
    private readonly continueOK: boolean,
  ) {
    this.input = input;
    this.len = input.length;
    this.t = shared;
    shared.reset(input);
  }

  private emit(type: ItemType): void {
    const t = this.t;
    const i = t.count++;
    t.type[i] = type;
    t.start[i] = this.start;
    t.end[i] = this.pos;
    this.start = this.pos;
  }

  private fail(msg: string): void {
    const t = this.t;
    const i = t.count++;
    t.type[i] = Item.Error;
    t.start[i] = this.start;
    t.end[i] = this.start;
    t.error = msg;
  }

  private next(): number {
    if (this.pos >= this.len) return EOF_RUNE;
    const c = this.input.charCodeAt(this.pos);
    if (c < 0xd800 || c > 0xdbff) {
      this.pos++;
      return c;
    }
    const cp = this.input.codePointAt(this.pos) as number;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private peek(): number {
    return this.pos >= this.len ? EOF_RUNE : (this.input.codePointAt(this.pos) as number);
  }

  private backup(cp: number): void {
    if (cp !== EOF_RUNE) this.pos -= cp > 0xffff ? 2 : 1;
  }

  /** Consumes one character if it is c. */
  private acceptChar(c: number): boolean {
    if (this.pos < this.len && this.input.charCodeAt(this.pos) === c) {
      this.pos++;
      return true;
    }
    return false;
  }

  private acceptSign(): void {
    if (this.pos < this.len) {
      const c = this.input.charCodeAt(this.pos);
      if (c === 0x2b || c === 0x2d) this.pos++;
    }
  }

  /** Consumes a run of digits of the given base (with underscores). */
  private acceptDigits(base: number): void {
    const s = this.input;
    let p = this.pos;
    for (; p < this.len; p++) {
      const c = s.charCodeAt(p);
      if (c === 0x5f) continue;
      if (base === 16) {
        if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)) continue;
      } else if (c >= 0x30 && c < 0x30 + base) continue;
      break;
    }
    this.pos = p;
  }

  private atRightDelim(): boolean {
    const s = this.input;
    const p = this.pos;
    return s.charCodeAt(p) === RBRACE && s.charCodeAt(p + 1) === RBRACE;
  }

  /** A trim marker " -" followed by "}}" at p. */
  private atTrimRightDelim(p: number): boolean {
    const s = this.input;
    return (
      p + 3 < this.len &&
      isSpace(s.charCodeAt(p)) &&
      s.charCodeAt(p + 1) === 0x2d &&
      s.charCodeAt(p + 2) === RBRACE &&
      s.charCodeAt(p + 3) === RBRACE
    );
  }

  private atTerminator(): boolean {
    if (this.pos >= this.len) return true;
    const r = this.input.charCodeAt(this.pos);
    switch (r) {
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
        return this.input.charCodeAt(this.pos + 1) === RBRACE;
    }
    return false;
  }

  private skipSpaces(): void {
    while (this.pos < this.len && isSpace(this.input.charCodeAt(this.pos))) this.pos++;
  }

  run(): Tokens {
    for (;;) {
      const state = this.lexText();
      if (state === 0) break;
      if (state === 2) {
        if (!this.lexComment()) break;
        continue;
      }
      let s: number;
      do s = this.lexInsideAction();
      while (s === 1);
      if (s === 2) break;
    }
    return this.t;
  }

  /** Emits text up to the next action; 1: an action follows, 2: a comment follows, 0: the end. */
  private lexText(): number {
    const s = this.input;
    const x = s.indexOf('{{', this.pos);
    if (x < 0) {
      this.pos = this.len;
      if (this.pos > this.start) this.emit(Item.Text);
      this.emit(Item.EOF);
      return 0;
    }
    // A left trim marker: "{{- " (the space may be any of the four).
    const trim = s.charCodeAt(x + 2) === 0x2d && isSpace(s.charCodeAt(x + 3));
    let trimEnd = x;
    if (trim) while (trimEnd > this.start && isSpace(s.charCodeAt(trimEnd - 1))) trimEnd--;
    if (trimEnd > this.start) {
      this.pos = trimEnd;
      this.emit(Item.Text);
    }
    this.start = x;
    this.pos = x + 2;
    const afterMarker = trim ? 2 : 0;
    if (s.charCodeAt(this.pos + afterMarker) === 0x2f && s.charCodeAt(this.pos + afterMarker + 1) === 0x2a) {
      this.pos += afterMarker;
      this.start = this.pos;
      return 2;
    }
    this.emit(Item.LeftDelim);
    this.pos += afterMarker;
    this.start = this.pos;
    this.parenDepth = 0;
    return 1;
  }

  private lexComment(): boolean {
    this.pos += 2;
    const i = this.input.indexOf('*/', this.pos);
    if (i < 0) {
      this.fail('unclosed comment');
      return false;
    }
    this.pos = i + 2;
    const trim = this.atTrimRightDelim(this.pos);
    if (!trim && !this.atRightDelim()) {
      this.fail('comment ends before closing delimiter');
      return false;
    }
    this.pos += trim ? 4 : 2;
    if (trim) this.skipSpaces();
    this.start = this.pos;
    return true;
  }

  private lexRightDelim(trim: boolean): void {
    if (trim) {
      this.pos += 2;
      this.start = this.pos;
    }
    this.pos += 2;
    this.emit(Item.RightDelim);
    if (trim) {
      this.skipSpaces();
      this.start = this.pos;
    }
  }

  private scanNumber(): boolean {
    this.acceptSign();
    let base = 10;
    if (this.acceptChar(0x30)) {
      const c = this.pos < this.len ? this.input.charCodeAt(this.pos) | 0x20 : 0;
      if (c === 0x78) base = 16;
      else if (c === 0x6f) base = 8;
      else if (c === 0x62) base = 2;
      if (base !== 10) this.pos++;
    }
    this.acceptDigits(base);
    if (this.acceptChar(0x2e)) this.acceptDigits(base);
    if (base === 10 && (this.acceptChar(0x65) || this.acceptChar(0x45))) {
      this.acceptSign();
      this.acceptDigits(10);
    }
    if (base === 16 && (this.acceptChar(0x70) || this.acceptChar(0x50))) {
      this.acceptSign();
      this.acceptDigits(10);
    }
    this.acceptChar(0x69); // i
    const r = this.peek();
    if (r !== EOF_RUNE && isAlphaNumeric(r)) {
      this.next();
      return false;
    }
    return true;
  }

  private lexNumber(): boolean {
    if (!this.scanNumber()) {
      this.fail('bad number syntax: ' + quote(this.input.slice(this.start, this.pos)));
      return false;
    }
    const sign = this.pos < this.len ? this.input.charCodeAt(this.pos) : 0;
    if (sign === 0x2b || sign === 0x2d) {
      if (!this.scanNumber() || this.input.charCodeAt(this.pos - 1) !== 0x69) {
        this.fail('bad number syntax: ' + quote(this.input.slice(this.start, this.pos)));
        return false;
      }
      this.emit(Item.Complex);
    } else this.emit(Item.Number);
    return true;
  }

  private lexQuoted(q: number, what: string, type: ItemType): boolean {
    const s = this.input;
    for (;;) {
      if (this.pos >= this.len) {
        this.fail(what);
        return false;
      }
      const r = s.charCodeAt(this.pos++);
      if (r === 0x5c) {
        if (this.pos < this.len && s.charCodeAt(this.pos) !== 0x0a) {
          this.next();
          continue;
        }
        // Go consumes the character (EOF consumes nothing) before failing.
        if (this.pos < this.len) this.pos++;
        this.fail(what);
        return false;
      }
      if (r === 0x0a) {
        this.fail(what);
        return false;
      }
      if (r === q) break;
    }
    this.emit(type);
    return true;
  }

  private lexRawQuote(): boolean {
    const i = this.input.indexOf('`', this.pos);
    if (i < 0) {
      this.fail('unterminated raw quoted string');
      return false;
    }
    this.pos = i + 1;
    this.emit(Item.RawString);
    return true;
  }

  /** Consumes alphanumerics; returns the first other rune (not consumed), or EOF. */
  private scanAlphaNumeric(): number {
    const s = this.input;
    for (;;) {
      if (this.pos >= this.len) return EOF_RUNE;
      const c = s.charCodeAt(this.pos);
      if (c < 0x80) {
        if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f) {
          this.pos++;
          continue;
        }
        return c;
      }
      const r = this.next();
      if (!isAlphaNumeric(r)) {
        this.backup(r);
        return r;
      }
    }
  }

  private lexFieldOrVariable(type: ItemType): boolean {
    if (this.atTerminator()) {
      this.emit(type === Item.Variable ? Item.Variable : Item.Dot);
      return true;
    }
    const r = this.scanAlphaNumeric();
    if (!this.atTerminator()) {
      this.fail('bad character ' + runeU(r));
      return false;
    }
    this.emit(type);
    return true;
  }

  private lexIdentifier(): boolean {
    const r = this.scanAlphaNumeric();
    if (!this.atTerminator()) {
      this.fail('bad character ' + runeU(r));
      return false;
    }
    const first = this.input.charCodeAt(this.start);
    // Keywords and true/false are all lower-case ASCII words.
    if (first >= 0x61 && first <= 0x7a) {
      const word = this.input.slice(this.start, this.pos);
      const key = KEYWORDS.get(word);
      if (key !== undefined) {
        if ((key === Item.Break && !this.breakOK) || (key === Item.Continue && !this.continueOK)) {
          this.emit(Item.Identifier);
        } else this.emit(key);
        return true;
      }
      if (word === 'true' || word === 'false') {
        this.emit(Item.Bool);
        return true;
      }
    }
    this.emit(Item.Identifier);
    return true;
  }

  /** One step inside an action; 1: more of the action, 0: back to text, 2: an error. */
  private lexInsideAction(): number {
    const s = this.input;
    if (this.atRightDelim() || this.atTrimRightDelim(this.pos)) {
      if (this.parenDepth === 0) {
        this.lexRightDelim(!this.atRightDelim());
        return 0;
      }
      this.fail('unclosed left paren');
      return 2;
    }
    const r = this.next();
    if (r === EOF_RUNE) {
      this.fail('unclosed action');
      return 2;
    }
    switch (r) {
      case 0x20:
      case 0x09:
      case 0x0d:
      case 0x0a: {
        // A run of spaces; a trim-marked right delimiter starts with one, so stop before it.
        this.pos--;
        let numSpaces = 0;
        while (this.pos < this.len && isSpace(s.charCodeAt(this.pos))) {
          this.pos++;
          numSpaces++;
        }
        if (this.atTrimRightDelim(this.pos - 1)) {
          this.pos--;
          if (numSpaces === 1) {
            this.lexRightDelim(true);
            return 0;
          }
        }
        this.emit(Item.Space);
        return 1;
      }
      case 0x3d: // =
        this.emit(Item.Assign);
        return 1;
      case 0x3a: // :
        if (this.next() !== 0x3d) {
          this.fail('expected :=');
          return 2;
        }
        this.emit(Item.Declare);
        return 1;
      case 0x7c: // |
        this.emit(Item.Pipe);
        return 1;
      case 0x22: // "
        return this.lexQuoted(0x22, 'unterminated quoted string', Item.String) ? 1 : 2;
      case 0x60: // `
        return this.lexRawQuote() ? 1 : 2;
      case 0x24: // $
        if (this.atTerminator()) {
          this.emit(Item.Variable);
          return 1;
        }
        return this.lexFieldOrVariable(Item.Variable) ? 1 : 2;
      case 0x27: // '
        return this.lexQuoted(0x27, 'unterminated character constant', Item.CharConstant) ? 1 : 2;
      case 0x28: // (
        this.emit(Item.LeftParen);
        this.parenDepth++;
        return 1;
      case 0x29: // )
        this.emit(Item.RightParen);
        this.parenDepth--;
        if (this.parenDepth < 0) {
          this.fail('unexpected right paren ' + runeU(r));
          return 2;
        }
        return 1;
      case 0x2e: // .
        // ".field" unless a digit follows, which makes it a number.
        if (this.pos < this.len) {
          const c = s.charCodeAt(this.pos);
          if (c < 0x30 || c > 0x39) return this.lexFieldOrVariable(Item.Field) ? 1 : 2;
        }
        this.pos--;
        return this.lexNumber() ? 1 : 2;
      case 0x2b: // +
      case 0x2d: // -
        this.pos--;
        return this.lexNumber() ? 1 : 2;
    }
    if (r >= 0x30 && r <= 0x39) {
      this.pos--;
      return this.lexNumber() ? 1 : 2;
    }
    if (isAlphaNumeric(r)) {
      this.backup(r);
      return this.lexIdentifier() ? 1 : 2;
    }
    if (r < 0x80 && isPrint(r)) {
      this.emit(Item.Char);
      return 1;
    }
    this.fail('unrecognized character in action: ' + runeU(r));
    return 2;
  }
}

export function lex(input: string, breakOK = true, continueOK = true): Tokens {
  return new Lexer(input, breakOK, continueOK).run();
}
