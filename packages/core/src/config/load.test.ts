import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadStack, type LoadOptions } from './load.js';
import { DiagnosticsError, UserError } from '../util/errors.js';

/** loadStack on a services.yaml written for each case; the arguments' checks and what the loader reads itself. */
describe('loadStack', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'app.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n');
  const BASE =
    'project: demo\nenvironments:\n  dev: {}\nservices:\n  - name: app\n    manifests:\n      - path: app.yaml\n';

  const load = (yaml: string, options: Partial<LoadOptions> = {}) => {
    writeFileSync(path.join(dir, 'services.yaml'), yaml);
    return loadStack({ config: 'services.yaml', cwd: dir, env: 'dev', processEnv: {}, ...options });
  };
  const failure = (yaml: string, options: Partial<LoadOptions> = {}): Error => {
    try {
      load(yaml, options);
    } catch (err) {
      return err as Error;
    }
    throw new Error('loadStack succeeded');
  };

  it('refuses a blank env and a slot that is no whole number >= 0, before reading anything', () => {
    for (const env of ['', '  ']) {
      const err = failure('not: [valid', { env });
      expect(err).toBeInstanceOf(UserError);
      expect(err.message).toBe('no environment given: pass --env (or set CODEXCTL_ENV)');
    }
    for (const slot of [-1, 1.5, Number.NaN]) {
      expect(failure('not: [valid', { slot }).message).toBe(`slot must be a whole number >= 0, got ${slot}`);
    }
    expect(load(BASE, { env: ' dev ', slot: 0 }).env).toBe('dev');
  });

  it('names what is missing when project: is absent or blank, instead of an invalid namespace built from it', () => {
    for (const yaml of [BASE.replace('project: demo\n', ''), BASE.replace('project: demo', 'project: "  "')]) {
      const err = failure(yaml);
      expect(err).toBeInstanceOf(UserError);
      expect(err.message).toMatch(/^services\.yaml: project: required .*add a line such as "project: shop"/);
    }
    expect(load(BASE.replace('project: demo', 'project: "  demo  "')).project).toBe('demo');
  });

  it('refuses a top level that is a list or a single value, saying so', () => {
    expect(failure('- a\n- b\n').message).toMatch(/^services\.yaml: the top level must be a mapping .*not a list$/);
    expect(failure('just text\n').message).toMatch(/the top level must be a mapping .*not a single value$/);
  });

  it('an explicit namespace is trimmed and beats the pattern; an invalid one is refused whichever gave it', () => {
    const patterned = BASE.replace(
      'environments:',
      'namespace:\n  patterns:\n    dev: "{{ .Project }}-x"\nenvironments:',
    );
    expect(load(patterned).namespace).toBe('demo-x');
    expect(load(patterned, { namespace: '  my-ns  ' }).namespace).toBe('my-ns');
    expect(failure(BASE, { namespace: 'Bad_NS' }).message).toMatch(
      /namespace "Bad_NS" for env "dev" is not a valid Kubernetes namespace name.*: pass a valid namespace$/,
    );
    expect(failure(patterned.replace('-x"', '_X"')).message).toMatch(
      /namespace "demo_X" for env "dev" is not a valid .*set namespace\.patterns\.dev in services\.yaml/,
    );
    // A pattern that renders to blanks falls back to <project>-<env>.
    expect(load(patterned.replace('"{{ .Project }}-x"', '"{{ if false }}x{{ end }}  "')).namespace).toBe('demo-dev');
  });

  it('an env that services.yaml does not define is reported as such, with or without an environments: mapping', () => {
    expect(failure(BASE, { env: 'prod' }).message).toMatch(/environment "prod" is not defined/);
    expect(failure(BASE.replace('environments:\n  dev: {}\n', '')).message).toMatch(
      /environment "dev" is not defined \(services\.yaml defines no environments\)/,
    );
  });

  it('a wrong type is an error with its line, column and field, not an unknown key or "required"', () => {
    const err = failure(BASE.replace('  - name: app', '  - name: [a, b]'));
    expect(err).toBeInstanceOf(DiagnosticsError);
    expect(err.message).toBe('services.yaml:5:11: services[0].name: expected string, got a list');
  });

  it('unknown keys: a warning with its position; under strict: true (also written "True") an error', () => {
    const stack = load(BASE.replace('project: demo', 'project: demo\nfoo: 1'));
    expect(stack.strict).toBe(false);
    expect(stack.warnings).toEqual([
      expect.objectContaining({
        line: 2,
        col: 1,
        path: 'foo',
        message: 'unknown key, ignored (check its spelling and level; strict: true makes this an error)',
      }),
    ]);
    expect(stack.config).not.toHaveProperty('foo');
    for (const strict of ['true', '"True"']) {
      const err = failure(BASE.replace('project: demo', `project: demo\nstrict: ${strict}\nfoo: 1`));
      expect(err).toBeInstanceOf(DiagnosticsError);
      expect(err.message).toContain('services.yaml:3:1: foo: unknown key (check its spelling and level) [an error');
    }
  });

  it('under strict: true a missing map key in services.yaml itself is an error; otherwise Go prints <no value>', () => {
    const yaml = (strict: string) =>
      BASE.replace('project: demo', `project: demo\nstrict: ${strict}\nversions:\n  app: "{{ .Vars.NOPE }}"`);
    expect(load(yaml('false')).config.versions).toEqual({ app: '<no value>' });
    for (const strict of ['true', 'T', '1']) {
      expect(failure(yaml(strict)).message).toMatch(/map has no entry for key "NOPE"/);
    }
  });

  it('null, ~ and empty values count as not set, as Go leaves a field at its zero value', () => {
    const stack = load(`${BASE}versions: ~\nbaseDomain: null\nimages:\nstrict: ~\n`);
    expect(stack.config).toEqual({
      project: 'demo',
      environments: { dev: {} },
      services: [{ name: 'app', manifests: [{ path: 'app.yaml' }] }],
    });
    expect(stack.strict).toBe(false);
  });

  it('reads its variables from the given environment only, and .Now is the current second', () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const yaml = BASE.replace('project: demo', `project: demo\nversions:\n  a: '{{ envOr "GREETING" "none" }}'`);
    expect(load(yaml, { processEnv: { GREETING: 'hi' } }).config.versions).toEqual({ a: 'hi' });
    expect(load(yaml).config.versions).toEqual({ a: 'none' });
    const stack = load(BASE);
    const seconds = Number(stack.renderField('now', '{{ .Now.Unix }}'));
    expect(seconds * 1000).toBeGreaterThanOrEqual(before);
    expect(seconds * 1000).toBeLessThanOrEqual(Date.now());
    // Whole seconds: the same .Now in every template of one load.
    expect(stack.renderField('now', '{{ .Now.Nanosecond }}')).toBe('0');
  });

  it('a missing file, a path through a file and a directory are named with the fix', () => {
    const missing = failure(BASE, { config: 'nope.yaml' });
    expect([missing instanceof UserError, missing.message]).toEqual([
      true,
      'nope.yaml: file not found; pass the path of services.yaml with -c/--config',
    ]);
    const through = failure(BASE, { config: 'app.yaml/services.yaml' });
    expect(through).toBeInstanceOf(UserError);
    expect(through.message).toMatch(/^app\.yaml\/services\.yaml: cannot read: ENOTDIR/);
    expect(failure(BASE, { config: '.' }).message).toBe(
      '.: is a directory; pass the path of services.yaml itself with -c/--config',
    );
    // An absolute path is shown as given.
    const absolute = path.join(dir, 'nope.yaml');
    expect(failure(BASE, { config: absolute }).message).toBe(
      `${absolute}: file not found; pass the path of services.yaml with -c/--config`,
    );
  });

  it('YAML that only templating breaks is reported at its line in the rendered text, with that line', () => {
    // A template action inside a comment can emit lines of its own: valid YAML before templating, not after.
    const err = failure(`${BASE}# {{ "\\nbroken: [1, 2]]" }}\n`);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/^services\.yaml:9:\d+: after templating, the result is not valid YAML: .+\n {2}9 \| /);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      bomb.push(
        `${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`,
      );
    }
    const aliases = failure(`${BASE}# {{ "\\n${bomb.join('\\n')}" }}\n`);
    expect(aliases).toBeInstanceOf(UserError);
    expect(aliases.message).toMatch(/^services\.yaml: .*alias/);
  });

  it('a value outside a fixed set lists the values allowed; a mapping where a value belongs says so', () => {
    const badType = failure(`${BASE}images:\n  pg:\n    type: copy\n`);
    expect(badType).toBeInstanceOf(DiagnosticsError);
    expect(badType.message).toBe('services.yaml:10:11: images.pg.type: must be one of "external", "build"');
    expect(load(`${BASE}images:\n  pg:\n    type: ' BUILD'\n    repository: r\n`).config.images?.pg?.type).toBe(
      'build',
    );
    const mapping = failure(BASE.replace('  - name: app', '  - name: {a: b}'));
    expect(mapping.message).toBe('services.yaml:5:11: services[0].name: expected string, got a mapping');
  });

  it('strict: is true for the spellings Go’s strconv.ParseBool accepts, blanks around them ignored', () => {
    const yaml = (strict: string) => BASE.replace('project: demo', `project: demo\nstrict: ${strict}\nfoo: 1`);
    for (const strict of ['true', 'TRUE', 'True', '" t "', '1'])
      expect(failure(yaml(strict))).toBeInstanceOf(DiagnosticsError);
    for (const strict of ['false', 'FALSE', 'f', '0']) expect(load(yaml(strict)).strict).toBe(false);
  });

  it('a near miss of a key that is missing is an error naming both; of a key also set, a warning', () => {
    const typo = failure(BASE.replace('project: demo', 'project: demo\nversion:\n  a: "1"'));
    expect(typo.message).toBe(
      'services.yaml:2:1: version: unknown key; did you mean "versions"? As written, "versions" is not set here, so what it configures is missing: rename the key',
    );
    const both = load(BASE.replace('project: demo', 'project: demo\nversions: {}\nversion:\n  a: "1"'));
    expect(both.warnings.map((w) => w.message)).toEqual([
      'unknown key, ignored (did you mean "versions"? it is also set here)',
    ]);
  });
});
