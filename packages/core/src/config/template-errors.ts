import { GoNilPointer, GoStruct } from '../template/index.js';
import { nearMisses } from './keys.js';

const isExported = (name: string) => /^\p{Lu}/u.test(name);

/** Where each struct type of the template data is first reached: `the template context`, `.Codex.Timeouts`. */
function structPlaces(data: unknown): Map<string, { place: string; fields: string[] }> {
  const places = new Map<string, { place: string; fields: string[] }>();
  const visit = (value: unknown, place: string, depth: number) => {
    if (depth > 4) return;
    if (value instanceof GoStruct) {
      if (places.has(value.typeName)) return;
      places.set(value.typeName, { place, fields: Object.keys(value.fields).filter(isExported) });
      const prefix = depth === 0 ? '' : place;
      for (const [name, field] of Object.entries(value.fields)) visit(field, `${prefix}.${name}`, depth + 1);
    } else if (value instanceof GoNilPointer && value.fieldNames && !places.has(value.typeName)) {
      places.set(value.typeName, { place, fields: [...value.fieldNames] });
    }
  };
  visit(data, 'the template context', 0);
  return places;
}

/**
 * Adds to Go's wording what a user needs to fix a template: for an unknown field, the fields that exist where it
 * was looked up (not an internal type name); for a missing map key under `strict: true`, how to read an optional
 * key. Go's own text stays in front, so the message still reads like the predecessor's.
 */
export function explainTemplateError(message: string, data: unknown): string {
  const field = /^(.*)can't evaluate field (\S+) in type \*?([\w.]+)$/s.exec(message);
  if (field) {
    const [, head, name, type] = field;
    const known = structPlaces(data).get(type);
    if (!known) return message;
    const near = nearMisses(name, known.fields);
    return (
      `${head}can't evaluate field ${name}: no field ${name} in ${known.place}` +
      `${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}; fields: ${known.fields.join(', ')}`
    );
  }
  const missing = /at <(\.[^>]*)\.([^.>]+)>: map has no entry for key "([^"]*)"$/.exec(message);
  if (missing) {
    const [, map, , key] = missing;
    return (
      `${message} (strict: true makes a missing key an error: define it, or read a key that may be absent with ` +
      `{{ index ${map} "${key}" }})`
    );
  }
  return message;
}
