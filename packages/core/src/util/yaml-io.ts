import jsyaml from 'js-yaml';
import { UserError } from './errors.js';
import { MAX_ALIAS_NODES } from './limits.js';

/*
 * Manifests are the hot path (every document of every file on every render), so they go through js-yaml, which
 * parses and prints several times faster than the position-keeping parser used for services.yaml. Reading uses
 * the YAML 1.2 core schema plus merge keys (no timestamps or binary: `2024-01-01` stays a string, as kubectl would
 * send it). Printing quotes every string a YAML 1.1 reader such as kubectl could take for something else
 * (`yes`, `on`, `08`, `2024-01-01`).
 */
// `types` is exported at run time but missing from the type declarations.
const { merge } = (jsyaml as unknown as { types: { merge: jsyaml.Type } }).types;
const READ_SCHEMA = jsyaml.CORE_SCHEMA.extend([merge]);

export class ManifestYamlError extends UserError {
  constructor(
    message: string,
    override readonly line: number,
    override readonly col: number,
    readonly snippet: string,
  ) {
    super(message);
  }
}

/** Reads one document with every scalar kept as the string it was written as (services.yaml). */
export function readYamlStrings(text: string, file: string): unknown {
  let value: unknown;
  try {
    value = jsyaml.load(text, { schema: jsyaml.FAILSAFE_SCHEMA, filename: file });
  } catch (err) {
    throw toManifestError(err, text);
  }
  checkAliasExpansion(value, 1);
  return value;
}

function toManifestError(err: unknown, text: string): unknown {
  if (err instanceof RangeError) {
    return new ManifestYamlError('the YAML is nested too deeply to read (flatten its lists and mappings)', 1, 1, '');
  }
  if (!(err instanceof jsyaml.YAMLException)) return err;
  const line = (err.mark?.line ?? 0) + 1;
  const col = (err.mark?.column ?? 0) + 1;
  return new ManifestYamlError(err.reason, line, col, snippetAround(lineOf(text, line), col));
}

/** Splits a YAML stream into its documents' values (null for empty documents). */
export function readYamlStream(text: string, file: string): unknown[] {
  let values: unknown[];
  try {
    values = jsyaml.loadAll(text, undefined, { schema: READ_SCHEMA, filename: file });
  } catch (err) {
    throw toManifestError(err, text);
  }
  values.forEach((value, i) => checkAliasExpansion(value, i + 1));
  return values;
}

/** One document as YAML: keys in their own order, no line folding, no anchors. */
export function writeYamlDocument(value: unknown): string {
  return jsyaml.dump(value, { lineWidth: -1, noRefs: true, quotingType: '"', schema: jsyaml.DEFAULT_SCHEMA });
}

/** Raised when aliases would make a document grow past MAX_ALIAS_NODES. */
export class AliasExpansionError extends UserError {
  constructor(readonly documentIndex: number) {
    super(
      `YAML aliases in document ${documentIndex} expand to more than ${MAX_ALIAS_NODES} extra nodes ` +
        `(the limit guards against alias bombs); write the repeated values out or use fewer nested aliases`,
    );
  }
}

/*
 * js-yaml returns an alias as the very object its anchor produced, so a document is a graph that shares nodes;
 * anything that walks it as a tree (printing without references, cloning, overlays) pays for every path. The
 * size of that tree is counted over the graph, each shared node once, without recursion (documents may nest
 * deeply), and compared with the number of distinct nodes.
 */
function checkAliasExpansion(root: unknown, documentIndex: number): void {
  if (root === null || typeof root !== 'object') return;
  /** Tree size of each node, VISITING while its children are being sized. */
  const treeSize = new Map<object, number>();
  const stack: object[] = [root];
  /** Nodes of the document as written: each object once, with its scalars. */
  let distinct = 0;
  while (stack.length) {
    const node = stack[stack.length - 1];
    const state = treeSize.get(node);
    if (state === undefined) {
      treeSize.set(node, VISITING);
      for (const child of Object.values(node)) {
        if (child !== null && typeof child === 'object' && !treeSize.has(child)) stack.push(child);
      }
      continue;
    }
    stack.pop();
    if (state !== VISITING) continue;
    let size = 1;
    let scalars = 0;
    for (const child of Object.values(node)) {
      if (child === null || typeof child !== 'object') scalars++;
      else {
        const known = treeSize.get(child) as number;
        // An alias inside its own anchor: printing it would never end.
        if (known === VISITING) throw new AliasExpansionError(documentIndex);
        size += known;
      }
    }
    treeSize.set(node, size + scalars);
    distinct += 1 + scalars;
  }
  if ((treeSize.get(root) as number) - distinct > MAX_ALIAS_NODES) throw new AliasExpansionError(documentIndex);
}

const VISITING = -1;

function lineOf(text: string, line: number): string {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end);
}

const SNIPPET_WIDTH = 120;

/** The part of a source line an error message shows: the whole line when short, else a window around the column. */
export function snippetAround(line: string, col: number): string {
  if (line.length <= SNIPPET_WIDTH) return line;
  const half = SNIPPET_WIDTH >> 1;
  const start = Math.max(0, Math.min(col - 1 - half, line.length - SNIPPET_WIDTH));
  const end = start + SNIPPET_WIDTH;
  return (start > 0 ? '…' : '') + line.slice(start, end) + (end < line.length ? '…' : '');
}
