import { UserError, type Diagnostic } from '../util/errors.js';

/**
 * Which model and reasoning effort a run uses. Precedence, highest first: the explicit input (action input or CLI
 * flag), then the labels `[ai-model-<name>]` / `[ai-reasoning-<effort>]`, then services.yaml
 * `codex.model` / `codex.modelReasoningEffort`, then the predecessor's defaults. Whether labels count (the
 * predecessor read them only for env `ai`) is the caller's decision: it passes them or not.
 */

export const DEFAULT_MODEL = 'gpt-5.3-codex';
export const DEFAULT_REASONING_EFFORT = 'medium';

/** Codex's `model_reasoning_effort` values. */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/**
 * Any model id a provider may serve: the predecessor's fixed list rejected every model released after it. Only
 * characters that cannot break out of a TOML string or a command line are accepted.
 */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;

export interface ModelInputs {
  explicitModel?: string;
  explicitEffort?: string;
  labels?: readonly string[];
  configModel?: string;
  configEffort?: string;
}

export interface ModelChoice {
  model: string;
  reasoningEffort: ReasoningEffort;
  /** Where each came from, for the run summary. */
  modelSource: 'input' | 'label' | 'services.yaml' | 'default';
  effortSource: 'input' | 'label' | 'services.yaml' | 'default';
}

export function normalizeModel(value: string, field: string): string {
  const v = value.trim();
  if (!MODEL_NAME.test(v)) {
    throw new UserError(`${field}: unsupported model "${value}": a model id is letters, digits and . _ : / -`);
  }
  return v;
}

/** `High`, `extra high`, `extra_high`, `x-high` are accepted spellings, as in the predecessor. */
export function normalizeEffort(value: string, field: string): ReasoningEffort {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, '-');
  const canonical = v === 'extra-high' || v === 'x-high' ? 'xhigh' : v;
  if ((REASONING_EFFORTS as readonly string[]).includes(canonical)) return canonical as ReasoningEffort;
  throw new UserError(`${field}: unsupported reasoning effort "${value}"; use one of ${REASONING_EFFORTS.join(', ')}`);
}

/** Label names as GitHub shows them: case and surrounding `[` `]` do not matter. */
function cleanLabel(label: string): string {
  return label.trim().toLowerCase().replace(/^\[/, '').replace(/\]$/, '').trim();
}

/**
 * The label choice. Several reasoning labels: the highest effort wins (the predecessor's order). Several different
 * model labels: the first one wins, with a warning, rather than failing a run over labels.
 */
export function modelFromLabels(
  labels: readonly string[],
  warnings: Diagnostic[],
): { model?: string; effort?: ReasoningEffort } {
  const models: string[] = [];
  const efforts: ReasoningEffort[] = [];
  for (const raw of labels) {
    const label = cleanLabel(raw);
    const model = /^ai-model-(.+)$/.exec(label)?.[1];
    if (model !== undefined) {
      if (MODEL_NAME.test(model)) models.push(model);
      else warnings.push({ message: `label "${raw}": "${model}" is not a model id; the label is ignored` });
      continue;
    }
    const effort = /^ai-reasoning-(.+)$/.exec(label)?.[1] ?? /^ai-(xhigh|high|medium|low|minimal)$/.exec(label)?.[1];
    if (effort === undefined) continue;
    try {
      efforts.push(normalizeEffort(effort, `label "${raw}"`));
    } catch (err) {
      warnings.push({ message: `${(err as Error).message}; the label is ignored` });
    }
  }
  const distinct = [...new Set(models)];
  if (distinct.length > 1) {
    warnings.push({ message: `several model labels (${distinct.join(', ')}): using ${distinct[0]}` });
  }
  const effort = efforts.sort((a, b) => REASONING_EFFORTS.indexOf(b) - REASONING_EFFORTS.indexOf(a))[0];
  return { model: distinct[0], effort };
}

export function chooseModel(inputs: ModelInputs, warnings: Diagnostic[]): ModelChoice {
  const fromLabels = modelFromLabels(inputs.labels ?? [], warnings);
  const has = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

  let model: string;
  let modelSource: ModelChoice['modelSource'];
  if (has(inputs.explicitModel)) [model, modelSource] = [normalizeModel(inputs.explicitModel, 'model'), 'input'];
  else if (fromLabels.model) [model, modelSource] = [fromLabels.model, 'label'];
  else if (has(inputs.configModel))
    [model, modelSource] = [normalizeModel(inputs.configModel, 'codex.model'), 'services.yaml'];
  else [model, modelSource] = [DEFAULT_MODEL, 'default'];

  let reasoningEffort: ReasoningEffort;
  let effortSource: ModelChoice['effortSource'];
  if (has(inputs.explicitEffort))
    [reasoningEffort, effortSource] = [normalizeEffort(inputs.explicitEffort, 'reasoning-effort'), 'input'];
  else if (fromLabels.effort) [reasoningEffort, effortSource] = [fromLabels.effort, 'label'];
  else if (has(inputs.configEffort))
    [reasoningEffort, effortSource] = [
      normalizeEffort(inputs.configEffort, 'codex.modelReasoningEffort'),
      'services.yaml',
    ];
  else [reasoningEffort, effortSource] = [DEFAULT_REASONING_EFFORT, 'default'];

  return { model, reasoningEffort, modelSource, effortSource };
}
