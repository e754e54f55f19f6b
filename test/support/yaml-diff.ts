import { parseAllDocuments } from 'yaml';

export type PathPart = string | number;
export interface LeafDiff {
  path: PathPart[];
  expected: unknown;
  actual: unknown;
}

export function parseStream(text: string): any[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(d.errors[0].message);
      return d.toJS();
    })
    .filter((d) => d !== null && d !== undefined);
}

/** Every place where two parsed YAML values differ: missing keys, extra keys, different scalars, different types. */
export function deepDiff(expected: unknown, actual: unknown, path: PathPart[] = []): LeafDiff[] {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const out: LeafDiff[] = [];
    for (let i = 0; i < Math.max(expected.length, actual.length); i++)
      out.push(...deepDiff(expected[i], actual[i], [...path, i]));
    return out;
  }
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isObj(expected) && isObj(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    return [...keys].flatMap((k) => deepDiff(expected[k], actual[k], [...path, k]));
  }
  return Object.is(expected, actual) ? [] : [{ path, expected, actual }];
}

export function formatPathParts(path: PathPart[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}
