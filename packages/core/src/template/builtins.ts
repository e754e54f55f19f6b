/** text/template's predefined functions. */
import { eq, ge, gt, le, lt, ne } from './compare.js';
import { evalArgs, htmlEscape, jsEscape, urlQueryEscape } from './escape.js';
import { sprint, sprintf, sprintfList, sprintList, sprintln, sprintlnList } from './fmt.js';
import { canBeNil, defineBuiltin, goTypeString, isTemplateFunc, type FuncMap, type GoType } from './funcs.js';
import { byteSlice, utf8Bytes, utf8Length } from './unicode.js';
import {
  GoUint,
  Kind,
  NO_VALUE,
  isStringMap,
  intValue,
  isTrue,
  kindOf,
  mapGet,
  mapSize,
  sliceCap,
  subSlice,
  typeName,
  type GoMap,
} from './values.js';

/** indirectInterface: a nil interface{} is the invalid value. */
function ind(v: unknown): unknown {
  return v === null || v === undefined ? NO_VALUE : v;
}

/** indexArg: an int index within [0, cap]. iface marks an interface-typed argument, which Go refuses. */
function indexArg(index: unknown, cap: number, iface = false): number {
  if (iface) throw new Error('cannot index slice/array with type interface {}');
  if (index === NO_VALUE) throw new Error('cannot index slice/array with nil');
  const k = kindOf(index);
  if (k !== Kind.Int && k !== Kind.Uint) {
    throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  }
  const x = Number(intValue(index));
  if (x < 0 || x > cap) throw new Error(`index out of range: ${String(intValue(index))}`);
  return x;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  item = ind(item);
  if (item === NO_VALUE) throw new Error('index of untyped nil');
  for (let k = 0; k < indexes.length; k++) {
    const i = ind(indexes[k]);
    if (item === null || item === undefined || kindOf(item) === Kind.NilPointer)
      throw new Error('index of nil pointer');
    switch (kindOf(item)) {
      case Kind.Slice: {
        const a = item as readonly unknown[];
        const x = indexArg(i, a.length);
        if (x === a.length) throw new Error('reflect: slice index out of range');
        item = a[x] === undefined ? null : a[x];
        break;
      }
      case Kind.String: {
        const b = utf8Bytes(item as string);
        const x = indexArg(i, b.length);
        if (x === b.length) throw new Error('reflect: string index out of range');
        item = new GoUint(b[x]);
        break;
      }
      case Kind.Map: {
        if (i === NO_VALUE) throw new Error('value is nil; should be of type string');
        if (typeof i !== 'string') throw new Error(`value has type ${typeName(i)}; should be string`);
        const v = mapGet(item as GoMap, i);
        // A missing key yields the zero value of the element type.
        if (v === NO_VALUE || v === undefined) item = isStringMap(item as GoMap) ? '' : null;
        else item = v;
        break;
      }
      default:
        throw new Error(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(args: unknown[], ifaces: boolean[]): unknown {
  const item = ind(args[0]);
  if (item === NO_VALUE) throw new Error('slice of untyped nil');
  const indexes = args.slice(1);
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let cap: number;
  let len: number;
  const k = kindOf(item);
  if (k === Kind.String) {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    cap = len = utf8Length(item as string);
  } else if (k === Kind.Slice) {
    cap = sliceCap(item as unknown[]);
    len = (item as unknown[]).length;
  } else throw new Error(`can't slice item of type ${typeName(item)}`);
  const idx = [0, len, 0];
  for (let i = 0; i < indexes.length; i++) idx[i] = indexArg(indexes[i], cap, ifaces[i + 1]);
  if (idx[0] > idx[1]) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (k === Kind.String) return byteSlice(item as string, idx[0], idx[1]);
  if (indexes.length < 3) return subSlice(item as unknown[], idx[0], idx[1], cap);
  if (idx[1] > idx[2]) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  return subSlice(item as unknown[], idx[0], idx[1], idx[2]);
}

function length(item: unknown): number {
  if (item === NO_VALUE) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  if (item === null || item === undefined || kindOf(item) === Kind.NilPointer) throw new Error('len of nil pointer');
  switch (kindOf(item)) {
    case Kind.String:
      return utf8Length(item as string);
    case Kind.Slice:
      return (item as unknown[]).length;
    case Kind.Map:
      return mapSize(item as GoMap);
  }
  throw new Error(`len of type ${typeName(item)}`);
}

/** prepareArg for `call`: Go assignability of a value to a parameter type. */
function prepareArg(value: unknown, t: GoType): unknown {
  if (value === NO_VALUE) {
    if (!canBeNil(t)) throw new Error(`value is nil; should be of type ${goTypeString(t)}`);
    return t === 'reflect.Value' ? NO_VALUE : null;
  }
  if (t === 'any' || t === 'reflect.Value' || typeName(value) === t) return value;
  throw new Error(`value has type ${typeName(value)}; should be ${goTypeString(t)}`);
}

function call(fn: unknown, ...args: unknown[]): unknown {
  fn = ind(fn);
  if (fn === NO_VALUE) throw new Error('call of nil');
  if (typeof fn === 'function') return fn(...args.map((a) => (a === NO_VALUE ? null : a)));
  if (!isTemplateFunc(fn)) throw new Error(`non-function of type ${typeName(fn)}`);
  const numIn = fn.params.length;
  if (fn.variadic !== undefined) {
    if (args.length < numIn) throw new Error(`wrong number of args: got ${args.length} want at least ${numIn}`);
  } else if (args.length !== numIn) {
    throw new Error(`wrong number of args: got ${args.length} want ${numIn}`);
  }
  const argv = args.map((a, i) => {
    const t = i < numIn ? fn.params[i] : (fn.variadic as GoType);
    try {
      return prepareArg(ind(a), t);
    } catch (e) {
      throw new Error(`arg ${i}: ${(e as Error).message}`);
    }
  });
  return (fn.fn as unknown as (...a: unknown[]) => unknown)(...argv);
}

const V = 'reflect.Value';

function unreachable(): never {
  throw new Error('unreachable');
}

/** Names of text/template's own functions. */
export const builtinFuncNames = [
  'and',
  'call',
  'html',
  'index',
  'slice',
  'js',
  'len',
  'not',
  'or',
  'print',
  'printf',
  'println',
  'urlquery',
  'eq',
  'ge',
  'gt',
  'le',
  'lt',
  'ne',
] as const;

export const builtinFuncs: FuncMap = {
  and: defineBuiltin({ name: 'and', params: [V], variadic: V, fn: unreachable }, 'and'),
  or: defineBuiltin({ name: 'or', params: [V], variadic: V, fn: unreachable }, 'or'),
  call: defineBuiltin({ name: 'call', params: [V], variadic: V, fn: call, returnsError: true }),
  html: defineBuiltin(
    { name: 'html', params: [], variadic: 'any', fn: (...a: unknown[]) => htmlEscape(evalArgs(a)) },
    undefined,
    (a) => htmlEscape(evalArgs(a)),
  ),
  index: defineBuiltin({ name: 'index', params: [V], variadic: V, fn: index, returnsError: true }),
  slice: defineBuiltin({ name: 'slice', params: [V], variadic: V, fn: slice, returnsError: true }, 'rawArgs'),
  js: defineBuiltin(
    { name: 'js', params: [], variadic: 'any', fn: (...a: unknown[]) => jsEscape(evalArgs(a)) },
    undefined,
    (a) => jsEscape(evalArgs(a)),
  ),
  len: defineBuiltin({ name: 'len', params: [V], fn: length, returnsError: true }),
  not: defineBuiltin({ name: 'not', params: [V], fn: (v: unknown) => !isTrue(v) }),
  print: defineBuiltin({ name: 'print', params: [], variadic: 'any', fn: sprint }, undefined, sprintList),
  printf: defineBuiltin({ name: 'printf', params: ['string'], variadic: 'any', fn: sprintf }, undefined, sprintfList),
  println: defineBuiltin({ name: 'println', params: [], variadic: 'any', fn: sprintln }, undefined, sprintlnList),
  urlquery: defineBuiltin(
    {
      name: 'urlquery',
      params: [],
      variadic: 'any',
      fn: (...a: unknown[]) => urlQueryEscape(evalArgs(a)),
    },
    undefined,
    (a) => urlQueryEscape(evalArgs(a)),
  ),
  eq: defineBuiltin({ name: 'eq', params: [V], variadic: V, fn: eq, returnsError: true }),
  ge: defineBuiltin({ name: 'ge', params: [V, V], fn: ge, returnsError: true }),
  gt: defineBuiltin({ name: 'gt', params: [V, V], fn: gt, returnsError: true }),
  le: defineBuiltin({ name: 'le', params: [V, V], fn: le, returnsError: true }),
  lt: defineBuiltin({ name: 'lt', params: [V, V], fn: lt, returnsError: true }),
  ne: defineBuiltin({ name: 'ne', params: [V, V], fn: ne, returnsError: true }),
};
