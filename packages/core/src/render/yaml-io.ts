import jsyaml from 'js-yaml';
import { UserError } from '../util/errors.js';

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
  try {
    return jsyaml.load(text, { schema: jsyaml.FAILSAFE_SCHEMA, filename: file });
  } catch (err) {
    throw toManifestError(err, text);
  }
}

function toManifestError(err: unknown, text: string): unknown {
  if (!(err instanceof jsyaml.YAMLException)) return err;
  const line = (err.mark?.line ?? 0) + 1;
  const col = (err.mark?.column ?? 0) + 1;
  return new ManifestYamlError(err.reason, line, col, text.split('\n')[line - 1] ?? '');
}

/** Splits a YAML stream into its documents' values (null for empty documents). */
export function readYamlStream(text: string, file: string): unknown[] {
  try {
    return jsyaml.loadAll(text, undefined, { schema: READ_SCHEMA, filename: file });
  } catch (err) {
    throw toManifestError(err, text);
  }
}

/** One document as YAML: keys in their own order, no line folding, no anchors. */
export function writeYamlDocument(value: unknown): string {
  return jsyaml.dump(value, { lineWidth: -1, noRefs: true, quotingType: '"', schema: jsyaml.DEFAULT_SCHEMA });
}
