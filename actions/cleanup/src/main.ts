import { cleanupSlots } from '@codex-k8s/core';
import {
  actionsReporter,
  boolInput,
  durationInput,
  issueClosedChecker,
  readCommonInputs,
  runAction,
  setOutputs,
  stackInputs,
  UserError,
} from '@codex-k8s/core/action-kit';

/** cleanup: tear down slots by issue, PR, slot, all, or stale; workflow_dispatch friendly. */
export async function run(): Promise<void> {
  const reporter = actionsReporter();
  await runAction(async () => {
    const common = readCommonInputs();
    const stale = boolInput('stale', false);
    const result = await cleanupSlots({
      load: stackInputs(common),
      issue: common.issue,
      pr: common.pr,
      slot: common.slot,
      all: boolInput('all', false, 'CODEXCTL_ALL'),
      stale,
      ttlMs: durationInput('ttl', 168 * 3_600_000),
      isClosed: stale ? issueClosedChecker(common.githubToken) : undefined,
      deleteState: boolInput('delete-state', true, 'CODEXCTL_WITH_CONFIGMAP'),
      kubectl: { version: common.kubectlVersion },
      reporter,
    });
    setOutputs({ released: result.released });
    reporter.summary(
      `### codex-k8s cleanup\n\n${result.released.length ? result.released.map((s) => `- slot ${s.slot} \`${s.namespace}\`${s.issue ? ` issue #${s.issue}` : ''}${s.pr ? ` PR #${s.pr}` : ''}`).join('\n') : 'Nothing to clean.'}\n`,
    );
    if (result.problems.length) {
      throw new UserError(
        `${result.problems.length} slot(s) could not be cleaned (the others were):\n${result.problems.join('\n')}`,
      );
    }
  });
  await reporter.flushSummary();
}
