import type { z } from 'zod';
import { entrySchemaOfMap, keysOf, schemaAt } from './keys.js';

/** A key that belongs one level deeper: the entry above it was left empty because of its indentation. */
export interface MisplacedKey {
  /** Path of the mapping that holds both keys. */
  parent: (string | number)[];
  /** The key left empty (null). */
  empty: string;
  /** The sibling that should have been inside it. */
  key: string;
}

const isEmpty = (v: unknown) =>
  v === null ||
  v === undefined ||
  v === '~' ||
  v === 'null' ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

const isMapping = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Finds entries like
 *
 *     overlays:
 *       ai:
 *       pvcMounts: [...]
 *
 * where `ai` became null and `pvcMounts` a sibling of it: an empty entry followed by a key that is not allowed
 * where it is but is a key of the empty entry's own schema. Reading this literally gives a misleading error
 * (`overlays.pvcMounts: required`) or silently drops the child, so it is reported as what happened.
 */
export function findMisplacedKeys(root: z.core.$ZodType, data: unknown): MisplacedKey[] {
  const out: MisplacedKey[] = [];
  // `schema` is the schema of `value`, passed down so each node costs one step; parts without one are skipped.
  const walk = (value: unknown, schema: z.core.$ZodType, p: (string | number)[]) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        const child = schemaAt(schema, [i]);
        if (child) walk(v, child, [...p, i]);
      });
      return;
    }
    if (!isMapping(value)) return;
    const entrySchema = entrySchemaOfMap(schema, []);
    const allowed = entrySchema ? undefined : new Set(keysOf(schema));
    // A free-form map's entries share one schema; an object's field has its own.
    const childKeysOf = (k: string) => new Set(keysOf(entrySchema ?? schemaAt(schema, [k])));
    let lastEmpty: { key: string; children: Set<string> } | undefined;
    for (const key of Object.keys(value)) {
      if (isEmpty(value[key])) {
        const children = childKeysOf(key);
        if (children.size) {
          lastEmpty = { key, children };
          continue;
        }
      }
      if (lastEmpty?.children.has(key) && (entrySchema || !allowed?.has(key))) {
        out.push({ parent: p, empty: lastEmpty.key, key });
        lastEmpty = undefined;
      } else if (entrySchema) lastEmpty = undefined;
    }
    for (const [k, v] of Object.entries(value)) {
      if (v === null || typeof v !== 'object') continue;
      const child = schemaAt(schema, [k]);
      if (child) walk(v, child, [...p, k]);
    }
  };
  walk(data, root, []);
  return out;
}
