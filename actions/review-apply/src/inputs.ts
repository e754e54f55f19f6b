import {
  boolInput,
  dryRunInput,
  githubTokenInput,
  kubectlVersionInput,
  langInput,
  listInput,
  readSlotSelector,
  readStackInputs,
  stringInput,
  UserError,
  type StackInputs,
} from '@codex-k8s/core/action-kit';
import * as core from '@actions/core';

/** Every input of the review-apply action, read once and validated. */
export interface ReviewApplyInputs {
  stack: StackInputs;
  issue: number;
  pr: number;
  slot: number;
  namespace: string;
  workdir: string;
  branch: string;
  base: string;
  include: string[];
  commitMessage: string;
  authorName: string;
  authorEmail: string;
  prTitle: string;
  prBody: string;
  draft: boolean;
  allowFork: boolean;
  pushToken: string;
  agentDeployment: string;
  agentContainer: string;
  kubectlVersion?: string;
  githubToken: string;
  lang: 'en' | 'ru';
  dryRun: boolean;
}

export function readInputs(): ReviewApplyInputs {
  const selector = readSlotSelector();
  if (!(selector.issue > 0) && !(selector.pr > 0))
    throw new UserError('review-apply: give the issue or the pr the change is for');
  const pushToken = stringInput('push-token', '');
  if (pushToken) core.setSecret(pushToken);
  const inputs: ReviewApplyInputs = {
    stack: readStackInputs(),
    ...selector,
    namespace: stringInput('namespace', '', 'CODEXCTL_NAMESPACE'),
    workdir: stringInput('workdir', ''),
    branch: stringInput('branch', '', 'CODEXCTL_BRANCH'),
    base: stringInput('base', ''),
    include: listInput('include'),
    commitMessage: stringInput(
      'commit-message',
      selector.pr > 0 ? 'codex: follow-up on the review of #{{pr}}' : 'codex: {{title}}\n\nRefs #{{issue}}',
    ),
    authorName: stringInput('author-name', 'codex-agent', 'CODEXCTL_GH_USERNAME'),
    authorEmail: stringInput('author-email', 'codex-agent@users.noreply.github.com', 'CODEXCTL_GH_EMAIL'),
    prTitle: stringInput('pr-title', '{{title}}'),
    prBody: stringInput(
      'pr-body',
      'Closes #{{issue}}\n\nMade by the Codex agent in its slot environment; review it as any other change.',
    ),
    draft: boolInput('draft', false),
    allowFork: boolInput('allow-fork', false),
    pushToken,
    agentDeployment: stringInput('agent-deployment', 'codex'),
    agentContainer: stringInput('agent-container', 'codex'),
    kubectlVersion: kubectlVersionInput(),
    githubToken: githubTokenInput(),
    lang: langInput(),
    dryRun: dryRunInput(),
  };
  if (/[<>\n]/.test(inputs.authorName) || !/^[^\s<>@]+@[^\s<>@]+$/.test(inputs.authorEmail))
    throw new UserError(
      `author-name / author-email: ${JSON.stringify(`${inputs.authorName} <${inputs.authorEmail}>`)} is not a git identity`,
    );
  return inputs;
}
