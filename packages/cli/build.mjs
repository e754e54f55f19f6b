// Bundles the CLI: dist/cli.cjs (dispatch) and one self-contained bundle per command in dist/commands, so a start
// reads and compiles only the command that runs, and the published package needs no dependency install. CommonJS
// so that src/code-cache.ts can run each bundle as a script with its V8 code cache.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

/*
 * Modules whose loading a command pays for only when it calls into them. `node:crypto` costs a start ~7 ms of CPU
 * (about twenty internal modules compiled), and dotenv requires it at load; a render that hashes no long label and
 * reads no dotenv file needs neither; node:zlib serves only the code cache's fallback fingerprint. The bundle gets a stand-in whose exports are getters that require the real
 * module on first use: esbuild's interop reads imported names through the module object at each use, so
 * `import { createHash } from 'node:crypto'` works unchanged.
 */
const LAZY_MODULES = ['node:crypto', 'node:zlib', 'dotenv'];
const requireHere = createRequire(import.meta.url);

const lazyModules = {
  name: 'lazy-modules',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_MODULES.map((m) => m.replace(/[.:]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => (args.namespace === 'lazy' ? undefined : { path: args.path, namespace: 'lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
      const names = Object.keys(requireHere(args.path)).filter((k) => k !== 'default');
      const contents = [
        'let real;',
        `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
        `for (const name of ${JSON.stringify(names)}) {`,
        '  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });',
        '}',
      ].join('\n');
      return { contents, loader: 'js', resolveDir: process.cwd() };
    });
  },
};

rmSync('dist', { recursive: true, force: true });

const commands = readdirSync('src/commands')
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3));

await build({
  entryPoints: {
    cli: 'src/cli.ts',
    ...Object.fromEntries(commands.map((name) => [`commands/${name}`, `src/commands/${name}.ts`])),
  },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [lazyModules],
});

// The code cache names its files by these (src/code-cache.ts), so a start need not hash 400 KB of text itself.
const fingerprints = Object.fromEntries(
  readdirSync('dist/commands')
    .filter((f) => f.endsWith('.cjs'))
    .map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(`dist/commands/${f}`))
        .digest('hex')
        .slice(0, 32),
    ]),
);
writeFileSync('dist/commands/fingerprints.json', `${JSON.stringify(fingerprints, null, 2)}\n`);
