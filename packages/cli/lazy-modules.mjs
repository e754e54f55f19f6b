// An esbuild plugin for build.mjs: modules whose loading a command pays for only when it calls into them.
import { createRequire } from 'node:module';

/*
 * `node:crypto` costs a start ~7 ms of CPU (about twenty internal modules compiled), and dotenv requires it at load;
 * a render that hashes no long label and reads no dotenv file needs neither; node:zlib serves only the code cache's
 * fallback fingerprint. The bundle gets a stand-in that requires the real module on first use.
 */
const requireHere = createRequire(import.meta.url);

export const LAZY_MODULES = ['node:crypto', 'node:zlib', 'dotenv'];

/**
 * Names a stand-in leaves to the Proxy instead of a getter of its own: deprecated ones, which Node warns about on
 * any read (a spread of the module would otherwise print DEP0093), or which newer Node versions no longer have.
 */
const DEPRECATED = new Set(['fips', 'prng', 'rng', 'pseudoRandomBytes', 'createCipher', 'createDecipher']);

/**
 * CommonJS source of the stand-in for `specifier`. `names` (every own property of the module where the build
 * runs, with whether it is enumerable: zlib's `Z_*` constants are not) become accessors that read and write the
 * real module, because esbuild's ESM interop copies the accessors it finds: `import { createHash } from
 * 'node:crypto'` reads through them at each use. A name the build's Node did not have (a newer runtime's addition,
 * asked for by a dependency's `require()`) is looked up in the real module by the Proxy, and once the real module
 * is loaded `in` answers from it. `__esModule` and symbols never load it: esbuild's interop asks for them up front.
 */
export function lazyModuleSource(specifier, names, hidden = []) {
  const own = names.filter((n) => n !== 'default' && n !== '__esModule' && !DEPRECATED.has(n));
  const enumerable = own.filter((n) => !hidden.includes(n));
  return [
    'let real;',
    `const load = () => (real ??= require(${JSON.stringify(specifier)}));`,
    'const known = {};',
    `const enumerable = new Set(${JSON.stringify(enumerable)});`,
    `for (const name of ${JSON.stringify(own)}) {`,
    '  Object.defineProperty(known, name, {',
    '    enumerable: enumerable.has(name),',
    '    configurable: true,',
    '    get: () => load()[name],',
    '    set: (value) => { load()[name] = value; },',
    '  });',
    '}',
    "const local = (key) => typeof key === 'symbol' || key === '__esModule';",
    'module.exports = new Proxy(known, {',
    '  get: (target, key) => (local(key) || (key in target && !real) ? target[key] : load()[key]),',
    '  has: (target, key) => (local(key) ? key in target : real ? key in real : key in target || key in load()),',
    '});',
  ].join('\n');
}

function namesOf(specifier) {
  const real = requireHere(specifier);
  const names = Object.getOwnPropertyNames(real);
  return [specifier, names, names.filter((n) => !Object.getOwnPropertyDescriptor(real, n)?.enumerable)];
}

export function lazyModulesPlugin(modules = LAZY_MODULES) {
  const filter = new RegExp(`^(${modules.map((m) => m.replace(/[.:]/g, '\\$&')).join('|')})$`);
  return {
    name: 'lazy-modules',
    setup(b) {
      b.onResolve({ filter }, (args) =>
        args.namespace === 'lazy' ? undefined : { path: args.path, namespace: 'lazy' },
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
        contents: lazyModuleSource(...namesOf(args.path)),
        loader: 'js',
        resolveDir: process.cwd(),
      }));
    },
  };
}
