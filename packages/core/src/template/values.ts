/**
 * The Go value model the engine works on. Plain JS values stand for the Go types a decoded
 * interface{} holds; the classes below cover what JS cannot express (integral floats, named
 * structs, nil pointers, times) or what only template builtins produce (bytes, complex numbers).
 */
import { FUNC_BRAND, funcTypeString, type TemplateFunc } from './funcs.js';
import { compareStrings, wellFormed } from './unicode.js';

/** Go's invalid reflect.Value: a missing map key, nil data, or a zero-argument `template` call. */
export const NO_VALUE: unique symbol = Symbol('no value');
export type NoValue = typeof NO_VALUE;

/** A float64 whose value happens to be integral (a plain JS integer would be a Go int). */
export class GoFloat {
  constructor(readonly value: number) {}
}

/**
 * A named Go struct value; field order is the declaration order used when printing.
 * With `pointer` it stands for a non-nil *T, which Go types and prints differently (&{...}).
 */
export class GoStruct {
  constructor(
    readonly typeName: string,
    readonly fields: Record<string, unknown>,
    readonly pointer = false,
  ) {}
}

/** A time.Time, shown in UTC like Go's Time.String(). */
export class GoTime {
  constructor(
    readonly date: Date,
    /** Nanoseconds beyond the date's milliseconds (0..999999). */
    readonly nsec = 0,
  ) {}
}

/** A value of a named integer type with a String method: time.Month, time.Weekday, time.Duration. */
export class GoNamedInt {
  constructor(
    readonly type: 'time.Month' | 'time.Weekday' | 'time.Duration',
    readonly value: number | bigint,
  ) {}
}

/** A typed nil pointer to a struct: false in `if`, an error when a field is read through it. */
export class GoNilPointer {
  constructor(
    readonly typeName: string,
    /** The struct's field names when known: Go reports unknown ones differently. */
    readonly fieldNames?: readonly string[],
  ) {}
}

/** An unsigned integer: a byte from `index` on a string, or a time's internal wall clock. */
export class GoUint {
  constructor(
    readonly value: number,
    readonly type: 'uint8' | 'uint64' = 'uint8',
  ) {}
}

/** An int64, as time methods (Unix, UnixNano, ...) return and a time.Time's fields hold. */
export class GoInt64 {
  constructor(readonly value: number | bigint) {}
}

/** A complex128, as written with an imaginary literal such as 2i. */
export class GoComplex {
  constructor(
    readonly re: number,
    readonly im: number,
  ) {}
}

export function nilPointer(typeName: string, fieldNames?: readonly string[]): GoNilPointer {
  return new GoNilPointer(typeName, fieldNames);
}

const STRING_SLICE = Symbol.for('codex-k8s.template.stringSlice');
/** Backing store of a slice produced by `slice`, so a re-slice may extend up to its capacity like Go. */
const SLICE_WINDOW = Symbol.for('codex-k8s.template.sliceWindow');

interface SliceWindow {
  base: readonly unknown[];
  start: number;
  cap: number;
}

type Marked = unknown[] & { [STRING_SLICE]?: boolean; [SLICE_WINDOW]?: SliceWindow };

/** Marks an array as a Go []string (in place) and returns it. */
export function stringSlice(arr: string[]): string[] {
  Object.defineProperty(arr, STRING_SLICE, { value: true, enumerable: false });
  return arr;
}

export function isStringSlice(arr: readonly unknown[]): boolean {
  return (arr as Marked)[STRING_SLICE] === true;
}

const STRING_MAP = Symbol.for('codex-k8s.template.stringMap');

/**
 * Marks a plain object or Map (in place) as a Go map[string]string and returns it. Unlike
 * map[string]interface{}, `index` of a missing key then yields "" rather than no value.
 */
export function stringMap<M extends Record<string, string> | Map<string, string>>(m: M): M {
  Object.defineProperty(m, STRING_MAP, { value: true, enumerable: false });
  return m;
}

export function isStringMap(m: GoMap): boolean {
  return (m as { [STRING_MAP]?: boolean })[STRING_MAP] === true;
}

export function sliceCap(arr: readonly unknown[]): number {
  return (arr as Marked)[SLICE_WINDOW]?.cap ?? arr.length;
}

/** Go's s[i:j:k] on a slice: the result keeps the element type and a view of the capacity. */
export function subSlice(arr: readonly unknown[], i: number, j: number, k: number): unknown[] {
  const w = (arr as Marked)[SLICE_WINDOW];
  const base = w ? w.base : arr;
  const start = (w ? w.start : 0) + i;
  const out = base.slice(start, start + (j - i)) as Marked;
  Object.defineProperty(out, SLICE_WINDOW, { value: { base, start, cap: k - i }, enumerable: false });
  if (isStringSlice(arr)) Object.defineProperty(out, STRING_SLICE, { value: true, enumerable: false });
  return out;
}

export type GoMap = Record<string, unknown> | Map<string, unknown>;

/** Kinds, in the sense of reflect.Kind, of the values the engine handles. */
export const Kind = {
  Invalid: 0,
  /** A nil interface{} held in a map, slice or struct field. */
  Nil: 1,
  Bool: 2,
  Int: 3,
  Uint: 4,
  Float: 5,
  Complex: 6,
  String: 7,
  Slice: 8,
  Map: 9,
  Struct: 10,
  Time: 11,
  NilPointer: 12,
  Func: 13,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export function isGoMap(v: object): v is GoMap {
  if (v instanceof Map) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'string':
      return Kind.String;
    case 'number':
      // Integral values beyond int64 can only be float64 in Go.
      return Number.isInteger(v) && Math.abs(v) < 9223372036854775808 ? Kind.Int : Kind.Float;
    case 'boolean':
      return Kind.Bool;
    case 'bigint':
      return Kind.Int;
    case 'undefined':
      return Kind.Nil;
    case 'function':
      return Kind.Func;
    case 'symbol':
      return Kind.Invalid;
  }
  if (v === null) return Kind.Nil;
  if (Array.isArray(v)) return Kind.Slice;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    // Plain objects: maps (the common case) and declared functions.
    return (v as { [FUNC_BRAND]?: boolean })[FUNC_BRAND] === true ? Kind.Func : Kind.Map;
  }
  if (v instanceof GoFloat) return Kind.Float;
  if (v instanceof GoStruct) return Kind.Struct;
  if (v instanceof GoNilPointer) return Kind.NilPointer;
  if (v instanceof GoTime) return Kind.Time;
  if (v instanceof GoUint) return Kind.Uint;
  if (v instanceof GoInt64 || v instanceof GoNamedInt) return Kind.Int;
  if (v instanceof GoComplex) return Kind.Complex;
  if (v instanceof Date) return Kind.Time;
  if ((v as { [FUNC_BRAND]?: boolean })[FUNC_BRAND] === true) return Kind.Func;
  return Kind.Map;
}

/** The Go type of a value, as reflect.Type.String() prints it. */
export function typeName(v: unknown): string {
  switch (kindOf(v)) {
    case Kind.Invalid:
      return '<invalid>';
    case Kind.Nil:
      return 'interface {}';
    case Kind.Bool:
      return 'bool';
    case Kind.Int:
      return v instanceof GoInt64 ? 'int64' : v instanceof GoNamedInt ? v.type : 'int';
    case Kind.Uint:
      return (v as GoUint).type;
    case Kind.Float:
      return 'float64';
    case Kind.Complex:
      return 'complex128';
    case Kind.String:
      return 'string';
    case Kind.Slice:
      return isStringSlice(v as unknown[]) ? '[]string' : '[]interface {}';
    case Kind.Map:
      return isStringMap(v as GoMap) ? 'map[string]string' : 'map[string]interface {}';
    case Kind.Struct:
      return ((v as GoStruct).pointer ? '*' : '') + (v as GoStruct).typeName;
    case Kind.Time:
      return 'time.Time';
    case Kind.NilPointer:
      return '*' + (v as GoNilPointer).typeName;
    case Kind.Func:
      return typeof v === 'function' ? 'func(...interface {}) interface {}' : funcTypeString(v as TemplateFunc);
  }
  return '<unknown>';
}

/** The number of a value of an integer kind (Kind.Int or Kind.Uint). */
export function intValue(v: unknown): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  return (v as GoUint | GoInt64 | GoNamedInt).value;
}

export function floatValue(v: unknown): number {
  return v instanceof GoFloat ? v.value : (v as number);
}

export function mapSize(m: GoMap): number {
  return m instanceof Map ? m.size : Object.keys(m).length;
}

/** Looks a key up; NO_VALUE when absent (reflect's MapIndex on a missing key). */
export function mapGet(m: GoMap, key: string): unknown {
  if (m instanceof Map) return m.has(key) ? m.get(key) : NO_VALUE;
  return Object.hasOwn(m, key) ? m[key] : NO_VALUE;
}

/** Keys in Go's sorted map order (bytewise). */
export function sortedKeys(m: GoMap): string[] {
  const keys = m instanceof Map ? [...m.keys()].filter((k) => typeof k === 'string') : Object.keys(m);
  if (keys.length > 16) return keys.sort(compareStrings);
  // Maps in templates are small: an insertion sort in place allocates nothing, unlike sort().
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && compareStrings(keys[j], k) > 0) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/** Go truthiness: the zero value of its type is false, structs are always true. */
export function isTrue(v: unknown): boolean {
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'undefined':
    case 'symbol':
      return false;
    case 'function':
      return true;
  }
  if (v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    if ((v as { [FUNC_BRAND]?: boolean })[FUNC_BRAND] === true) return true;
    for (const k in v as object) if (Object.hasOwn(v as object, k)) return true;
    return false;
  }
  if (v instanceof GoFloat) return v.value !== 0;
  if (v instanceof GoStruct || v instanceof GoTime || v instanceof Date) return true;
  if (v instanceof GoNilPointer) return false;
  if (v instanceof GoUint) return v.value !== 0;
  if (v instanceof GoInt64 || v instanceof GoNamedInt) return v.value != 0;
  if (v instanceof GoComplex) return v.re !== 0 || v.im !== 0;
  if ((v as { [FUNC_BRAND]?: boolean })[FUNC_BRAND] === true) return true;
  return mapSize(v as GoMap) > 0;
}

/**
 * Decodes JSON data the way the Go oracle does: objects become map[string]interface{},
 * integral numbers int (float64 when beyond int64), other numbers float64, non-empty
 * all-string arrays []string and other arrays []interface{}.
 */
export function fromJSON(value: unknown): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (typeof value !== 'object' || value === null) {
    // Integral values beyond int64 can only be float64 in Go.
    if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= 2 ** 63) return new GoFloat(value);
    return value;
  }
  if (Array.isArray(value)) {
    const n = value.length;
    let allStrings = n > 0;
    for (let i = 0; i < n && allStrings; i++) allStrings = typeof value[i] === 'string';
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(allStrings ? wellFormed(value[i] as string) : fromJSON(value[i]));
    return allStrings ? stringSlice(out as string[]) : out;
  }
  // Go's JSON decoder turns unpaired surrogate escapes into U+FFFD, in keys too.
  const out: Record<string, unknown> = {};
  const obj = value as Record<string, unknown>;
  for (const k in obj) {
    if (Object.hasOwn(obj, k)) out[wellFormed(k)] = fromJSON(obj[k]);
  }
  return out;
}
