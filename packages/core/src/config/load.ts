import path from 'node:path';
import type { z } from 'zod';
import { parseTemplate, predecessorFuncs, TemplateError, type FuncMap, type GoStruct } from '../template/index.js';
import { DiagnosticsError, UserError, type Diagnostic } from '../util/errors.js';
import { formatPath } from '../util/yaml-position.js';
import { readYamlSource, type YamlSource } from '../util/yaml-source.js';
import { buildTemplateContext } from './context.js';
import { checkEnvironmentDefined, resolveEnvironment, type ResolvedEnvironment } from './environments.js';
import { checkNamespaceName, isSlottedPattern, namespacePattern } from './namespace.js';
import { stackConfigSchema, type StackConfig } from './schema.js';
import { checkStackConfig } from './checks.js';
import { allowedKeysAt, nearMisses } from './keys.js';
import { findMisplacedKeys } from './misplaced.js';
import { explainTemplateError } from './template-errors.js';
import { collectVariables, type Variables } from './vars.js';
import { AliasExpansionError, ManifestYamlError, readYamlStrings } from '../util/yaml-io.js';
import { readInputFile } from '../util/input-file.js';

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
  /**
   * The load only reads settings (state store, kubeconfig, patterns), never renders for a namespace: a slotted env
   * needs no slot. Every other load of a slotted env without a slot (or namespace) fails, rather than use slot 0.
   */
  settingsOnly?: boolean;
}

/** A slotted env was loaded without a slot: `validate` catches it and checks the env with a placeholder slot. */
export class SlotRequiredError extends UserError {}

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
  /** `strict: true`: warnings are errors and a missing map key in a template is an error. */
  strict: boolean;
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
  /** Environment names as written, when services.yaml has an environments: mapping. */
  environments?: string[];
  strict: boolean;
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
  const rawSource = parseYamlOrThrow(
    source,
    displayFile,
    'the file must be valid YAML before templating (template actions belong in quoted scalars or comments)',
  );
  const header = readHeader(rawSource, displayFile);
  // An unknown env is reported as such, before its namespace (from a default pattern) can be found invalid.
  if (header.environments) checkEnvironmentDefined(header.environments, env, displayFile);

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
  let strict = header.strict;
  const render = (name: string, text: string, data: GoStruct) =>
    renderTemplate(name, text, funcs, data, displayFile, { strict });

  const pattern = namespacePattern(header.patterns, env);
  const slotted = isSlottedPattern(pattern);
  let namespace = options.namespace?.trim() ?? '';
  const explicitNamespace = namespace !== '';
  if (!explicitNamespace) {
    namespace = render(`namespace.patterns.${env}`, pattern, contextAt('')).trim() || `${header.project}-${env}`;
  }
  if (slotted && slot === 0 && !explicitNamespace && !options.settingsOnly) {
    throw new SlotRequiredError(
      `${displayFile}: env "${env}" is slotted (its namespace pattern "${pattern}" uses .Slot) but no slot was given: ` +
        'pass --slot N (slots are numbered from 1; or set CODEXCTL_SLOT), or --namespace',
      displayFile,
    );
  }
  checkNamespaceName(namespace, env, displayFile, explicitNamespace);

  const rendered = render(displayFile, source, contextAt(namespace));
  const warnings: Diagnostic[] = [];
  const config = validate(readRendered(rendered, displayFile), rawSource, displayFile, warnings);

  let project = config.project?.trim() ?? '';
  if (!project && header.project) {
    project = header.project;
    const pos = rawSource.keyPositionOf([], 'project');
    warnings.push({
      file: displayFile,
      ...pos,
      path: 'project',
      message:
        'is lost after templating: a "-}}" trim marker on the line before it removes the line break, so "project:" ends up inside a comment. ' +
        `Using "${header.project}" as written; write the last preamble action as "{{- ... }}" to fix the file.`,
    });
  }

  const environment = resolveEnvironment(config.environments, env, displayFile);
  warnings.push(...checkStackConfig({ config, source: rawSource, file: displayFile, projectRoot }));
  strict = config.strict ?? false;
  if (strict && warnings.length) throw strictError(displayFile, warnings);

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
    strict,
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
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new UserError(
        `${displayFile}: is a directory; pass the path of services.yaml itself with -c/--config`,
        displayFile,
      );
    }
    throw new UserError(`${displayFile}: cannot read: ${(err as Error).message}`, displayFile);
  }
}

/*
 * services.yaml as written is read with positions (for messages) once per distinct text: loads of the same file
 * with other envs or slots reuse it. The rendered text is read without positions.
 */
const rawCache = new Map<string, YamlSource>();

function parseYamlOrThrow(text: string, displayFile: string, what: string): YamlSource {
  const cached = rawCache.get(text);
  if (cached) return cached;
  const parsed = readYamlSource(text, displayFile, what);
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

/** `strict: true` turns warnings into errors: one error listing each of them. */
export function strictError(displayFile: string, warnings: readonly Diagnostic[]): DiagnosticsError {
  return new DiagnosticsError(
    warnings.map((w) => ({ file: displayFile, ...w, message: `${w.message} [an error under strict: true]` })),
    `${displayFile}: strict: true makes each of these an error (fix them, or remove strict: true to see them as warnings):`,
  );
}

export function renderTemplate(
  name: string,
  text: string,
  funcs: FuncMap,
  data: unknown,
  displayFile: string,
  options: { strict?: boolean } = {},
): string {
  try {
    return parseTemplate(name, text, { funcs, missingKey: options.strict ? 'error' : 'default' }).execute(data);
  } catch (err) {
    if (err instanceof TemplateError)
      throw new UserError(explainTemplateError(err.message, data), displayFile, err.line, err.col);
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

/**
 * What the templates and the namespace need before services.yaml renders. Checked here, before anything uses them:
 * without a project the default namespace pattern would give "-<env>", and the user would be told that name is
 * invalid instead of what is missing.
 */
function readHeader(source: YamlSource, displayFile: string): RawHeader {
  const value = source.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(
      `${displayFile}: the top level must be a mapping (project:, environments:, services:, ...), not ${Array.isArray(value) ? 'a list' : 'a single value'}`,
      displayFile,
    );
  }
  const data = value as Record<string, unknown>;
  if (typeof data.project !== 'string' || !data.project.trim()) {
    throw new UserError(
      `${displayFile}: project: required (the project name used for namespaces and labels); add a line such as "project: shop" at the top level`,
      displayFile,
    );
  }
  const ns = data.namespace as Record<string, unknown> | undefined;
  const envs = data.environments;
  return {
    project: typeof data.project === 'string' ? data.project.trim() : '',
    environments: envs && typeof envs === 'object' && !Array.isArray(envs) ? Object.keys(envs) : undefined,
    strict: isTrue(data.strict),
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
const isTrue = (v: unknown) =>
  v === true || (typeof v === 'string' && ['true', 'True', 'TRUE', '1', 't', 'T'].includes(v.trim()));

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

function validate(rendered: unknown, raw: YamlSource, displayFile: string, warnings: Diagnostic[]): StackConfig {
  if (rendered && typeof rendered === 'object' && !Array.isArray(rendered)) {
    const misplaced = findMisplacedKeys(stackConfigSchema(), rendered);
    if (misplaced.length) {
      throw new DiagnosticsError(
        misplaced.map(({ parent, empty, key }) => ({
          file: displayFile,
          ...raw.keyPositionOf(parent, key),
          path: formatPath([...parent, key]),
          message:
            `"${key}" belongs inside ${formatPath([...parent, empty])}, which is empty (null) as written: ` +
            `indent "${key}" and the lines under it one level deeper, below "${empty}:"`,
        })),
      );
    }
  }
  const data = dropNulls(rendered ?? {});
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new UserError(`${displayFile}: the top level must be a mapping (project:, services:, ...)`, displayFile);
  }
  const strict = isTrue((data as Record<string, unknown>).strict);
  // With the input in each issue, a wrong type is told apart from a missing value (describeIssue).
  let result = stackConfigSchema().safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const unknown = result.error.issues.filter((i) => i.code === 'unrecognized_keys');
  const problems: Diagnostic[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') continue;
    const p = issue.path as (string | number)[];
    problems.push({
      file: displayFile,
      ...raw.positionOf(p),
      path: formatPath(p) || '(root)',
      message: describeIssue(issue),
    });
  }
  for (const issue of unknown) {
    const at = issue.path as (string | number)[];
    const present = objectAt(data, at);
    for (const key of (issue as z.core.$ZodIssueUnrecognizedKeys).keys) {
      const diagnostic = {
        file: displayFile,
        ...raw.keyPositionOf(at, key),
        path: formatPath([...at, key]),
      };
      const near = nearMisses(key, allowedKeysAt(stackConfigSchema(), at) ?? []);
      const missing = near.filter((k) => !present || !Object.hasOwn(present, k));
      const guess = near.map((k) => `"${k}"`).join(' or ');
      if (missing.length) {
        // A near miss of a key that is absent here: what that key configures is silently missing from the stack.
        problems.push({
          ...diagnostic,
          message: `unknown key; did you mean ${guess}? As written, ${missing.map((k) => `"${k}"`).join(' and ')} is not set here, so what it configures is missing: rename the key`,
        });
      } else {
        warnings.push({
          ...diagnostic,
          message:
            (strict ? 'unknown key' : 'unknown key, ignored') +
            (near.length ? ` (did you mean ${guess}? it is also set here)` : ' (check its spelling and level') +
            (near.length ? '' : strict ? ')' : '; strict: true makes this an error)'),
        });
      }
    }
  }
  if (problems.length) throw new DiagnosticsError(problems);
  // Only unknown keys: drop them and validate what is left.
  const cleaned = structuredClone(data) as Record<string, unknown>;
  for (const issue of unknown) {
    const target = objectAt(cleaned, issue.path as (string | number)[]);
    if (target) for (const key of (issue as z.core.$ZodIssueUnrecognizedKeys).keys) delete target[key];
  }
  result = stackConfigSchema().safeParse(cleaned);
  if (!result.success) throw new UserError(`${displayFile}: ${result.error.message}`, displayFile);
  return result.data;
}

function objectAt(data: unknown, p: readonly (string | number)[]): Record<string, unknown> | undefined {
  let target: any = data;
  for (const part of p) target = target?.[part];
  return target && typeof target === 'object' && !Array.isArray(target) ? target : undefined;
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
  const { value } = parseYamlOrThrow(
    readSource(file, displayFile),
    displayFile,
    'the file must be valid YAML before templating',
  );
  const envs = (value as Record<string, unknown> | null)?.environments;
  return envs && typeof envs === 'object' && !Array.isArray(envs) ? Object.keys(envs) : [];
}
