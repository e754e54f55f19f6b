import { parse, stringify, type TomlTable } from 'smol-toml';
import { renderTemplate } from '../config/load.js';
import type { CodexConfig } from '../config/schema.js';
import type { FuncMap } from '../template/index.js';
import type { Diagnostic } from '../util/errors.js';
import { UserError } from '../util/errors.js';
import { readInputFile } from '../util/input-file.js';
import { resolveInProject } from '../util/project-path.js';
import { buildMcpServers, type PassedEnv } from './mcp-servers.js';
import { chooseModel, type ModelChoice } from './model-choice.js';
import { assertNoSecretValues } from './secrets.js';
import { mergeToml, parseUserToml } from './toml-merge.js';

/**
 * Codex's `config.toml` for one run, built as data and written by a TOML library (never by string pasting), in
 * layers, later wins:
 *   1. `codex.configTemplate` (Go template, rendered with the services.yaml context, must be TOML), or nothing;
 *   2. the run's settings: model and reasoning effort (see model-choice.ts), `approval_policy`, `sandbox_mode`.
 *      An explicit or label choice replaces what the template says (the predecessor passed them as `-m` and
 *      `--config` flags, which beat the file); services.yaml values and defaults only fill keys the template left
 *      out;
 *   3. `codex.mcp.servers` as `[mcp_servers.<name>]` (a template table of the same name is replaced, with a warning);
 *   4. `codex.configBlocks` in order, merged table by table. A block wins over everything before it, and each key
 *      it replaces is reported as a warning: blocks are the user's escape hatch for what we do not model, so they
 *      must be able to override us, but never silently.
 * No secret value is ever written: see secrets.ts and mcp-servers.ts.
 */

/** The predecessor's non-interactive defaults: the agent runs alone in its own pod, nobody answers prompts. */
export const DEFAULT_APPROVAL_POLICY = 'never';
export const DEFAULT_SANDBOX_MODE = 'danger-full-access';
export const APPROVAL_POLICIES = ['untrusted', 'on-failure', 'on-request', 'never'] as const;
export const SANDBOX_MODES = ['read-only', 'workspace-write', 'danger-full-access'] as const;

export interface CodexConfigOverrides {
  model?: string;
  reasoningEffort?: string;
  approvalPolicy?: string;
  sandboxMode?: string;
}

export interface CodexConfigInput {
  /** The loaded stack's `codex:` section. */
  codex?: CodexConfig;
  /** The template data root (LoadedStack.context) and functions (LoadedStack.funcs). */
  context: unknown;
  funcs: FuncMap;
  /** LoadedStack.variables: envRef/varRef lookups and the secret-value guard. */
  variables: { envMap: Readonly<Record<string, string>>; vars: Readonly<Record<string, string>> };
  /** The slot namespace: where `cluster` MCP servers live unless they name another. */
  namespace: string;
  projectRoot: string;
  /** services.yaml as shown in messages. */
  displayFile?: string;
  /** `strict: true`: a missing map key in a template is an error. */
  strict?: boolean;
  /** Labels of the issue or PR; pass none where labels must not count. */
  labels?: readonly string[];
  overrides?: CodexConfigOverrides;
}

export interface CodexConfigResult {
  /** The config.toml text. */
  toml: string;
  model: string;
  reasoningEffort: string;
  choice: ModelChoice;
  /** Variables Codex must have in its environment (stdio `env_vars`), and where their values come from. */
  passEnv: PassedEnv[];
  warnings: Diagnostic[];
}

export function buildCodexConfig(input: CodexConfigInput): CodexConfigResult {
  const codex = input.codex ?? {};
  const displayFile = input.displayFile ?? 'services.yaml';
  const warnings: Diagnostic[] = [];
  const overrides = input.overrides ?? {};

  const config: TomlTable = codex.configTemplate ? renderConfigTemplate(codex.configTemplate, input, displayFile) : {};

  const choice = chooseModel(
    {
      explicitModel: overrides.model,
      explicitEffort: overrides.reasoningEffort,
      labels: input.labels,
      configModel: codex.model,
      configEffort: codex.modelReasoningEffort,
    },
    warnings,
  );
  const runChoice = (source: ModelChoice['modelSource']) => source === 'input' || source === 'label';
  if (runChoice(choice.modelSource) || config.model === undefined) config.model = choice.model;
  if (runChoice(choice.effortSource) || config.model_reasoning_effort === undefined) {
    config.model_reasoning_effort = choice.reasoningEffort;
  }
  setPolicy(config, 'approval_policy', overrides.approvalPolicy, APPROVAL_POLICIES, DEFAULT_APPROVAL_POLICY);
  setPolicy(config, 'sandbox_mode', overrides.sandboxMode, SANDBOX_MODES, DEFAULT_SANDBOX_MODE);

  const mcp = buildMcpServers({
    servers: codex.mcp?.servers ?? [],
    namespace: input.namespace,
    envMap: input.variables.envMap,
    vars: input.variables.vars,
  });
  if (Object.keys(mcp.tables).length) {
    const existing = (config.mcp_servers ?? {}) as TomlTable;
    for (const name of Object.keys(mcp.tables)) {
      if (existing[name] !== undefined) {
        warnings.push({
          path: `codex.mcp.servers`,
          message: `MCP server "${name}" of codex.configTemplate is replaced by the one in codex.mcp.servers`,
        });
      }
    }
    config.mcp_servers = { ...existing, ...(mcp.tables as TomlTable) };
  }

  (codex.configBlocks ?? []).forEach((block, i) => {
    const label = `codex.configBlocks[${i}]${block.name ? ` (${block.name})` : ''}`;
    const text = blockText(block, i, label, input, displayFile);
    if (text.trim() === '') return;
    mergeToml(config, parseUserToml(text, label), (path) =>
      warnings.push({ path: `codex.configBlocks[${i}]`, message: `${label} overrides "${path}"` }),
    );
  });

  const toml = stringify(config);
  if (toml.trim() === '') throw new UserError('the generated Codex config.toml is empty');
  assertNoSecretValues(toml, [input.variables.envMap, input.variables.vars]);
  // The library wrote it; reading it back proves it is TOML Codex can read (and catches a library regression).
  parse(toml);
  return {
    toml,
    model: String(config.model),
    reasoningEffort: String(config.model_reasoning_effort),
    choice,
    passEnv: mcp.passEnv,
    warnings,
  };
}

function setPolicy(
  config: TomlTable,
  key: string,
  override: string | undefined,
  allowed: readonly string[],
  fallback: string,
): void {
  const value = override?.trim();
  if (value) {
    if (!allowed.includes(value)) {
      throw new UserError(`${key.replace('_', '-')}: "${override}" is not one of ${allowed.join(', ')}`);
    }
    config[key] = value;
  } else if (config[key] === undefined) {
    config[key] = fallback;
  }
}

function readProjectFile(rel: string, what: string, input: CodexConfigInput, displayFile: string): string {
  const abs = resolveInProject(input.projectRoot, rel, what, displayFile);
  try {
    return readInputFile(abs, rel);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${displayFile}: ${what}: cannot read ${rel}: ${(err as Error).message}`, displayFile);
  }
}

/** The configTemplate is rendered by the Go engine with the services.yaml context, as in the predecessor. */
function renderConfigTemplate(rel: string, input: CodexConfigInput, displayFile: string): TomlTable {
  const text = readProjectFile(rel, `codex.configTemplate "${rel}"`, input, displayFile);
  const rendered = renderTemplate(rel, text, input.funcs, input.context, rel, { strict: input.strict });
  return parseUserToml(rendered, `codex.configTemplate (${rel}, after rendering)`);
}

function blockText(
  block: NonNullable<CodexConfig['configBlocks']>[number],
  i: number,
  label: string,
  input: CodexConfigInput,
  displayFile: string,
): string {
  const hasToml = block.toml !== undefined && block.toml !== '';
  const hasFile = block.file !== undefined && block.file !== '';
  if (hasToml === hasFile) throw new UserError(`${label}: set exactly one of toml and file`, displayFile);
  const text = hasToml ? (block.toml as string) : readProjectFile(block.file as string, label, input, displayFile);
  return renderTemplate(
    hasToml ? `codex.configBlocks[${i}]` : (block.file as string),
    text,
    input.funcs,
    input.context,
    displayFile,
    {
      strict: input.strict,
    },
  );
}
