import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import zlib from 'node:zlib';

/*
 * Most of a short command's CPU time is V8 compiling the bundle: at start-up, and again for every function the
 * first time it runs. Node's own compile cache (module.enableCompileCache) keeps only what was compiled before the
 * module ran, and Node 20 has none. So the CLI runs each command bundle as a script whose V8 code cache it writes
 * itself after the run, when the cache also holds every function the run compiled; the next start reads it back.
 *
 * Where: $NODE_COMPILE_CACHE, else $XDG_CACHE_HOME/codex-k8s/compile-cache, else ~/.cache/codex-k8s/compile-cache.
 * $NODE_DISABLE_COMPILE_CACHE turns it off (the same variables as Node's own cache). The file name holds a hash of
 * the bundle's text: V8 checks only the length of the source a cache was made from. V8 rejects a cache made by
 * another V8 or with other flags, and the file is then written anew; its contents are checked only when the CLI
 * turns on --verify-snapshot-checksum (cli.ts does). A relative $XDG_CACHE_HOME or an empty $HOME is ignored. Any
 * failure to read or write the cache only costs speed: the bundle still runs.
 */

export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  try {
    // Relative like Node's own: to the working directory at start (which may be gone: then no cache).
    if (env.NODE_COMPILE_CACHE) return path.resolve(env.NODE_COMPILE_CACHE);
    // A relative XDG_CACHE_HOME is invalid (XDG base directory spec) and an empty HOME names no directory:
    // either would put the cache wherever the command happens to run.
    const xdg = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
    const home = xdg ?? path.join(os.homedir(), '.cache');
    return path.isAbsolute(home) ? path.join(home, 'codex-k8s', 'compile-cache') : undefined;
  } catch {
    return undefined; // no home directory (a user without a passwd entry), or no working directory
  }
}

const SUFFIX = '.v8cache';

/**
 * Fingerprints name cache files; they are not a defence: whoever can change the bundle can change what it runs
 * anyway. The build records a SHA-256 of each command bundle (dist/commands/fingerprints.json), which together with
 * the identity of the file read (size, times, device, inode) names the source without hashing it at each start; without that record, CRC-32
 * (zlib, Node >= 20.15) of the text and of its second half and its length. node:zlib and node:crypto are loaded only
 * on that path: each costs a start several milliseconds.
 */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

function textFingerprint(text: string): string {
  const crc32 = (zlib as { crc32?: (data: string) => number }).crc32;
  if (!crc32) {
    return createHash('sha256').update(text).digest('hex').slice(0, 24);
  }
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return hex(crc32(text)) + hex(crc32(text.slice(text.length >> 1))) + hex(text.length);
}

/** The build's record of a bundle's hash, if the build left one beside it. */
function builtFingerprint(bundle: string): string | undefined {
  try {
    const recorded = JSON.parse(fs.readFileSync(path.join(path.dirname(bundle), 'fingerprints.json'), 'utf8')) as
      Record<string, unknown> | undefined;
    const value = recorded?.[path.basename(bundle)];
    return typeof value === 'string' && /^[0-9a-f]{16,}$/.test(value) ? value.slice(0, 16) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bundle's text and the identity of the very file it was read from: the size, modification and change times,
 * device and inode of the open descriptor. A copy that keeps size and mtime (cp -p, tar, rsync) still gets a new
 * inode and ctime, and a bundle replaced between reading it and reading the build's record cannot pair the new
 * record with the old text under one name.
 */
interface BundleText {
  text: string;
  identity: string;
}

function readBundle(bundle: string): BundleText {
  const fd = fs.openSync(bundle, 'r');
  try {
    const stat = fs.fstatSync(fd, { bigint: true });
    const text = fs.readFileSync(fd, 'utf8');
    return { text, identity: `${stat.size}\0${stat.mtimeNs}\0${stat.ctimeNs}\0${stat.dev}\0${stat.ino}` };
  } finally {
    fs.closeSync(fd);
  }
}

function sourceFingerprint(bundle: string, source: BundleText): string {
  const built = builtFingerprint(bundle);
  if (!built) return textFingerprint(source.text);
  // A bundle edited after the build keeps the recorded hash, but not the identity of its file.
  return built + fnv1a(`${source.identity}\0${source.text.length}`);
}

/**
 * `<bundle>.<runtime>.<source>.v8cache`: one file per bundle and runtime (Node version, platform, V8 version and
 * flags as V8 itself tells them apart: cachedDataVersionTag, read after the CLI set its flags, so NODE_OPTIONS that
 * change V8's flags get a file of their own instead of rewriting the one a plain start uses), so alternating between
 * two Node versions keeps both; a new version of the bundle replaces its runtime's old file.
 */
function cacheFileFor(dir: string, bundle: string, source: BundleText): string {
  // The user too, as Node's own cache does: in a shared directory one user can never replace another's file.
  const runtime = fnv1a(
    `${process.version}\0${process.platform}\0${process.arch}\0${process.execArgv.join('\0')}\0${v8.cachedDataVersionTag()}\0${process.getuid?.() ?? ''}`,
  );
  return path.join(dir, `${path.basename(bundle)}.${runtime}.${sourceFingerprint(bundle, source)}${SUFFIX}`);
}

/**
 * A cache file is code this process will run, so only one that no other user can have written or changed counts
 * (NODE_COMPILE_CACHE may point into a shared directory). Opened without waiting and without following a link: a
 * FIFO at its name would otherwise block the start until something writes to it.
 */
const READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOFOLLOW ?? 0);

function readCache(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, READ_FLAGS);
    const stat = fs.fstatSync(fd);
    const uid = process.getuid?.();
    if (!stat.isFile() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0) return undefined;
    const data = fs.readFileSync(fd);
    if (Date.now() - stat.mtimeMs >= DAY_MS) markInUse(fd, file);
    return data;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Once a day an accepted file is touched, through the descriptor it was read from (never a link planted since), so
 * pruning by age keeps what is in use; the directory is tidied then too, since a start that reads its cache
 * never writes (and so never prunes) otherwise.
 */
function markInUse(fd: number, file: string): void {
  try {
    const now = new Date();
    fs.futimesSync(fd, now, now);
    pruneCacheDir(path.dirname(file), path.basename(file));
  } catch {
    // a read-only cache is only pruned sooner
  }
}

/**
 * Creates the missing directories above `dir` one level at a time, at most MAX_NEW_DIRS of them. Not
 * mkdirSync({ recursive }): on a path it can never create (below /proc, or relative to a deleted working
 * directory) that loops at full CPU without end, and this runs at exit, where a hang holds up the whole command.
 */
const MAX_NEW_DIRS = 16;

function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; missing.length < MAX_NEW_DIRS; d = path.dirname(d)) {
    try {
      fs.mkdirSync(d, { mode: 0o700 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') break;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(d) === d) throw err;
      missing.push(d);
    }
  }
  if (missing.length >= MAX_NEW_DIRS) throw new Error(`more than ${MAX_NEW_DIRS} directories to create`);
  for (const d of missing.reverse()) fs.mkdirSync(d, { mode: 0o700 });
}

/**
 * Writes the cache whole or not at all (a concurrent start reads either the old file or the new one). The
 * temporary file is created before the code is serialised: where nothing can be written (a read-only home, a full
 * disk) that work, several milliseconds, is not done for nothing at every start.
 */
function writeCache(file: string, serialise: () => Buffer): void {
  const dir = path.dirname(file);
  const name = path.basename(file);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  if (!mayWriteIn(dir)) return;
  // 'wx': never through a link or file someone planted at the temporary name (the directory may be shared).
  const open = () => fs.openSync(tmp, 'wx', 0o600);
  let fd: number | undefined;
  try {
    try {
      fd = open();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      makeDirs(dir);
      fd = open();
    }
    fs.writeFileSync(fd, serialise());
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
    pruneCacheDir(dir, name);
  } catch {
    try {
      if (fd !== undefined) fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing was written (the directory cannot exist): nothing to remove
    }
  }
}

/**
 * Root (sudo keeping HOME) must not create or fill a cache below a directory another user owns: the user's own
 * runs could then never write there, and a root-owned ~/.cache breaks other programs of that user.
 */
function mayWriteIn(dir: string): boolean {
  if (process.getuid?.() !== 0) return true;
  for (let d = dir, i = 0; i < 64; d = path.dirname(d), i++) {
    try {
      return fs.statSync(d).uid === 0;
    } catch {
      if (path.dirname(d) === d) return false;
    }
  }
  return false;
}

/**
 * What stays in the directory for one bundle: the newest few versions on the same runtime, so two installed
 * versions of the CLI (a global one and a project's) used in turn keep a cache each; other runtimes' files while
 * they are in use (an accepted file is touched once a day) and no more than MAX_FILES of them; temporary files
 * that a killed start left between writing and renaming, once they are clearly not being written.
 */
const KEEP_VERSIONS = 3;
const MAX_FILES = 8;
const DAY_MS = 24 * 60 * 60 * 1000;
const UNUSED_MS = 30 * DAY_MS;
const STALE_TMP_MS = 10 * 60 * 1000;

function pruneCacheDir(dir: string, name: string): void {
  const sameRuntime = name.slice(0, name.length - SUFFIX.length - 24);
  const sameBundle = name.slice(0, sameRuntime.length - 9);
  const now = Date.now();
  const versions: { file: string; mtimeMs: number }[] = [];
  const others: { file: string; mtimeMs: number }[] = [];
  const uid = process.getuid?.();
  for (const entry of fs.readdirSync(dir)) {
    if (entry === name || !entry.startsWith(sameBundle)) continue;
    const file = path.join(dir, entry);
    let mtimeMs: number;
    try {
      const stat = fs.lstatSync(file);
      if (uid !== undefined && stat.uid !== uid) continue; // another user's, in a shared directory
      mtimeMs = stat.mtimeMs;
    } catch {
      continue; // removed by a concurrent start
    }
    if (entry.endsWith('.tmp')) {
      if (now - mtimeMs > STALE_TMP_MS) remove(file);
    } else if (entry.endsWith(SUFFIX)) {
      (entry.startsWith(sameRuntime) ? versions : others).push({ file, mtimeMs });
    }
  }
  const newestFirst = (a: { mtimeMs: number }, b: { mtimeMs: number }) => b.mtimeMs - a.mtimeMs;
  versions.sort(newestFirst);
  others.sort(newestFirst);
  const keptVersions = versions.slice(0, KEEP_VERSIONS - 1);
  const keptOthers = others
    .filter((o) => now - o.mtimeMs <= UNUSED_MS)
    .slice(0, Math.max(0, MAX_FILES - 1 - keptVersions.length));
  const kept = new Set([...keptVersions, ...keptOthers].map((k) => k.file));
  for (const { file } of [...versions, ...others]) if (!kept.has(file)) remove(file);
}

/** One file that cannot be removed (gone already, or not ours to remove) does not stop the rest. */
function remove(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // left for its owner
  }
}

export interface CodeCacheOptions {
  /** Where the cache lives; undefined: no cache. */
  dir?: string;
  /**
   * Whether the run that is ending compiled what later runs need: a cache written after `--help` or an early
   * error holds little, and once written it is accepted for good. Asked at exit.
   */
  worthKeeping?: (exitCode: number) => boolean;
}

/** require() of a CommonJS bundle, compiled from (and afterwards into) the V8 code cache. */
export function requireWithCodeCache(bundle: string, options: CodeCacheOptions = { dir: compileCacheDir() }): unknown {
  const { dir, worthKeeping = (code: number) => code === 0 } = options;
  const source = readBundle(bundle);
  const cacheFile = dir ? cacheFileFor(dir, bundle, source) : undefined;
  const cachedData = cacheFile ? readCache(cacheFile) : undefined;
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source.text}\n})`;
  const script = new vm.Script(wrapper, { filename: bundle, cachedData });
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // At exit the cache holds the functions this run compiled too, not only the top level.
    process.once('exit', (code) => {
      if (worthKeeping(code)) writeCache(cacheFile, () => script.createCachedData());
    });
  }
  return module.exports;
}
