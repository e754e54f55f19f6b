import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectVariables, parseInlineVars } from './vars.js';
import { isWhenTrue } from './when.js';

describe('variables', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-vars-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, '.env'), 'TOKEN=from-file\nexport BASE=x\nDERIVED="${BASE}-y"\nONLY_FILE=1\n');
  writeFileSync(path.join(dir, 'vars.yaml'), 'REGION: eu\nTOKEN: from-var-file\n');

  it('lets the real environment win over committed envFiles, and var-file and inline vars win over both', () => {
    const v = collectVariables({
      processEnv: { TOKEN: 'ci-secret', HOME: '/root' },
      envFiles: ['.env'],
      projectRoot: dir,
      cwd: dir,
      inline: [],
    });
    expect(v.envMap.TOKEN).toBe('ci-secret');
    expect(v.envMap.DERIVED).toBe('x-y');
    expect(v.envMap.ONLY_FILE).toBe('1');
    const w = collectVariables({
      processEnv: { TOKEN: 'ci' },
      envFiles: ['.env'],
      projectRoot: dir,
      cwd: dir,
      varFile: 'vars.yaml',
      inline: ['TOKEN=inline'],
    });
    expect(w.envMap.TOKEN).toBe('inline');
    expect(w.vars).toEqual({ REGION: 'eu', TOKEN: 'inline' });
    expect(w.userVars).toEqual({ TOKEN: 'inline' });
  });

  it('reports a missing envFile with its path', () => {
    expect(() =>
      collectVariables({ processEnv: {}, envFiles: ['missing.env'], projectRoot: dir, cwd: dir, inline: [] }),
    ).toThrow(/missing\.env: cannot read envFiles entry "missing\.env": file not found/);
  });

  it('parses multi-line inline vars whose values hold commas and equals signs', () => {
    expect(parseInlineVars(['A=1,2,3\n# note\n\nB = x=y'])).toEqual({ A: '1,2,3', B: 'x=y' });
    expect(() => parseInlineVars(['novalue'])).toThrow(/invalid inline var "novalue"/);
  });
});

describe('when', () => {
  it('is true when empty or blank, false for false/0/no/off in any case', () => {
    expect([undefined, '', '  ', 'true', 'yes', '<no value>', 'n'].map(isWhenTrue)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['false', 'FALSE', ' 0 ', 'No', 'off', 'OFF'].map(isWhenTrue)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
