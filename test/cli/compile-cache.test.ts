/** The CLI turns on V8's compile cache where Node has one (>= 22.1) and runs without it where not (Node 20). */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CLI, REPO_ROOT } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

const NODE24 = path.join(REPO_ROOT, '.tools/node24/bin/node');
const RENDER = ['render', '-c', 'examples/shop/services.yaml', '--env', 'ai', '--slot', '2'];

function renderWith(node: string, env: Record<string, string>): string {
  return execFileSync(node, [CLI, ...RENDER], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
}

describe('compile cache', () => {
  it('Node 24 keeps the cache under the user cache dir and renders the same stack from it', () => {
    expect(existsSync(NODE24)).toBe(true); // test/setup/install-tools.sh installs it
    const home = tempDir('ck8s-cache-home-');
    const first = renderWith(NODE24, { XDG_CACHE_HOME: home });
    expect(readdirSync(path.join(home, 'codex-k8s', 'compile-cache')).length).toBeGreaterThan(0);
    expect(renderWith(NODE24, { XDG_CACHE_HOME: home })).toBe(first);
  });

  it('NODE_COMPILE_CACHE chooses the directory', () => {
    const home = tempDir('ck8s-cache-home-');
    const cache = tempDir('ck8s-compile-cache-');
    renderWith(NODE24, { XDG_CACHE_HOME: home, NODE_COMPILE_CACHE: cache });
    expect(readdirSync(cache).length).toBeGreaterThan(0);
    expect(existsSync(path.join(home, 'codex-k8s'))).toBe(false);
  });

  it('on a Node without a compile cache the CLI starts all the same', () => {
    const major = Number(process.versions.node.split('.')[0]);
    const home = tempDir('ck8s-cache-home-');
    const out = renderWith(process.execPath, { XDG_CACHE_HOME: home });
    expect(out).toContain('kind: Namespace');
    // Node 20 has no module.enableCompileCache: nothing is written; newer Nodes write the cache.
    expect(existsSync(path.join(home, 'codex-k8s', 'compile-cache'))).toBe(major >= 22);
  });
});
