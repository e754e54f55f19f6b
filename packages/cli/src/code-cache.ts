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
 * A fingerprint of the text, not a defence: whoever can change the bundle can change what it runs anyway. CRC-32
 * (zlib, Node >= 20.15) of the whole text and of its second half, and its length: loading node:crypto for SHA-256
 * alone would cost a start more than compiling the dispatcher.
 */
function fingerprint(text: string, hexDigits: number): string {
  const crc32 = (zlib as { crc32?: (data: string) => number }).crc32;
  if (!crc32) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createHash } = require('node:crypto') as typeof import('node:crypto');
    return createHash('sha256').update(text).digest('hex').slice(0, hexDigits);
  }
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return (hex(crc32(text)) + hex(crc32(text.slice(text.length >> 1))) + hex(text.length)).slice(0, hexDigits);
}

/**
 * `<bundle>.<runtime>.<source>.v8cache`: one file per bundle and runtime (Node version, platform, V8 flags), so
 * alternating between two Node versions keeps both; a new version of the bundle replaces its runtime's old file.
 */
function cacheFileFor(dir: string, bundle: string, source: string): string {
  const runtime = fingerprint(
    `${process.version}\0${process.platform}\0${process.arch}\0${process.execArgv.join('\0')}`,
    8,
  );
  return path.join(dir, `${path.basename(bundle)}.${runtime}.${fingerprint(source, 24)}${SUFFIX}`);
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
    fs.rmSync(tmp, { force: true });
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
