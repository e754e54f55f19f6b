import type { z } from 'zod';

type AnySchema = z.core.$ZodType;

/** Steps through wrappers (optional, nullable, transforms) to the schema that decides the shape of a value. */
function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default' || def.type === 'readonly')
      s = def.innerType as AnySchema;
    else if (def.type === 'pipe') s = def.in as AnySchema;
    else return s;
  }
}

/** The schema of the value at `path` (numbers index lists, strings name keys), if the schema has one there. */
export function schemaAt(root: AnySchema, path: readonly (string | number)[]): AnySchema | undefined {
  let s: AnySchema | undefined = unwrap(root);
  for (const part of path) {
    if (!s) return undefined;
    const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === 'array' && typeof part === 'number') s = def.element as AnySchema;
    else if (def.type === 'record') s = def.valueType as AnySchema;
    else if (def.type === 'object' && typeof part === 'string')
      s = (def.shape as Record<string, AnySchema>)[part] as AnySchema | undefined;
    else return undefined;
    s = s && unwrap(s);
  }
  return s;
}

/** The keys a mapping may hold at `path`, when it is a fixed set (an object, not a free-form map). */
export function allowedKeysAt(root: AnySchema, path: readonly (string | number)[]): string[] | undefined {
  const s = schemaAt(root, path);
  const def = s?._zod.def as unknown as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

/** Is the value at `path` a free-form map (environments, overlays, images) whose entries share one schema? */
export function entrySchemaOfMap(root: AnySchema, path: readonly (string | number)[]): AnySchema | undefined {
  const s = schemaAt(root, path);
  const def = s?._zod.def as unknown as { type: string; valueType?: AnySchema } | undefined;
  return def?.type === 'record' && def.valueType ? unwrap(def.valueType) : undefined;
}

/** The keys of an object schema, or none. */
export function keysOf(schema: AnySchema | undefined): string[] {
  const def = schema && (unwrap(schema)._zod.def as unknown as { type: string; shape?: Record<string, unknown> });
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Edit distance with transpositions (optimal string alignment), ignoring case. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...new Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[s.length][t.length];
}

/**
 * The allowed keys `key` is probably a misspelling of: the closest ones within a distance that grows with the
 * length (1 edit up to 7 letters, 2 up to 11, then 3), so short keys like `host` and `port` are not confused.
 */
export function nearMisses(key: string, allowed: readonly string[]): string[] {
  const limit = Math.min(3, Math.max(1, Math.floor(key.length / 4)));
  let best = Infinity;
  let found: string[] = [];
  for (const candidate of allowed) {
    if (candidate === key) continue;
    const dist = editDistance(key, candidate);
    if (dist > limit || dist > best) continue;
    if (dist < best) {
      best = dist;
      found = [];
    }
    found.push(candidate);
  }
  return found;
}
