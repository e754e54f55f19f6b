import * as core from '@actions/core';
import { ensureSlot } from '@codex-k8s/core';
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
} from '@codex-k8s/core/action-kit';

/** ensure-slot: the slot of an issue or PR, found or claimed, bootstrapped when new. */
export async function run(): Promise<void> {
  const reporter = actionsReporter();
  await runAction(async () => {
    const common = readCommonInputs();
    gateIssueWork(listInput('allowed-users', 'CODEXCTL_ALLOWED_USERS'), boolInput('plan-root', false));
    const result = await ensureSlot({
      load: stackInputs(common),
      issue: common.issue,
      pr: common.pr,
      slot: common.slot,
      owner: process.env.GITHUB_RUN_ID || 'manual',
      slotWaitTimeoutMs: durationInput('slot-wait-timeout', 10 * 60_000),
      bootstrap: boolInput('bootstrap', true),
      kubectl: { version: common.kubectlVersion },
      reporter,
      maskSecret: (s) => core.setSecret(s),
    });
    setOutputs({
      slot: result.slot,
      namespace: result.namespace,
      env: result.env,
      created: result.created,
      'root-issue': '',
    });
    reporter.summary(
      `### codex-k8s slot ${result.slot}: \`${result.namespace}\`\n\n${result.created ? 'Claimed by this run' : 'Reused'} for ${common.issue ? `issue #${common.issue}` : `PR #${common.pr}`} (env ${result.env}).${result.bootstrapped.length ? ` Bootstrapped: ${result.bootstrapped.join(', ')}.` : ''}\n`,
    );
  });
  await reporter.flushSummary();
}
