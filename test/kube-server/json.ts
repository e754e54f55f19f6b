/** JSON helpers: deep clone, plain-object test, key-order-independent equality and stable serialization. */
import type { JsonObject } from './types.js';

export const clone = <T>(v: T): T => structuredClone(v);

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON.stringify with object keys sorted (arrays keep their order). */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : stableStringify(x))).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Deep equality of JSON values, ignoring object key order. */
export const same = (a: unknown, b: unknown): boolean => a === b || stableStringify(a) === stableStringify(b);
