import * as core from '@actions/core';
import { describeInfraReady, ensureReady } from '@codex-k8s/core';
import {
  actionsReporter,
  boolInput,
  durationInput,
  gateIssueWork,
  listInput,
  readCommonInputs,
  runAction,
  setOutputs,
  stackInputs,
  stringInput,
} from '@codex-k8s/core/action-kit';

/** ensure-ready: the slot, its namespace, the sources in its workspace, the stack applied and ready. */
export async function run(): Promise<void> {
  const reporter = actionsReporter();
  await runAction(async () => {
    const common = readCommonInputs();
    gateIssueWork(listInput('allowed-users', 'CODEXCTL_ALLOWED_USERS'), boolInput('plan-root', false));
    const codeRootBase = stringInput('code-root-base', '', 'CODEXCTL_CODE_ROOT_BASE');
    const waitTimeout = core.getInput('wait-timeout') || process.env.CODEXCTL_WAIT_TIMEOUT;
    const result = await ensureReady({
      load: stackInputs(common),
      namespace: common.namespace,
      issue: common.issue,
      pr: common.pr,
      slot: common.slot,
      owner: process.env.GITHUB_RUN_ID || 'manual',
      slotWaitTimeoutMs: durationInput('slot-wait-timeout', 10 * 60_000),
      bootstrap: boolInput('bootstrap', true),
      kubectl: { version: common.kubectlVersion },
      sync: codeRootBase
        ? {
            source: stringInput('source', '.', 'CODEXCTL_SOURCE'),
            codeRootBase,
            workspaceMount: stringInput('workspace-mount', '/workspace', 'CODEXCTL_WORKSPACE_MOUNT'),
            pvc: stringInput('workspace-pvc', '', 'CODEXCTL_WORKSPACE_PVC') || undefined,
            image: stringInput('sync-image', 'busybox:1.37.0', 'CODEXCTL_SYNC_IMAGE'),
            discardChanges: boolInput('discard-changes', false),
          }
        : undefined,
      prepareImages: boolInput('prepare-images', false, 'CODEXCTL_PREPARE_IMAGES'),
      apply: boolInput('apply', true, 'CODEXCTL_APPLY'),
      forceApply: boolInput('force-apply', false, 'CODEXCTL_FORCE_APPLY'),
      wait: boolInput('wait', true),
      waitTimeoutMs: waitTimeout ? durationInput('wait-timeout', 0, 'CODEXCTL_WAIT_TIMEOUT') : undefined,
      waitSoftFail: boolInput('wait-soft-fail', false, 'CODEXCTL_WAIT_SOFT_FAIL'),
      reporter,
      maskSecret: (s) => core.setSecret(s),
    });
    setOutputs({
      slot: result.slot,
      namespace: result.namespace,
      env: result.env,
      created: result.created,
      recreated: result.recreated,
      'new-env': result.newEnv,
      'infra-ready': result.infraReady,
      'env-ready': result.envReady,
      url: result.url ?? '',
    });
    reporter.summary(
      `### codex-k8s slot ${result.slot}: \`${result.namespace}\`\n\n| | |\n|---|---|\n| created | ${result.created} |\n| recreated | ${result.recreated} |\n| applied | ${result.applied} (${result.applyReason}) |\n| infra ready | ${describeInfraReady(result)} |\n| agent ready | ${result.envReady} |\n${result.sync ? `| sources | ${result.sync.files} files → \`${result.sync.target}\` |\n` : ''}${result.url ? `| url | ${result.url} |\n` : ''}`,
    );
  });
  await reporter.flushSummary();
}
