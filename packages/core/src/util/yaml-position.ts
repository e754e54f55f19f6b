import { LineCounter, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';
import { RAW_ALIAS_BUDGET } from './limits.js';
import { UserError } from './errors.js';

/** Field path as used in messages: `services[2].overlays.ai`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

/** Finds the node at `path` in a parsed YAML document, so a message can point at its line and column. */
export function nodeAt(doc: Document, path: readonly (string | number)[]): Node | undefined {
  let node: unknown = doc.contents;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) return node as Node;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof part === 'number') {
      const next = node.items[part];
      if (!next) return node as Node;
      node = next;
    } else {
      return node as Node | undefined;
    }
  }
  return node as Node | undefined;
}

/** Position of a key itself (for unknown keys): line and column of the key scalar. */
export function keyAt(doc: Document, path: readonly (string | number)[], key: string): Node | undefined {
  const parent = nodeAt(doc, path);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (pair && isScalar(pair.key)) return pair.key;
  }
  return parent;
}

export function positionOf(node: Node | undefined, lines: LineCounter): { line?: number; col?: number } {
  const offset = node?.range?.[0];
  if (offset === undefined) return {};
  const { line, col } = lines.linePos(offset);
  return { line, col };
}

/**
 * The document as plain values. The YAML library refuses documents whose aliases expand to too many nodes (an
 * "alias bomb"); that is bad input, reported as such.
 */
export function documentToJS(doc: Document, displayFile: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: RAW_ALIAS_BUDGET });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new UserError(
        `${displayFile}: YAML aliases expand too much (more than ${RAW_ALIAS_BUDGET} alias uses, weighed by their nesting; the limit guards against alias bombs): write the repeated values out, or use fewer aliases of aliases`,
        displayFile,
      );
    }
    throw err;
  }
}
