import {
  boolInput,
  dryRunInput,
  githubTokenInput,
  langInput,
  nonNegativeDurationInput,
  kubectlVersionInput,
  listInput,
  readSlotSelector,
  readStackInputs,
  type StackInputs,
} from '@codex-k8s/core/action-kit';

/** Every input of the ensure-slot action, read once and validated. */
export interface EnsureSlotInputs {
  stack: StackInputs;
  issue: number;
  pr: number;
  slot: number;
  allowedUsers: string[];
  slotWaitTimeoutMs: number;
  bootstrap: boolean;
  kubectlVersion?: string;
  dryRun: boolean;
  githubToken: string;
  lang: 'en' | 'ru';
  /** Use the slot of the issue's root plan issue (`[ai-plan]` label, or AI-PLAN-PARENT markers followed up). */
  planRoot: boolean;
}

export function readInputs(): EnsureSlotInputs {
  return {
    stack: readStackInputs(),
    ...readSlotSelector(),
    allowedUsers: listInput('allowed-users', 'CODEXCTL_ALLOWED_USERS'),
    slotWaitTimeoutMs: nonNegativeDurationInput('slot-wait-timeout', 10 * 60_000),
    bootstrap: boolInput('bootstrap', true),
    kubectlVersion: kubectlVersionInput(),
    dryRun: dryRunInput(),
    githubToken: githubTokenInput(),
    lang: langInput(),
    planRoot: boolInput('plan-root', false),
  };
}
