import { describe, expect, it } from '@jest/globals';
import { AliasExpansionError, ManifestYamlError, readYamlStream, readYamlStrings, snippetAround } from './yaml-io.js';

/** Ten levels of ten aliases each: 10^10 nodes once expanded, from a few hundred bytes. */
function aliasBomb(levels: number): string {
  let text = 'l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < levels; i++)
    text += `l${i}: &l${i} [${Array(10)
      .fill(`*l${i - 1}`)
      .join(', ')}]\n`;
  return text;
}

describe('YAML reading limits', () => {
  it('refuses a document whose aliases expand past the limit, naming the document', () => {
    expect(() => readYamlStream('a: 1\n---\n' + aliasBomb(10), 'm.yaml')).toThrow(AliasExpansionError);
    expect(() => readYamlStream('a: 1\n---\n' + aliasBomb(10), 'm.yaml')).toThrow(
      /document 2 expand to more than 100000/,
    );
    expect(() => readYamlStrings(aliasBomb(10), 's.yaml')).toThrow(AliasExpansionError);
  });

  it('keeps aliases that expand within the limit', () => {
    const [doc] = readYamlStream(aliasBomb(4), 'm.yaml') as Record<string, unknown[][]>[];
    expect(doc.l3).toHaveLength(10);
    expect(doc.l3[9]).toBe(doc.l2);
  });

  it('refuses an alias inside its own anchor', () => {
    expect(() => readYamlStream('a: &a [1, *a]\n', 'm.yaml')).toThrow(AliasExpansionError);
  });

  it('shows a short snippet around the column of a long line', () => {
    const line = 'k: "' + 'x'.repeat(40_000) + '" extra';
    let caught: unknown;
    try {
      readYamlStream(line + '\n', 'm.yaml');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ManifestYamlError);
    const err = caught as ManifestYamlError;
    expect(err.snippet.length).toBeLessThanOrEqual(122);
    expect(err.snippet).toContain('"');
    expect(snippetAround('short', 3)).toBe('short');
    expect(snippetAround('a'.repeat(200) + 'B' + 'c'.repeat(200), 201)).toMatch(/^…a+Bc+…$/);
  });
});
