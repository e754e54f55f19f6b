import {
  boolInput,
  dryRunInput,
  githubTokenInput,
  intInput,
  kubectlVersionInput,
  langInput,
  listInput,
  positiveDurationInput,
  readSlotSelector,
  readStackInputs,
  stringInput,
  UserError,
  type StackInputs,
} from '@codex-k8s/core/action-kit';

/** Every input of the prompt-run action, read once and validated. */
export interface PromptRunInputs {
  stack: StackInputs;
  issue: number;
  pr: number;
  slot: number;
  namespace: string;
  kind: string;
  template: string;
  model: string;
  reasoningEffort: string;
  timeoutMs: number;
  resume: boolean;
  agentDeployment: string;
  agentContainer: string;
  focusIssue: number;
  allowedUsers: string[];
  kubectlVersion?: string;
  githubToken: string;
  lang: 'en' | 'ru';
  dryRun: boolean;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function readInputs(): PromptRunInputs {
  const inputs: PromptRunInputs = {
    stack: readStackInputs(),
    ...readSlotSelector(),
    namespace: stringInput('namespace', '', 'CODEXCTL_NAMESPACE'),
    kind: stringInput('kind', 'dev_issue', 'CODEXCTL_KIND'),
    template: stringInput('template', ''),
    model: stringInput('model', '', 'CODEXCTL_MODEL'),
    reasoningEffort: stringInput('reasoning-effort', '', 'CODEXCTL_MODEL_REASONING_EFFORT'),
    timeoutMs: positiveDurationInput('timeout', 60 * 60_000),
    resume: boolInput('resume', false, 'CODEXCTL_RESUME'),
    agentDeployment: stringInput('agent-deployment', 'codex'),
    agentContainer: stringInput('agent-container', 'codex'),
    focusIssue: intInput('focus-issue', 0, 'CODEXCTL_FOCUS_ISSUE_NUMBER'),
    allowedUsers: listInput('allowed-users', 'CODEXCTL_ALLOWED_USERS'),
    kubectlVersion: kubectlVersionInput(),
    githubToken: githubTokenInput(),
    lang: langInput(),
    dryRun: dryRunInput(),
  };
  for (const [input, value] of [
    ['agent-deployment', inputs.agentDeployment],
    ['agent-container', inputs.agentContainer],
  ] as const)
    if (value.length > 63 || !NAME.test(value))
      throw new UserError(
        `${input}: ${JSON.stringify(value)} is not a Kubernetes name (lowercase letters, digits, '-')`,
      );
  return inputs;
}
