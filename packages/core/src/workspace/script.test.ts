/**
 * The pod-side scripts, run by the local sh with GNU tar, and also by busybox (the sync image) with only busybox
 * applets on PATH. Without a busybox binary here the file fails: `bash test/setup/install-tools.sh` installs it.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  statSync,
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
  const applets = ['sh', 'tar', 'base64', 'find', 'wc', 'mv', 'rm', 'mkdir', 'gunzip', 'gzip', 'sha256sum', 'awk'];
  for (const applet of [...applets, 'sort', 'xargs', 'diff', 'cp', 'cat', 'sed', 'tr', 'touch', 'rmdir'])
    symlinkSync(bin, join(path, applet));
  return path;
}
// The sync image is busybox: its sh, tar, awk and sha256sum must be what runs these scripts here too.
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
const copy = (input: string, id: string, expected: number, discard = false): Promise<RunResult> =>
  runner.run('sh', ['-c', COPY_SCRIPT, 'sh', target, id, String(expected), discard ? '1' : '0', 'T1'], {
    input,
    timeoutMs: 20_000,
    env: shellEnv,
  });

/** Copies `files` as the new sources and expects success. */
async function sync(files: Record<string, string>, discard = false): Promise<RunResult> {
  const a = await archiveOf(files);
  const r = await copy(a.b64, 'id', a.lines, discard);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r;
}

/** Beside the target: the manifest of the last sync and, after saving changes, `saved`. */
const siblings = (): string[] => readdirSync(join(target, '..')).sort();
const tree = (root: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [join(e.parentPath, e.name).slice(root.length + 1), readFileSync(join(e.parentPath, e.name), 'utf8')])
      .sort(([a], [b]) => a.localeCompare(b)),
  );

describe.each(shells)('COPY_SCRIPT (%s)', (_name, env) => {
  beforeEach(() => {
    shellEnv = env;
  });

  it('creates the target with its parents on the first copy', async () => {
    const a = await archiveOf({ 'a.txt': 'A', 'x/y.txt': 'Y' });
    const r = await copy(a.b64, 'id1', a.lines);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('synced 2 files: 2 written, 0 deleted\n');
    expect(readFileSync(join(target, 'x', 'y.txt'), 'utf8')).toBe('Y');
    expect(siblings()).toEqual(['.codex-k8s-sync.sha256', 'src']);
    const sha = (t: string) => execFileSync('sha256sum', { input: t, encoding: 'utf8' }).slice(0, 64);
    const manifest = readFileSync(join(target, '..', '.codex-k8s-sync.sha256'), 'utf8');
    expect(manifest.split('\n').sort()).toEqual(['', `${sha('A')}  ./a.txt`, `${sha('Y')}  ./x/y.txt`].sort());
  });

  it('updates the tree in place: same directory, changed files written, files gone from the sources deleted', async () => {
    await sync({ 'old.txt': 'old', 'keep.txt': '1', 'same.txt': 's', 'sub/old.txt': 'o' });
    const dirInode = statSync(target).ino;
    const sameInode = statSync(join(target, 'same.txt')).ino;
    const r = await sync({ 'keep.txt': '2', 'same.txt': 's', 'new/n.txt': 'n' });
    expect(r.stdout).toBe('synced 3 files: 2 written, 2 deleted\n');
    expect(tree(target)).toEqual({ 'keep.txt': '2', 'new/n.txt': 'n', 'same.txt': 's' });
    expect(existsSync(join(target, 'sub'))).toBe(false);
    expect(statSync(target).ino).toBe(dirInode);
    expect(statSync(join(target, 'same.txt')).ino).toBe(sameInode);
    expect(siblings()).toEqual(['.codex-k8s-sync.sha256', 'src']);
  });

  it('leaves files no sync wrote (the agent own, build output) in place', async () => {
    await sync({ 'a.txt': '1' });
    mkdirSync(join(target, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(target, 'node_modules', 'x', 'i.js'), 'js');
    await sync({ 'a.txt': '2' });
    expect(tree(target)).toEqual({ 'a.txt': '2', 'node_modules/x/i.js': 'js' });
  });

  it('stops naming the files the agent changed that the new sources do not contain, writing nothing', async () => {
    await sync({ 'edited.txt': 'v1', 'deleted.txt': 'd', 'removed.txt': 'r', 'same.txt': 's', 'both.txt': 'b1' });
    writeFileSync(join(target, 'edited.txt'), 'agent');
    rmSync(join(target, 'deleted.txt'));
    writeFileSync(join(target, 'removed.txt'), 'agent kept working on it');
    writeFileSync(join(target, 'created.txt'), 'agent');
    writeFileSync(join(target, 'both.txt'), 'b2'); // the new sources have the agent's version: no conflict
    const before = tree(target);
    const a = await archiveOf({
      'edited.txt': 'v2',
      'deleted.txt': 'd',
      'same.txt': 's',
      'both.txt': 'b2',
      'created.txt': 'src',
    });
    const r = await copy(a.b64, 'id', a.lines);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'conflict: created.txt\nconflict: deleted.txt\nconflict: edited.txt\nconflict: removed.txt\n',
    );
    expect(tree(target)).toEqual(before);
    expect(siblings()).toEqual(['.codex-k8s-sync.sha256', 'src']);
  });

  it('with discard saves the agent versions as a patch and a tarball beside the workspace, then replaces them', async () => {
    await sync({ 'edited.txt': 'v1\n', 'removed.txt': 'r\n' });
    writeFileSync(join(target, 'edited.txt'), 'agent line\n');
    writeFileSync(join(target, 'removed.txt'), 'agent kept it\n');
    const r = await sync({ 'edited.txt': 'v2\n' }, true);
    expect(r.stdout).toContain('saved: ');
    expect(tree(target)).toEqual({ 'edited.txt': 'v2\n' });
    expect(siblings()).toEqual(['.codex-k8s-sync.sha256', 'saved', 'src']);
    const patch = readFileSync(join(target, '..', 'saved', 'T1.patch'), 'utf8');
    expect(patch).toContain('--- a/edited.txt\n+++ b/edited.txt\n');
    expect(patch).toContain('-v2\n+agent line\n');
    expect(patch).toContain('+++ b/removed.txt\n@@ -0,0 +1 @@\n+agent kept it\n');
    const list = execFileSync('tar', ['-tzf', join(target, '..', 'saved', 'T1.tar.gz')], { encoding: 'utf8' });
    expect(
      list
        .split('\n')
        .filter((l) => l.endsWith('.txt'))
        .sort(),
    ).toEqual(['./edited.txt', './removed.txt']);
  });

  it('after a sync cut off while writing, the half-written files are no conflict for the next sync', async () => {
    await sync({ 'a.txt': '1', 'b.txt': '1' });
    // What a killed sync of {a: 2, b: 2, c: 2} leaves: its pending manifest, a written, b and c not yet.
    const sums = execFileSync(
      'sh',
      [
        '-c',
        'd=$(mktemp -d); cd "$d"; printf 2 > a.txt; printf 2 > b.txt; printf 2 > c.txt; sha256sum ./a.txt ./b.txt ./c.txt; rm -r "$d"',
      ],
      { encoding: 'utf8' },
    );
    writeFileSync(join(target, '..', '.codex-k8s-sync.pending'), sums);
    writeFileSync(join(target, 'a.txt'), '2');
    await sync({ 'a.txt': '3', 'b.txt': '3' });
    expect(tree(target)).toEqual({ 'a.txt': '3', 'b.txt': '3' });
    expect(siblings()).toEqual(['.codex-k8s-sync.sha256', 'src']);
  });

  it('a workspace without a manifest (an older sync) is updated, and what it loses is saved with a warning', async () => {
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'a.txt'), 'old\n');
    writeFileSync(join(target, 'same.txt'), 's');
    const a = await archiveOf({ 'a.txt': 'new\n', 'same.txt': 's' });
    const r = await copy(a.b64, 'id', a.lines);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: no record of the previous sync/);
    expect(tree(target)).toEqual({ 'a.txt': 'new\n', 'same.txt': 's' });
    expect(readFileSync(join(target, '..', 'saved', 'T1.patch'), 'utf8')).toContain('-new\n+old\n');
  });

  it('leaves the previous tree when the archive is broken, and removes the incoming dir', async () => {
    const a = await archiveOf({ 'keep.txt': '1' });
    expect((await copy(a.b64, 'id1', a.lines)).code).toBe(0);
    const b = await archiveOf({ 'new.txt': 'x'.repeat(100_000) });
    const truncated = b.b64.slice(0, Math.floor(b.b64.length / 2));
    const r = await copy(truncated, 'id2', b.lines);
    expect(r.code).not.toBe(0);
    expect(readdirSync(target)).toEqual(['keep.txt']);
    expect(siblings()).toEqual(['.codex-k8s-sync.sha256', 'src']);
  });

  it('refuses an archive that unpacked fewer files than expected', async () => {
    const a = await archiveOf({ 'keep.txt': '1' });
    expect((await copy(a.b64, 'id1', a.lines)).code).toBe(0);
    const b = await archiveOf({ 'one.txt': '1' });
    const r = await copy(b.b64, 'id2', 2);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('incomplete copy: 1 of 2 files arrived');
    expect(readdirSync(target)).toEqual(['keep.txt']);
    expect(siblings()).toEqual(['.codex-k8s-sync.sha256', 'src']);
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
  it('removes the incoming tree and work files and puts an aside target back', async () => {
    mkdirSync(target + '.incoming-id1', { recursive: true });
    mkdirSync(join(target, '..', '.codex-k8s-sync.work-id1'));
    mkdirSync(target + '.old-id1');
    writeFileSync(join(target + '.old-id1', 'f'), 'f');
    const r = await runner.run('sh', ['-c', CLEANUP_SCRIPT, 'sh', target, 'id1'], { env });
    expect(r.code).toBe(0);
    expect(siblings()).toEqual(['src']);
    expect(readdirSync(target)).toEqual(['f']);
  });
});
