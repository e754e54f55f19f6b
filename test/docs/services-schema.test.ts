/**
 * schema/services.schema.json, checked with a real JSON Schema validator (ajv, draft-07) on files as an editor reads
 * them (the `yaml` parser's core schema, as yaml-language-server), against the loader itself on the same files; and
 * docs/services-yaml.md, checked to list every key of the zod model.
 */
import { describe, expect, it } from '@jest/globals';
import Ajv from 'ajv';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { loadStack } from '../../packages/core/src/config/load.js';
import { stackConfigSchema } from '../../packages/core/src/config/schema.js';
import { REFERENCE_FILE, REPO_ROOT, SCHEMA_FILE } from '../../scripts/generate-docs.js';
import { tempDir } from '../support/temp-dir.js';

const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, SCHEMA_FILE), 'utf8')) as Record<string, any>;
const ajv = new Ajv({ allErrors: true });
const validate = ajv.compile(schema);

/** What an editor says about a services.yaml text: undefined when it passes, else ajv's errors. */
function schemaErrors(text: string): string | undefined {
  return validate(parseYaml(text)) ? undefined : ajv.errorsText(validate.errors);
}

/** What the loader says about the same text (env dev): undefined when it loads, else its message. */
function loaderOutcome(text: string): { error?: string; warnings: string[] } {
  const dir = tempDir('docs-schema-');
  writeFileSync(path.join(dir, 'services.yaml'), text);
  try {
    const stack = loadStack({ config: 'services.yaml', env: 'dev', cwd: dir, processEnv: {} });
    return { warnings: stack.warnings.map((w) => `${w.path}: ${w.message}`) };
  } catch (err) {
    return { error: (err as Error).message, warnings: [] };
  }
}

const HEAD = 'project: demo\nenvironments:\n  dev: {}\n';

describe('services.schema.json', () => {
  it('is a valid draft-07 schema', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(schema.title).toBe('services.yaml');
  });

  it.each(['examples/shop/services.yaml', 'test/fixtures/project-example/input/services.yaml'])(
    'accepts %s as written, templated scalars included',
    (file) => {
      const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
      expect(text).toMatch(/: '\{\{/);
      expect(schemaErrors(text)).toBeUndefined();
    },
  );

  it('rejects a wrong type where the loader does: services: 5', () => {
    const text = `${HEAD}services: 5\n`;
    expect(schemaErrors(text)).toMatch(/data\.services should be array/);
    expect(loaderOutcome(text).error).toMatch(/^services\.yaml:4:\d+: services: /);
  });

  it('lets an unknown key pass, as the loader does (a warning), and refuses it under strict: true, as the loader does', () => {
    const loose = `${HEAD}colour: blue\nservices:\n  - name: web\n    replicas: 2\n`;
    expect(schemaErrors(loose)).toBeUndefined();
    const loaded = loaderOutcome(loose);
    expect(loaded.error).toBeUndefined();
    expect(loaded.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^colour: unknown key, ignored/)]));

    for (const strict of ['true', 'True', '"1"', '1']) {
      const top = `strict: ${strict}\n${HEAD}colour: blue\n`;
      expect(schemaErrors(top)).toMatch(/data should NOT have additional properties/);
      expect(loaderOutcome(top).error).toMatch(/colour: unknown key/);
      const nested = `strict: ${strict}\n${HEAD}services:\n  - name: web\n    replicas: 2\n`;
      expect(schemaErrors(nested)).toMatch(/data\.services\[0\] should NOT have additional properties/);
      expect(loaderOutcome(nested).error).toMatch(/services\[0\]\.replicas: unknown key/);
    }
    // strict: false, or a strict that only a render decides, leaves unknown keys to the loader's warnings.
    expect(schemaErrors(`strict: false\n${HEAD}colour: blue\n`)).toBeUndefined();
    expect(schemaErrors(`strict: '{{ .Vars.STRICT }}'\n${HEAD}colour: blue\n`)).toBeUndefined();
  });

  /*
   * Scalars: the schema sees what an editor parses (numbers, booleans, null), the loader reads every scalar as text
   * and converts it; each case states the verdict and both must give it.
   */
  const scalars: [string, string, boolean][] = [
    ['boolean', 'codex:\n  reviewMCPEnabled: true', true],
    ['boolean', 'codex:\n  reviewMCPEnabled: TRUE', true],
    ['boolean', 'codex:\n  reviewMCPEnabled: t', true],
    ['boolean', 'codex:\n  reviewMCPEnabled: 1', true],
    ['boolean', 'codex:\n  reviewMCPEnabled: F', true],
    ['boolean', 'codex:\n  reviewMCPEnabled: " false "', true],
    ['boolean', 'codex:\n  reviewMCPEnabled: ""', true],
    ['boolean', 'codex:\n  reviewMCPEnabled: yes', false],
    ['boolean', 'codex:\n  reviewMCPEnabled: 2', false],
    ['boolean', 'codex:\n  reviewMCPEnabled: \'{{ "true" }}\'', true],
    ['integer', 'maxSlots: 5', true],
    ['integer', 'maxSlots: "5"', true],
    ['integer', 'maxSlots: -3', true],
    ['integer', 'maxSlots: 0x10', true],
    ['integer', 'maxSlots: ""', true],
    ['integer', 'maxSlots: 1.5', false],
    ['integer', 'maxSlots: abc', false],
    ['integer', 'maxSlots: true', false],
    ['integer', "maxSlots: '{{ 3 }}'", true],
    ['enum', 'environments:\n  dev:\n    imagePullPolicy: Never', true],
    ['enum', 'environments:\n  dev:\n    imagePullPolicy: never', false],
    ['enum', 'environments:\n  dev:\n    imagePullPolicy: \'{{ "Always" }}\'', true],
    ['enum, any case', 'images:\n  web:\n    type: BUILD', true],
    ['enum, any case', 'images:\n  web:\n    type: " External "', true],
    ['enum, any case', 'images:\n  web:\n    type: built', false],
    ['string', 'registry: 1.20', true],
    ['string', 'registry: true', true],
    ['string', 'versions:\n  go: 1.22\n  node: 22', true],
    ['string', 'registry: [a]', false],
    ['empty', 'codex:\nregistry: ~\nversions:\n  go:', true],
    ['empty', 'services:\n  - name: web\n    when:\n    manifests:', true],
    ['required', 'services:\n  - when: "true"', false],
    ['required', 'services:\n  - name:', false],
  ];
  it.each(scalars)('%s: %j is %p to the schema and to the loader', (_kind, body, ok) => {
    const text = body.startsWith('environments:') ? `project: demo\n${body}\n` : `${HEAD}${body}\n`;
    const editor = schemaErrors(text);
    const loader = loaderOutcome(text).error;
    expect({ schema: editor === undefined, loader: loader === undefined }).toEqual({ schema: ok, loader: ok });
  });

  it('reaches every key of the model, each with a description', () => {
    const fromSchema: string[] = [];
    const undescribed: string[] = [];
    const resolve = (s: any): any => (s?.$ref ? schema.definitions[s.$ref.replace('#/definitions/', '')] : s);
    const visit = (raw: any, at: string): void => {
      const s = resolve(raw);
      if (!s || typeof s !== 'object') return;
      for (const branch of [...(s.anyOf ?? []), ...(s.allOf ?? [])]) visit(branch, at);
      if (s.items) visit(s.items, `${at}[]`);
      if (s.additionalProperties && typeof s.additionalProperties === 'object')
        visit(s.additionalProperties, `${at}.<key>`);
      for (const [key, field] of Object.entries<any>(s.properties ?? {})) {
        const p = at ? `${at}.${key}` : key;
        fromSchema.push(p);
        if (!field.description) undescribed.push(p);
        visit(field, p);
      }
    };
    visit({ properties: schema.properties }, '');
    const fromModel = modelKeys().map(([, key]) => key);
    expect(fromSchema.sort()).toEqual(fromModel.sort());
    expect(undescribed).toEqual([]);
    expect(fromModel.length).toBeGreaterThan(150);
  });
});

/**
 * Every key of the zod model as [section, key]: a shape with a `title` (used in several places) is its own section,
 * listed once with keys relative to it, unless `expandShared`; a key the user chooses is `<key>`.
 */
function modelKeys(expandShared = true): [string, string][] {
  const out: [string, string][] = [];
  const seen = new Set<string>();
  const def = (s: z.core.$ZodType) => s._zod.def as any;
  const title = (s: z.core.$ZodType) => (z.globalRegistry.get(s as z.ZodType) as { title?: string } | undefined)?.title;
  const fields = (obj: z.core.$ZodType, prefix: string, section: string) => {
    for (const [key, value] of Object.entries<z.core.$ZodType>(def(obj).shape)) {
      const at = prefix ? `${prefix}.${key}` : key;
      out.push([section, at]);
      visit(value, at, section);
    }
  };
  const visit = (schema: z.core.$ZodType, at: string, section: string): void => {
    let s = schema;
    while (def(s).type === 'optional') s = def(s).innerType;
    const d = def(s);
    if (d.type === 'object') {
      const t = title(s);
      if (!t || expandShared) fields(s, at, section);
      else if (!seen.has(t)) {
        seen.add(t);
        fields(s, '', t);
      }
    } else if (d.type === 'array') visit(d.element, `${at}[]`, section);
    else if (d.type === 'record') visit(d.valueType, `${at}.<key>`, section);
  };
  fields(stackConfigSchema(), '', 'model');
  return out;
}

describe('docs/services-yaml.md', () => {
  const doc = readFileSync(path.join(REPO_ROOT, REFERENCE_FILE), 'utf8');

  it('lists every key of the model once, shared shapes under their own heading', () => {
    const expected = modelKeys(false);
    const titles = new Set(expected.map(([section]) => section).filter((s) => s !== 'model'));
    const listed: [string, string][] = [];
    let section = '';
    for (const line of doc.split('\n')) {
      const heading = /^## (.+)$/.exec(line);
      if (heading) section = titles.has(heading[1]) ? heading[1] : 'model';
      const row = /^\| `([^`]+)` \|/.exec(line);
      if (row) listed.push([section, row[1].replace(/<[^>]+>/g, '<key>')]);
    }
    const show = (rows: [string, string][]) => rows.map(([s, k]) => `${s}: ${k}`).sort();
    expect(show(listed)).toEqual(show(expected));
    expect(titles).toEqual(
      new Set(['Value reference', 'Manifest', 'Item hooks', 'Hook step', 'Volume claim settings']),
    );
  });

  it('gives each key its type, default and description', () => {
    expect(doc).toContain(
      '| `services[].overlays.<env>.hostMounts[].hostPathType` | one of `Directory`, `DirectoryOrCreate`, `File`, `FileOrCreate`, `Socket`, `CharDevice`, `BlockDevice` |  | `Directory` |',
    );
    expect(doc).toContain('| `state.configmapPrefix` | string |  | `codex-env-` | Prefix of the record names');
    expect(doc).toContain('| `services[].name` | string | yes |  | Name of the service');
    expect(doc).toContain('| `hooks.beforeAll` | list of [Hook step](#hook-step) |');
    const emptyDescriptions = doc.split('\n').filter((l) => /^\| `[^`]+` \|.*\|\s*\|$/.test(l));
    expect(emptyDescriptions).toEqual([]);
  });
});
