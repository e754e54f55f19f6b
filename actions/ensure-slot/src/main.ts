import * as core from '@actions/core';
import { ensureSlot } from '@codex-k8s/core';
import {
  actionsReporter,
  planRootOf,
  requireAllowedActor,
  runAction,
  setOutputs,
  statusCommentFor,
  type StepStatus,
} from '@codex-k8s/core/action-kit';
import { readInputs } from './inputs.js';

/** ensure-slot: the slot of an issue or PR, found or claimed, bootstrapped when new (dry-run: what would be). */
export async function run(): Promise<void> {
  const reporter = actionsReporter();
  let status: StepStatus | undefined;
  await runAction(
    async () => {
      const inputs = readInputs();
      await requireAllowedActor(inputs.allowedUsers, inputs.githubToken);
      status = statusCommentFor(inputs, 'ensure-slot');
      const rootIssue = inputs.planRoot ? await planRootOf(inputs.issue, inputs.githubToken) : undefined;
      if (rootIssue !== undefined && rootIssue !== inputs.issue)
        reporter.info(`plan-root: issue #${inputs.issue} belongs to the plan of #${rootIssue}; using its slot`);
      const result = await ensureSlot({
        load: inputs.stack,
        issue: rootIssue ?? inputs.issue,
        pr: inputs.pr,
        slot: inputs.slot,
        owner: process.env.GITHUB_RUN_ID || 'manual',
        slotWaitTimeoutMs: inputs.slotWaitTimeoutMs,
        bootstrap: inputs.bootstrap,
        kubectl: { version: inputs.kubectlVersion },
        dryRun: inputs.dryRun,
        reporter,
        maskSecret: (s) => core.setSecret(s),
      });
      setOutputs({
        slot: result.slot,
        namespace: result.namespace,
        env: result.env,
        created: result.created,
        'root-issue': rootIssue ?? '',
      });
      await status?.update({ phase: 'slot-claimed', slot: result.slot, namespace: result.namespace, env: result.env });
      const holder = rootIssue
        ? `plan issue #${rootIssue}`
        : inputs.issue
          ? `issue #${inputs.issue}`
          : inputs.pr
            ? `PR #${inputs.pr}`
            : `slot ${inputs.slot}`;
      const what = result.dryRun
        ? `dry-run=true: nothing was claimed or applied. The slot ${result.created ? 'would be claimed' : 'would be reused'} for ${holder} (env ${result.env}).${result.dryRun.wouldApply.length ? ` The bootstrap would apply: ${result.dryRun.wouldApply.join(', ')}.` : ''}`
        : `${result.created ? 'Claimed by this run' : 'Reused'} for ${holder} (env ${result.env}).${result.bootstrapped.length ? ` Bootstrapped: ${result.bootstrapped.join(', ')}.` : ''}`;
      reporter.summary(`### codex-k8s slot ${result.slot}: \`${result.namespace}\`\n\n${what}\n`);
    },
    { onFailure: (message) => status?.failed(message) },
  );
  await reporter.flushSummary();
}
