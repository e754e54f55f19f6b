// Bundles the CLI: dist/cli.cjs (dispatch) and one self-contained bundle per command in dist/commands, so a start
// reads and compiles only the command that runs, and the published package needs no dependency install. CommonJS
// so that src/code-cache.ts can run each bundle as a script with its V8 code cache.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { lazyModulesPlugin } from './lazy-modules.mjs';

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
  plugins: [lazyModulesPlugin()],
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
