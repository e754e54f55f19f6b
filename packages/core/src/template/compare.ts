/** The comparison builtins (eq ne lt le gt ge) with text/template's basic-kind rules and errors. */
import { sprintf } from './fmt.js';
import { unixNano } from './time.js';
import { compareStrings } from './unicode.js';
import {
  GoComplex,
  GoStruct,
  GoUint,
  Kind,
  NO_VALUE,
  floatValue,
  intValue,
  kindOf,
  typeName,
  type GoTime,
} from './values.js';

const INVALID = 0;
const BOOL = 1;
const COMPLEX = 2;
const INT = 3;
const FLOAT = 4;
const STRING = 5;
const UINT = 6;

const errBadComparisonType = 'invalid type for comparison';
const errBadComparison = 'incompatible types for comparison';
const errNoComparison = 'missing argument for comparison';

/** indirectInterface: a nil interface{} becomes the invalid value. */
function ind(v: unknown): unknown {
  return v === null || v === undefined ? NO_VALUE : v;
}

function basicKind(v: unknown): number {
  switch (kindOf(v)) {
    case Kind.Bool:
      return BOOL;
    case Kind.Int:
      return INT;
    case Kind.Uint:
      return UINT;
    case Kind.Float:
      return FLOAT;
    case Kind.Complex:
      return COMPLEX;
    case Kind.String:
      return STRING;
  }
  return INVALID;
}

/** reflect.Kind for the non-basic values: struct-like values share one kind. */
function reflectKind(v: unknown): number {
  const k = kindOf(v);
  return k === Kind.Time ? Kind.Struct : k;
}

function isNil(v: unknown): boolean {
  return v === NO_VALUE || kindOf(v) === Kind.NilPointer;
}

function comparable(v: unknown): boolean {
  switch (kindOf(v)) {
    case Kind.Slice:
    case Kind.Map:
    case Kind.Func:
      return false;
    case Kind.Struct:
      if ((v as GoStruct).pointer) return true;
      return Object.values((v as GoStruct).fields).every((f) => f === null || f === undefined || comparable(f));
  }
  return true;
}

const num = intValue;

/** Go's == on two interface values of comparable types. */
function interfaceEqual(a: unknown, b: unknown): boolean {
  if (typeName(a) !== typeName(b)) return false;
  switch (kindOf(a)) {
    case Kind.Nil:
      return true;
    case Kind.Float:
      return floatValue(a) === floatValue(b);
    case Kind.Int:
    case Kind.Uint:
      return num(a) == num(b);
    case Kind.Complex:
      return (a as GoComplex).re === (b as GoComplex).re && (a as GoComplex).im === (b as GoComplex).im;
    case Kind.Time:
      return unixNano(a as GoTime) === unixNano(b as GoTime);
    case Kind.NilPointer:
      return true;
    case Kind.Struct: {
      if ((a as GoStruct).pointer) return a === b;
      const fa = (a as GoStruct).fields;
      const fb = (b as GoStruct).fields;
      return Object.keys(fa).every((k) => interfaceEqual(fa[k] ?? null, fb[k] ?? null));
    }
  }
  return a === b;
}

function intUintEqual(i: number | bigint, u: number): boolean {
  return i >= 0 && i == u;
}

export function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  arg1 = ind(arg1);
  if (arg2.length === 0) throw new Error(errNoComparison);
  const k1 = basicKind(arg1);
  for (let i = 0; i < arg2.length; i++) {
    const arg = ind(arg2[i]);
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (k1 === INT && k2 === UINT) truth = intUintEqual(num(arg1), (arg as GoUint).value);
      else if (k1 === UINT && k2 === INT) truth = intUintEqual(num(arg), (arg1 as GoUint).value);
      else if (arg1 !== NO_VALUE && arg !== NO_VALUE) throw new Error(errBadComparison);
    } else {
      switch (k1) {
        case BOOL:
        case STRING:
          truth = arg1 === arg;
          break;
        case INT:
        case UINT:
          truth = num(arg1) == num(arg);
          break;
        case FLOAT:
          truth = floatValue(arg1) === floatValue(arg);
          break;
        case COMPLEX:
          truth = interfaceEqual(arg1, arg);
          break;
        default: {
          const c1 = reflectKind(arg1);
          const c2 = reflectKind(arg);
          if (c1 !== c2 && arg1 !== NO_VALUE && arg !== NO_VALUE) {
            throw new Error(sprintf('non-comparable types %s: %v, %s: %v', arg1, typeName(arg1), typeName(arg), arg));
          }
          if (isNil(arg1) || isNil(arg)) truth = isNil(arg) === isNil(arg1);
          else {
            if (!comparable(arg)) throw new Error(sprintf('non-comparable type %s: %v', arg, typeName(arg)));
            truth = interfaceEqual(arg1, arg);
          }
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

export function ne(arg1: unknown, arg2: unknown): boolean {
  return !eq(arg1, arg2);
}

export function lt(arg1: unknown, arg2: unknown): boolean {
  arg1 = ind(arg1);
  const k1 = basicKind(arg1);
  if (k1 === INVALID) throw new Error(errBadComparisonType);
  arg2 = ind(arg2);
  const k2 = basicKind(arg2);
  if (k2 === INVALID) throw new Error(errBadComparisonType);
  if (k1 !== k2) {
    if (k1 === INT && k2 === UINT) {
      const i = num(arg1);
      return i < 0 || i < (arg2 as GoUint).value;
    }
    if (k1 === UINT && k2 === INT) {
      const i = num(arg2);
      return i >= 0 && (arg1 as GoUint).value < i;
    }
    throw new Error(errBadComparison);
  }
  switch (k1) {
    case BOOL:
    case COMPLEX:
      throw new Error(errBadComparisonType);
    case FLOAT:
      return floatValue(arg1) < floatValue(arg2);
    case INT:
    case UINT:
      return num(arg1) < num(arg2);
  }
  return compareStrings(arg1 as string, arg2 as string) < 0;
}

export function le(arg1: unknown, arg2: unknown): boolean {
  return lt(arg1, arg2) || eq(arg1, arg2);
}

export function gt(arg1: unknown, arg2: unknown): boolean {
  return !le(arg1, arg2);
}

export function ge(arg1: unknown, arg2: unknown): boolean {
  return !lt(arg1, arg2);
}
