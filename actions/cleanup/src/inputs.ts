import {
  boolInput,
  dryRunInput,
  githubTokenInput,
  kubectlVersionInput,
  langInput,
  positiveDurationInput,
  readSlotSelector,
  readStackInputs,
  type StackInputs,
} from '@codex-k8s/core/action-kit';

/** Every input of the cleanup action, read once and validated. */
export interface CleanupInputs {
  stack: StackInputs;
  issue: number;
  pr: number;
  slot: number;
  all: boolean;
  stale: boolean;
  ttlMs: number;
  deleteState: boolean;
  /** Delete the released slots' `codex/issue-<n>` branches (never a protected or the default branch). */
  deleteBranch: boolean;
  /** Close the issue a merged agent PR implemented. */
  closeLinkedIssue: boolean;
  /** Asks GitHub whether a slot's issue or pull request is closed (stale: true) and writes the status comments. */
  githubToken: string;
  lang: 'en' | 'ru';
  kubectlVersion?: string;
  dryRun: boolean;
}

export function readInputs(): CleanupInputs {
  return {
    stack: readStackInputs(),
    ...readSlotSelector(),
    all: boolInput('all', false, 'CODEXCTL_ALL'),
    stale: boolInput('stale', false),
    ttlMs: positiveDurationInput('ttl', 168 * 3_600_000),
    deleteState: boolInput('delete-state', true, 'CODEXCTL_WITH_CONFIGMAP'),
    deleteBranch: boolInput('delete-branch', false, 'CODEXCTL_DELETE_BRANCH'),
    closeLinkedIssue: boolInput('close-linked-issue', false, 'CODEXCTL_CLOSE_ISSUE'),
    githubToken: githubTokenInput(),
    lang: langInput(),
    kubectlVersion: kubectlVersionInput(),
    dryRun: dryRunInput(),
  };
}
