import path from 'node:path';
import dotenv from 'dotenv';
import { expand } from 'dotenv-expand';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { UserError } from '../util/errors.js';
import { readInputFile } from '../util/input-file.js';
import { RAW_ALIAS_BUDGET } from '../util/limits.js';
import { isAliasBomb, unresolvedAliasMessage, unresolvedAliasOf } from '../util/yaml-source.js';
import { resolveInProject } from '../util/project-path.js';

export type VarMap = Record<string, string>;

/**
 * The variables a services.yaml sees. Precedence, lowest first: committed `envFiles`, the real process
 * environment, the var-file, inline vars. A committed `.env` therefore never shadows a CI secret.
 */
export interface Variables {
  /** Everything merged: what `envOr` and `.EnvMap` read. */
  envMap: VarMap;
  /** var-file and inline vars (`.Vars`). */
  vars: VarMap;
  /** Inline vars only (`.UserVars`). */
  userVars: VarMap;
}

export interface VariableSources {
  processEnv: Record<string, string | undefined>;
  /** envFiles entries as written in services.yaml, resolved against the project root. */
  envFiles: readonly string[];
  projectRoot: string;
  /** services.yaml as shown in messages (it names the envFiles). */
  configFile?: string;
  /** A YAML mapping or dotenv file, resolved against `cwd`. */
  varFile?: string;
  cwd: string;
  /** Inline `KEY=VALUE` entries (one per item; a value may contain commas and `=`). */
  inline: readonly string[];
}

export function collectVariables(src: VariableSources): Variables {
  const fromEnvFiles: VarMap = {};
  for (const entry of src.envFiles) {
    if (!entry.trim()) continue;
    const what = `envFiles entry "${entry.trim()}"`;
    const file = resolveInProject(src.projectRoot, entry.trim(), what, src.configFile ?? 'services.yaml');
    Object.assign(fromEnvFiles, readDotenv(file, what));
  }
  const processEnv: VarMap = {};
  for (const [k, v] of Object.entries(src.processEnv)) if (v !== undefined) processEnv[k] = v;
  const fromVarFile = src.varFile ? readVarFile(path.resolve(src.cwd, src.varFile)) : {};
  const userVars = parseInlineVars(src.inline);
  const vars = { ...fromVarFile, ...userVars };
  return { envMap: { ...fromEnvFiles, ...processEnv, ...vars }, vars, userVars };
}

function readText(file: string, what: string): string {
  try {
    return readInputFile(file, file);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new UserError(`${file}: cannot read ${what}: ${reason}`, file);
  }
}

function readDotenv(file: string, what: string): VarMap {
  const parsed = dotenv.parse(readText(file, what));
  // Expansion of ${VAR} only sees keys of the same file, never the process environment.
  return expand({ parsed, processEnv: {} }).parsed ?? parsed;
}

/** A var-file is a flat YAML mapping (`.yaml`/`.yml`, or any file whose text is one) or a dotenv file. */
export function readVarFile(file: string): VarMap {
  const body = readText(file, 'var-file');
  const looksYaml = /\.ya?ml$/i.test(file) || /^\s*[A-Za-z_][\w.-]*:\s/m.test(body);
  if (!looksYaml) return readDotenv(file, 'var-file');
  let data: unknown;
  try {
    data = parseYaml(body, { schema: 'failsafe', maxAliasCount: RAW_ALIAS_BUDGET });
  } catch (err) {
    const alias = unresolvedAliasOf(err);
    if (alias !== undefined) {
      const { line, col } = aliasPosition(body, alias.replace(/^\*/, ''));
      throw new UserError(
        `${file}${line ? `:${line}:${col}` : ''}: invalid YAML in var-file: ${unresolvedAliasMessage(alias)}`,
        file,
        line,
        col,
      );
    }
    if (isAliasBomb(err)) {
      throw new UserError(
        `${file}: YAML aliases in the var-file expand too much (more than ${RAW_ALIAS_BUDGET} alias uses, weighed ` +
          `by their nesting; the limit guards against alias bombs); write the values out`,
        file,
      );
    }
    if (err instanceof YAMLParseError) {
      const [line, col] = [err.linePos?.[0]?.line, err.linePos?.[0]?.col];
      throw new UserError(
        `${file}:${line}:${col}: invalid YAML in var-file: ${err.message.split('\n')[0]}`,
        file,
        line,
        col,
      );
    }
    throw err;
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new UserError(`${file}: a var-file must be a mapping of NAME: value`, file);
  }
  const out: VarMap = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (v !== null && typeof v === 'object') {
      throw new UserError(`${file}: var-file key "${k}" must have a plain value, not a list or mapping`, file);
    }
    out[k] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}

/** Where `*name` is used as a whole alias (not the start of a longer name), 1-based; nothing when not found. */
function aliasPosition(body: string, name: string): { line?: number; col?: number } {
  for (let at = body.indexOf(`*${name}`); at >= 0; at = body.indexOf(`*${name}`, at + 1)) {
    const next = body[at + name.length + 1];
    if (next === undefined || /[\s,\]}]/.test(next)) {
      const lines = body.slice(0, at).split('\n');
      return { line: lines.length, col: lines.at(-1)!.length + 1 };
    }
  }
  return {};
}

/**
 * Inline vars: each entry is `KEY=VALUE`; an entry may hold several lines (the `vars` input of an action), each a
 * `KEY=VALUE`. Blank lines and `#` comments are skipped.
 */
export function parseInlineVars(entries: readonly string[]): VarMap {
  const out: VarMap = {};
  for (const entry of entries) {
    for (const rawLine of entry.split(/\r?\n/)) {
      const line = rawLine.trim();
      if (!line || line.startsWith('#')) continue;
      const eq = line.indexOf('=');
      const key = eq < 0 ? '' : line.slice(0, eq).trim();
      if (eq < 0 || !key) {
        throw new UserError(`invalid inline var "${line}": expected KEY=VALUE`);
      }
      out[key] = line.slice(eq + 1).trim();
    }
  }
  return out;
}

/** `CODEXCTL_VARS` keeps the predecessor's format: comma-separated `k=v` pairs. */
export function splitLegacyVars(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
