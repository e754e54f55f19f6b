/*
 * Generated reference docs, and the check that keeps them current:
 *   - schema/services.schema.json: JSON Schema (draft-07) of services.yaml as written, for editors;
 *   - docs/services-yaml.md: the field reference;
 *   - README.md, between the action-reference markers: the inputs and outputs of every action.
 * The first two come from the zod model (packages/core/src/config/schema.ts, descriptions included), the tables
 * from actions/<name>/action.yml.
 *
 *   npx tsx scripts/generate-docs.ts            write what differs
 *   npx tsx scripts/generate-docs.ts --check    exit 1 naming each file that differs from what would be written
 *   --root DIR                                  read and write under DIR instead of this repository
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { stackConfigSchema } from '../packages/core/src/config/schema.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_FILE = 'schema/services.schema.json';
export const REFERENCE_FILE = 'docs/services-yaml.md';
export const README_FILE = 'README.md';
export const SCHEMA_URL = 'https://raw.githubusercontent.com/codex-k8s/actions/v1/schema/services.schema.json';
export const ACTIONS_START = '<!-- action-reference:start -->';
export const ACTIONS_END = '<!-- action-reference:end -->';

/** The order of the README's summary table; actions not listed follow alphabetically. */
const ACTION_ORDER = ['ensure-slot', 'ensure-ready', 'apply', 'prompt-run', 'review-apply', 'images-build', 'cleanup'];

/** How the reference writes a key the user chooses, by the name of the map that holds it. */
const MAP_KEYS: Record<string, string> = {
  patterns: '<env>',
  images: '<name>',
  baseDomain: '<env>',
  environments: '<env>',
  overlays: '<env>',
  hosts: '<host>',
  buildArgs: '<ARG>',
  buildContexts: '<name>',
  versions: '<name>',
  env: '<VARIABLE>',
  headers: '<Header>',
  with: '<parameter>',
};

// ---------------------------------------------------------------------------------------------------------------
// The model, read from the zod schema.

type AnySchema = z.core.$ZodType;
type Def = Record<string, unknown> & { type: string };

interface Meta {
  title?: string;
  description?: string;
  default?: unknown;
}

/** One value of the model. Scalars are named by what the loader accepts after templating. */
export interface ModelNode {
  kind: 'text' | 'bool' | 'int' | 'enum' | 'ci-enum' | 'object' | 'array' | 'record' | 'any';
  meta: Meta;
  optional: boolean;
  /** enum, ci-enum: the allowed values. */
  values?: string[];
  /** object: its fields, in order; `strict` when unknown keys are reported. */
  fields?: [string, ModelNode][];
  strict?: boolean;
  /** array: the item; record: the value. */
  element?: ModelNode;
  /** object: the same zod object, so a shape used in several places is recognised. */
  source?: AnySchema;
}

const defOf = (s: AnySchema): Def => s._zod.def as unknown as Def;
const metaOf = (s: AnySchema): Meta => (z.globalRegistry.get(s as z.ZodType) ?? {}) as Meta;
const unionOf = (s: AnySchema): string[] | undefined => {
  const def = defOf(s);
  return def.type === 'union' ? (def.options as AnySchema[]).map((o) => defOf(o).type).sort() : undefined;
};

/** Reads a zod schema of the model into a ModelNode; throws on a construct the docs do not know. */
export function readModel(schema: AnySchema, where = '(root)'): ModelNode {
  let s = schema;
  let meta: Meta = {};
  let optional = false;
  for (;;) {
    meta = { ...metaOf(s), ...meta };
    const def = defOf(s);
    if (def.type === 'optional') {
      optional = true;
      s = def.innerType as AnySchema;
      continue;
    }
    const node = (n: Omit<ModelNode, 'meta' | 'optional'>): ModelNode => ({ ...n, meta, optional });
    switch (def.type) {
      case 'string':
        return node({ kind: 'text' });
      case 'unknown':
        return node({ kind: 'any' });
      case 'enum':
        return node({ kind: 'enum', values: Object.values(def.entries as Record<string, string>) });
      case 'array':
        return node({ kind: 'array', element: readModel(def.element as AnySchema, `${where}[]`) });
      case 'record':
        return node({ kind: 'record', element: readModel(def.valueType as AnySchema, `${where}.<key>`) });
      case 'object': {
        const shape = def.shape as Record<string, AnySchema>;
        return node({
          kind: 'object',
          strict: defOf(def.catchall as AnySchema)?.type === 'never',
          fields: Object.entries(shape).map(([k, v]) => [k, readModel(v, `${where}.${k}`)]),
          source: s,
        });
      }
      case 'pipe': {
        const input = def.in as AnySchema;
        const output = def.out as AnySchema;
        const union = unionOf(input)?.join(',');
        if (union === 'boolean,string') return node({ kind: 'bool' });
        if (union === 'number,string') return node({ kind: 'int' });
        if (defOf(output).type === 'enum')
          return node({ kind: 'ci-enum', values: Object.values(defOf(output).entries as Record<string, string>) });
        break;
      }
    }
    throw new Error(`${where}: the docs generator does not know the zod construct "${def.type}"; teach it`);
  }
}

/** A shape with a `title` is documented once under that title; everything else where it is used. */
const titleOf = (n: ModelNode): string | undefined =>
  n.kind === 'object' && n.source ? metaOf(n.source).title : undefined;

// ---------------------------------------------------------------------------------------------------------------
// JSON Schema of services.yaml as written (what an editor sees, before templating).

type Json = Record<string, unknown>;

/** A string holding a template action: its value is only known after rendering. */
const TEMPLATED = '\\{\\{';
const BOOL_WORDS = ['true', 'True', 'TRUE', '1', 't', 'T', 'false', 'False', 'FALSE', '0', 'f', 'F'];
const TRUE_WORDS = ['true', 'True', 'TRUE', '1', 't', 'T'];

/** `external` → `[Ee][Xx]...`: the loader lower-cases before comparing. */
const anyCase = (word: string) =>
  [...word].map((c) => (c.toLowerCase() === c.toUpperCase() ? c : `[${c.toUpperCase()}${c.toLowerCase()}]`)).join('');

function scalarSchema(n: ModelNode): Json {
  switch (n.kind) {
    case 'text':
      // An editor reads `1.20`, `true` and `8080` as a number or a boolean; the loader reads every scalar as text.
      return { type: ['string', 'number', 'boolean'] };
    case 'bool':
      return {
        anyOf: [
          { type: 'boolean' },
          { enum: [0, 1] },
          { type: 'string', pattern: `^\\s*(${BOOL_WORDS.join('|')})?\\s*$|${TEMPLATED}` },
        ],
      };
    case 'int':
      return {
        anyOf: [
          { type: 'integer' },
          { type: 'string', pattern: `^\\s*([-+]?[0-9]+|0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+)?\\s*$|${TEMPLATED}` },
        ],
      };
    case 'enum':
      return { anyOf: [{ enum: n.values }, { type: 'string', pattern: TEMPLATED }] };
    case 'ci-enum':
      return {
        anyOf: [
          { enum: n.values },
          { type: 'string', pattern: `^\\s*(${n.values!.map(anyCase).join('|')})\\s*$|${TEMPLATED}` },
        ],
      };
    case 'any':
      return {};
    default:
      throw new Error(`not a scalar: ${n.kind}`);
  }
}

/** `key:`, `key: ~` and `key: null` leave a field unset, as Go's decoder does. */
function orNull(schema: Json): Json {
  if (Object.keys(schema).length === 0) return schema;
  if (Array.isArray(schema.anyOf)) return { ...schema, anyOf: [...schema.anyOf, { type: 'null' }] };
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.type)) return { ...schema, type: [...schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

const camel = (title: string) =>
  title
    .split(/\s+/)
    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase()))
    .join('');

class SchemaWriter {
  readonly definitions: Record<string, Json> = {};
  /** Loose: unknown keys pass and descriptions are kept. Strict (`strict: true`): unknown keys fail. */
  constructor(private readonly strict: boolean) {}

  value(n: ModelNode, isRoot = false): Json {
    const title = titleOf(n);
    if (title && !isRoot) {
      const name = camel(title) + (this.strict ? 'Strict' : '');
      if (!this.definitions[name]) {
        this.definitions[name] = {}; // placeholder: a shape that contains itself stops here
        this.definitions[name] = this.annotate(this.value(n, true), { title, description: n.meta.description });
      }
      return { $ref: `#/definitions/${name}` };
    }
    switch (n.kind) {
      case 'object': {
        const properties: Record<string, Json> = {};
        const required: string[] = [];
        for (const [key, field] of n.fields!) {
          properties[key] = this.field(field);
          if (!field.optional) required.push(key);
        }
        return {
          type: 'object',
          properties,
          ...(required.length ? { required } : {}),
          ...(this.strict && n.strict ? { additionalProperties: false } : {}),
        };
      }
      case 'array': {
        const item = this.value(n.element!);
        // A list item written `- ~` is read as an empty string.
        return { type: 'array', items: n.element!.kind === 'text' ? orNull(item) : item };
      }
      case 'record':
        // An entry left empty is dropped, as an unset field is.
        return { type: 'object', additionalProperties: orNull(this.value(n.element!)) };
      default:
        return scalarSchema(n);
    }
  }

  private field(n: ModelNode): Json {
    const value = this.value(n);
    return this.annotate(n.optional ? orNull(value) : value, n.meta);
  }

  private annotate(schema: Json, meta: Meta): Json {
    if (this.strict) return schema;
    const notes: Json = {};
    if (meta.title) notes.title = meta.title;
    if (meta.description) notes.description = meta.description;
    if (meta.default !== undefined) notes.default = meta.default;
    if (Object.keys(notes).length === 0) return schema;
    // Keywords beside a draft-07 `$ref` are ignored: wrap it so the description is kept.
    return '$ref' in schema ? { ...notes, allOf: [schema] } : { ...notes, ...schema };
  }
}

const SCHEMA_DESCRIPTION =
  'services.yaml of codex-k8s, as written: every scalar may be a quoted Go template ("{{ ... }}"), checked once ' +
  'rendered. Unknown keys are accepted (the loader warns about them) unless strict: true. Field reference: ' +
  'docs/services-yaml.md.';

/** The JSON Schema of services.yaml, as an object. */
export function buildSchema(model: ModelNode = readModel(stackConfigSchema())): Json {
  const loose = new SchemaWriter(false);
  const strict = new SchemaWriter(true);
  const root = loose.value(model, true);
  const strictRoot = strict.value(model, true);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_URL,
    title: 'services.yaml',
    description: SCHEMA_DESCRIPTION,
    ...root,
    // strict: true makes the loader refuse unknown keys at every level; so does the strict copy of the tree.
    if: {
      required: ['strict'],
      properties: {
        strict: {
          anyOf: [{ const: true }, { const: 1 }, { type: 'string', pattern: `^\\s*(${TRUE_WORDS.join('|')})\\s*$` }],
        },
      },
    },
    then: { $ref: '#/definitions/strictServicesYaml' },
    definitions: { ...loose.definitions, strictServicesYaml: strictRoot, ...strict.definitions },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The field reference.

export interface FieldRow {
  key: string;
  type: string;
  required: boolean;
  default?: unknown;
  description: string;
}

export interface FieldSection {
  heading: string;
  /** Set for a shared shape: its rows' keys are relative to it. */
  title?: string;
  intro?: string;
  rows: FieldRow[];
}

const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');

function typeLabel(n: ModelNode, plural = false): string {
  const title = titleOf(n);
  if (title) return `[${title}](#${anchor(title)})`;
  const s = plural ? 's' : '';
  switch (n.kind) {
    case 'text':
      return `string${s}`;
    case 'bool':
      return `boolean${s}`;
    case 'int':
      return `integer${s}`;
    case 'any':
      return plural ? 'values of any type' : 'any type';
    case 'enum':
      return `one of ${n.values!.map((v) => `\`${v}\``).join(', ')}`;
    case 'ci-enum':
      return `one of ${n.values!.map((v) => `\`${v}\``).join(', ')} (any case)`;
    case 'object':
      return `mapping${s}`;
    case 'array':
      return `list of ${typeLabel(n.element!, true)}`;
    case 'record':
      return `map of ${typeLabel(n.element!, true)}`;
  }
}

function mapKey(name: string, where: string): string {
  const key = MAP_KEYS[name];
  if (!key) throw new Error(`${where}: add how the reference writes its keys to MAP_KEYS in scripts/generate-docs.ts`);
  return key;
}

/**
 * Rows for every key of the model: the top level, then one section per top-level key with nested keys, then one
 * section per shared shape (titled), each documented once.
 */
export function fieldSections(model: ModelNode = readModel(stackConfigSchema())): FieldSection[] {
  const shared = new Map<string, FieldSection>();
  const collect = (n: ModelNode, prefix: string, rows: FieldRow[]): void => {
    for (const [key, field] of n.fields ?? []) {
      const at = prefix ? `${prefix}.${key}` : key;
      rows.push({
        key: at,
        type: typeLabel(field),
        required: !field.optional,
        default: field.meta.default,
        description: field.meta.description ?? '',
      });
      descend(field, at, key, rows);
    }
  };
  const descend = (n: ModelNode, at: string, name: string, rows: FieldRow[]): void => {
    const title = titleOf(n);
    if (title) {
      if (!shared.has(title)) {
        const section: FieldSection = { heading: title, title, intro: metaOf(n.source!).description, rows: [] };
        shared.set(title, section);
        collect(n, '', section.rows);
      }
      return;
    }
    if (n.kind === 'object') collect(n, at, rows);
    else if (n.kind === 'array') descend(n.element!, `${at}[]`, name, rows);
    else if (n.kind === 'record') descend(n.element!, `${at}.${mapKey(name, at)}`, name, rows);
  };

  const top: FieldSection = { heading: 'Top level', rows: [] };
  const sections: FieldSection[] = [top];
  for (const [key, field] of model.fields!) {
    top.rows.push({
      key,
      type: typeLabel(field),
      required: !field.optional,
      default: field.meta.default,
      description: field.meta.description ?? '',
    });
    const rows: FieldRow[] = [];
    descend(field, key, key, rows);
    if (rows.length) sections.push({ heading: `\`${key}\``, rows });
  }
  return [...sections, ...shared.values()];
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const code = (text: string) => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

const REFERENCE_INTRO = `# services.yaml reference

<!-- Generated by \`npm run docs\` from packages/core/src/config/schema.ts: edit the descriptions there. -->

One \`services.yaml\` describes a project's stack: its environments, infra groups, services, images, hooks and the
agent. The file is first rendered as one Go template (so a preamble such as \`# {{- $registry := envOr "REGISTRY" "" }}\`
works), then read as YAML, every scalar as text, and checked against the model below. The types are those of the
rendered file:

- *string*: any scalar; \`1.20\` stays \`1.20\`.
- *boolean*: \`true\`/\`false\` and Go's other spellings (\`True\`, \`TRUE\`, \`t\`, \`1\`, \`False\`, \`f\`, \`0\`, empty).
- *integer*: whole numbers, quoted or not.
- A key written empty (\`key:\`, \`key: ~\`) is the same as a key left out.
- \`[]\` in a key stands for every item of a list; \`<env>\`, \`<name>\` and the like for a key you choose.

Unknown keys are warnings that name the file, line and key, except a near miss of a key that is missing there
(\`tagTemplte:\` without \`tagTemplate:\`), which is an error. \`strict: true\` makes every warning an error.
\`codex-k8s validate -c services.yaml\` checks a file the way every command loads it.

## Editor support

[\`schema/services.schema.json\`](../schema/services.schema.json) is the same model as a JSON Schema (draft-07). With
the YAML extension of VS Code, or any editor using yaml-language-server, a first line

\`\`\`yaml
# yaml-language-server: $schema=${SCHEMA_URL}
\`\`\`

gives completion, these descriptions on hover, and checks as you type. The schema checks the file as written, before
templating: a scalar holding \`{{ ... }}\` passes wherever a value is expected (boolean, integer and enum fields
included), and the loader checks the rendered value. Write template actions inside quoted scalars or comments: an
unquoted \`{{ .X }}\` is a YAML mapping to an editor. Like the loader, the schema lets unknown keys pass unless the
file says \`strict: true\`; checks that need the rendered file or the rest of the project (near misses, names that
must exist, paths inside the project, duplicates) are the loader's.

Shapes used in several places are described once, after the sections of the top-level keys: SHARED_SHAPES.
`;

function renderSection(section: FieldSection): string {
  const lines = [`## ${section.heading}`, ''];
  if (section.intro) lines.push(section.intro, '');
  lines.push('| key | type | required | default | description |', '|---|---|---|---|---|');
  for (const row of section.rows) {
    const def = row.default === undefined ? '' : code(String(row.default));
    lines.push(
      `| ${code(row.key)} | ${cell(row.type)} | ${row.required ? 'yes' : ''} | ${cell(def)} | ${cell(row.description)} |`,
    );
  }
  return lines.join('\n');
}

export function renderReference(sections: FieldSection[] = fieldSections()): string {
  const sharedList = sections
    .filter((s) => s.title)
    .map((s) => `[${s.title}](#${anchor(s.title!)})`)
    .join(', ');
  const intro = REFERENCE_INTRO.replace('SHARED_SHAPES', sharedList);
  return `${intro}\n${sections.map(renderSection).join('\n\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// README: inputs and outputs of the actions.

interface ActionYaml {
  inputs?: Record<string, { description?: string; required?: boolean | string; default?: unknown } | null>;
  outputs?: Record<string, { description?: string } | null>;
}

/** Text from action.yml in a table cell: one line, no table breaks, no HTML (`<slot>` would vanish). */
const plain = (text: unknown) =>
  cell(String(text ?? '').trim())
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');

export function listActions(root: string): string[] {
  const dir = path.join(root, 'actions');
  const names = readdirSync(dir)
    .filter((n) => existsSync(path.join(dir, n, 'action.yml')))
    .sort();
  const rank = (n: string) => (ACTION_ORDER.includes(n) ? ACTION_ORDER.indexOf(n) : ACTION_ORDER.length);
  return names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export function renderActionReference(root: string): string {
  const parts = [
    ACTIONS_START,
    '<!-- Generated by `npm run docs` from actions/*/action.yml: edit those, not this block. -->',
    '',
    'Inputs and outputs of each action (from its `action.yml`):',
  ];
  // Which inputs fall back to which of the predecessor's CODEXCTL_* variables, as their descriptions say.
  const fallbacks = new Map<string, string[]>();
  for (const name of listActions(root)) {
    const file = path.join('actions', name, 'action.yml');
    const action = (parseYaml(readFileSync(path.join(root, file), 'utf8')) ?? {}) as ActionYaml;
    const inputs = Object.entries(action.inputs ?? {});
    const outputs = Object.entries(action.outputs ?? {});
    parts.push(
      '',
      '<details>',
      `<summary><code>${name}</code>: ${inputs.length} inputs, ${outputs.length} outputs</summary>`,
      '',
      '| input | required | default | description |',
      '|---|---|---|---|',
    );
    for (const [input, spec] of inputs) {
      const required = spec?.required === true || spec?.required === 'true';
      const def = spec?.default === undefined || spec.default === '' ? '' : code(String(spec.default));
      parts.push(`| ${code(input)} | ${required ? 'yes' : 'no'} | ${cell(def)} | ${plain(spec?.description)} |`);
      for (const variable of new Set(String(spec?.description ?? '').match(/\bCODEXCTL_[A-Z0-9_]+/g) ?? [])) {
        fallbacks.set(variable, [...(fallbacks.get(variable) ?? []), `${name}: ${code(input)}`]);
      }
    }
    if (outputs.length) {
      parts.push('', '| output | description |', '|---|---|');
      for (const [output, spec] of outputs) parts.push(`| ${code(output)} | ${plain(spec?.description)} |`);
    }
    parts.push('', '</details>');
  }
  parts.push(
    '',
    '<details>',
    '<summary>The <code>CODEXCTL_*</code> variables of codexctl and the inputs that read them</summary>',
    '',
    'An input left empty falls back to the variable, so workflows written for codexctl keep their `env:` blocks.',
    '',
    '| variable | read by (action: input) |',
    '|---|---|',
  );
  for (const variable of [...fallbacks.keys()].sort()) {
    parts.push(`| ${code(variable)} | ${fallbacks.get(variable)!.join(', ')} |`);
  }
  parts.push('', '</details>', '', ACTIONS_END);
  return parts.join('\n');
}

/** README.md with the block between the markers replaced; the markers must be there once each, in order. */
export function spliceReadme(readme: string, block: string): string {
  const start = readme.indexOf(ACTIONS_START);
  const end = readme.indexOf(ACTIONS_END);
  if (
    start < 0 ||
    end < start ||
    readme.indexOf(ACTIONS_START, start + 1) >= 0 ||
    readme.indexOf(ACTIONS_END, end + 1) >= 0
  )
    throw new Error(
      `${README_FILE}: needs the lines ${ACTIONS_START} and ${ACTIONS_END}, once each and in that order, where the action reference goes`,
    );
  return readme.slice(0, start) + block + readme.slice(end + ACTIONS_END.length);
}

// ---------------------------------------------------------------------------------------------------------------
// Generate and check.

async function formatJson(value: unknown): Promise<string> {
  const options = (await prettier.resolveConfig(path.join(REPO_ROOT, SCHEMA_FILE))) ?? {};
  return prettier.format(JSON.stringify(value), { ...options, parser: 'json' });
}

/** What each generated file should hold, by path relative to `root`. */
export async function generate(root: string): Promise<Map<string, string>> {
  const model = readModel(stackConfigSchema());
  const readme = readFileSync(path.join(root, README_FILE), 'utf8');
  return new Map([
    [SCHEMA_FILE, await formatJson(buildSchema(model))],
    [REFERENCE_FILE, renderReference(fieldSections(model))],
    [README_FILE, spliceReadme(readme, renderActionReference(root))],
  ]);
}

/** The generated files whose content on disk differs from what `generate` makes (missing ones included). */
export async function staleFiles(root: string): Promise<string[]> {
  const stale: string[] = [];
  for (const [file, content] of await generate(root)) {
    const full = path.join(root, file);
    if (!existsSync(full) || readFileSync(full, 'utf8') !== content) stale.push(file);
  }
  return stale;
}

export async function main(argv: readonly string[]): Promise<number> {
  let check = false;
  let root = REPO_ROOT;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--check') check = true;
    else if (argv[i] === '--root' && argv[i + 1]) root = path.resolve(argv[++i]);
    else {
      process.stderr.write(
        `generate-docs: unknown argument "${argv[i]}"; usage: generate-docs [--check] [--root DIR]\n`,
      );
      return 2;
    }
  }
  if (check) {
    const stale = await staleFiles(root);
    for (const file of stale)
      process.stderr.write(`${file}: out of date with its sources; run npm run docs and commit the result\n`);
    if (stale.length === 0) process.stdout.write('generated docs are up to date\n');
    return stale.length ? 1 : 0;
  }
  for (const [file, content] of await generate(root)) {
    const full = path.join(root, file);
    if (existsSync(full) && readFileSync(full, 'utf8') === content) continue;
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
    process.stdout.write(`wrote ${file}\n`);
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`generate-docs: ${err.message}\n`);
      process.exit(1);
    },
  );
}
