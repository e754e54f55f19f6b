import path from 'node:path';
import {
  boolInput,
  dryRunInput,
  intInput,
  kubectlVersionInput,
  listInput,
  optionalPositiveDurationInput,
  readStackInputs,
  stringInput,
  type StackInputs,
} from '@codex-k8s/core/action-kit';

/** Every input of the apply action, read once and validated. */
export interface ApplyInputs {
  stack: StackInputs & { slot: number; namespace?: string };
  onlyServices: string[];
  skipServices: string[];
  onlyInfra: string[];
  skipInfra: string[];
  kubectlVersion?: string;
  dryRun: boolean;
  wait: boolean;
  waitTimeoutMs?: number;
  waitSoftFail: boolean;
  forceConflicts: boolean;
  /** Delete what an earlier apply created but the stack no longer renders. */
  prune: boolean;
  /** Where the rendered stack is written (the manifest-path output). */
  manifestPath: string;
}

export function readInputs(): ApplyInputs {
  const stack = {
    ...readStackInputs(),
    slot: intInput('slot', 0, 'CODEXCTL_SLOT'),
    namespace: stringInput('namespace', '', 'CODEXCTL_NAMESPACE') || undefined,
  };
  return {
    stack,
    onlyServices: listInput('only-services', 'CODEXCTL_ONLY_SERVICES'),
    skipServices: listInput('skip-services', 'CODEXCTL_SKIP_SERVICES'),
    onlyInfra: listInput('only-infra', 'CODEXCTL_ONLY_INFRA'),
    skipInfra: listInput('skip-infra', 'CODEXCTL_SKIP_INFRA'),
    kubectlVersion: kubectlVersionInput(),
    dryRun: dryRunInput(),
    wait: boolInput('wait', true, 'CODEXCTL_WAIT'),
    waitTimeoutMs: optionalPositiveDurationInput('wait-timeout', 'CODEXCTL_WAIT_TIMEOUT'),
    waitSoftFail: boolInput('wait-soft-fail', false, 'CODEXCTL_WAIT_SOFT_FAIL'),
    forceConflicts: boolInput('force-conflicts', true),
    prune: boolInput('prune', true),
    manifestPath: path.join(
      process.env.RUNNER_TEMP ?? process.cwd(),
      `codex-k8s-${stack.env}-${stack.slot || 'stack'}.yaml`,
    ),
  };
}
