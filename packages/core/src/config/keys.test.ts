import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { allowedKeysAt, editDistance, entrySchemaOfMap, keysOf, nearMisses, schemaAt } from './keys.js';
import { findMisplacedKeys } from './misplaced.js';
import { stackConfigSchema } from './schema.js';

describe('near misses of allowed keys', () => {
  it('counts a transposition as one edit and ignores case', () => {
    expect(editDistance('infrastucture', 'infrastructure')).toBe(1);
    expect(editDistance('tagTemplte', 'tagTemplate')).toBe(1);
    expect(editDistance('nmae', 'name')).toBe(1);
    expect(editDistance('TagTemplate', 'tagTemplate')).toBe(0);
  });

  it('allows more edits for longer keys, so short keys are not confused', () => {
    expect(nearMisses('infrastucture', allowedKeysAt(stackConfigSchema(), []) ?? [])).toEqual(['infrastructure']);
    expect(nearMisses('tagTemplte', allowedKeysAt(stackConfigSchema(), ['services', 0, 'image']) ?? [])).toEqual([
      'tagTemplate',
    ]);
    // The project-example's `service.host` is not a typo of `port` (2 edits in 4 letters).
    expect(nearMisses('host', ['name', 'namespace', 'port', 'path', 'scheme'])).toEqual([]);
    expect(nearMisses('colour', allowedKeysAt(stackConfigSchema(), []) ?? [])).toEqual([]);
  });

  it('knows the keys of nested objects through lists and maps', () => {
    expect(allowedKeysAt(stackConfigSchema(), ['services', 3, 'overlays', 'ai'])).toEqual([
      'pvcMounts',
      'hostMounts',
      'dropKinds',
    ]);
    expect(allowedKeysAt(stackConfigSchema(), ['versions'])).toBeUndefined();
  });
});

describe('keys left outside an entry by their indentation', () => {
  it('an env entry left empty with its fields beside it', () => {
    const data = { environments: { dev: {}, ai: null, from: 'dev', imagePullPolicy: 'Always' } };
    expect(findMisplacedKeys(stackConfigSchema(), data)).toEqual([
      { parent: ['environments'], empty: 'ai', key: 'from' },
    ]);
  });

  it('an object field left empty with its child beside it', () => {
    const data = { services: [{ name: 'a', image: null, repository: 'r/a' }] };
    expect(findMisplacedKeys(stackConfigSchema(), data)).toEqual([
      { parent: ['services', 0], empty: 'image', key: 'repository' },
    ]);
  });

  it('every spelling of an empty entry counts; a filled entry or a list does not', () => {
    for (const empty of [null, undefined, '~', 'null', {}]) {
      const data = { services: [{ name: 'a', image: empty, repository: 'r/a' }] };
      expect([empty, findMisplacedKeys(stackConfigSchema(), data)]).toEqual([
        empty,
        [{ parent: ['services', 0], empty: 'image', key: 'repository' }],
      ]);
    }
    for (const filled of [{ tag: 'x' }, [], 'text']) {
      const data = { services: [{ name: 'a', image: filled, repository: 'r/a' }] };
      expect([filled, findMisplacedKeys(stackConfigSchema(), data)]).toEqual([filled, []]);
    }
  });

  it('looks inside lists and maps, not into scalars', () => {
    const data = {
      services: [{ name: 'ok' }, { name: 'b', image: null, repository: 'r/b' }],
      environments: { dev: { from: 'x' }, ai: null, from: 'dev' },
      project: 'p',
    };
    expect(findMisplacedKeys(stackConfigSchema(), data)).toEqual([
      { parent: ['services', 1], empty: 'image', key: 'repository' },
      { parent: ['environments'], empty: 'ai', key: 'from' },
    ]);
    expect(findMisplacedKeys(stackConfigSchema(), 'text')).toEqual([]);
    expect(findMisplacedKeys(stackConfigSchema(), [{ image: null, repository: 'x' }])).toEqual([]);
  });

  it('empty entries followed by ordinary siblings are fine', () => {
    const data = { environments: { dev: null, ai: { from: 'dev' } }, services: [{ name: 'a', when: null }] };
    expect(findMisplacedKeys(stackConfigSchema(), data)).toEqual([]);
  });
});

describe('schema walking through every wrapper', () => {
  const leaf = z.object({ a: z.string(), b: z.string() });
  const root = z.object({
    opt: leaf.optional(),
    nul: leaf.nullable(),
    def: leaf.default({ a: '', b: '' }),
    ro: leaf.readonly(),
    piped: leaf.transform((v) => v),
    list: z.array(leaf),
    map: z.record(z.string(), leaf.optional()),
    str: z.string(),
  });

  it('finds the object behind optional, nullable, default, readonly and transforms', () => {
    for (const key of ['opt', 'nul', 'def', 'ro', 'piped'])
      expect([key, allowedKeysAt(root, [key])]).toEqual([key, ['a', 'b']]);
    expect(keysOf(root.shape.piped)).toEqual(['a', 'b']);
    expect(keysOf(root.shape.str)).toEqual([]);
    expect(keysOf(undefined)).toEqual([]);
  });

  it('indexes lists by number and maps by any key, and nothing else', () => {
    expect(allowedKeysAt(root, ['list', 0])).toEqual(['a', 'b']);
    expect(allowedKeysAt(root, ['list', 'x'])).toBeUndefined();
    expect(allowedKeysAt(root, ['map', 'anything'])).toEqual(['a', 'b']);
    expect(allowedKeysAt(root, [0])).toBeUndefined();
    expect(allowedKeysAt(root, ['str', 'x'])).toBeUndefined();
    expect(allowedKeysAt(root, ['nope', 'x'])).toBeUndefined();
    expect(allowedKeysAt(root, ['map'])).toBeUndefined();
    expect(schemaAt(root, ['str'])).toBe(root.shape.str);
  });

  it('knows the entry schema of free-form maps only', () => {
    expect(keysOf(entrySchemaOfMap(root, ['map']))).toEqual(['a', 'b']);
    expect(entrySchemaOfMap(root, ['opt'])).toBeUndefined();
    expect(entrySchemaOfMap(root, ['nope'])).toBeUndefined();
  });
});
