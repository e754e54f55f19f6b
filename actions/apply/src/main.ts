import path from 'node:path';
import * as core from '@actions/core';
import { applyEnvironment } from '@codex-k8s/core';
import {
  actionsReporter,
  boolInput,
  durationInput,
  listInput,
  readCommonInputs,
  runAction,
  setOutputs,
} from '@codex-k8s/core/action-kit';

/** apply: render + hooks + server-side apply + waits for one environment (or a dry-run diff). */
export async function run(): Promise<void> {
  const reporter = actionsReporter();
  await runAction(async () => {
    const common = readCommonInputs();
    const waitTimeout = core.getInput('wait-timeout');
    const manifestPath = path.join(
      process.env.RUNNER_TEMP ?? process.cwd(),
      `codex-k8s-${common.env}-${common.slot || 'stack'}.yaml`,
    );
    const result = await applyEnvironment({
      load: {
        config: common.config,
        env: common.env,
        slot: common.slot,
        namespace: common.namespace,
        vars: common.vars,
        varFile: common.varFile,
      },
      filters: {
        onlyServices: listInput('only-services', 'CODEXCTL_ONLY_SERVICES'),
        skipServices: listInput('skip-services', 'CODEXCTL_SKIP_SERVICES'),
        onlyInfra: listInput('only-infra', 'CODEXCTL_ONLY_INFRA'),
        skipInfra: listInput('skip-infra', 'CODEXCTL_SKIP_INFRA'),
      },
      kubectl: { version: common.kubectlVersion },
      manifestPath,
      dryRun: common.dryRun,
      wait: boolInput('wait', true, 'CODEXCTL_WAIT'),
      waitTimeoutMs:
        waitTimeout || process.env.CODEXCTL_WAIT_TIMEOUT
          ? durationInput('wait-timeout', 0, 'CODEXCTL_WAIT_TIMEOUT')
          : undefined,
      waitSoftFail: boolInput('wait-soft-fail', false, 'CODEXCTL_WAIT_SOFT_FAIL'),
      forceConflicts: boolInput('force-conflicts', true),
      prune: boolInput('prune', true),
      reporter,
      maskSecret: (s) => core.setSecret(s),
    });
    setOutputs({
      'manifest-path': result.manifestPath,
      namespace: result.stack.namespace,
      applied: result.apply?.groups.flatMap((g) => g.objects) ?? [],
      'infra-ready': result.infraReady,
    });
  });
  await reporter.flushSummary();
}
