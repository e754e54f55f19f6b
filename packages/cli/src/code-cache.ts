import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
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
 * another V8 or with other flags, and the file is then written anew. Any failure to read or write the cache only
 * costs speed: the bundle still runs.
 */

export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  if (env.NODE_COMPILE_CACHE) return env.NODE_COMPILE_CACHE;
  let home: string;
  try {
    home = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  } catch {
    return undefined; // no home directory (a user without a passwd entry)
  }
  return path.join(home, 'codex-k8s', 'compile-cache');
}

const SUFFIX = '.v8cache';

/**
 * Fingerprints name cache files; they are not a defence: whoever can change the bundle can change what it runs
 * anyway. The build records a SHA-256 of each command bundle (dist/commands/fingerprints.json), which together with
 * the file's size and modification time names the source without reading it twice; without that record, CRC-32
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

function sourceFingerprint(bundle: string, source: string): string {
  const built = builtFingerprint(bundle);
  if (!built) return textFingerprint(source);
  // A bundle edited after the build keeps the recorded hash, but not its size and modification time.
  const stat = fs.statSync(bundle);
  return built + fnv1a(`${stat.size}\0${stat.mtimeMs}\0${source.length}`);
}

/**
 * `<bundle>.<runtime>.<source>.v8cache`: one file per bundle and runtime (Node version, platform, V8 flags), so
 * alternating between two Node versions keeps both; a new version of the bundle replaces its runtime's old file.
 */
function cacheFileFor(dir: string, bundle: string, source: string): string {
  const runtime = fnv1a(`${process.version}\0${process.platform}\0${process.arch}\0${process.execArgv.join('\0')}`);
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
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes the cache whole or not at all (a concurrent start reads either the old file or the new one). */
function writeCache(file: string, data: Buffer): void {
  const dir = path.dirname(file);
  const name = path.basename(file);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // 'wx': never through a link or file someone planted at the temporary name (the directory may be shared).
    fs.writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
    pruneOtherVersions(dir, name);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing was written (the directory cannot exist): nothing to remove
    }
  }
}

/**
 * Caches of other versions of the same bundle on the same runtime: the newest few stay, so two installed versions
 * of the CLI (a global one and a project's) used in turn keep a cache each, and the rest go.
 */
const KEEP_VERSIONS = 3;

function pruneOtherVersions(dir: string, name: string): void {
  const sameRuntime = name.slice(0, name.length - SUFFIX.length - 24);
  const others: { file: string; mtimeMs: number }[] = [];
  for (const other of fs.readdirSync(dir)) {
    if (other === name || !other.startsWith(sameRuntime) || !other.endsWith(SUFFIX)) continue;
    const file = path.join(dir, other);
    try {
      others.push({ file, mtimeMs: fs.lstatSync(file).mtimeMs });
    } catch {
      // removed by a concurrent start
    }
  }
  others.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { file } of others.slice(KEEP_VERSIONS - 1)) fs.rmSync(file, { force: true });
}

/** require() of a CommonJS bundle, compiled from (and afterwards into) the V8 code cache. */
export function requireWithCodeCache(bundle: string, dir = compileCacheDir()): unknown {
  const source = fs.readFileSync(bundle, 'utf8');
  const cacheFile = dir ? cacheFileFor(dir, bundle, source) : undefined;
  const cachedData = cacheFile ? readCache(cacheFile) : undefined;
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapper, { filename: bundle, cachedData });
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // At exit the cache holds the functions this run compiled too, not only the top level.
    process.once('exit', () => writeCache(cacheFile, script.createCachedData()));
  }
  return module.exports;
}
