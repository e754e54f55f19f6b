// An esbuild plugin for build.mjs: modules whose loading a command pays for only when it calls into them.
import { createRequire } from 'node:module';

/*
 * `node:crypto` costs a start ~7 ms of CPU (about twenty internal modules compiled), and dotenv requires it at load;
 * a render that hashes no long label and reads no dotenv file needs neither; node:zlib serves only the code cache's
 * fallback fingerprint. The bundle gets a stand-in that requires the real module on first use.
 */
export const LAZY_MODULES = ['node:crypto', 'node:zlib', 'dotenv'];

/**
 * CommonJS source of the stand-in for `specifier`. `names` (every own property of the module where the build
 * runs, non-enumerable ones such as zlib's `Z_*` constants included) become getters, because esbuild's ESM interop
 * copies the getters it finds: `import { createHash } from 'node:crypto'` reads through them at each use. A name
 * the build's Node did not have (a newer runtime's addition, asked for by a dependency's `require()`) is looked up
 * in the real module by the Proxy. `__esModule` and symbols never load it: esbuild's interop asks for them up front.
 */
export function lazyModuleSource(specifier, names) {
  return [
    'let real;',
    `const load = () => (real ??= require(${JSON.stringify(specifier)}));`,
    'const known = {};',
    `for (const name of ${JSON.stringify(names.filter((n) => n !== 'default' && n !== '__esModule'))}) {`,
    '  Object.defineProperty(known, name, { enumerable: true, configurable: true, get: () => load()[name] });',
    '}',
    'module.exports = new Proxy(known, {',
    "  get: (target, key) => (typeof key === 'symbol' || key === '__esModule' || key in target ? target[key] : load()[key]),",
    "  has: (target, key) => key in target || (typeof key === 'string' && key !== '__esModule' && key in load()),",
    '});',
  ].join('\n');
}

export function lazyModulesPlugin(modules = LAZY_MODULES) {
  const requireHere = createRequire(import.meta.url);
  const filter = new RegExp(`^(${modules.map((m) => m.replace(/[.:]/g, '\\$&')).join('|')})$`);
  return {
    name: 'lazy-modules',
    setup(b) {
      b.onResolve({ filter }, (args) =>
        args.namespace === 'lazy' ? undefined : { path: args.path, namespace: 'lazy' },
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
        contents: lazyModuleSource(args.path, Object.getOwnPropertyNames(requireHere(args.path))),
        loader: 'js',
        resolveDir: process.cwd(),
      }));
    },
  };
}
