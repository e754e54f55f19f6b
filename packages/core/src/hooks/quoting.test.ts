import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadStack } from '../config/load.js';
import { HookRunner } from './runner.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-hook-quote-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a value in a run: script', () => {
  it('shq keeps a hostile value one shell word: written as text, never run', async () => {
    writeFileSync(
      path.join(dir, 'services.yaml'),
      'project: shop\nenvironments:\n  dev: {}\nhooks:\n  beforeAll:\n    - run: |\n        echo {{ shq .Vars.X }} > out\n',
    );
    const hostile = '"; touch pwned; echo "';
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
});
