import * as core from '@actions/core';
import { reviewApply } from '@codex-k8s/core';
import {
  actionsReporter,
  requireAllowedActor,
  runAction,
  setOutputs,
  statusCommentFor,
  UserError,
  type StepStatus,
} from '@codex-k8s/core/action-kit';
import { createGitHubClient, parseRepo } from '@codex-k8s/core/github';
import { readInputs } from './inputs.js';

/** review-apply: the agent's change as a commit on its branch and a pull request. */
export async function run(): Promise<void> {
  const reporter = actionsReporter();
  let status: StepStatus | undefined;
  await runAction(
    async () => {
      const inputs = readInputs();
      await requireAllowedActor([], inputs.githubToken);
      const repository = process.env.GITHUB_REPOSITORY ?? '';
      const token = inputs.pushToken || inputs.githubToken;
      if (!token || !repository)
        throw new UserError('review-apply pushes and opens a pull request: pass github-token (or push-token)');
      status = statusCommentFor(inputs, 'review-apply');
      const log = { info: core.info, warning: (m: string) => core.warning(m), debug: core.debug };
      const result = await reviewApply({
        load: {
          ...inputs.stack,
          ...(inputs.slot ? { slot: inputs.slot } : {}),
          ...(inputs.namespace ? { namespace: inputs.namespace } : {}),
        },
        issue: inputs.issue,
        pr: inputs.pr,
        workdir: inputs.workdir || undefined,
        branch: inputs.branch || undefined,
        base: inputs.base || undefined,
        include: inputs.include,
        commitMessage: inputs.commitMessage,
        authorName: inputs.authorName,
        authorEmail: inputs.authorEmail,
        prTitle: inputs.prTitle,
        prBody: inputs.prBody,
        draft: inputs.draft,
        allowFork: inputs.allowFork,
        github: { client: createGitHubClient({ token, log }), repo: parseRepo(repository, 'GITHUB_REPOSITORY') },
        pushToken: token,
        pushTokenIsWorkflowToken: !inputs.pushToken,
        serverUrl: process.env.GITHUB_SERVER_URL || 'https://github.com',
        agentDeployment: inputs.agentDeployment,
        agentContainer: inputs.agentContainer,
        kubectl: { version: inputs.kubectlVersion },
        dryRun: inputs.dryRun,
        reporter,
      });
      setOutputs({
        'pr-number': result.prNumber ?? '',
        'pr-url': result.prUrl ?? '',
        branch: result.branch,
        'commit-sha': result.commit ?? '',
        changed: result.changed,
      });
      if (inputs.dryRun) return;
      const ciNote =
        result.ciWillNotRun && result.changed
          ? "Pushed with the workflow's own GITHUB_TOKEN: GitHub does not start workflows for such pushes, so CI will not run on this PR. Give push-token a PAT or a GitHub App token to have it run."
          : '';
      if (ciNote) reporter.warning(ciNote);
      if (result.prNumber)
        await status?.update({
          phase: 'pr-updated',
          pr: { number: result.prNumber, url: result.prUrl ?? '' },
          ...(ciNote ? { note: ciNote } : {}),
        });
      reporter.summary(
        [
          `### codex-k8s review-apply: \`${result.branch}\``,
          '',
          result.changed
            ? `Pushed \`${result.commit?.slice(0, 12)}\`${result.rebased ? ' (rebased onto the moved branch)' : ''}: ${result.files.length} file(s). PR: ${result.prUrl ?? '-'}${result.prCreated ? ' (opened)' : ''}.`
            : 'The agent changed nothing: no commit.',
          ...(ciNote ? ['', `> ${ciNote}`] : []),
          '',
        ].join('\n'),
      );
    },
    { onFailure: (message) => status?.failed(message) },
  );
  await reporter.flushSummary();
}
