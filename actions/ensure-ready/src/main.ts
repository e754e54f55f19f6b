import * as core from '@actions/core';
import { describeInfraReady, ensureReady } from '@codex-k8s/core';
import { actionsReporter, checkAllowedActor, runAction, setOutputs } from '@codex-k8s/core/action-kit';
import { readInputs } from './inputs.js';

/** ensure-ready: the slot, its namespace, the sources in its workspace, the stack applied and ready. */
export async function run(): Promise<void> {
  const reporter = actionsReporter();
  await runAction(async () => {
    const inputs = readInputs();
    checkAllowedActor(inputs.allowedUsers);
    const result = await ensureReady({
      load: inputs.stack,
      issue: inputs.issue,
      pr: inputs.pr,
      slot: inputs.slot,
      owner: process.env.GITHUB_RUN_ID || 'manual',
      slotWaitTimeoutMs: inputs.slotWaitTimeoutMs,
      bootstrap: inputs.bootstrap,
      kubectl: { version: inputs.kubectlVersion },
      sync: inputs.sync,
      apply: inputs.apply,
      forceApply: inputs.forceApply,
      wait: inputs.wait,
      waitTimeoutMs: inputs.waitTimeoutMs,
      waitSoftFail: inputs.waitSoftFail,
      dryRun: inputs.dryRun,
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
    const row = (name: string, value: unknown) => `| ${name} | ${value} |\n`;
    reporter.summary(
      `### codex-k8s slot ${result.slot}: \`${result.namespace}\`\n\n` +
        (result.dryRun
          ? 'dry-run=true: nothing was claimed, applied or copied; the table says what would be.\n\n'
          : '') +
        `| | |\n|---|---|\n${row('created', result.created)}${row('recreated', result.recreated)}` +
        (result.dryRun
          ? row('would apply', `${result.dryRun.wouldApply.length} objects`)
          : row('applied', `${result.applied} (${result.applyReason})`) +
            row('infra ready', describeInfraReady(result)) +
            row('agent ready', result.envReady)) +
        (result.sync ? row('sources', `${result.sync.files} files → \`${result.sync.target}\``) : '') +
        (result.url ? row('url', result.url) : ''),
    );
  });
  await reporter.flushSummary();
}
