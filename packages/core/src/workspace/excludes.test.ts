import { describe, expect, it } from '@jest/globals';
import { UserError } from '../util/errors.js';
import { DEFAULT_EXCLUDES, compileExcludes, globToRegExp } from './excludes.js';

describe('compileExcludes', () => {
  const m = compileExcludes([
    ...DEFAULT_EXCLUDES,
    '*.log',
    'docs/build',
    '/tmp',
    'cache/',
    '**/fixtures/*.bin',
    'gen/**',
  ]);

  it.each([
    ['.git', true],
    ['.git', false], // a worktree's .git file
    ['services/api/.git', true],
    ['node_modules', true],
    ['packages/core/node_modules', true],
    ['actions/apply/dist', true],
    ['coverage', true],
    ['.tools', true],
    ['app.log', false],
    ['a/b/app.log', false],
    ['docs/build', true],
    ['tmp', true],
    ['cache', true],
    ['a/fixtures/x.bin', false],
    ['fixtures/x.bin', false],
    ['gen/a/b.ts', false],
  ])('excludes %j (dir: %j)', (path, isDir) => {
    expect(m(path, isDir)).toBe(true);
  });

  it.each([
    ['src/main.ts', false],
    ['.github', true],
    ['.gitignore', false],
    ['distribution', true],
    ['my-node_modules', true],
    ['app.log.txt', false],
    ['x/docs/build', true], // anchored pattern: only at the root
    ['a/tmp', true],
    ['cache', false], // `cache/` is for directories only
    ['fixtures/x.bin.txt', false],
    ['gen', false],
  ])('keeps %j (dir: %j)', (path, isDir) => {
    expect(m(path, isDir)).toBe(false);
  });

  it('refuses negations and patterns that leave the source', () => {
    expect(() => compileExcludes(['!keep'])).toThrow(UserError);
    expect(() => compileExcludes(['../x'])).toThrow(/does not name a path inside the source/);
    expect(() => compileExcludes([' '])).toThrow(/empty pattern/);
  });

  it('globToRegExp escapes regular-expression characters', () => {
    expect(globToRegExp('a+b(1).txt').test('a+b(1).txt')).toBe(true);
    expect(globToRegExp('a+b(1).txt').test('aab(1)xtxt')).toBe(false);
    expect(globToRegExp('?.md').test('a.md')).toBe(true);
    expect(globToRegExp('?.md').test('/.md')).toBe(false);
  });
});
