import { writeYamlDocument } from '../util/yaml-io.js';

/** A deterministic YAML stream: documents separated by `---`, comments dropped, no line folding. */
export function stackToYaml(documents: readonly { object: unknown }[]): string {
  return documents.map((d) => writeYamlDocument(d.object)).join('---\n');
}
