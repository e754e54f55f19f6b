import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { parseTemplate, predecessorFuncs, TemplateError, type FuncMap, type GoStruct } from '../template/index.js';
import { UserError, type Diagnostic } from '../util/errors.js';
import { formatPath, keyAt, nodeAt, positionOf } from '../util/yaml-position.js';
import { buildTemplateContext } from './context.js';
import { resolveEnvironment, type ResolvedEnvironment } from './environments.js';
import { checkNamespaceName, isSlottedPattern, namespacePattern } from './namespace.js';
import { StackConfigSchema, type StackConfig } from './schema.js';
import { checkStackConfig } from './checks.js';
import { collectVariables, type Variables } from './vars.js';
import { AliasExpansionError, ManifestYamlError, readYamlStrings, snippetAround } from '../util/yaml-io.js';
import { readInputFile } from '../util/input-file.js';
import { RAW_ALIAS_BUDGET } from '../util/limits.js';

export interface LoadOptions {
  /** Path of services.yaml (relative to `cwd`). */
  config: string;
  env: string;
  slot?: number;
  /** Explicit namespace: beats every pattern. */
  namespace?: string;
  /** Inline `KEY=VALUE` entries. */
  vars?: readonly string[];
  varFile?: string;
  cwd?: string;
  processEnv?: Record<string, string | undefined>;
  /** The `.Now` of every template of this load. */
  now?: Date;
}

export interface LoadedStack {
  /** Absolute path of services.yaml. */
  file: string;
  /** The path as given, for messages. */
  displayFile: string;
  projectRoot: string;
  /** services.yaml after the template pass, before YAML parsing (what `config --raw` prints). */
  rendered: string;
  config: StackConfig;
  project: string;
  env: string;
  environment: ResolvedEnvironment;
  slot: number;
  namespace: string;
  /** The env's namespace depends on the slot number. */
  slotted: boolean;
  variables: Variables;
  /** The template data root for manifests, tag templates, hooks. */
  context: GoStruct;
  funcs: FuncMap;
  warnings: Diagnostic[];
  /** Renders a template string stored in a field (`when`, `tagTemplate`, hook `run`) with the final context. */
  renderField(name: string, text: string): string;
}

interface RawHeader {
  project: string;
  envFiles: string[];
  versions: Record<string, string>;
  baseDomain: Record<string, string>;
  patterns: Record<string, string>;
}

export function loadStack(options: LoadOptions): LoadedStack {
  const cwd = options.cwd ?? process.cwd();
  const file = path.resolve(cwd, options.config);
  const displayFile = path.isAbsolute(options.config) ? options.config : path.relative(cwd, file) || options.config;
  const projectRoot = path.dirname(file);
  const env = options.env.trim();
  if (!env) throw new UserError('no environment given: pass --env (or set CODEXCTL_ENV)');
  const slot = options.slot ?? 0;
  if (!Number.isInteger(slot) || slot < 0) throw new UserError(`slot must be a whole number >= 0, got ${slot}`);
  const now = options.now ?? new Date(Math.floor(Date.now() / 1000) * 1000);

  const source = readSource(file, displayFile);
  const rawDoc = parseYamlOrThrow(
    source,
    displayFile,
    'the file must be valid YAML before templating (template actions belong in quoted scalars or comments)',
  );
  const header = readHeader(rawDoc.doc, displayFile);

  const variables = collectVariables({
    processEnv: options.processEnv ?? process.env,
    envFiles: header.envFiles,
    projectRoot,
    configFile: displayFile,
    varFile: options.varFile,
    cwd,
    inline: options.vars ?? [],
  });
  const funcs = predecessorFuncs({ envMap: variables.envMap, now });
  const contextAt = (namespace: string, parsed?: StackConfig) =>
    buildTemplateContext({
      env,
      namespace,
      project: header.project,
      projectRoot,
      slot,
      now,
      variables,
      // While services.yaml itself renders, header maps are seen as written (the predecessor's behaviour).
      versions: parsed ? (parsed.versions ?? {}) : header.versions,
      baseDomain: parsed ? (parsed.baseDomain ?? {}) : header.baseDomain,
      codex: parsed?.codex,
      storage: parsed?.storage,
    });
  const render = (name: string, text: string, data: GoStruct) => renderTemplate(name, text, funcs, data, displayFile);

  const pattern = namespacePattern(header.patterns, env);
  const slotted = isSlottedPattern(pattern);
  let namespace = options.namespace?.trim() ?? '';
  const explicitNamespace = namespace !== '';
  if (!explicitNamespace) {
    namespace = render(`namespace.patterns.${env}`, pattern, contextAt('')).trim() || `${header.project}-${env}`;
  }
  checkNamespaceName(namespace, env, displayFile, explicitNamespace);

  const rendered = render(displayFile, source, contextAt(namespace));
  const warnings: Diagnostic[] = [];
  const config = validate(readRendered(rendered, displayFile), rawDoc, displayFile, warnings);

  let project = config.project?.trim() ?? '';
  if (!project && header.project) {
    project = header.project;
    const pos = positionOf(keyAt(rawDoc.doc, [], 'project'), rawDoc.lines);
    warnings.push({
      file: displayFile,
      ...pos,
      path: 'project',
      message:
        'is lost after templating: a "-}}" trim marker on the line before it removes the line break, so "project:" ends up inside a comment. ' +
        `Using "${header.project}" as written; write the last preamble action as "{{- ... }}" to fix the file.`,
    });
  }
  if (!project)
    throw new UserError(
      `${displayFile}: project: required (the project name used for namespaces and labels)`,
      displayFile,
    );

  const environment = resolveEnvironment(config.environments, env, displayFile);
  if (slotted && slot === 0 && !explicitNamespace) {
    warnings.push({
      file: displayFile,
      path: `namespace.patterns.${env}`,
      message: `env "${env}" is slotted (its namespace uses .Slot) but no slot was given: the namespace is "${namespace}"`,
    });
  }
  warnings.push(
    ...checkStackConfig({ config, rawDoc: rawDoc.doc, lines: rawDoc.lines, file: displayFile, projectRoot }),
  );
  if (config.strict && warnings.length) {
    throw new UserError(
      `${displayFile}: strict: true turns these warnings into errors:\n` +
        warnings
          .map(
            (w) =>
              `  ${w.file ?? displayFile}${w.line ? `:${w.line}:${w.col}` : ''}: ${w.path ? `${w.path}: ` : ''}${w.message}`,
          )
          .join('\n'),
      displayFile,
    );
  }

  const context = contextAt(namespace, config);
  return {
    file,
    displayFile,
    projectRoot,
    rendered,
    config,
    project,
    env,
    environment,
    slot,
    namespace,
    slotted,
    variables,
    context,
    funcs,
    warnings,
    renderField: (name, text) => (text.includes('{{') ? render(name, text, context) : text),
  };
}

function readSource(file: string, displayFile: string): string {
  try {
    return readInputFile(file, displayFile);
  } catch (err) {
    if (err instanceof UserError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(
        `${displayFile}: file not found; pass the path of services.yaml with -c/--config`,
        displayFile,
      );
    }
    throw new UserError(`${displayFile}: cannot read: ${(err as Error).message}`, displayFile);
  }
}

interface ParsedYaml {
  doc: Document;
  lines: LineCounter;
}

/*
 * services.yaml as written is parsed with positions (for messages) once per distinct text: loads of the same file
 * with other envs or slots reuse it. The rendered text is parsed without positions, which is much faster.
 */
const rawCache = new Map<string, ParsedYaml>();

function parseYamlOrThrow(text: string, displayFile: string, what: string): ParsedYaml {
  const cached = rawCache.get(text);
  if (cached) return cached;
  const parsed = parseWithPositions(text, displayFile, what);
  if (rawCache.size >= 16) rawCache.delete(rawCache.keys().next().value as string);
  rawCache.set(text, parsed);
  return parsed;
}

function readRendered(rendered: string, displayFile: string): unknown {
  try {
    return readYamlStrings(rendered, displayFile);
  } catch (err) {
    if (err instanceof AliasExpansionError) throw new UserError(`${displayFile}: ${err.message}`, displayFile);
    if (!(err instanceof ManifestYamlError)) throw err;
    throw new UserError(
      `${displayFile}:${err.line}:${err.col}: after templating, the result is not valid YAML: ${err.message}\n  ${err.line} | ${err.snippet}`,
      displayFile,
      err.line,
      err.col,
    );
  }
}

function parseWithPositions(text: string, displayFile: string, what: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const { line, col } = lines.linePos(err.pos[0]);
    const shown = snippetAround(text.split('\n')[line - 1] ?? '', col);
    throw new UserError(
      `${displayFile}:${line}:${col}: ${what}: ${err.message.split('\n')[0]}\n  ${line} | ${shown}`,
      displayFile,
      line,
      col,
    );
  }
  return { doc, lines };
}

export function renderTemplate(name: string, text: string, funcs: FuncMap, data: unknown, displayFile: string): string {
  try {
    return parseTemplate(name, text, { funcs }).execute(data);
  } catch (err) {
    if (err instanceof TemplateError) throw new UserError(err.message, displayFile, err.line, err.col);
    throw err;
  }
}

function asStringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/*
 * The yaml package stops expanding aliases past its own budget (maxAliasCount, 100 by default, weighed by the
 * size of what each alias repeats) with a ReferenceError; that is the input's fault, so it becomes a UserError.
 */
function documentToJS(doc: Document, displayFile: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: RAW_ALIAS_BUDGET });
  } catch (err) {
    if (!(err instanceof ReferenceError) || !/alias/i.test(err.message)) throw err;
    throw new UserError(
      `${displayFile}: YAML aliases expand too much (more than ${RAW_ALIAS_BUDGET} alias uses, weighed by their ` +
        `nesting; the limit guards against alias bombs); write the repeated values out or use fewer nested aliases`,
      displayFile,
    );
  }
}

function readHeader(doc: Document, displayFile: string): RawHeader {
  const data = (documentToJS(doc, displayFile) ?? {}) as Record<string, unknown>;
  const ns = data.namespace as Record<string, unknown> | undefined;
  return {
    project: typeof data.project === 'string' ? data.project.trim() : '',
    envFiles: Array.isArray(data.envFiles) ? data.envFiles.filter((e): e is string => typeof e === 'string') : [],
    versions: asStringMap(data.versions),
    baseDomain: asStringMap(data.baseDomain),
    patterns: asStringMap(ns?.patterns),
  };
}

/**
 * Go's YAML decoder leaves a field at its zero value for `key:`, `key: ~` or `key: null`; so do we (the strings
 * parser keeps `~` and `null` as text, so they are recognised here).
 */
const isNull = (v: unknown) => v === null || v === undefined || v === '~' || v === 'null';

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (isNull(v) ? '' : dropNulls(v)));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!isNull(v)) out[k] = dropNulls(v);
    return out;
  }
  return value;
}

function validate(rendered: unknown, raw: ParsedYaml, displayFile: string, warnings: Diagnostic[]): StackConfig {
  const data = dropNulls(rendered ?? {});
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new UserError(`${displayFile}: the top level must be a mapping (project:, services:, ...)`, displayFile);
  }
  let result = StackConfigSchema.safeParse(data);
  if (result.success) return result.data;
  const unknown = result.error.issues.filter((i) => i.code === 'unrecognized_keys');
  const errors = result.error.issues.filter((i) => i.code !== 'unrecognized_keys');
  for (const issue of unknown) {
    for (const key of (issue as z.core.$ZodIssueUnrecognizedKeys).keys) {
      const where = positionOf(keyAt(raw.doc, issue.path as (string | number)[], key), raw.lines);
      warnings.push({
        file: displayFile,
        ...where,
        path: formatPath([...(issue.path as (string | number)[]), key]),
        message: 'unknown key, ignored (check its spelling and level; strict: true makes this an error)',
      });
    }
  }
  if (errors.length) {
    const lines = errors.map((issue) => {
      const p = issue.path as (string | number)[];
      const where = positionOf(nodeAt(raw.doc, p), raw.lines);
      const loc = where.line ? `${displayFile}:${where.line}:${where.col}` : displayFile;
      return `${loc}: ${formatPath(p) || '(root)'}: ${describeIssue(issue)}`;
    });
    const first = errors[0].path as (string | number)[];
    const pos = positionOf(nodeAt(raw.doc, first), raw.lines);
    throw new UserError(lines.join('\n'), displayFile, pos.line, pos.col);
  }
  // Only unknown keys: drop them and validate what is left.
  const cleaned = structuredClone(data) as Record<string, unknown>;
  for (const issue of unknown) {
    let target: any = cleaned;
    for (const part of issue.path) target = target?.[part as string];
    if (target && typeof target === 'object')
      for (const key of (issue as z.core.$ZodIssueUnrecognizedKeys).keys) delete target[key];
  }
  result = StackConfigSchema.safeParse(cleaned);
  if (!result.success) throw new UserError(`${displayFile}: ${result.error.message}`, displayFile);
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    return issue.input === undefined
      ? 'required'
      : `expected ${issue.expected}, got ${Array.isArray(issue.input) ? 'a list' : typeof issue.input === 'object' ? 'a mapping' : JSON.stringify(issue.input)}`;
  }
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}

/** Environment names as written in services.yaml (read without rendering it). */
export function listEnvironments(config: string, cwd = process.cwd()): string[] {
  const file = path.resolve(cwd, config);
  const displayFile = path.isAbsolute(config) ? config : path.relative(cwd, file) || config;
  const { doc } = parseYamlOrThrow(
    readSource(file, displayFile),
    displayFile,
    'the file must be valid YAML before templating',
  );
  const envs = (documentToJS(doc, displayFile) as Record<string, unknown> | null)?.environments;
  return envs && typeof envs === 'object' && !Array.isArray(envs) ? Object.keys(envs) : [];
}
