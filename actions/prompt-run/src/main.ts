import * as core from '@actions/core';
import { preparePrompt, promptRun, type PromptInputs } from '@codex-k8s/core';
import {
  actionsReporter,
  requireAllowedActor,
  runAction,
  setOutputs,
  statusCommentFor,
  type StepStatus,
} from '@codex-k8s/core/action-kit';
import { createGitHubClient, parseRepo } from '@codex-k8s/core/github';
import { readInputs, type PromptRunInputs } from './inputs.js';
import { writeSummary } from './summary.js';

/** prompt-run: the agent works on the issue or PR in its slot (dry-run: the prompt and config it would get). */
export async function run(): Promise<void> {
  const reporter = actionsReporter();
  let status: StepStatus | undefined;
  const cancel = new AbortController();
  // A cancelled workflow stops the agent in the pod too; the runner sends SIGINT, then SIGTERM.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => cancel.abort());
  await runAction(
    async () => {
      const inputs = readInputs();
      await requireAllowedActor(inputs.allowedUsers, inputs.githubToken);
      const common = promptInputs(inputs, reporter);
      if (inputs.dryRun) {
        const p = await preparePrompt(common);
        reporter.info(`dry-run=true: the agent was not started. Prompt (${Buffer.byteLength(p.prompt)} bytes):`);
        reporter.info(p.prompt);
        reporter.info(`config.toml:\n${p.config.toml}`);
        setOutputs({ 'final-message': '', 'session-id': '', changed: false, 'tokens-in': 0, 'tokens-out': 0 });
        reporter.summary(
          `### codex-k8s prompt-run (dry run)\n\nNothing was started. Kind \`${p.kind}\`, model \`${p.config.model}\`, ` +
            `prompt of ${Buffer.byteLength(p.prompt)} bytes for #${p.issue.number}.\n`,
        );
        return;
      }
      status = statusCommentFor(inputs, 'prompt-run');
      const result = await promptRun({
        ...common,
        timeoutMs: inputs.timeoutMs,
        readyTimeoutMs: 5 * 60_000,
        agentContainer: inputs.agentContainer,
        kubectl: { version: inputs.kubectlVersion },
        signal: cancel.signal,
        onStarted: async () => {
          await status?.update({ phase: 'agent-running', agent: { state: 'running' } });
        },
      });
      setOutputs({
        'final-message': result.finalMessage,
        'session-id': result.sessionId,
        changed: result.changed,
        'tokens-in': result.tokensIn,
        'tokens-out': result.tokensOut,
      });
      await status?.update({
        phase: 'agent-finished',
        agent: {
          state: result.changed ? 'changed' : 'no-change',
          message: result.finalMessage,
          tokensIn: result.tokensIn,
          tokensOut: result.tokensOut,
        },
      });
      writeSummary(reporter, result);
    },
    { onFailure: (message) => status?.failed(message) },
  );
  await reporter.flushSummary();
}

function promptInputs(inputs: PromptRunInputs, reporter: PromptInputs['reporter']): PromptInputs {
  const repository = process.env.GITHUB_REPOSITORY ?? '';
  const github =
    inputs.githubToken && repository
      ? {
          client: createGitHubClient({
            token: inputs.githubToken,
            log: { info: core.info, warning: (m: string) => core.warning(m), debug: core.debug },
          }),
          repo: parseRepo(repository, 'GITHUB_REPOSITORY'),
        }
      : undefined;
  return {
    load: {
      ...inputs.stack,
      ...(inputs.slot ? { slot: inputs.slot } : {}),
      ...(inputs.namespace ? { namespace: inputs.namespace } : {}),
    },
    kind: inputs.kind,
    lang: inputs.lang,
    issue: inputs.issue,
    pr: inputs.pr,
    focusIssue: inputs.focusIssue,
    template: inputs.template,
    model: inputs.model,
    reasoningEffort: inputs.reasoningEffort,
    resume: inputs.resume,
    agentDeployment: inputs.agentDeployment,
    github,
    allowedUsers: inputs.allowedUsers,
    reporter,
  };
}
