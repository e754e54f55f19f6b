// Rebuilds each action's bundle (actions/<name>/dist) when what goes into it changed, so the action tests run the
// code of this tree, not the last committed bundle. Run after `npm run build` (the bundles take core from its tsc
// output). A bundle is skipped when the hash of its inputs and of its current dist both match the stamp left by the
// last build here; `--force` rebuilds all. CI's bundle check (`npm run package` + git diff) stays the judge of
// whether the committed bundles are current.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const stampDir = path.join(root, '.tools/bundle-stamps');
const force = process.argv.includes('--force');

function filesUnder(dir, keep) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full, keep));
    else if (keep(entry.name)) out.push(full);
  }
  return out.sort();
}

function hashFiles(files) {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts');
const coreOutput = filesUnder(path.join(root, 'packages/core/dist'), (name) => name.endsWith('.js'));
if (coreOutput.length === 0) {
  console.error('build-action-bundles: packages/core/dist is empty: run `npm run build` first');
  process.exit(1);
}
const shared = [
  ...coreOutput,
  path.join(root, 'package-lock.json'),
  path.join(root, 'tsconfig.base.json'),
  path.join(root, 'packages/core/package.json'),
];

const actions = readdirSync(path.join(root, 'actions')).filter((name) =>
  existsSync(path.join(root, 'actions', name, 'package.json')),
);

function inputsOf(name) {
  const dir = path.join(root, 'actions', name);
  const own = [path.join(dir, 'package.json'), path.join(dir, 'tsconfig.json')].filter((f) => existsSync(f));
  return hashFiles([...filesUnder(path.join(dir, 'src'), isSource), ...own, ...shared]);
}
const outputOf = (name) => hashFiles(filesUnder(path.join(root, 'actions', name, 'dist'), () => true));
const stampFile = (name) => path.join(stampDir, `${name}.json`);

function upToDate(name, inputs) {
  if (force || !existsSync(stampFile(name))) return false;
  const stamp = JSON.parse(readFileSync(stampFile(name), 'utf8'));
  return stamp.inputs === inputs && stamp.output === outputOf(name);
}

function bundle(name) {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'package', '--silent', '-w', `actions/${name}`], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`bundling actions/${name} failed (exit ${code})`)),
    );
  });
}

const started = process.hrtime.bigint();
const stale = actions
  .map((name) => ({ name, inputs: inputsOf(name) }))
  .filter(({ name, inputs }) => !upToDate(name, inputs));
mkdirSync(stampDir, { recursive: true });

// ncc is single-threaded: one build per core, all four at once on a machine that has them.
const parallel = Math.max(1, Math.min(stale.length, os.availableParallelism?.() ?? os.cpus().length));
const queue = [...stale];
await Promise.all(
  Array.from({ length: parallel }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      await bundle(next.name);
      writeFileSync(stampFile(next.name), JSON.stringify({ inputs: next.inputs, output: outputOf(next.name) }) + '\n');
    }
  }),
);

const seconds = (Number(process.hrtime.bigint() - started) / 1e9).toFixed(1);
const rebuilt = stale.map((s) => s.name).join(', ') || 'none';
console.log(`action bundles: rebuilt ${rebuilt} (${seconds} s); ${actions.length - stale.length} up to date`);
