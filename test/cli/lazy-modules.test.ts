/**
 * The CLI's bundles load node:crypto, node:zlib and dotenv on first use (packages/cli/lazy-modules.mjs). A stand-in
 * must look like the real module to every caller, bundled dependencies included, and load nothing until used.
 */
import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { REPO_ROOT } from '../support/cli.js';

type SourceOf = (specifier: string, names: string[], hidden: string[]) => string;
const requireHere = createRequire(import.meta.url);

async function standIn(specifier: string, names: string[], hidden = hiddenNames(specifier)) {
  const { lazyModuleSource } = (await import(
    pathToFileURL(path.join(REPO_ROOT, 'packages/cli/lazy-modules.mjs')).href
  )) as { lazyModuleSource: SourceOf };
  const loads: string[] = [];
  const module = { exports: {} as Record<string | symbol, unknown> };
  const require = (id: string) => (loads.push(id), requireHere(id) as unknown);
  vm.runInThisContext(`(function (module, exports, require) {${lazyModuleSource(specifier, names, hidden)}\n})`)(
    module,
    module.exports,
    require,
  );
  return { mod: module.exports, loads };
}

const real = (id: string) => requireHere(id) as Record<string, unknown>;
const allNames = (id: string) => Object.getOwnPropertyNames(real(id));
function hiddenNames(id: string): string[] {
  return allNames(id).filter((n) => !Object.getOwnPropertyDescriptor(real(id), n)?.enumerable);
}

describe('a lazy stand-in', () => {
  it('loads nothing until a name is used, not even for the interop checks esbuild makes', async () => {
    const { mod, loads } = await standIn('node:zlib', allNames('node:zlib'));
    expect(mod.__esModule).toBeUndefined();
    expect(mod[Symbol.toStringTag]).toBeUndefined();
    expect(Object.keys(mod).length).toBeGreaterThan(20);
    expect(loads).toEqual([]);
    expect(typeof mod.createGzip).toBe('function');
    expect(loads).toEqual(['node:zlib']);
  });

  it('has the non-enumerable exports too: the way undici takes zlib’s constants works', async () => {
    const zlib = requireHere('node:zlib') as Record<string, unknown>;
    expect(Object.keys(zlib)).not.toContain('Z_DEFAULT_WINDOWBITS'); // what the first stand-in missed
    const { mod } = await standIn('node:zlib', allNames('node:zlib'));
    const { createInflateRaw, Z_DEFAULT_WINDOWBITS, Z_SYNC_FLUSH } = mod;
    expect([createInflateRaw, Z_DEFAULT_WINDOWBITS, Z_SYNC_FLUSH]).toEqual([
      zlib.createInflateRaw,
      zlib.Z_DEFAULT_WINDOWBITS,
      zlib.Z_SYNC_FLUSH,
    ]);
    expect(Z_DEFAULT_WINDOWBITS).toBe(15);
    const crypto = (await standIn('node:crypto', allNames('node:crypto'))).mod;
    expect(crypto.getFips).toBe((requireHere('node:crypto') as Record<string, unknown>).getFips);
  });

  it('finds a name the build’s Node did not have in the real module of the Node it runs on', async () => {
    // As if built on a Node without crc32 and run on one that has it.
    const names = allNames('node:zlib').filter((n) => n !== 'crc32' && n !== 'constants');
    const { mod, loads } = await standIn('node:zlib', names);
    const zlib = requireHere('node:zlib') as Record<string, unknown>;
    expect(mod.constants).toBe(zlib.constants);
    expect('constants' in mod).toBe(true);
    expect(mod.crc32).toBe(zlib.crc32);
    expect(mod.noSuchExport).toBeUndefined();
    expect('noSuchExport' in mod).toBe(false);
    expect(loads).toEqual(['node:zlib']);
  });

  it('enumerates what the real module enumerates, minus deprecated names, which a spread would warn about', async () => {
    const zlib = (await standIn('node:zlib', allNames('node:zlib'))).mod;
    expect(Object.keys(zlib).sort()).toEqual(Object.keys(real('node:zlib')).sort());
    const { mod: crypto, loads } = await standIn('node:crypto', allNames('node:crypto'));
    const spread = { ...crypto };
    expect(Object.keys(spread)).not.toContain('fips');
    expect(Object.keys(spread)).toEqual(expect.arrayContaining(['createHash', 'randomUUID']));
    // Still there for whoever asks by name, from the real module.
    expect(typeof crypto.getRandomValues).toBe('function');
    expect(loads).toEqual(['node:crypto']);
  });

  it('writes go to the real module, and once it is loaded `in` answers from it', async () => {
    const names = [...allNames('node:zlib'), 'goneInThisNode'];
    const { mod } = await standIn('node:zlib', names);
    expect('goneInThisNode' in mod).toBe(true); // not loaded yet: the build's list is all it knows
    const zlib = real('node:zlib');
    const original = zlib.gzipSync;
    const replacement = () => Buffer.alloc(0);
    try {
      mod.gzipSync = replacement;
      expect(zlib.gzipSync).toBe(replacement);
    } finally {
      zlib.gzipSync = original;
    }
    expect('goneInThisNode' in mod).toBe(false);
    expect('gzipSync' in mod).toBe(true);
  });
});
