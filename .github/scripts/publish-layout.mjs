#!/usr/bin/env node
// Lays out the published form of the actions in OUT_DIR: `<name>/action.yml` and `<name>/dist/` at the top, which
// is where GitHub looks when a workflow says `uses: codex-k8s/actions/<name>@v1`, next to the files a user of the
// tag reads: README.md, LICENSE, templates/, docs/ and schema/services.schema.json (what editors fetch from
// `.../v1/schema/services.schema.json`), each when the source tree has it. The release workflow commits this
// layout to the release branch and points the version tag and the major tag at it; sources stay under actions/ on
// main. Prints the names of the actions it laid out, separated by spaces.
//
//   node .github/scripts/publish-layout.mjs OUT_DIR
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: publish-layout.mjs OUT_DIR\n');
  process.exit(1);
}
mkdirSync(out, { recursive: true });

// Every directory under actions/ is an action: one that lost its action.yml stops the release instead of going
// missing from it.
const actions = readdirSync(path.join(root, 'actions'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
for (const name of actions) {
  if (!existsSync(path.join(root, 'actions', name, 'action.yml'))) {
    process.stderr.write(`actions/${name}: no action.yml; every directory under actions/ is published as an action\n`);
    process.exit(1);
  }
}
for (const name of actions) {
  const src = path.join(root, 'actions', name);
  const dest = path.join(out, name);
  const bundle = path.join(src, 'dist', 'index.js');
  if (!existsSync(bundle)) {
    process.stderr.write(`actions/${name}: no dist/index.js; run npm run package first\n`);
    process.exit(1);
  }
  const actionYml = readFileSync(path.join(src, 'action.yml'), 'utf8');
  if (!/^\s+main:\s+['"]?dist\/index\.js['"]?\s*$/m.test(actionYml)) {
    process.stderr.write(`actions/${name}/action.yml: runs.main must be dist/index.js\n`);
    process.exit(1);
  }
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  writeFileSync(path.join(dest, 'action.yml'), actionYml);
  cpSync(path.join(src, 'dist'), path.join(dest, 'dist'), { recursive: true });
}
for (const extra of ['README.md', 'LICENSE', 'templates', 'docs', 'schema/services.schema.json']) {
  if (!existsSync(path.join(root, extra))) continue;
  mkdirSync(path.dirname(path.join(out, extra)), { recursive: true });
  cpSync(path.join(root, extra), path.join(out, extra), { recursive: true });
}
process.stdout.write(`${actions.join(' ')}\n`);
