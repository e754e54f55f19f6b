// Bundles the CLI: dist/cli.cjs (dispatch) and one self-contained bundle per command in dist/commands, so a start
// reads and compiles only the command that runs, and the published package needs no dependency install. CommonJS
// so that src/code-cache.ts can run each bundle as a script with its V8 code cache.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { build } from 'esbuild';
import { LAZY_MODULES, lazyModulesPlugin } from './lazy-modules.mjs';

rmSync('dist', { recursive: true, force: true });

const commands = readdirSync('src/commands')
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3));

const common = {
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
  plugins: [lazyModulesPlugin()],
};

const { metafile } = await build({
  ...common,
  entryPoints: Object.fromEntries(commands.map((name) => [`commands/${name}`, `src/commands/${name}.ts`])),
  metafile: true,
});

/*
 * The Node built-ins each command bundle requires when it loads (the lazily loaded ones aside). cli.ts loads them
 * before it sets its V8 flags: any flag set at run time changes V8's flag hash, and Node's own code cache of its
 * built-ins is then refused, so each built-in loaded afterwards is compiled from scratch (2-3 times the CPU).
 */
const builtins = Object.fromEntries(
  Object.entries(metafile.outputs)
    .filter(([file]) => file.endsWith('.cjs'))
    .map(([file, output]) => [
      file.replace(/^dist\/commands\//, '').replace(/\.cjs$/, ''),
      [
        ...new Set(
          output.imports
            .filter((i) => i.external && i.kind === 'require-call' && isBuiltin(i.path))
            .map((i) => (i.path.startsWith('node:') ? i.path : `node:${i.path}`))
            .filter((b) => !LAZY_MODULES.includes(b)),
        ),
      ].sort(),
    ]),
);

await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts' },
  define: { COMMAND_BUILTINS: JSON.stringify(builtins) },
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
