import * as core from '@actions/core';
import { describeInfraReady, ensureReady } from '@codex-k8s/core';
import {
  actionsReporter,
  requireAllowedActor,
  runAction,
  setOutputs,
  statusCommentFor,
  type StepStatus,
} from '@codex-k8s/core/action-kit';
import { readInputs } from './inputs.js';

/** ensure-ready: the slot, its namespace, the sources in its workspace, the stack applied and ready. */
export async function run(): Promise<void> {
  const reporter = actionsReporter();
  let status: StepStatus | undefined;
  await runAction(
    async () => {
      const inputs = readInputs();
      await requireAllowedActor(inputs.allowedUsers, inputs.githubToken);
      status = statusCommentFor(inputs, 'ensure-ready');
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
        prepareImages: inputs.prepareImages,
        images: { insecureRegistries: inputs.insecureRegistries },
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
      await status?.update({
        phase: result.infraReady ? 'environment-ready' : 'environment-not-ready',
        slot: result.slot,
        namespace: result.namespace,
        env: result.env,
        links: result.url ? [{ name: 'url', url: result.url }] : undefined,
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
    },
    { onFailure: (message) => status?.failed(message) },
  );
  await reporter.flushSummary();
}
