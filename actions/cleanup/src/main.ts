import * as core from '@actions/core';
import { cleanupOnGitHub, cleanupSlots } from '@codex-k8s/core';
import { createGitHubClient, parseRepo } from '@codex-k8s/core/github';
import {
  actionsReporter,
  issueClosedChecker,
  runAction,
  setOutputs,
  statusCommentFor,
  UserError,
} from '@codex-k8s/core/action-kit';
import { readInputs } from './inputs.js';

/** cleanup: tear down slots by issue, PR, slot, all, or stale; workflow_dispatch friendly (dry-run: what would go). */
export async function run(): Promise<void> {
  const reporter = actionsReporter();
  await runAction(async () => {
    const inputs = readInputs();
    const result = await cleanupSlots({
      load: inputs.stack,
      issue: inputs.issue,
      pr: inputs.pr,
      slot: inputs.slot,
      all: inputs.all,
      stale: inputs.stale,
      ttlMs: inputs.ttlMs,
      isClosed: inputs.stale ? issueClosedChecker(inputs.githubToken) : undefined,
      deleteState: inputs.deleteState,
      kubectl: { version: inputs.kubectlVersion },
      dryRun: inputs.dryRun,
      reporter,
    });
    setOutputs({ released: result.released });
    for (const s of result.released) {
      const target = {
        githubToken: inputs.githubToken,
        lang: inputs.lang,
        issue: s.issue,
        pr: s.pr,
        dryRun: result.dryRun !== undefined,
      };
      await statusCommentFor(target, 'cleanup')?.update({ phase: 'released', slot: s.slot, namespace: s.namespace });
    }
    // The GitHub side: only for what this run cleaned (or was asked to clean), never in a dry run's name.
    const repository = process.env.GITHUB_REPOSITORY ?? '';
    let githubLines: string[] = [];
    if ((inputs.deleteBranch || inputs.closeLinkedIssue) && (!inputs.githubToken || !repository))
      reporter.warning('delete-branch and close-linked-issue need github-token and a repository: skipped');
    else if (inputs.deleteBranch || inputs.closeLinkedIssue)
      githubLines = await reporter.group('Branches and issues on GitHub', () =>
        cleanupOnGitHub({
          client: createGitHubClient({
            token: inputs.githubToken,
            log: { info: core.info, warning: (m: string) => core.warning(m), debug: core.debug },
          }),
          repo: parseRepo(repository, 'GITHUB_REPOSITORY'),
          issues: [inputs.issue, ...result.released.map((s) => s.issue ?? 0)],
          prs: [inputs.pr, ...result.released.map((s) => s.pr ?? 0)],
          deleteBranch: inputs.deleteBranch,
          closeLinkedIssue: inputs.closeLinkedIssue,
          dryRun: inputs.dryRun,
          reporter,
        }),
      );
    const slotLine = (s: (typeof result.released)[number]) =>
      `- slot ${s.slot} \`${s.namespace}\`${s.issue ? ` issue #${s.issue}` : ''}${s.pr ? ` PR #${s.pr}` : ''}`;
    const lines = result.released.map(slotLine);
    const head = result.dryRun ? 'dry-run=true: nothing was deleted or released. Would release:' : 'Released:';
    reporter.summary(
      `### codex-k8s cleanup\n\n${lines.length ? `${head}\n\n${lines.join('\n')}` : 'Nothing to clean.'}\n` +
        (githubLines.length ? `\nOn GitHub:\n\n${githubLines.map((l) => `- ${l}`).join('\n')}\n` : '') +
        (result.problems.length ? `\nNot released:\n\n${result.problems.map((p) => `- ${p}`).join('\n')}\n` : ''),
    );
    if (result.problems.length) {
      const n = result.problems.length;
      throw new UserError(
        `${n} ${n === 1 ? 'slot' : 'slots'} could not be cleaned (the others were):\n${result.problems.join('\n')}`,
      );
    }
  });
  await reporter.flushSummary();
}
