/**
 * Tokenizer for Go text/template (text/template/parse/lex.go semantics). The whole input is
 * tokenized up front; a lexical error ends the token list with an Error token, which the parser
 * reports when it reaches it, in the same order Go's lazily running lexer would.
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

export interface Token {
  type: ItemType;
  /** Offset of the token in the template text (UTF-16 units). */
  pos: number;
  val: string;
}

const KEYWORDS: Record<string, ItemType> = {
  '.': Item.Dot,
  block: Item.Block,
  break: Item.Break,
  continue: Item.Continue,
  define: Item.Define,
  else: Item.Else,
  end: Item.End,
  if: Item.If,
  range: Item.Range,
  nil: Item.Nil,
  template: Item.Template,
  with: Item.With,
};

const LEFT_DELIM = '{{';
const RIGHT_DELIM = '}}';
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';

/** How Go's item.String() shows a token in "unexpected ..." messages. */
export function tokenString(t: Token): string {
  if (t.type === Item.EOF) return 'EOF';
  if (t.type === Item.Error) return t.val;
  if (t.type > Item.Keyword) return '<' + t.val + '>';
  if (utf8Length(t.val) > 10) return quote([...t.val].slice(0, 10).join('')) + '...';
  return quote(t.val);
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
  return cp === 0x5f || isLetter(cp) || isDigit(cp);
}

function hasLeftTrimMarker(s: string, i: number): boolean {
  return i + 1 < s.length && s.charCodeAt(i) === 0x2d && isSpace(s.charCodeAt(i + 1));
}

function hasRightTrimMarker(s: string, i: number): boolean {
  return i + 1 < s.length && isSpace(s.charCodeAt(i)) && s.charCodeAt(i + 1) === 0x2d;
}

const EOF_RUNE = -1;

export function lex(input: string, breakOK = true, continueOK = true): Token[] {
  const items: Token[] = [];
  let pos = 0;
  let start = 0;
  let parenDepth = 0;

  const emit = (type: ItemType): void => {
    items.push({ type, pos: start, val: input.slice(start, pos) });
    start = pos;
  };
  const fail = (msg: string): void => {
    items.push({ type: Item.Error, pos: start, val: msg });
  };
  const next = (): number => {
    if (pos >= input.length) return EOF_RUNE;
    const cp = input.codePointAt(pos) as number;
    pos += cp > 0xffff ? 2 : 1;
    return cp;
  };
  const peek = (): number => (pos >= input.length ? EOF_RUNE : (input.codePointAt(pos) as number));
  const backup = (cp: number): void => {
    if (cp !== EOF_RUNE) pos -= cp > 0xffff ? 2 : 1;
  };
  const accept = (valid: string): boolean => {
    const cp = next();
    if (cp !== EOF_RUNE && valid.includes(String.fromCodePoint(cp))) return true;
    backup(cp);
    return false;
  };
  const acceptRun = (valid: string): void => {
    while (accept(valid));
  };
  const atRightDelim = (): [boolean, boolean] => {
    if (hasRightTrimMarker(input, pos) && input.startsWith(RIGHT_DELIM, pos + 2)) return [true, true];
    if (input.startsWith(RIGHT_DELIM, pos)) return [true, false];
    return [false, false];
  };
  const atTerminator = (): boolean => {
    const r = peek();
    if (r === EOF_RUNE || isSpace(r)) return true;
    switch (r) {
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    return input.startsWith(RIGHT_DELIM, pos);
  };
  const skipSpaces = (): void => {
    while (pos < input.length && isSpace(input.charCodeAt(pos))) pos++;
  };

  /** Emits text up to the next action; says what follows: an action, a comment, or the end. */
  const lexText = (): 'action' | 'comment' | 'done' => {
    const x = input.indexOf(LEFT_DELIM, pos);
    if (x < 0) {
      pos = input.length;
      if (pos > start) emit(Item.Text);
      emit(Item.EOF);
      return 'done';
    }
    pos = x;
    let trimEnd = pos;
    if (hasLeftTrimMarker(input, pos + LEFT_DELIM.length)) {
      while (trimEnd > start && isSpace(input.charCodeAt(trimEnd - 1))) trimEnd--;
    }
    if (trimEnd > start) {
      const save = pos;
      pos = trimEnd;
      emit(Item.Text);
      pos = save;
    }
    start = pos;
    // Left delimiter, possibly with a trim marker.
    pos += LEFT_DELIM.length;
    const trim = hasLeftTrimMarker(input, pos);
    const afterMarker = trim ? 2 : 0;
    if (input.startsWith(LEFT_COMMENT, pos + afterMarker)) {
      pos += afterMarker;
      start = pos;
      return 'comment';
    }
    emit(Item.LeftDelim);
    pos += afterMarker;
    start = pos;
    parenDepth = 0;
    return 'action';
  };

  const lexComment = (): boolean => {
    pos += LEFT_COMMENT.length;
    const i = input.indexOf(RIGHT_COMMENT, pos);
    if (i < 0) {
      fail('unclosed comment');
      return false;
    }
    pos = i + RIGHT_COMMENT.length;
    const [delim, trim] = atRightDelim();
    if (!delim) {
      fail('comment ends before closing delimiter');
      return false;
    }
    if (trim) pos += 2;
    pos += RIGHT_DELIM.length;
    if (trim) skipSpaces();
    start = pos;
    return true;
  };

  const lexRightDelim = (): void => {
    const trim = hasRightTrimMarker(input, pos);
    if (trim) {
      pos += 2;
      start = pos;
    }
    pos += RIGHT_DELIM.length;
    emit(Item.RightDelim);
    if (trim) {
      skipSpaces();
      start = pos;
    }
  };

  const scanNumber = (): boolean => {
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    const r = peek();
    if (r !== EOF_RUNE && isAlphaNumeric(r)) {
      next();
      return false;
    }
    return true;
  };

  const lexNumber = (): boolean => {
    if (!scanNumber()) {
      fail('bad number syntax: ' + quote(input.slice(start, pos)));
      return false;
    }
    const sign = peek();
    if (sign === 0x2b || sign === 0x2d) {
      if (!scanNumber() || input[pos - 1] !== 'i') {
        fail('bad number syntax: ' + quote(input.slice(start, pos)));
        return false;
      }
      emit(Item.Complex);
    } else emit(Item.Number);
    return true;
  };

  const lexQuoted = (q: number, what: string, type: ItemType): boolean => {
    for (;;) {
      const r = next();
      if (r === 0x5c) {
        const e = next();
        if (e !== EOF_RUNE && e !== 0x0a) continue;
        fail(what);
        return false;
      }
      if (r === EOF_RUNE || r === 0x0a) {
        fail(what);
        return false;
      }
      if (r === q) break;
    }
    emit(type);
    return true;
  };

  const lexRawQuote = (): boolean => {
    const i = input.indexOf('`', pos);
    if (i < 0) {
      fail('unterminated raw quoted string');
      return false;
    }
    pos = i + 1;
    emit(Item.RawString);
    return true;
  };

  const lexFieldOrVariable = (type: ItemType): boolean => {
    if (atTerminator()) {
      emit(type === Item.Variable ? Item.Variable : Item.Dot);
      return true;
    }
    let r: number;
    for (;;) {
      r = next();
      if (r === EOF_RUNE || !isAlphaNumeric(r)) {
        backup(r);
        break;
      }
    }
    if (!atTerminator()) {
      fail('bad character ' + runeU(r));
      return false;
    }
    emit(type);
    return true;
  };

  const lexIdentifier = (): boolean => {
    let r: number;
    for (;;) {
      r = next();
      if (r === EOF_RUNE || !isAlphaNumeric(r)) {
        backup(r);
        break;
      }
    }
    const word = input.slice(start, pos);
    if (!atTerminator()) {
      fail('bad character ' + runeU(r));
      return false;
    }
    const key = KEYWORDS[word];
    if (key !== undefined && key > Item.Keyword) {
      if ((key === Item.Break && !breakOK) || (key === Item.Continue && !continueOK)) emit(Item.Identifier);
      else emit(key);
    } else if (word[0] === '.') emit(Item.Field);
    else if (word === 'true' || word === 'false') emit(Item.Bool);
    else emit(Item.Identifier);
    return true;
  };

  /** One step inside an action; returns 'text' after the closing delimiter. */
  const lexInsideAction = (): 'action' | 'text' | 'error' => {
    const [delim] = atRightDelim();
    if (delim) {
      if (parenDepth === 0) {
        lexRightDelim();
        return 'text';
      }
      fail('unclosed left paren');
      return 'error';
    }
    const r = next();
    if (r === EOF_RUNE) {
      fail('unclosed action');
      return 'error';
    }
    if (isSpace(r)) {
      // A run of spaces; a trim-marked right delimiter starts with one, so stop before it.
      backup(r);
      let numSpaces = 0;
      while (pos < input.length && isSpace(input.charCodeAt(pos))) {
        pos++;
        numSpaces++;
      }
      if (hasRightTrimMarker(input, pos - 1) && input.startsWith(RIGHT_DELIM, pos + 1)) {
        pos--;
        if (numSpaces === 1) {
          lexRightDelim();
          return 'text';
        }
      }
      emit(Item.Space);
      return 'action';
    }
    switch (r) {
      case 0x3d: // =
        emit(Item.Assign);
        return 'action';
      case 0x3a: // :
        if (next() !== 0x3d) {
          fail('expected :=');
          return 'error';
        }
        emit(Item.Declare);
        return 'action';
      case 0x7c: // |
        emit(Item.Pipe);
        return 'action';
      case 0x22: // "
        return lexQuoted(0x22, 'unterminated quoted string', Item.String) ? 'action' : 'error';
      case 0x60: // `
        return lexRawQuote() ? 'action' : 'error';
      case 0x24: // $
        if (atTerminator()) {
          emit(Item.Variable);
          return 'action';
        }
        return lexFieldOrVariable(Item.Variable) ? 'action' : 'error';
      case 0x27: // '
        return lexQuoted(0x27, 'unterminated character constant', Item.CharConstant) ? 'action' : 'error';
      case 0x28: // (
        emit(Item.LeftParen);
        parenDepth++;
        return 'action';
      case 0x29: // )
        emit(Item.RightParen);
        parenDepth--;
        if (parenDepth < 0) {
          fail('unexpected right paren ' + runeU(r));
          return 'error';
        }
        return 'action';
    }
    if (r === 0x2e) {
      // ".field" unless a digit follows, which makes it a number.
      if (pos < input.length) {
        const c = input.charCodeAt(pos);
        if (c < 0x30 || c > 0x39) return lexFieldOrVariable(Item.Field) ? 'action' : 'error';
      }
      backup(r);
      return lexNumber() ? 'action' : 'error';
    }
    if (r === 0x2b || r === 0x2d || (r >= 0x30 && r <= 0x39)) {
      backup(r);
      return lexNumber() ? 'action' : 'error';
    }
    if (isAlphaNumeric(r)) {
      backup(r);
      return lexIdentifier() ? 'action' : 'error';
    }
    if (r < 0x80 && isPrint(r)) {
      emit(Item.Char);
      return 'action';
    }
    fail('unrecognized character in action: ' + runeU(r));
    return 'error';
  };

  for (;;) {
    const state = lexText();
    if (state === 'done') break;
    if (state === 'comment') {
      if (!lexComment()) break;
      continue;
    }
    let s: 'action' | 'text' | 'error';
    do s = lexInsideAction();
    while (s === 'action');
    if (s === 'error') break;
  }
  return items;
}
