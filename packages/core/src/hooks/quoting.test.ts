import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadStack } from '../config/load.js';
import { HookRunner } from './runner.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');

const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-hook-quote-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => rmSync(path.join(dir, 'out'), { force: true }));

describe('a value in a run: script', () => {
  it.each([
    ['shell code', '"; touch pwned; echo "'],
    // Hook text is rendered again at use time: a value shaped like a template must stay text there too.
    ['template code that prints a quote', '{{ printf "%c" 39 }}; touch pwned; echo {{ printf "%c" 39 }}'],
  ])('shq keeps a hostile value (%s) one shell word: written as text, never run', async (_what, hostile) => {
    writeFileSync(
      path.join(dir, 'services.yaml'),
      'project: shop\nenvironments:\n  dev: {}\nhooks:\n  beforeAll:\n    - run: |\n        echo {{ shq .Vars.X }} > out\n',
    );
    const stack = loadStack({ config: 'services.yaml', env: 'dev', cwd: dir, processEnv: {}, vars: [`X=${hostile}`] });
    const hooks = new HookRunner({
      stack,
      processEnv: { PATH: process.env.PATH },
      output: { stdout: () => undefined, stderr: () => undefined },
    });
    const results = await hooks.runGlobal('beforeAll');
    expect(results.map((r) => r.outcome)).toEqual(['ok']);
    expect(readFileSync(path.join(dir, 'out'), 'utf8')).toBe(`${hostile}\n`);
    expect(existsSync(path.join(dir, 'pwned'))).toBe(false);
  });

  it('the example project quotes its hook value and reads the rest from the environment', async () => {
    const stack = loadStack({ config: 'examples/shop/services.yaml', env: 'dev', cwd: REPO_ROOT, processEnv: {} });
    let out = '';
    const hooks = new HookRunner({
      stack,
      processEnv: { PATH: process.env.PATH },
      output: { stdout: (chunk) => (out += chunk), stderr: () => undefined },
    });
    await hooks.runGlobal('afterAll');
    expect(out).toBe('shop applied to shop-dev, web version 1.4.0\n');
  });
});
