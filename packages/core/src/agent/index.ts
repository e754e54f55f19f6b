/** The coding agent's side of a run: Codex's config.toml and the model choice. */
export {
  buildCodexConfig,
  APPROVAL_POLICIES,
  SANDBOX_MODES,
  DEFAULT_APPROVAL_POLICY,
  DEFAULT_SANDBOX_MODE,
  type CodexConfigInput,
  type CodexConfigOverrides,
  type CodexConfigResult,
} from './codex-config.js';
export {
  chooseModel,
  modelFromLabels,
  normalizeEffort,
  normalizeModel,
  DEFAULT_MODEL,
  DEFAULT_REASONING_EFFORT,
  REASONING_EFFORTS,
  type ModelChoice,
  type ReasoningEffort,
} from './model-choice.js';
export type { PassedEnv } from './mcp-servers.js';
