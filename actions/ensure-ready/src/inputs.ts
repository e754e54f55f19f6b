import {
  boolInput,
  dryRunInput,
  githubTokenInput,
  langInput,
  nonNegativeDurationInput,
  kubectlVersionInput,
  listInput,
  optionalPositiveDurationInput,
  readSlotSelector,
  readStackInputs,
  stringInput,
  type StackInputs,
} from '@codex-k8s/core/action-kit';

/** Every input of the ensure-ready action, read once and validated. */
export interface EnsureReadyInputs {
  stack: StackInputs;
  issue: number;
  pr: number;
  slot: number;
  allowedUsers: string[];
  slotWaitTimeoutMs: number;
  bootstrap: boolean;
  /** Set when code-root-base is: the sources are copied into the slot workspace. */
  sync?: {
    source: string;
    codeRootBase: string;
    workspaceMount: string;
    pvc?: string;
    image: string;
    discardChanges: boolean;
  };
  /** Build and mirror the stack's images first when the environment is new or recreated. */
  prepareImages: boolean;
  insecureRegistries: string[];
  apply: boolean;
  forceApply: boolean;
  wait: boolean;
  waitTimeoutMs?: number;
  waitSoftFail: boolean;
  kubectlVersion?: string;
  dryRun: boolean;
  githubToken: string;
  lang: 'en' | 'ru';
}

export function readInputs(): EnsureReadyInputs {
  const codeRootBase = stringInput('code-root-base', '', 'CODEXCTL_CODE_ROOT_BASE');
  const sync = {
    source: stringInput('source', '.', 'CODEXCTL_SOURCE'),
    codeRootBase,
    workspaceMount: stringInput('workspace-mount', '/workspace', 'CODEXCTL_WORKSPACE_MOUNT'),
    pvc: stringInput('workspace-pvc', '', 'CODEXCTL_WORKSPACE_PVC') || undefined,
    image: stringInput('sync-image', 'busybox:1.37.0', 'CODEXCTL_SYNC_IMAGE'),
    discardChanges: boolInput('discard-changes', false),
  };
  return {
    stack: readStackInputs(),
    ...readSlotSelector(),
    allowedUsers: listInput('allowed-users', 'CODEXCTL_ALLOWED_USERS'),
    slotWaitTimeoutMs: nonNegativeDurationInput('slot-wait-timeout', 10 * 60_000),
    bootstrap: boolInput('bootstrap', true),
    sync: codeRootBase ? sync : undefined,
    prepareImages: boolInput('prepare-images', false, 'CODEXCTL_PREPARE_IMAGES'),
    insecureRegistries: listInput('insecure-registries'),
    apply: boolInput('apply', true, 'CODEXCTL_APPLY'),
    forceApply: boolInput('force-apply', false, 'CODEXCTL_FORCE_APPLY'),
    wait: boolInput('wait', true),
    waitTimeoutMs: optionalPositiveDurationInput('wait-timeout', 'CODEXCTL_WAIT_TIMEOUT'),
    waitSoftFail: boolInput('wait-soft-fail', false, 'CODEXCTL_WAIT_SOFT_FAIL'),
    kubectlVersion: kubectlVersionInput(),
    dryRun: dryRunInput(),
    githubToken: githubTokenInput(),
    lang: langInput(),
  };
}
