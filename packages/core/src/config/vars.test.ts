import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectVariables, parseInlineVars, readVarFile, splitLegacyVars } from './vars.js';
import { isWhenTrue } from './when.js';
import { UserError } from '../util/errors.js';

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

describe('var-file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-varfile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };

  it('reads YAML by extension or by content, dotenv otherwise; every value as text', () => {
    expect(readVarFile(file('a.yml', 'A: 1\nB: true\nC:\n'))).toEqual({ A: '1', B: 'true', C: '' });
    expect(readVarFile(file('a.YAML', 'A: x'))).toEqual({ A: 'x' });
    // No YAML extension, but YAML text.
    expect(readVarFile(file('vars', 'REGION: eu\n'))).toEqual({ REGION: 'eu' });
    // dotenv: `A=b: c` would be a YAML key `A=b` with a YAML reader.
    expect(readVarFile(file('vars.env', 'A=b: c\nB=${A}\n'))).toEqual({ A: 'b: c', B: 'b: c' });
    // A YAML-looking extension inside the name does not make it YAML.
    expect(readVarFile(file('x.yaml.env', 'K=v\n'))).toEqual({ K: 'v' });
  });

  it('an empty YAML var-file sets nothing; a list or a nested value is an error naming the file and the key', () => {
    expect(readVarFile(file('empty.yaml', '# nothing\n'))).toEqual({});
    expect(() => readVarFile(file('list.yaml', '- a\n- b\n'))).toThrow(/list\.yaml: a var-file must be a mapping/);
    expect(() => readVarFile(file('scalar.yaml', 'just text\n'))).toThrow(/scalar\.yaml: a var-file must be a mapping/);
    expect(() => readVarFile(file('nested.yaml', 'A:\n  B: 1\n'))).toThrow(
      /nested\.yaml: var-file key "A" must have a plain value/,
    );
  });

  it('reports a syntax error with its line and column, and a missing file as such', () => {
    expect(() => readVarFile(file('bad.yaml', 'A: 1\nA: 2\n'))).toThrow(/bad\.yaml:2:1: invalid YAML in var-file/);
    expect(() => readVarFile(path.join(dir, 'none.yaml'))).toThrow(/none\.yaml: cannot read var-file: file not found/);
  });

  it('an alias bomb in a YAML var-file is a user error naming the file and the limit, not an internal error', () => {
    const bomb = [
      'a: &a x',
      ...Array.from(
        { length: 12 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    const f = file('bomb.yaml', `${bomb}\n`);
    expect(() => readVarFile(f)).toThrow(UserError);
    expect(() => readVarFile(f)).toThrow(
      /bomb\.yaml: YAML aliases in the var-file expand too much \(more than 100 alias uses/,
    );
  });

  it('an alias without an anchor in a YAML var-file is named with its position, not taken for an alias bomb', () => {
    const f = file('unresolved.yaml', 'A: &a 1\nB: *ab\nC: *a\n');
    expect(() => readVarFile(f)).toThrow(
      /unresolved\.yaml:2:4: invalid YAML in var-file: alias \*ab refers to no anchor/,
    );
    expect(() => readVarFile(f)).not.toThrow(/expand too much/);
  });

  it('a var-file that cannot be read for another reason says why, not "file not found"', () => {
    mkdirSync(path.join(dir, 'adir.yaml'), { recursive: true });
    expect(() => readVarFile(path.join(dir, 'adir.yaml'))).toThrow(
      /adir\.yaml: cannot read var-file: (?!file not found)/,
    );
  });

  it('values stay text as written (failsafe), the line and column of a syntax error are numbers', () => {
    expect(readVarFile(file('types.yaml', 'N: 010\nB: yes\nF: 1.50\nE: ~\n'))).toEqual({
      N: '010',
      B: 'yes',
      F: '1.50',
      E: '~',
    });
    expect(() => readVarFile(file('syntax.yml', 'A: 1\nB: [\n'))).toThrow(
      /syntax\.yml:\d+:\d+: invalid YAML in var-file: \S/,
    );
    // A name with an indented YAML key and a dotted key reads as YAML too.
    expect(readVarFile(file('vars-indented', '  app.name: shop\n'))).toEqual({ 'app.name': 'shop' });
  });

  it('an envFiles entry outside the project root is refused as such, not as a missing file', () => {
    expect(() =>
      collectVariables({ processEnv: {}, envFiles: ['../outside.env'], projectRoot: dir, cwd: dir, inline: [] }),
    ).toThrow(/outside|project root/);
    expect(() =>
      collectVariables({ processEnv: {}, envFiles: ['../outside.env'], projectRoot: dir, cwd: dir, inline: [] }),
    ).not.toThrow(/file not found/);
  });

  it('an inline var needs a name before "="', () => {
    expect(() => parseInlineVars(['=value'])).toThrow(/invalid inline var "=value": expected KEY=VALUE/);
    expect(() => parseInlineVars(['  =value'])).toThrow(/invalid inline var "=value"/);
    expect(parseInlineVars(['  K = v  '])).toEqual({ K: 'v' });
  });

  it('envFiles entries are trimmed, blank ones skipped, and named in errors as written in services.yaml', () => {
    file('.env', 'X=1\n');
    const v = collectVariables({
      processEnv: { UNSET: undefined },
      envFiles: [' .env ', '  '],
      projectRoot: dir,
      cwd: dir,
      inline: [],
    });
    expect(v.envMap).toEqual({ X: '1' });
    expect(() =>
      collectVariables({
        processEnv: {},
        envFiles: [' missing.env '],
        projectRoot: dir,
        cwd: dir,
        inline: [],
        configFile: 'svc.yaml',
      }),
    ).toThrow(/envFiles entry "missing\.env"/);
  });

  it('CODEXCTL_VARS splits on commas and drops empty pairs', () => {
    expect(splitLegacyVars(' a=1, b=2 ,,')).toEqual(['a=1', 'b=2']);
    expect(splitLegacyVars(undefined)).toEqual([]);
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
