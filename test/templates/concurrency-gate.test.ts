/**
 * The concurrency group of every agent flow against the job's own gate. GitHub keeps one pending run per group and
 * cancels the one that was waiting when another arrives, whether or not the newcomer's jobs run. So an event the
 * workflow ignores (a comment by someone without a say in the repository, a bot, a fork's pull request, a review that
 * approves) must get a group of its own: in the issue's group it would cancel a real run waiting there (a queued
 * [ai-dev] run behind a plan run, a queued cleanup). Each case evaluates the workflow's `concurrency.group` and the
 * gate job's `if:` with GitHub's expression engine on the event as GitHub sends it.
 */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { REPO_ROOT } from '../support/cli.js';
import { evaluate, tokenValue, truthy } from '../flows/expressions.js';
import { githubContext } from '../flows/github-context.js';
import { ok } from '../flows/run-state.js';
import { loadWorkflow } from '../flows/workflow.js';

type Obj = Record<string, unknown>;
const REPO = 'acme/shop';

async function gateAndGroup(template: string, event: string, payload: Obj): Promise<{ runs: boolean; group: string }> {
  const wf = await loadWorkflow(path.join(REPO_ROOT, 'templates', template));
  const github = githubContext({
    event,
    payload,
    repository: REPO,
    workflowName: wf.name,
    workflowFile: template,
    runId: 99,
    serverUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    token: '',
    workspace: '',
    eventPath: '',
    remotes: {},
  });
  const contexts = { github, vars: {}, secrets: {}, inputs: {} };
  const concurrency = tokenValue(wf.template.concurrency!, contexts, ok, 'concurrency') as { group: string };
  const gate = wf.jobs.find((j) => j.id === 'prepare')!;
  return { runs: truthy(evaluate(gate.job.if.expression, contexts, ok, 'prepare.if')), group: concurrency.group };
}

const user = (login: string, type = 'User') => ({ login, type });
const repository = { full_name: REPO, default_branch: 'main' };

const comment = (body: string, association: string, type = 'User', onPr = false): Obj => ({
  action: 'created',
  issue: { number: 5, ...(onPr ? { pull_request: { url: 'x' } } : {}) },
  comment: { id: 1, body, user: user('someone', type), author_association: association },
  repository,
  sender: user('someone', type),
});

const pull = (headRef: string, headRepo = REPO) => ({
  number: 12,
  head: { ref: headRef, sha: 'b'.repeat(40), repo: { full_name: headRepo } },
  base: { ref: 'main', repo: { full_name: REPO } },
});

const review = (state: string, association: string, o: { type?: string; headRef?: string; headRepo?: string } = {}) => ({
  action: 'submitted',
  review: { id: 2, state, body: 'please', user: user('someone', o.type), author_association: association },
  pull_request: pull(o.headRef ?? 'codex/issue-5', o.headRepo),
  repository,
  sender: user('someone', o.type),
});

const reviewComment = (
  body: string,
  association: string,
  o: { type?: string; headRef?: string; headRepo?: string } = {},
) => ({
  action: 'created',
  comment: { id: 3, body, user: user('someone', o.type), author_association: association },
  pull_request: pull(o.headRef ?? 'codex/issue-5', o.headRepo),
  repository,
  sender: user('someone', o.type),
});

describe('templates: an event the flow ignores never joins the group of the issue or pull request', () => {
  const planReview: [string, Obj, boolean][] = [
    ['a member asks', comment('[ai-plan] split it', 'MEMBER'), true],
    ['the owner asks', comment('[ai-plan] again', 'OWNER'), true],
    ['a stranger asks', comment('[ai-plan] cancel your queue', 'NONE'), false],
    ['a first-time contributor asks', comment('[ai-plan] x', 'FIRST_TIME_CONTRIBUTOR'), false],
    ['a contributor asks', comment('[ai-plan] x', 'CONTRIBUTOR'), false],
    ['a bot with a say asks', comment('[ai-plan] x', 'MEMBER', 'Bot'), false],
    ['a member asks on a pull request', comment('[ai-plan] x', 'MEMBER', 'User', true), false],
    ['a member quotes the keyword', comment('> [ai-plan] x', 'MEMBER'), false],
  ];
  it.each(planReview)('ai-plan-review.yml: %s', async (_, payload, real) => {
    const { runs, group } = await gateAndGroup('ai-plan-review.yml', 'issue_comment', payload);
    expect(runs).toBe(real);
    if (real) expect(group).toBe('codex-k8s-5');
    else expect(group).toBe('codex-k8s-ignored-99');
  });

  const prReview: [string, string, Obj, boolean][] = [
    ['a member requests changes', 'pull_request_review', review('changes_requested', 'MEMBER'), true],
    [
      'a collaborator requests changes on a repair PR',
      'pull_request_review',
      review('changes_requested', 'COLLABORATOR', { headRef: 'codex/ai-repair-5' }),
      true,
    ],
    ['a member comments [ai-dev]', 'pull_request_review_comment', reviewComment('[ai-dev] fix', 'MEMBER'), true],
    ['a stranger requests changes', 'pull_request_review', review('changes_requested', 'NONE'), false],
    ['a contributor requests changes', 'pull_request_review', review('changes_requested', 'CONTRIBUTOR'), false],
    ['a bot requests changes', 'pull_request_review', review('changes_requested', 'MEMBER', { type: 'Bot' }), false],
    ['a member approves', 'pull_request_review', review('approved', 'MEMBER'), false],
    [
      'a member requests changes on a person’s PR',
      'pull_request_review',
      review('changes_requested', 'MEMBER', { headRef: 'feature/x' }),
      false,
    ],
    [
      'a member requests changes on a fork’s codex/issue-5',
      'pull_request_review',
      review('changes_requested', 'MEMBER', { headRepo: 'mallory/shop' }),
      false,
    ],
    ['a stranger comments [ai-dev]', 'pull_request_review_comment', reviewComment('[ai-dev] x', 'NONE'), false],
    [
      'a bot comments [ai-dev]',
      'pull_request_review_comment',
      reviewComment('[ai-dev] x', 'MEMBER', { type: 'Bot' }),
      false,
    ],
  ];
  it.each(prReview)('ai-pr-review.yml: %s', async (_, event, payload, real) => {
    const { runs, group } = await gateAndGroup('ai-pr-review.yml', event, payload);
    expect(runs).toBe(real);
    if (real) expect(group).toBe('codex-k8s-12');
    else expect(group).toBe('codex-k8s-ignored-99');
  });

  it.each([
    ['ai-plan-issue.yml', '[ai-plan]'],
    ['ai-dev-issue.yml', '[ai-dev]'],
    ['ai-repair-issue.yml', '[ai-repair]'],
  ])('%s: its label joins the issue’s group, any other label does not', async (template, label) => {
    const labeled = (name: string) => ({
      action: 'labeled',
      label: { name },
      issue: { number: 5 },
      repository,
      sender: user('maria'),
    });
    expect(await gateAndGroup(template, 'issues', labeled(label))).toEqual({ runs: true, group: 'codex-k8s-5' });
    expect(await gateAndGroup(template, 'issues', labeled('bug'))).toEqual({
      runs: false,
      group: 'codex-k8s-ignored-99',
    });
  });
});
