import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readYamlDocumentSource, readYamlSource, type YamlSource } from './yaml-source.js';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const WHAT = 'not valid YAML';

/** Every path to a value in a plain value tree, and each mapping's keys. */
function pathsOf(
  value: unknown,
  at: (string | number)[] = [],
  out: { path: (string | number)[]; keys: string[] }[] = [],
) {
  const keys = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
  out.push({ path: at, keys });
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else for (const k of keys) pathsOf((value as Record<string, unknown>)[k], [...at, k], out);
  return out;
}

/** The fast reader must say what the YAML library's document says, for every node, key and missing path. */
function expectSameAsDocument(text: string): number {
  const fast = readYamlSource(text, 'f.yaml', WHAT);
  const slow = readYamlDocumentSource(text, 'f.yaml', WHAT);
  expect(fast.value).toEqual(slow.value);
  let checked = 0;
  for (const { path: p, keys } of pathsOf(slow.value)) {
    expect([p, fast.positionOf(p)]).toEqual([p, slow.positionOf(p)]);
    expect([p, fast.positionOf([...p, 'no-such-key', 3])]).toEqual([p, slow.positionOf([...p, 'no-such-key', 3])]);
    for (const key of keys) expect([p, key, fast.keyPositionOf(p, key)]).toEqual([p, key, slow.keyPositionOf(p, key)]);
    expect(fast.keyPositionOf(p, 'no-such-key')).toEqual(slow.keyPositionOf(p, 'no-such-key'));
    checked++;
  }
  return checked;
}

/** A small deterministic generator of block-style YAML with the styles services.yaml files use. */
function randomYaml(seed: number): string {
  let s = seed;
  const rnd = (n: number) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
  const scalar = () =>
    [
      'plain',
      '"{{ .Env }}"',
      "'single quoted'",
      '"double \\" quoted"',
      'two words',
      '',
      '~',
      '|\n  block\n  text',
      '>-\n  folded',
      '[a, b]',
      '{a: 1, b: c}',
      '&anchor value',
      '!!str 5',
    ][rnd(13)]!;
  const lines: string[] = [];
  const emit = (indent: number, depth: number, mapping = false) => {
    const n = 1 + rnd(4);
    const seq = !mapping && depth > 0 && rnd(3) === 0;
    for (let i = 0; i < n; i++) {
      const pad = ' '.repeat(indent);
      if (rnd(5) === 0) lines.push(`${pad}# a comment`);
      if (rnd(6) === 0) lines.push('');
      const head = seq ? `${pad}- ` : `${pad}k${i}${rnd(4) === 0 ? '  ' : ''}:`;
      if (depth < 4 && rnd(3) === 0) {
        if (seq) {
          lines.push(`${head}name: item${i}`);
          emit(indent + 2, depth + 1, true);
        } else {
          lines.push(rnd(4) === 0 ? `${head} # trailing` : head);
          emit(indent + 2, depth + 1);
        }
      } else {
        const value = scalar().replace(/\n/g, `\n${pad}`);
        lines.push(seq ? `${head}${value}` : value ? `${head} ${value}` : head);
      }
    }
  };
  emit(0, 0);
  return lines.join('\n') + '\n';
}

describe('readYamlSource', () => {
  it('finds every node and key of the example services.yaml files where the YAML library does', () => {
    const files = ['test/fixtures/project-example/input/services.yaml', 'examples/shop/services.yaml'];
    let checked = 0;
    for (const file of files) checked += expectSameAsDocument(readFileSync(path.join(ROOT, file), 'utf8'));
    expect(checked).toBeGreaterThan(600);
  });

  it('agrees with the YAML library on generated documents of every scalar style', () => {
    let checked = 0;
    for (let seed = 1; seed <= 150; seed++) checked += expectSameAsDocument(randomYaml(seed));
    expect(checked).toBeGreaterThan(700);
  });

  it('reads an empty value as an empty string, as a string field of the predecessor does', () => {
    const source = readYamlSource('a:\nb:\n  c:\n  d: [x, ]\n', 'f.yaml', WHAT);
    expect(source.value).toEqual({ a: '', b: { c: '', d: ['x'] } });
    expect(source.positionOf(['a'])).toEqual({ line: 1, col: 3 });
  });

  it('points past anchors, tags and comments to the value itself', () => {
    const text = 'a: &x # note\n  b: 1\nc: !!str   v\n';
    const source = readYamlSource(text, 'f.yaml', WHAT);
    expect(source.positionOf(['a'])).toEqual({ line: 2, col: 3 });
    expect(source.positionOf(['c'])).toEqual({ line: 3, col: 12 });
    expect(source.keyPositionOf(['a'], 'b')).toEqual({ line: 2, col: 3 });
    expect(source.keyPositionOf([], 'c')).toEqual({ line: 3, col: 1 });
  });

  it('falls back to the YAML library where js-yaml events do not pair with keys', () => {
    // A bare key in a flow mapping and an explicit "?" key: positions still right.
    expectSameAsDocument('flow: {a: 1, b, c: 2}\nafter: x\n');
    expectSameAsDocument('? explicit\n: value\nnext:\n  - 1\n');
    expectSameAsDocument('? lonely\nnext: 1\n');
  });

  it('agrees with the YAML library on how files are written: byte order marks, line ends, markers, odd keys', () => {
    const cases = [
      '\uFEFFa: 1\nb:\n  c: 2\n',
      '\uFEFFa: 1\r\nb: [x,\r\n  y]\r\n',
      '\uFEFF---\na: 1\n',
      'a: 1\r\nb:\r\n  c: x\r\n  d: |\r\n    l1\r\n    l2\r\ne: [1,\r\n 2]\r\n',
      '"a:b": 1\n\'c d\': 2\n"e\\x41": 3\nx:y: 4\nhttp://x: 5\nk#h: 6\n',
      'a:\t1\nb:\t\t"x"\t# c\n',
      '# top\na: # after key\n  # between\n  b: 1 # t\n# mid\nc:\n  - # item\n    x\n',
      '--- # c\na: 1\n...\n',
      'a: [1,\n  2,\n  {b: c,\n   d: e}]\nf: {g: h,\n  i: [j]}\n',
      'a: &x 1\nb: &y\n  c: 2\n&z d: 3\ne: &s\n  - 1\n',
      'a: &x\nb: !!str\nc: &y !!str\nd:\n  - &z\n  - !!str\n',
      'port: !!int 8080\nref: !Ref other\nverbatim: !<tag:yaml.org,2002:str> x\n',
      '%TAG !e! tag:example.com,2000:\n---\na: !e!foo x\n',
      ': no key\nb: 1\n',
      `long: ${'v'.repeat(5000)}\nnext: 1\n`,
    ];
    for (const text of cases) expectSameAsDocument(text);
    // Positions on a line that starts with a byte order mark count it, as editors and the YAML library do.
    expect(readYamlSource('\uFEFFa: 1\n', 'f.yaml', WHAT).positionOf(['a'])).toEqual({ line: 1, col: 5 });
    // An empty value with an anchor or a tag is where its value would be, past the anchor or tag.
    expect(readYamlSource('a: !!str\nb: 1\n', 'f.yaml', WHAT).positionOf(['a'])).toEqual({ line: 1, col: 9 });
  });

  it('refuses what the YAML library refuses although js-yaml reads it: a lone CR line end, a key over 1024 characters', () => {
    for (const text of ['a: 1\rb: 2\r', `${'k'.repeat(1100)}: 1\n`, `"${'k'.repeat(1100)}": 1\n`]) {
      expect(() => readYamlDocumentSource(text, 'f.yaml', WHAT)).toThrow(/^f\.yaml:1:\d+: not valid YAML: /);
      let message = '';
      try {
        readYamlSource(text, 'f.yaml', WHAT);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toBe(
        (() => {
          try {
            readYamlDocumentSource(text, 'f.yaml', WHAT);
          } catch (err) {
            return (err as Error).message;
          }
          return '';
        })(),
      );
    }
  });

  it('an alias without an anchor is named with its line and column, not taken for an alias bomb', () => {
    const text = 'project: shop\nx: &a 1\ny: *b\n';
    expect(() => readYamlSource(text, 'f.yaml', WHAT)).toThrow(
      /^f\.yaml:3:4: not valid YAML: alias \*b refers to no anchor/,
    );
    expect(() => readYamlSource(text, 'f.yaml', WHAT)).not.toThrow(/expand too much/);
  });

  it('reads files with aliases through the YAML library and its alias limit', () => {
    const text = 'base: &b {x: 1}\nuse: *b\n';
    expect(readYamlSource(text, 'f.yaml', WHAT).value).toEqual({ base: { x: '1' }, use: { x: '1' } });
    expectSameAsDocument(text);
    let bomb = 'l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++)
      bomb += `l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]\n`;
    expect(() => readYamlSource(bomb, 'f.yaml', WHAT)).toThrow(/f\.yaml: YAML aliases expand too much/);
  });

  it('words syntax errors as the YAML library does, with the file, line, column and the line itself', () => {
    const check = (text: string, pattern: RegExp) => {
      let fast: unknown;
      let slow: unknown;
      try {
        readYamlSource(text, 'f.yaml', WHAT);
      } catch (err) {
        fast = (err as Error).message;
      }
      try {
        readYamlDocumentSource(text, 'f.yaml', WHAT);
      } catch (err) {
        slow = (err as Error).message;
      }
      expect(fast).toMatch(pattern);
      expect(fast).toBe(slow);
    };
    check('a: 1\na: 2\n', /^f\.yaml:2:1: not valid YAML: Map keys must be unique\n {2}2 \| a: 2$/);
    check('a: [1, 2\nb: 3\n', /^f\.yaml:\d+:\d+: not valid YAML: /);
    check('a:\n  - x\n y: 1\n', /^f\.yaml:3:\d+: not valid YAML: /);
  });

  it('refuses nesting deeper than js-yaml reads, naming the file', () => {
    const deep = 'a: ' + '['.repeat(150) + ']'.repeat(150) + '\n';
    expect(() => readYamlSource(deep, 'f.yaml', WHAT)).toThrow(/^f\.yaml:1:\d+: not valid YAML: .*maxDepth/);
  });

  it('gives no position for an empty file and reads it as null', () => {
    const source: YamlSource = readYamlSource('# only a comment\n', 'f.yaml', WHAT);
    expect(source.value).toBeNull();
    expect(source.positionOf(['a'])).toEqual(readYamlDocumentSource('# only a comment\n', 'f', WHAT).positionOf(['a']));
  });
});
