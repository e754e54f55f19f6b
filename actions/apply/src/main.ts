import * as core from '@actions/core';
import { applyEnvironment } from '@codex-k8s/core';
import { actionsReporter, runAction, setOutputs } from '@codex-k8s/core/action-kit';
import { readInputs } from './inputs.js';

/** apply: render + hooks + server-side apply + waits for one environment (or a dry-run diff). */
export async function run(): Promise<void> {
  const reporter = actionsReporter();
  await runAction(async () => {
    const inputs = readInputs();
    const result = await applyEnvironment({
      load: inputs.stack,
      filters: {
        onlyServices: inputs.onlyServices,
        skipServices: inputs.skipServices,
        onlyInfra: inputs.onlyInfra,
        skipInfra: inputs.skipInfra,
      },
      kubectl: { version: inputs.kubectlVersion },
      manifestPath: inputs.manifestPath,
      manifestPathChosen: true,
      dryRun: inputs.dryRun,
      wait: inputs.wait,
      waitTimeoutMs: inputs.waitTimeoutMs,
      waitSoftFail: inputs.waitSoftFail,
      forceConflicts: inputs.forceConflicts,
      prune: inputs.prune,
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
