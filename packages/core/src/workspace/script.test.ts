/**
 * The pod-side scripts, run by the local sh with GNU tar, and also by busybox (the sync image) with only busybox
 * applets on PATH. Without a busybox binary here the file fails: `bash test/setup/install-tools.sh` installs it.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildProcessRunner, type RunResult } from '../kube/runner.js';
import { packSources } from './archive.js';
import { compileExcludes } from './excludes.js';
import { CLEANUP_SCRIPT, COPY_SCRIPT } from './script.js';
import { listSources } from './walk.js';

const runner = new ChildProcessRunner();

/** A PATH of busybox applets only, like the sync image. */
function busyboxPath(): string {
  const bin = ['/bin/busybox', '/usr/bin/busybox'].find((b) => existsSync(b));
  if (!bin) throw new Error('busybox not found (the sync pod image): run `bash test/setup/install-tools.sh`');
  const path = mkdtempSync(join(tmpdir(), 'busybox-bin-'));
  for (const applet of ['sh', 'tar', 'base64', 'find', 'wc', 'mv', 'rm', 'mkdir', 'gunzip', 'gzip'])
    symlinkSync(bin, join(path, applet));
  return path;
}
const bb = busyboxPath();
afterAll(() => rmSync(bb, { recursive: true, force: true }));
const shells: [string, Record<string, string> | undefined][] = [
  ['sh', undefined],
  ['busybox', { PATH: bb }],
];

let dir: string;
let target: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-script-'));
  target = join(dir, 'envs', '3', 'src');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function archiveOf(files: Record<string, string>): Promise<{ b64: string; lines: number }> {
  const src = mkdtempSync(join(dir, 'src-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(src, name, '..'), { recursive: true });
    writeFileSync(join(src, name), text);
  }
  const list = await listSources(src, compileExcludes([]));
  const data = await packSources(runner, { source: src, entries: list.entries });
  return { b64: data.toString('base64'), lines: list.findLines };
}

let shellEnv: Record<string, string> | undefined;
const copy = (input: string, id: string, expected: number): Promise<RunResult> =>
  runner.run('sh', ['-c', COPY_SCRIPT, 'sh', target, id, String(expected)], {
    input,
    timeoutMs: 20_000,
    env: shellEnv,
  });

const siblings = (): string[] => readdirSync(join(target, '..')).sort();

describe.each(shells)('COPY_SCRIPT (%s)', (_name, env) => {
  beforeEach(() => {
    shellEnv = env;
  });

  it('creates the target with its parents on the first copy', async () => {
    const a = await archiveOf({ 'a.txt': 'A', 'x/y.txt': 'Y' });
    const r = await copy(a.b64, 'id1', a.lines);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('synced 2 files\n');
    expect(readFileSync(join(target, 'x', 'y.txt'), 'utf8')).toBe('Y');
    expect(siblings()).toEqual(['src']);
  });

  it('replaces the previous tree as a whole', async () => {
    const a = await archiveOf({ 'old.txt': 'old', 'keep.txt': '1' });
    expect((await copy(a.b64, 'id1', a.lines)).code).toBe(0);
    const b = await archiveOf({ 'keep.txt': '2' });
    expect((await copy(b.b64, 'id2', b.lines)).code).toBe(0);
    expect(readdirSync(target)).toEqual(['keep.txt']);
    expect(readFileSync(join(target, 'keep.txt'), 'utf8')).toBe('2');
    expect(siblings()).toEqual(['src']);
  });

  it('leaves the previous tree when the archive is broken, and removes the incoming dir', async () => {
    const a = await archiveOf({ 'keep.txt': '1' });
    expect((await copy(a.b64, 'id1', a.lines)).code).toBe(0);
    const b = await archiveOf({ 'new.txt': 'x'.repeat(100_000) });
    const truncated = b.b64.slice(0, Math.floor(b.b64.length / 2));
    const r = await copy(truncated, 'id2', b.lines);
    expect(r.code).not.toBe(0);
    expect(readdirSync(target)).toEqual(['keep.txt']);
    expect(siblings()).toEqual(['src']);
  });

  it('refuses an archive that unpacked fewer files than expected', async () => {
    const a = await archiveOf({ 'keep.txt': '1' });
    expect((await copy(a.b64, 'id1', a.lines)).code).toBe(0);
    const b = await archiveOf({ 'one.txt': '1' });
    const r = await copy(b.b64, 'id2', 2);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('incomplete copy: 1 of 2 files arrived');
    expect(readdirSync(target)).toEqual(['keep.txt']);
    expect(siblings()).toEqual(['src']);
  });

  it('repairs what a killed sync left: an aside target comes back, partial trees go', async () => {
    mkdirSync(join(target + '.old-dead'), { recursive: true });
    writeFileSync(join(target + '.old-dead', 'previous.txt'), 'p');
    mkdirSync(join(target + '.incoming-dead'));
    writeFileSync(join(target + '.incoming-dead', 'half.txt'), 'h');
    // A failing copy: the repaired previous tree is what remains.
    const r = await copy('not base64 at all!', 'id3', 1);
    expect(r.code).not.toBe(0);
    expect(readdirSync(target)).toEqual(['previous.txt']);
    expect(siblings()).toEqual(['src']);
  });

  it('takes paths only from its arguments: a target with shell characters is just a name', async () => {
    target = join(dir, 'envs', `$(touch pwned) 'q" ;x`, 'src');
    const a = await archiveOf({ 'a.txt': 'A' });
    const r = await copy(a.b64, 'id1', a.lines);
    expect(r.code).toBe(0);
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('A');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync('pwned')).toBe(false);
  });
});

describe.each(shells)('CLEANUP_SCRIPT (%s)', (_name, env) => {
  it('removes the incoming tree and puts an aside target back', async () => {
    mkdirSync(target + '.incoming-id1', { recursive: true });
    mkdirSync(target + '.old-id1');
    writeFileSync(join(target + '.old-id1', 'f'), 'f');
    const r = await runner.run('sh', ['-c', CLEANUP_SCRIPT, 'sh', target, 'id1'], { env });
    expect(r.code).toBe(0);
    expect(siblings()).toEqual(['src']);
    expect(readdirSync(target)).toEqual(['f']);
  });
});
