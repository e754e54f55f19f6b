// Bundles the CLI: a few modules to load make start-up several times faster than loading the tsc output file by
// file, and the published package needs no dependency install.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: start from an empty folder so old chunks never pile up.
rmSync('dist', { recursive: true, force: true });

await build({
  // Split into chunks: each command loads only what it uses (template needs neither YAML nor the schema).
  entryPoints: { cli: 'src/main.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  // Bundled CommonJS dependencies call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
