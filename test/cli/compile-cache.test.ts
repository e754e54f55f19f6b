/**
 * The CLI runs each command bundle with a V8 code cache it keeps itself (packages/cli/src/code-cache.ts), on every
 * Node version: the cache must never change what a command does, only how fast it starts.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { CLI, REPO_ROOT } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

const NODE24 = path.join(REPO_ROOT, '.tools/node24/bin/node');
const RENDER = ['render', '-c', 'examples/shop/services.yaml', '--env', 'ai', '--slot', '2'];
const NODES = [
  ['Node 24', NODE24],
  [`this Node (${process.version})`, process.execPath],
] as const;

function renderWith(node: string, env: Record<string, string>): string {
  return execFileSync(node, [CLI, ...RENDER], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
}

const cacheFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.v8cache')) : []);

/** A second install of the CLI (bin and dist copied; `-p` keeps times as cp -p and tar do) and a render with it. */
function copyOfCli(node: string, options: { keepTimes?: boolean } = {}) {
  const dir = tempDir('ck8s-cli-copy-');
  execFileSync('cp', [
    options.keepTimes ? '-rp' : '-r',
    path.join(REPO_ROOT, 'packages/cli/bin'),
    path.join(REPO_ROOT, 'packages/cli/dist'),
    dir,
  ]);
  const cli = path.join(dir, 'bin/codex-k8s.js');
  const render = (cache: string) =>
    execFileSync(node, [cli, ...RENDER], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_COMPILE_CACHE: cache },
      encoding: 'utf8',
    });
  return { dir, cli, bundle: path.join(dir, 'dist/commands/render.cjs'), render };
}

describe.each(NODES)('compile cache on %s', (_label, node) => {
  it('is written under the user cache dir after the first run and gives the same output from then on', () => {
    expect(existsSync(node)).toBe(true); // test/setup/install-tools.sh installs Node 24
    const home = tempDir('ck8s-cache-home-');
    const dir = path.join(home, 'codex-k8s', 'compile-cache');
    const first = renderWith(node, { XDG_CACHE_HOME: home });
    const files = cacheFiles(dir);
    expect(files).toEqual([expect.stringMatching(/^render\.cjs\.[0-9a-f]{8}\.[0-9a-f]{24}\.v8cache$/)]);
    const file = path.join(dir, files[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = statSync(file).mtimeMs;
    expect(renderWith(node, { XDG_CACHE_HOME: home })).toBe(first);
    // An accepted cache is not written again.
    expect(statSync(file).mtimeMs).toBe(written);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('NODE_COMPILE_CACHE chooses the directory and NODE_DISABLE_COMPILE_CACHE turns it off', () => {
    const home = tempDir('ck8s-cache-home-');
    const cache = tempDir('ck8s-compile-cache-');
    const out = renderWith(node, { XDG_CACHE_HOME: home, NODE_COMPILE_CACHE: cache });
    expect(cacheFiles(cache)).toHaveLength(1);
    expect(existsSync(path.join(home, 'codex-k8s'))).toBe(false);

    const off = tempDir('ck8s-compile-cache-');
    expect(renderWith(node, { XDG_CACHE_HOME: home, NODE_COMPILE_CACHE: off, NODE_DISABLE_COMPILE_CACHE: '1' })).toBe(
      out,
    );
    expect(cacheFiles(off)).toEqual([]);
    expect(existsSync(path.join(home, 'codex-k8s'))).toBe(false);
  });

  it.each([
    [
      'damaged in place, its length kept (second half zeroed)',
      (good: Buffer) => {
        const bad = Buffer.from(good);
        bad.fill(0, bad.length >> 1);
        return bad;
      },
    ],
    [
      'damaged and cut short',
      (good: Buffer) => {
        const bad = Buffer.from(good);
        for (let i = 64; i < bad.length; i += 97) bad[i] = bad[i]! ^ 0xff;
        return bad.subarray(0, bad.length - 1000);
      },
    ],
  ])('a cache file %s is not used and is written anew; the output does not change', (_how, damage) => {
    const cache = tempDir('ck8s-compile-cache-');
    const out = renderWith(node, { NODE_COMPILE_CACHE: cache });
    const file = path.join(cache, cacheFiles(cache)[0]!);
    const good = readFileSync(file);
    const bad = damage(good);
    writeFileSync(file, bad);
    // V8 checks a cache's checksum only when told to; unchecked, the first damage crashed every start (SIGSEGV),
    // --help included.
    for (const args of [['--help'], RENDER]) {
      const r = spawnSync(node, [CLI, ...args], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', NODE_COMPILE_CACHE: cache },
        encoding: 'utf8',
      });
      expect([r.signal, r.status]).toEqual([null, 0]);
      if (args === RENDER) expect(r.stdout).toBe(out);
    }
    const rewritten = readFileSync(file);
    expect(rewritten.equals(bad)).toBe(false);
    expect(rewritten.length).toBeGreaterThan(good.length / 2);
    // The new file is accepted: the next run leaves it alone.
    const written = statSync(file).mtimeMs;
    expect(renderWith(node, { NODE_COMPILE_CACHE: cache })).toBe(out);
    expect(statSync(file).mtimeMs).toBe(written);
  });

  it('a cache file that others could have written is ignored', () => {
    const cache = tempDir('ck8s-compile-cache-');
    const out = renderWith(node, { NODE_COMPILE_CACHE: cache });
    const file = path.join(cache, cacheFiles(cache)[0]!);
    // A valid cache, but writable by others: V8 would accept it, so only the CLI's own check keeps it out, and
    // the run then writes a private file in its place.
    chmodSync(file, 0o666);
    expect(renderWith(node, { NODE_COMPILE_CACHE: cache })).toBe(out);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('the newest three versions of a bundle keep their cache files; older ones and other Node versions are left alone', () => {
    const cache = tempDir('ck8s-compile-cache-');
    renderWith(node, { NODE_COMPILE_CACHE: cache });
    const [current] = cacheFiles(cache);
    const [bundle, runtime] = current!.split('.v8cache')[0]!.split(/\.(?=[0-9a-f]{8}\.)/);
    const version = (digit: string) => `${bundle}.${runtime!.slice(0, 8)}.${digit.repeat(24)}.v8cache`;
    const otherNode = `${bundle}.ffffffff.${'0'.repeat(24)}.v8cache`;
    // Four earlier versions, the one with 1s the oldest, and another Node's file older than all of them.
    const now = Date.now() / 1000;
    ['1', '2', '3', '4'].forEach((digit, i) => {
      writeFileSync(path.join(cache, version(digit)), 'old');
      utimesSync(path.join(cache, version(digit)), now - 100 + i, now - 100 + i);
    });
    writeFileSync(path.join(cache, otherNode), 'other');
    utimesSync(path.join(cache, otherNode), now - 1000, now - 1000);
    // Only a run that writes its cache tidies up: remove the current file so this run writes it.
    rmSync(path.join(cache, current!));
    renderWith(node, { NODE_COMPILE_CACHE: cache });
    expect(cacheFiles(cache).sort()).toEqual([current, version('4'), version('3'), otherNode].sort());
  });

  it('two versions of the CLI used in turn keep a warm cache each', () => {
    const cache = tempDir('ck8s-compile-cache-');
    // A second install of the CLI whose render bundle differs (one byte more), as another version's would.
    const copy = copyOfCli(node);
    writeFileSync(copy.bundle, `${readFileSync(copy.bundle, 'utf8')}\n`);
    const runOurs = () =>
      execFileSync(node, [CLI, ...RENDER], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', NODE_COMPILE_CACHE: cache },
        encoding: 'utf8',
      });
    const out = runOurs();
    expect(copy.render(cache)).toBe(out);
    const files = cacheFiles(cache);
    expect(files).toHaveLength(2);
    const written = files.map((f) => statSync(path.join(cache, f)).mtimeMs);
    // From now on both are read, neither is written again.
    expect(runOurs()).toBe(out);
    expect(copy.render(cache)).toBe(out);
    expect(cacheFiles(cache)).toEqual(files);
    expect(files.map((f) => statSync(path.join(cache, f)).mtimeMs)).toEqual(written);
  });

  it('a bundle edited after the build, to the same length, runs its new text and not the cache of the old one', () => {
    const cache = tempDir('ck8s-compile-cache-');
    const copy = copyOfCli(node, { keepTimes: true });
    const run = () => copy.render(cache);
    const before = run();
    expect(before).toContain('app.kubernetes.io/managed-by: codex-k8s');
    // The build's record of the bundle's hash stays as it was; only the text (not its length) changes.
    const bundle = copy.bundle;
    const text = readFileSync(bundle, 'utf8');
    expect(text).toContain('"app.kubernetes.io/managed-by"');
    writeFileSync(bundle, text.replaceAll('"app.kubernetes.io/managed-by"', '"app.kubernetes.io/managed-bY"'));
    const after = run();
    expect(after).not.toContain('app.kubernetes.io/managed-by:');
    expect(after).toBe(before.replaceAll('app.kubernetes.io/managed-by:', 'app.kubernetes.io/managed-bY:'));
    expect(cacheFiles(cache)).toHaveLength(2);
  });

  it('without the build’s record of fingerprints, a cache named from the text itself is written once and reused', () => {
    const cache = tempDir('ck8s-compile-cache-');
    const copy = copyOfCli(node);
    rmSync(path.join(copy.dir, 'dist/commands/fingerprints.json'));
    const run = () => copy.render(cache);
    const out = run();
    const files = cacheFiles(cache);
    expect(files).toHaveLength(1);
    const written = statSync(path.join(cache, files[0]!)).mtimeMs;
    expect(run()).toBe(out);
    expect(statSync(path.join(cache, files[0]!)).mtimeMs).toBe(written);
    expect(out).toBe(renderWith(node, { NODE_DISABLE_COMPILE_CACHE: '1' }));
  });

  it('a bundle changed to the same length with its modification time put back (cp -p, tar, rsync) runs its new text', () => {
    const cache = tempDir('ck8s-compile-cache-');
    const copy = copyOfCli(node, { keepTimes: true });
    const run = () => copy.render(cache);
    const bundle = copy.bundle;
    // Whole seconds, which utimes puts back exactly (cp -p and tar keep nanoseconds; utimesSync only milliseconds).
    const mtime = new Date(Math.floor(Date.now() / 1000 - 3600) * 1000);
    utimesSync(bundle, mtime, mtime);
    const before = run();
    const text = readFileSync(bundle, 'utf8');
    writeFileSync(bundle, text.replaceAll('"app.kubernetes.io/managed-by"', '"app.kubernetes.io/managed-bY"'));
    // Size, modification time and the build's record of the hash all as they were: only the file's change time
    // (and, for a copy, its inode) tells the new text from the old.
    utimesSync(bundle, mtime, mtime);
    expect(statSync(bundle).mtimeMs).toBe(mtime.getTime());
    expect(run()).toBe(before.replaceAll('app.kubernetes.io/managed-by:', 'app.kubernetes.io/managed-bY:'));
  });

  it('V8 flags given through NODE_OPTIONS get a cache file of their own; alternating rewrites neither', () => {
    const cache = tempDir('ck8s-compile-cache-');
    const plain = { NODE_COMPILE_CACHE: cache };
    const flagged = { NODE_COMPILE_CACHE: cache, NODE_OPTIONS: '--max-old-space-size=1000' };
    const out = renderWith(node, plain);
    expect(renderWith(node, flagged)).toBe(out);
    // Node 20's V8 counts heap sizes among the flags a cache must match; Node 24's does not (one file serves both).
    const tag = (env: Record<string, string>) =>
      execFileSync(node, ['-p', 'require("v8").cachedDataVersionTag()'], { env, encoding: 'utf8' });
    const files = cacheFiles(cache).sort();
    expect(files).toHaveLength(tag({}) === tag(flagged) ? 1 : 2);
    const written = files.map((f) => statSync(path.join(cache, f)).mtimeMs);
    expect(renderWith(node, plain)).toBe(out);
    expect(renderWith(node, flagged)).toBe(out);
    expect(cacheFiles(cache).sort()).toEqual(files);
    expect(files.map((f) => statSync(path.join(cache, f)).mtimeMs)).toEqual(written);
  });

  it('temporary files a killed start left behind, and other runtimes’ files unused for a month, are removed', () => {
    const cache = tempDir('ck8s-compile-cache-');
    renderWith(node, { NODE_COMPILE_CACHE: cache });
    const [current] = cacheFiles(cache);
    const [bundle] = current!.split(/\.(?=[0-9a-f]{8}\.)/);
    const now = Date.now() / 1000;
    const plant = (name: string, ageSeconds: number) => {
      writeFileSync(path.join(cache, name), 'x');
      utimesSync(path.join(cache, name), now - ageSeconds, now - ageSeconds);
    };
    plant(`${current}.4242.oldtmp.tmp`, 3600);
    plant(`${current}.4243.busytmp.tmp`, 5);
    plant(`${bundle}.aaaaaaaa.${'1'.repeat(24)}.v8cache`, 40 * 86400);
    // Ten other runtimes in use: no more than eight files of one bundle stay, the newest.
    for (let i = 0; i < 10; i++) plant(`${bundle}.${String(i).repeat(8)}.${'2'.repeat(24)}.v8cache`, 100 + i);
    plant('other.cjs.aaaaaaaa.111111111111111111111111.v8cache', 40 * 86400);
    rmSync(path.join(cache, current!));
    renderWith(node, { NODE_COMPILE_CACHE: cache });
    // Node 24 keeps its own compile cache (of the CLI's entry file) in a directory of its own there.
    const left = readdirSync(cache)
      .filter((f) => f.endsWith('.v8cache') || f.endsWith('.tmp'))
      .sort();
    expect(left).toEqual(
      [
        current,
        `${current}.4243.busytmp.tmp`,
        ...[0, 1, 2, 3, 4, 5, 6].map((i) => `${bundle}.${String(i).repeat(8)}.${'2'.repeat(24)}.v8cache`),
        'other.cjs.aaaaaaaa.111111111111111111111111.v8cache',
      ].sort(),
    );
  });

  it('a cache directory that can never be made (below /proc) neither hangs the exit nor changes the output', () => {
    const r = spawnSync(node, [CLI, ...RENDER], {
      cwd: REPO_ROOT,
      // XDG_CACHE_HOME, not NODE_COMPILE_CACHE: Node 24's own compile cache hangs the same way on the latter.
      env: { PATH: process.env.PATH ?? '', XDG_CACHE_HOME: '/proc/self/no/such/dir' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    // mkdirSync({ recursive: true }) looped there at full CPU without end, at exit.
    expect([r.signal, r.status, r.stderr]).toEqual([null, 0, '']);
    expect(r.stdout).toBe(renderWith(node, { NODE_DISABLE_COMPILE_CACHE: '1' }));
  });

  it('a working directory removed before the start: one message, exit 1, no hang, no cache written anywhere', () => {
    const home = tempDir('ck8s-cache-home-');
    const cwd = path.join(tempDir('ck8s-cwd-'), 'gone');
    mkdirSync(cwd);
    const services = path.join(REPO_ROOT, 'examples/shop/services.yaml');
    // The shell only removes its own working directory before starting node there; no value reaches its text.
    const r = spawnSync(
      'sh',
      ['-c', 'cd "$1" && rmdir "$1" && shift && exec "$@"', 'sh', cwd, node, CLI, 'render', '-c', services],
      {
        env: { PATH: process.env.PATH ?? '', HOME: home, NODE_COMPILE_CACHE: 'relative-cache' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect([r.signal, r.status, r.stdout]).toEqual([null, 1, '']);
    expect(r.stderr).toBe(
      'error: the working directory no longer exists; run the command from a directory that does\n',
    );
    expect(readdirSync(home)).toEqual([]);
  });

  it('a relative XDG_CACHE_HOME or an empty HOME never puts the cache in the working directory', () => {
    const home = tempDir('ck8s-cache-home-');
    const cwd = tempDir('ck8s-cwd-');
    const services = path.join(REPO_ROOT, 'examples/shop/services.yaml');
    const run = (env: Record<string, string>) =>
      execFileSync(node, [CLI, 'render', '-c', services, '--env', 'ai', '--slot', '2'], {
        cwd,
        env: { PATH: process.env.PATH ?? '', ...env },
        encoding: 'utf8',
      });
    const out = run({ HOME: home, XDG_CACHE_HOME: 'rel-cache' });
    // The relative value is ignored as the XDG spec says: the cache goes under $HOME/.cache.
    expect(cacheFiles(path.join(home, '.cache/codex-k8s/compile-cache'))).toHaveLength(1);
    expect(run({ HOME: '' })).toBe(out);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('is written only after a run that did its work: not after --help or a failed run', () => {
    const cache = tempDir('ck8s-compile-cache-');
    const run = (args: string[]) =>
      spawnSync(node, [CLI, ...args], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', NODE_COMPILE_CACHE: cache },
        encoding: 'utf8',
      });
    expect(run(['render', '--help']).status).toBe(0);
    expect(run(['render', '-c', 'examples/shop/services.yaml', '--env', 'nope']).status).toBe(1);
    // Either would have left a cache holding little more than the top level, accepted from then on.
    expect(cacheFiles(cache)).toEqual([]);
    expect(run(RENDER).status).toBe(0);
    expect(cacheFiles(cache)).toHaveLength(1);
  });

  it('an accepted file in use is touched once a day, and stale temporary files go then too', () => {
    const cache = tempDir('ck8s-compile-cache-');
    const out = renderWith(node, { NODE_COMPILE_CACHE: cache });
    const [current] = cacheFiles(cache);
    const file = path.join(cache, current!);
    const now = Date.now() / 1000;
    utimesSync(file, now - 2 * 86400, now - 2 * 86400);
    const stale = path.join(cache, `${current}.999.killed.tmp`);
    writeFileSync(stale, 'x');
    utimesSync(stale, now - 3600, now - 3600);
    expect(renderWith(node, { NODE_COMPILE_CACHE: cache })).toBe(out);
    expect(statSync(file).mtimeMs / 1000).toBeGreaterThan(now - 60);
    expect(existsSync(stale)).toBe(false);
    // Touched today: the next start only reads.
    const touched = statSync(file).mtimeMs;
    expect(renderWith(node, { NODE_COMPILE_CACHE: cache })).toBe(out);
    expect(statSync(file).mtimeMs).toBe(touched);
  });

  // Ownership can only be given away by root; as another user the directory checks below have nothing to check.
  const asRoot = process.getuid?.() === 0 ? it : it.skip;

  asRoot('in a shared directory, other users’ files are neither pruned nor counted against the limit', () => {
    const cache = tempDir('ck8s-compile-cache-');
    chmodSync(cache, 0o1777);
    renderWith(node, { NODE_COMPILE_CACHE: cache });
    const [current] = cacheFiles(cache);
    const [bundle] = current!.split(/\.(?=[0-9a-f]{8}\.)/);
    const now = Date.now() / 1000;
    const theirs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(
      (i) => `${bundle}.${String(i).repeat(8)}.${'3'.repeat(24)}.v8cache`,
    );
    for (const name of theirs) {
      writeFileSync(path.join(cache, name), 'theirs');
      chownSync(path.join(cache, name), 65534, 65534);
      utimesSync(path.join(cache, name), now - 40 * 86400, now - 40 * 86400);
    }
    rmSync(path.join(cache, current!));
    renderWith(node, { NODE_COMPILE_CACHE: cache });
    expect(cacheFiles(cache).sort()).toEqual([current, ...theirs].sort());
  });

  asRoot('root keeping another user’s HOME (sudo -E) creates nothing below it', () => {
    const home = tempDir('ck8s-cache-home-');
    chownSync(home, 65534, 65534);
    expect(renderWith(node, { HOME: home })).toBe(renderWith(node, { NODE_DISABLE_COMPILE_CACHE: '1' }));
    expect(readdirSync(home)).toEqual([]);
    // A home of root's own gets its cache.
    const own = tempDir('ck8s-cache-home-');
    renderWith(node, { HOME: own });
    expect(cacheFiles(path.join(own, '.cache/codex-k8s/compile-cache'))).toHaveLength(1);
  });

  it('a FIFO, a directory or a link at the cache file’s name neither blocks the start nor changes the output', () => {
    const cache = tempDir('ck8s-compile-cache-');
    const out = renderWith(node, { NODE_COMPILE_CACHE: cache });
    const name = cacheFiles(cache)[0]!;
    const file = path.join(cache, name);
    const target = path.join(tempDir('ck8s-compile-cache-'), 'elsewhere');
    const planted: [string, () => void][] = [
      ['fifo', () => execFileSync('mkfifo', [file])],
      ['directory', () => mkdirSync(file)],
      [
        'link',
        () => (writeFileSync(target, readFileSync(path.join(cache, name + '.good'))), symlinkSync(target, file)),
      ],
    ];
    renameSync(file, path.join(cache, name + '.good'));
    for (const [kind, plant] of planted) {
      rmSync(file, { recursive: true, force: true });
      plant();
      // Opening a FIFO for reading waits for a writer: without a bound a hang would stall the whole test run.
      const r = spawnSync(node, [CLI, ...RENDER], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', NODE_COMPILE_CACHE: cache },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect([kind, r.signal, r.status, r.stdout]).toEqual([kind, null, 0, out]);
    }
    // The link was replaced by a private file of the run's own; what it pointed to is untouched.
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(readFileSync(target).equals(readFileSync(path.join(cache, name + '.good')))).toBe(true);
  });

  it('an unwritable cache directory only costs speed', () => {
    const parent = tempDir('ck8s-compile-cache-');
    const home = tempDir('ck8s-cache-home-');
    writeFileSync(path.join(parent, 'file'), '');
    // A path below a regular file can never be created.
    const r = spawnSync(node, [CLI, ...RENDER], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        XDG_CACHE_HOME: home,
        NODE_COMPILE_CACHE: path.join(parent, 'file', 'cache'),
      },
      encoding: 'utf8',
    });
    // Not a word about the cache either: the failed write is only a missed speed-up.
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(renderWith(node, { XDG_CACHE_HOME: home, NODE_DISABLE_COMPILE_CACHE: '1' }));
    expect(readdirSync(parent)).toEqual(['file']);
  });
});

it('Node 24 and this Node keep separate cache files in one directory', () => {
  const cache = tempDir('ck8s-compile-cache-');
  renderWith(NODE24, { NODE_COMPILE_CACHE: cache });
  renderWith(process.execPath, { NODE_COMPILE_CACHE: cache });
  renderWith(NODE24, { NODE_COMPILE_CACHE: cache });
  expect(cacheFiles(cache)).toHaveLength(2);
});

it('the built-ins a command needs are loaded before the CLI sets V8 flags, whose change voids Node’s own cache of them', () => {
  const dir = tempDir('ck8s-flags-');
  const hook = path.join(dir, 'hook.cjs');
  // Records which of Node's modules were loaded when the first flag was set.
  writeFileSync(
    hook,
    `const v8 = require('node:v8');
const set = v8.setFlagsFromString;
let before;
v8.setFlagsFromString = (flag) => { before ??= process.moduleLoadList.slice(); return set(flag); };
process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(path.join(dir, 'out.json'))}, JSON.stringify({ before, after: process.moduleLoadList })));
`,
  );
  execFileSync(process.execPath, ['-r', hook, CLI, 'apply', '--help'], {
    env: { PATH: process.env.PATH ?? '', NODE_DISABLE_COMPILE_CACHE: '1' },
  });
  const { before, after } = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as Record<string, string[]>;
  const publicModules = (list: string[]) =>
    list.filter((m) => /^NativeModule [a-z_]+(\/[a-z_]+)?$/.test(m) && !m.includes('internal'));
  expect(before).toEqual(expect.arrayContaining(['NativeModule child_process', 'NativeModule https']));
  // What the apply bundle loads afterwards are Node's own lazy loads, not modules the bundle requires at its start.
  const late = publicModules(after!).filter((m) => !before!.includes(m));
  for (const needed of ['NativeModule child_process', 'NativeModule http', 'NativeModule https']) {
    expect(late).not.toContain(needed);
  }
});
