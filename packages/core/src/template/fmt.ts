/**
 * Go's fmt (Sprintf, Sprint, Sprintln) over the engine's value model, following fmt/print.go
 * and fmt/format.go closely because their quirks show up byte for byte in template output.
 */
import { formatFloat, type FloatFormat } from './ftoa.js';
import { canBackquote, quote, quoteRune } from './quote.js';
import { namedIntString, timeFields, timeGoString, timeString } from './time.js';
import { canonical, isPrint, runeCount, utf8Bytes } from './unicode.js';
import {
  GoComplex,
  GoNamedInt,
  GoStruct,
  GoUint,
  Kind,
  NO_VALUE,
  floatValue,
  intValue,
  kindOf,
  mapGet,
  sortedKeys,
  typeName,
  type GoMap,
  type GoTime,
} from './values.js';

const LOWER = '0123456789abcdefx';
const UPPER = '0123456789ABCDEFX';

function isNilArg(v: unknown): boolean {
  return v === null || v === undefined || v === NO_VALUE;
}

/** |v| in the given base; bigint keeps precision beyond 2^53. */
function magnitude(v: number | bigint, base: number): string {
  if (typeof v === 'bigint') return (v < 0n ? -v : v).toString(base);
  const a = Math.abs(v);
  return a <= Number.MAX_SAFE_INTEGER ? a.toString(base) : BigInt(a).toString(base);
}

function isNegative(v: number | bigint): boolean {
  return typeof v === 'bigint' ? v < 0n : v < 0;
}

/** The value as Go's uint64(v) would see it (two's complement for negatives). */
function asUint64(v: number | bigint): bigint {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  return BigInt.asUintN(64, b);
}

function structFields(v: unknown): [string, unknown][] {
  if (v instanceof GoStruct) return Object.entries(v.fields);
  return timeFields(v as GoTime);
}

function tooLarge(x: number): boolean {
  return x > 1e6 || x < -1e6;
}

class Printer {
  buf = '';
  widPresent = false;
  precPresent = false;
  minus = false;
  plus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  wid = 0;
  prec = 0;
  /** The operand being printed (p.arg in Go) and the reflected value inside it (p.value). */
  arg: unknown = undefined;
  hasArg = false;
  value: unknown = undefined;
  hasValue = false;
  erroring = false;
  reordered = false;
  goodArgNum = true;

  /** Makes a pooled printer like new. */
  reset(): void {
    this.buf = '';
    this.clearFlags();
    this.arg = undefined;
    this.hasArg = false;
    this.value = undefined;
    this.hasValue = false;
    this.erroring = false;
    this.reordered = false;
    this.goodArgNum = true;
  }

  clearFlags(): void {
    this.widPresent = this.precPresent = this.minus = this.plus = false;
    this.sharp = this.space = this.zero = this.plusV = this.sharpV = false;
    this.wid = this.prec = 0;
  }

  writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.zero ? '0' : ' ').repeat(n);
  }

  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (!this.minus) {
      this.writePadding(width);
      this.buf += s;
    } else {
      this.buf += s;
      this.writePadding(width);
    }
  }

  truncate(s: string): string {
    if (!this.precPresent) return s;
    let n = this.prec;
    let i = 0;
    while (i < s.length) {
      if (--n < 0) return s.slice(0, i);
      const c = s.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
    }
    return s;
  }

  fmtBoolean(v: boolean): void {
    this.pad(v ? 'true' : 'false');
  }

  fmtUnicode(v: number | bigint): void {
    const u = asUint64(v);
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    let s = 'U+' + u.toString(16).toUpperCase().padStart(prec, '0');
    if (this.sharp && u <= 0x10ffffn && isPrint(Number(u))) s += " '" + String.fromCodePoint(Number(u)) + "'";
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  fmtIntegerBase(v: number | bigint, base: number, isSigned: boolean, verb: string, digits: string): void {
    const negative = isSigned && isNegative(v);
    const zeroValue = typeof v === 'bigint' ? v === 0n : v === 0;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && zeroValue) {
        const oldZero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = oldZero;
        return;
      }
    } else if (this.zero && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let s = magnitude(v, base);
    if (digits === UPPER) s = s.toUpperCase();
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    if (this.sharp) {
      if (base === 2) s = '0b' + s;
      else if (base === 8 && s[0] !== '0') s = '0' + s;
      else if (base === 16) s = '0' + digits[16] + s;
    }
    if (verb === 'O') s = '0o' + s;
    if (negative) s = '-' + s;
    else if (this.plus) s = '+' + s;
    else if (this.space) s = ' ' + s;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  fmt0x64(v: number | bigint, leading0x: boolean): void {
    const sharp = this.sharp;
    this.sharp = leading0x;
    this.fmtIntegerBase(v, 16, false, 'v', LOWER);
    this.sharp = sharp;
  }

  fmtInteger(v: number | bigint, isSigned: boolean, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.sharpV && !isSigned) this.fmt0x64(v, true);
        else this.fmtIntegerBase(v, 10, isSigned, verb, LOWER);
        return;
      case 'd':
        return this.fmtIntegerBase(v, 10, isSigned, verb, LOWER);
      case 'b':
        return this.fmtIntegerBase(v, 2, isSigned, verb, LOWER);
      case 'o':
      case 'O':
        return this.fmtIntegerBase(v, 8, isSigned, verb, LOWER);
      case 'x':
        return this.fmtIntegerBase(v, 16, isSigned, verb, LOWER);
      case 'X':
        return this.fmtIntegerBase(v, 16, isSigned, verb, UPPER);
      case 'c':
        return this.pad(String.fromCodePoint(this.runeOf(v)));
      case 'q': {
        const u = asUint64(v);
        return this.pad(quoteRune(u > 0x10ffffn ? 0xfffd : Number(u), this.plus));
      }
      case 'U':
        return this.fmtUnicode(v);
    }
    this.badVerb(verb);
  }

  runeOf(v: number | bigint): number {
    const u = asUint64(v);
    if (u > 0x10ffffn) return 0xfffd;
    const r = Number(u);
    return r >= 0xd800 && r <= 0xdfff ? 0xfffd : r;
  }

  fmtFloatRaw(v: number, verb: FloatFormat, prec: number): void {
    if (this.precPresent) prec = this.prec;
    let num = formatFloat(v, verb, prec);
    if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
    if (this.space && num[0] === '+' && !this.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = this.zero;
      this.zero = false;
      if (num[1] === 'N' && !this.space && !this.plus) num = num.slice(1);
      this.pad(num);
      this.zero = oldZero;
      return;
    }
    if (this.sharp && verb !== 'b') {
      let digits = 0;
      if (verb === 'g' || verb === 'G' || verb === 'x') digits = prec === -1 ? 6 : prec;
      let tail = '';
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      for (let i = 1; i < num.length; i++) {
        const c = num[i];
        if (c === '.') {
          hasDecimalPoint = true;
          continue;
        }
        if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
          tail = num.slice(i);
          num = num.slice(0, i);
          break;
        }
        if (c !== '0') sawNonzeroDigit = true;
        if (sawNonzeroDigit) digits--;
      }
      if (!hasDecimalPoint) {
        if (num.length === 2 && num[1] === '0') digits--;
        num += '.';
      }
      if (digits > 0) num += '0'.repeat(digits);
      num += tail;
    }
    if (this.plus || num[0] !== '+') {
      if (this.zero && this.widPresent && this.wid > num.length) {
        this.buf += num[0];
        this.writePadding(this.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  fmtFloat(v: number, verb: string): void {
    switch (verb) {
      case 'v':
        return this.fmtFloatRaw(v, 'g', -1);
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        return this.fmtFloatRaw(v, verb, -1);
      case 'f':
      case 'e':
      case 'E':
        return this.fmtFloatRaw(v, verb, 6);
      case 'F':
        return this.fmtFloatRaw(v, 'f', 6);
    }
    this.badVerb(verb);
  }

  fmtComplex(v: GoComplex, verb: string): void {
    if (!'vbgGxXfFeE'.includes(verb)) {
      this.badVerb(verb);
      return;
    }
    const oldPlus = this.plus;
    this.buf += '(';
    this.fmtFloat(v.re, verb);
    this.plus = true;
    this.fmtFloat(v.im, verb);
    this.buf += 'i)';
    this.plus = oldPlus;
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.sharp && canBackquote(s)) {
      this.pad('`' + s + '`');
      return;
    }
    this.pad(quote(s, this.plus));
  }

  fmtSx(s: string, digits: string): void {
    const b = utf8Bytes(s);
    let length = b.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) width += 2;
    } else {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    let out = '';
    if (this.sharp) out += '0' + digits[16];
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        out += ' ';
        if (this.sharp) out += '0' + digits[16];
      }
      out += digits[b[i] >> 4] + digits[b[i] & 0xf];
    }
    this.buf += out;
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  fmtString(s: string, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.sharpV) this.fmtQ(s);
        else this.pad(this.truncate(s));
        return;
      case 's':
        return this.pad(this.truncate(s));
      case 'x':
        return this.fmtSx(s, LOWER);
      case 'X':
        return this.fmtSx(s, UPPER);
      case 'q':
        return this.fmtQ(s);
    }
    this.badVerb(verb);
  }

  fmtPointer(v: unknown, verb: string): void {
    const k = kindOf(v);
    const isPointer = k === Kind.NilPointer || (v instanceof GoStruct && v.pointer);
    if (!isPointer && k !== Kind.Func && k !== Kind.Map && k !== Kind.Slice) {
      this.badVerb(verb);
      return;
    }
    // Real addresses are meaningless here; only nil pointers print deterministically in Go.
    const u = k === Kind.NilPointer ? 0 : 0xc000010000;
    switch (verb) {
      case 'v':
        if (this.sharpV) {
          this.buf += '(' + typeName(v) + ')(';
          if (u === 0) this.buf += 'nil';
          else this.fmt0x64(u, true);
          this.buf += ')';
        } else if (u === 0) this.pad('<nil>');
        else this.fmt0x64(u, !this.sharp);
        return;
      case 'p':
        return this.fmt0x64(u, !this.sharp);
      case 'b':
      case 'o':
      case 'd':
      case 'x':
      case 'X':
        return this.fmtInteger(u, false, verb);
    }
    this.badVerb(verb);
  }

  badVerb(verb: string): void {
    this.erroring = true;
    this.buf += '%!' + verb + '(';
    if (this.hasArg && !isNilArg(this.arg)) {
      this.buf += typeName(this.arg) + '=';
      this.printArg(this.arg, 'v');
    } else if (this.hasValue && !isNilArg(this.value)) {
      this.buf += typeName(this.value) + '=';
      this.printValue(this.value, 'v', 0);
    } else this.buf += '<nil>';
    this.buf += ')';
    this.erroring = false;
  }

  /** Formatter/Stringer/GoStringer handling; time.Time is the only value with methods. */
  handleMethods(v: unknown, verb: string): boolean {
    if (this.erroring) return false;
    if (verb === 'w') {
      // %w is only meaningful to fmt.Errorf; Sprintf reports it as a bad verb.
      this.badVerb(verb);
      return true;
    }
    if (v instanceof GoNamedInt) {
      // A Stringer (time.Month, time.Weekday, time.Duration); not a GoStringer.
      if (this.sharpV || !(verb === 'v' || verb === 's' || verb === 'x' || verb === 'X' || verb === 'q')) return false;
      this.fmtString(namedIntString(v), verb);
      return true;
    }
    const k = kindOf(v);
    if (k !== Kind.Time) return false;
    if (this.sharpV) {
      this.pad(this.truncate(timeGoString(v as GoTime)));
      return true;
    }
    if (verb === 'v' || verb === 's' || verb === 'x' || verb === 'X' || verb === 'q') {
      this.fmtString(timeString(v as GoTime), verb);
      return true;
    }
    return false;
  }

  printArg(arg: unknown, verb: string): void {
    this.arg = arg;
    this.hasArg = true;
    this.hasValue = false;
    if (isNilArg(arg)) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb);
      return;
    }
    if (verb === 'T') {
      this.pad(this.truncate(typeName(arg)));
      return;
    }
    if (verb === 'p') {
      this.fmtPointer(arg, 'p');
      return;
    }
    switch (kindOf(arg)) {
      case Kind.Bool:
        if (verb === 't' || verb === 'v') this.fmtBoolean(arg as boolean);
        else this.badVerb(verb);
        return;
      case Kind.Float:
        return this.fmtFloat(floatValue(arg), verb);
      case Kind.Complex:
        return this.fmtComplex(arg as GoComplex, verb);
      case Kind.Int:
        if (arg instanceof GoNamedInt) break;
        return this.fmtInteger(intValue(arg), true, verb);
      case Kind.Uint:
        return this.fmtInteger((arg as GoUint).value, false, verb);
      case Kind.String:
        return this.fmtString(arg as string, verb);
    }
    if (!this.handleMethods(arg, verb)) this.printValue(arg, verb, 0);
  }

  printValue(v: unknown, verb: string, depth: number): void {
    if (depth > 0 && !isNilArg(v)) {
      this.arg = v;
      this.hasArg = true;
      if (this.handleMethods(v, verb)) return;
    }
    this.hasArg = false;
    this.value = v;
    this.hasValue = true;
    const k = kindOf(v);
    switch (k) {
      case Kind.Invalid:
        if (depth === 0) this.buf += '<invalid reflect.Value>';
        else if (verb === 'v') this.buf += '<nil>';
        else this.badVerb(verb);
        return;
      case Kind.Nil:
        // A nil interface{} element: fmt prints it without consulting the verb.
        this.buf += this.sharpV ? 'interface {}(nil)' : '<nil>';
        return;
      case Kind.Bool:
        if (verb === 't' || verb === 'v') this.fmtBoolean(v as boolean);
        else this.badVerb(verb);
        return;
      case Kind.Int:
        return this.fmtInteger(intValue(v), true, verb);
      case Kind.Uint:
        return this.fmtInteger((v as GoUint).value, false, verb);
      case Kind.Float:
        return this.fmtFloat(floatValue(v), verb);
      case Kind.Complex:
        return this.fmtComplex(v as GoComplex, verb);
      case Kind.String:
        return this.fmtString(v as string, verb);
      case Kind.Map: {
        const m = v as GoMap;
        if (this.sharpV) this.buf += typeName(v) + '{';
        else this.buf += 'map[';
        const keys = sortedKeys(m);
        for (let i = 0; i < keys.length; i++) {
          if (i > 0) this.buf += this.sharpV ? ', ' : ' ';
          this.printValue(keys[i], verb, depth + 1);
          this.buf += ':';
          this.printValue(mapGet(m, keys[i]), verb, depth + 1);
        }
        this.buf += this.sharpV ? '}' : ']';
        return;
      }
      case Kind.Struct:
      case Kind.Time: {
        if (v instanceof GoStruct && v.pointer) {
          // A pointer prints as &{...} at top level and as an address inside other values.
          if (depth > 0) return this.fmtPointer(v, verb);
          this.buf += '&';
          this.printValue(new GoStruct(v.typeName, v.fields), verb, depth + 1);
          return;
        }
        if (this.sharpV) this.buf += typeName(v);
        this.buf += '{';
        const fields = structFields(v);
        for (let i = 0; i < fields.length; i++) {
          if (i > 0) this.buf += this.sharpV ? ', ' : ' ';
          if (this.plusV || this.sharpV) this.buf += fields[i][0] + ':';
          this.printValue(fields[i][1], verb, depth + 1);
        }
        this.buf += '}';
        return;
      }
      case Kind.Slice: {
        const a = v as readonly unknown[];
        if (this.sharpV) {
          this.buf += typeName(v) + '{';
          for (let i = 0; i < a.length; i++) {
            if (i > 0) this.buf += ', ';
            this.printValue(a[i], verb, depth + 1);
          }
          this.buf += '}';
        } else {
          this.buf += '[';
          for (let i = 0; i < a.length; i++) {
            if (i > 0) this.buf += ' ';
            this.printValue(a[i], verb, depth + 1);
          }
          this.buf += ']';
        }
        return;
      }
      case Kind.NilPointer:
      case Kind.Func:
        return this.fmtPointer(v, verb);
    }
  }

  /** fmt's argNumber: an explicit [n] index at format[i]. */
  argNumber(argNum: number, format: string, i: number, numArgs: number): [number, number, boolean] {
    if (format.length <= i || format[i] !== '[') return [argNum, i, false];
    this.reordered = true;
    let index = 0;
    let wid = 1;
    let ok = false;
    if (format.length - i >= 3) {
      for (let j = i + 1; j < format.length; j++) {
        if (format[j] === ']') {
          const [n, isnum, newi] = parsenum(format, i + 1, j);
          if (!isnum || newi !== j) {
            wid = j - i + 1;
          } else {
            index = n - 1;
            wid = j - i + 1;
            ok = true;
          }
          break;
        }
      }
    }
    if (ok && index >= 0 && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }

  /** Formats with the operands a[base:]. */
  doPrintf(format: string, a: readonly unknown[], base = 0): void {
    const numArgs = a.length - base;
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    this.reordered = false;
    let i = 0;
    while (i < end) {
      this.goodArgNum = true;
      const lasti = i;
      i = format.indexOf('%', i);
      if (i < 0) i = end;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++;
      this.clearFlags();
      // Fast path: a letter right after the %, with no flags, width, precision or index.
      const c = format.charCodeAt(i);
      if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x25) {
        i++;
        const verb = format[i - 1];
        if (c === 0x25) this.buf += '%';
        else if (argNum >= numArgs) this.buf += '%!' + verb + '(MISSING)';
        else {
          const arg = a[base + argNum];
          // The commonest operands, formatted directly (what printArg would do without flags).
          if (typeof arg === 'string' && (c === 0x73 || c === 0x76)) this.buf += arg;
          else if (typeof arg === 'string' && c === 0x71) this.buf += quote(arg);
          else if (typeof arg === 'number' && (c === 0x64 || c === 0x76) && Number.isSafeInteger(arg)) {
            this.buf += String(arg);
          } else this.printArg(arg, verb);
          argNum++;
        }
        continue;
      }
      flags: for (; i < end; i++) {
        switch (format[i]) {
          case '#':
            this.sharp = true;
            break;
          case '0':
            this.zero = !this.minus;
            break;
          case '+':
            this.plus = true;
            break;
          case '-':
            this.minus = true;
            this.zero = false;
            break;
          case ' ':
            this.space = true;
            break;
          default:
            break flags;
        }
      }
      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, numArgs);
      if (i < end && format[i] === '*') {
        i++;
        [this.wid, this.widPresent, argNum] = intFromArg(a, base, argNum);
        if (!this.widPresent) this.buf += '%!(BADWIDTH)';
        if (this.wid < 0) {
          this.wid = -this.wid;
          this.minus = true;
          this.zero = false;
        }
        afterIndex = false;
      } else {
        [this.wid, this.widPresent, i] = parsenum(format, i, end);
        if (afterIndex && this.widPresent) this.goodArgNum = false;
      }
      if (i + 1 < end && format[i] === '.') {
        i++;
        if (afterIndex) this.goodArgNum = false;
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i, numArgs);
        if (i < end && format[i] === '*') {
          i++;
          [this.prec, this.precPresent, argNum] = intFromArg(a, base, argNum);
          if (this.prec < 0) {
            this.prec = 0;
            this.precPresent = false;
          }
          if (!this.precPresent) this.buf += '%!(BADPREC)';
          afterIndex = false;
        } else {
          [this.prec, this.precPresent, i] = parsenum(format, i, end);
          if (!this.precPresent) {
            this.prec = 0;
            this.precPresent = true;
          }
        }
      }
      if (!afterIndex) [argNum, i, afterIndex] = this.argNumber(argNum, format, i, numArgs);
      if (i >= end) {
        this.buf += '%!(NOVERB)';
        break;
      }
      const cp = format.codePointAt(i) as number;
      // An invalid byte is the verb RuneError (one byte wide).
      const verb = cp >= 0xd800 && cp <= 0xdfff ? '\uFFFD' : String.fromCodePoint(cp);
      i += cp > 0xffff ? 2 : 1;
      if (verb === '%') {
        this.buf += '%';
      } else if (!this.goodArgNum) {
        this.buf += '%!' + verb + '(BADINDEX)';
      } else if (argNum >= numArgs) {
        this.buf += '%!' + verb + '(MISSING)';
      } else {
        if (verb === 'v') {
          this.sharpV = this.sharp;
          this.sharp = false;
          this.plusV = this.plus;
          this.plus = false;
        }
        this.printArg(a[base + argNum], verb);
        argNum++;
      }
    }
    if (!this.reordered && argNum < numArgs) {
      this.clearFlags();
      this.buf += '%!(EXTRA ';
      for (let k = argNum; k < numArgs; k++) {
        if (k > argNum) this.buf += ', ';
        const arg = a[base + k];
        if (isNilArg(arg)) this.buf += '<nil>';
        else {
          this.buf += typeName(arg) + '=';
          this.printArg(arg, 'v');
        }
      }
      this.buf += ')';
    }
  }

  doPrint(a: readonly unknown[]): void {
    let prevString = false;
    for (let k = 0; k < a.length; k++) {
      const isString = typeof a[k] === 'string';
      if (k > 0 && !isString && !prevString) this.buf += ' ';
      this.printArg(a[k], 'v');
      prevString = isString;
    }
  }

  doPrintln(a: readonly unknown[]): void {
    for (let k = 0; k < a.length; k++) {
      if (k > 0) this.buf += ' ';
      this.printArg(a[k], 'v');
    }
    this.buf += '\n';
  }
}

/** fmt's parsenum: a decimal number in s[start:end]; absurdly long numbers consume the rest. */
function parsenum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let isnum = false;
  let i = start;
  for (; i < end && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39; i++) {
    if (tooLarge(num)) return [0, false, end];
    num = num * 10 + (s.charCodeAt(i) - 0x30);
    isnum = true;
  }
  return [num, isnum, i];
}

function intFromArg(a: readonly unknown[], base: number, argNum: number): [number, boolean, number] {
  if (base + argNum >= a.length) return [0, false, argNum];
  const v = a[base + argNum];
  let num = 0;
  let isInt = false;
  const k = kindOf(v);
  if (k === Kind.Int || k === Kind.Uint) {
    const n = Number(intValue(v));
    if (Number.isSafeInteger(n)) {
      num = n;
      isInt = true;
    }
  }
  if (tooLarge(num)) return [0, false, argNum + 1];
  return [num, isInt, argNum + 1];
}

/** One printer, reused (fmt pools them too); printing never calls back into Sprintf. */
const pooled = new Printer();
let pooledBusy = false;

function acquire(): Printer {
  if (pooledBusy) return new Printer();
  pooledBusy = true;
  pooled.reset();
  return pooled;
}

/** The printer's output, releasing it to the pool. */
function release(p: Printer): string {
  const out = canonical(p.buf);
  p.buf = '';
  p.arg = p.value = undefined;
  if (p === pooled) pooledBusy = false;
  return out;
}

/** fmt.Sprintf. Arguments use the engine's value model (null/undefined are nil). */
export function sprintf(format: string, ...args: unknown[]): string {
  const p = acquire();
  try {
    p.doPrintf(format, args);
  } catch (e) {
    release(p);
    throw e;
  }
  return release(p);
}

/** Sprintf with the format and operands in one array, as the engine calls printf. */
export function sprintfList(argv: readonly unknown[]): string {
  const p = acquire();
  try {
    p.doPrintf(argv[0] as string, argv, 1);
  } catch (e) {
    release(p);
    throw e;
  }
  return release(p);
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(...args: unknown[]): string {
  return sprintList(args);
}

/** Sprint with the operands in an array. */
export function sprintList(args: readonly unknown[]): string {
  if (args.length === 1) {
    const v = args[0];
    if (typeof v === 'string') return v;
  }
  const p = acquire();
  try {
    p.doPrint(args);
  } catch (e) {
    release(p);
    throw e;
  }
  return release(p);
}

/** fmt.Sprintln: spaces between all operands and a trailing newline. */
export function sprintln(...args: unknown[]): string {
  return sprintlnList(args);
}

/** Sprintln with the operands in an array. */
export function sprintlnList(args: readonly unknown[]): string {
  const p = acquire();
  try {
    p.doPrintln(args);
  } catch (e) {
    release(p);
    throw e;
  }
  return release(p);
}

/** How `{{ . }}` prints a value: fmt's %v, with "<no value>" for a missing value. */
export function formatValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (Number.isSafeInteger(v)) return String(v);
      break;
    case 'undefined':
      return '<no value>';
    case 'symbol':
      if (v === NO_VALUE) return '<no value>';
  }
  if (v === null) return '<no value>';
  return sprint(v);
}
