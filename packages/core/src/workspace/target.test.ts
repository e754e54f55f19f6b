import { describe, expect, it } from '@jest/globals';
import { UserError } from '../util/errors.js';
import { isStrictlyUnder, syncTarget, validateMount } from './target.js';

const base = { codeRootBase: '/workspace/codex/envs', workspaceMount: '/workspace', slot: 0, env: 'ai' };

describe('syncTarget', () => {
  it('puts a slotted env under its slot number and any other env under its name', () => {
    expect(syncTarget({ ...base, slot: 3 })).toBe('/workspace/codex/envs/3/src');
    expect(syncTarget({ ...base, slot: 0, env: 'staging' })).toBe('/workspace/codex/envs/staging/src');
    expect(syncTarget({ ...base, slot: 12, env: 'ai-repair' })).toBe('/workspace/codex/envs/12/src');
  });

  it('normalises the base and the mount (trailing slashes, dots)', () => {
    expect(syncTarget({ ...base, codeRootBase: '/workspace/./codex//envs/', slot: 1 })).toBe(
      '/workspace/codex/envs/1/src',
    );
    expect(syncTarget({ ...base, workspaceMount: '/workspace/', slot: 1 })).toBe('/workspace/codex/envs/1/src');
    expect(syncTarget({ codeRootBase: '/data/ws/x', workspaceMount: '/data/ws', slot: 0, env: 'dev' })).toBe(
      '/data/ws/x/dev/src',
    );
  });

  it.each([
    ['/srv/codex', /not inside workspace-mount \/workspace/],
    ['/workspace', /not inside workspace-mount/],
    ['/workspace/', /not inside workspace-mount/],
    ['/workspace/../etc', /not inside workspace-mount/],
    ['/workspaces/x', /not inside workspace-mount/],
    ['codex/envs', /must be an absolute pod path/],
    ['', /code-root-base: empty/],
    ['/workspace/a\nb', /must be an absolute pod path/],
  ])('refuses code-root-base %j, naming the input', (codeRootBase, why) => {
    const run = () => syncTarget({ ...base, codeRootBase, slot: 1 });
    expect(run).toThrow(UserError);
    expect(run).toThrow(/^code-root-base: /);
    expect(run).toThrow(why);
  });

  it.each(['', '../x', 'a/b', '.', '..', '-x', 'a b'])('refuses env %j as a directory name when slot is 0', (env) => {
    expect(() => syncTarget({ ...base, env })).toThrow(/^env: /);
  });
});

describe('validateMount', () => {
  it('accepts absolute directories and refuses / and relative paths, naming workspace-mount', () => {
    expect(validateMount('/workspace/')).toBe('/workspace');
    expect(validateMount('/a/../b')).toBe('/b');
    expect(() => validateMount('/')).toThrow(/^workspace-mount: /);
    expect(() => validateMount('/..')).toThrow(/^workspace-mount: /);
    expect(() => validateMount('workspace')).toThrow(/^workspace-mount: .*absolute/);
  });

  it('isStrictlyUnder is about path segments, not string prefixes', () => {
    expect(isStrictlyUnder('/workspace/a', '/workspace')).toBe(true);
    expect(isStrictlyUnder('/workspace', '/workspace')).toBe(false);
    expect(isStrictlyUnder('/workspace2/a', '/workspace')).toBe(false);
  });
});
