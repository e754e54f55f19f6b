import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRunner } from '../kube/fake-runner.js';
import { ChildProcessRunner } from '../kube/runner.js';
import { packSources, tarCreateArgs } from './archive.js';
import { SyncError } from './errors.js';
import { DEFAULT_EXCLUDES, compileExcludes } from './excludes.js';
import { listSources } from './walk.js';

let dir: string;
let src: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-archive-'));
  src = join(dir, 'src');
  const files: Record<string, string> = {
    'a.txt': 'A',
    'sub/b.txt': 'BB',
    'sub/deeper/c.txt': 'CCC',
    '-dash.txt': 'option-like name',
    'with space/d e.txt': 'spaces',
    'line\nbreak.txt': 'newline in the name',
    '.git/HEAD': 'ref',
    'node_modules/x/index.js': 'x',
    'pkg/dist/out.js': 'built',
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(src, name, '..'), { recursive: true });
    writeFileSync(join(src, name), text);
  }
  mkdirSync(join(src, 'empty'));
  symlinkSync('sub/b.txt', join(src, 'link-to-b'));
  execFileSync('mkfifo', [join(src, 'a-fifo')]);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('listSources', () => {
  it('lists directories, files and symlinks in order, skipping excluded trees and special files', async () => {
    const list = await listSources(src, compileExcludes(DEFAULT_EXCLUDES));
    expect(list.entries).toEqual([
      '-dash.txt',
      'a.txt',
      'empty',
      'line\nbreak.txt',
      'link-to-b',
      'pkg',
      'sub',
      'sub/b.txt',
      'sub/deeper',
      'sub/deeper/c.txt',
      'with space',
      'with space/d e.txt',
    ]);
    expect(list.files).toBe(6);
    expect(list.bytes).toBe(16 + 1 + 19 + 2 + 3 + 6);
    expect(list.findLines).toBe(7); // the name with a newline prints as two lines
    expect(list.excluded).toBe(3); // .git, node_modules, pkg/dist
    expect(list.skipped).toEqual(['a-fifo']);
  });
});

describe('packSources', () => {
  it('packs exactly the listed entries with the local tar, owners zeroed', async () => {
    const list = await listSources(src, compileExcludes(DEFAULT_EXCLUDES));
    const data = await packSources(new ChildProcessRunner(), { source: src, entries: list.entries });
    const tgz = join(dir, 'out.tgz');
    writeFileSync(tgz, data);
    const names = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' });
    expect(names).toContain('-dash.txt\n');
    expect(names).toContain('with space/d e.txt\n');
    expect(names).not.toContain('.git');
    expect(names).not.toContain('node_modules');
    const verbose = execFileSync('tar', ['--numeric-owner', '-tvzf', tgz], { encoding: 'utf8' });
    expect(verbose).toMatch(/^lrwxrwxrwx 0\/0 .* link-to-b -> sub\/b.txt$/m);
    for (const line of verbose.trim().split('\n')) expect(line.split(/\s+/)[1]).toBe('0/0');
  });

  it('packs an empty list into a valid empty archive', async () => {
    const data = await packSources(new ChildProcessRunner(), { source: src, entries: [] });
    const tgz = join(dir, 'empty.tgz');
    writeFileSync(tgz, data);
    expect(execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' })).toBe('');
  });

  it('reports a failing tar as a SyncError of step "archive" with its words, and removes its temp dir', async () => {
    const runner = new FakeRunner().on(() => true, {
      code: 2,
      stderr: 'tar: x: Cannot stat: No such file or directory\n',
    });
    const err = await packSources(runner, { source: src, entries: ['x'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect(err).toMatchObject({ step: 'archive' });
    expect((err as Error).message).toContain('Cannot stat');
    const file = runner.calls[0].args.find((a) => a.startsWith('--file='))!.slice('--file='.length);
    expect(() => execFileSync('test', ['-e', join(file, '..')])).toThrow();
  });

  it('tarCreateArgs reads names verbatim from a NUL-separated list without recursing', () => {
    const args = tarCreateArgs('/t/a.tgz', '/src', '/t/list');
    expect(args.indexOf('--null')).toBeLessThan(args.indexOf('--files-from=/t/list'));
    expect(args).toEqual(expect.arrayContaining(['--no-recursion', '--verbatim-files-from', '--directory=/src']));
  });
});
