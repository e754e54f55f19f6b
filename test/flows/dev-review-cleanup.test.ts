/**
 * The life of an issue through the workflow templates, each event run as the runner runs it against the local
 * stand-ins (test Kubernetes API server with real kubectl, fake GitHub with a real git remote, the real Codex CLI in
 * the agent pod against the scripted model), one after the other on the same stage:
 *  (a) templates/ai-dev-issue.yml: the `[ai-dev]` label claims a slot, applies the shop's stack, the agent edits
 *      README.md, and a pull request holds exactly that change;
 *  (b) templates/ai-pr-review.yml: a review requesting changes on that pull request; the agent's follow-up is pushed
 *      to the same branch, in the same Codex session;
 *  (d) templates/ai-cleanup.yml: the pull request is merged and closed; the slot is released (namespace and record
 *      gone), the branch deleted and the issue closed.
 * Each test needs the one before it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { decodeState } from '../../packages/core/src/github/index.js';
import { AGENT_LINE, AGENT_MESSAGE, runDevIssue } from './dev-flow.js';
import { pullRequestClosed, reviewSubmitted } from './events.js';
import { MAINTAINER, REPO, startStage, TOKEN, type Stage } from './stage.js';
import { assertConclusion, jobOf, stepOf } from './transcript.js';

const NS = 'shop-ai-1';
const REVIEW_LINE = 'The cart is at /cart.';

describe('an issue through the templates: dev, review, cleanup', () => {
  let stage: Stage;
  let issue = 0;
  let pr = 0;
  let branch = '';
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
  const head = (ref: string) => git(stage.bare, 'rev-parse', '--verify', '-q', `refs/heads/${ref}`);
  const statusOf = (n: number) =>
    gh()
      .state.commentsOf(REPO, n)
      .map((c) => decodeState(c.body))
      .filter((s) => s !== undefined);
  const gh = () => stage.gh;

  beforeAll(async () => {
    stage = await startStage();
  }, 120_000);
  afterAll(async () => {
    await stage?.close();
  });

  it('(a) the [ai-dev] label: slot claimed, stack applied, the agent edits a file, a PR holds the change', async () => {
    const { kube } = stage;
    const run = await runDevIssue(stage);
    const t = run.transcript;
    issue = run.issue;
    assertConclusion(t, 'success');
    expect(t.jobs.map((j) => [j.id, j.result])).toEqual([
      ['prepare', 'success'],
      ['agent', 'success'],
      ['publish', 'success'],
      ['report', 'skipped'],
    ]);
    // Read, not enforced: the issue's group, shared with the plan and repair flows.
    expect(t.concurrency).toMatchObject({ group: `codex-k8s-${issue}` });

    // The slot: claimed for the issue, its namespace holding the shop's stack.
    expect(stepOf(t, 'ready').outputs).toMatchObject({
      slot: '1',
      namespace: NS,
      created: 'true',
      'env-ready': 'true',
    });
    expect(jobOf(t, 'prepare').outputs).toEqual({ slot: '1', env: 'ai' });
    for (const [kind, name] of [
      ['Deployment', 'codex'],
      ['Deployment', 'web'],
      ['StatefulSet', 'postgres'],
      ['Secret', 'openai-secret'],
    ])
      expect([kind, name, !!kube.store.get(kind!, NS, name!)]).toEqual([kind, name, true]);

    // The agent: the real Codex CLI ran the scripted command in the pod and reported its message.
    expect(stepOf(t, 'agent').outputs).toMatchObject({ 'final-message': AGENT_MESSAGE, changed: 'true' });
    expect(stage.modelTimes.length).toBeGreaterThanOrEqual(2);

    // The pull request: the agent's branch into main, naming the issue; its diff is exactly the agent's line.
    const publish = stepOf(t, 'publish');
    branch = `codex/issue-${issue}`;
    expect(publish.outputs).toMatchObject({ branch, changed: 'true' });
    pr = Number(publish.outputs['pr-number']);
    const pull = gh().state.pull(REPO, pr);
    expect([pull.state, pull.pull.head.ref, pull.pull.base.ref]).toEqual(['open', branch, 'main']);
    expect(pull.body).toContain(`#${issue}`);
    const diff = git(stage.bare, 'diff', 'main', branch);
    expect(diff).toContain('+++ b/README.md');
    expect(diff.split('\n').filter((l) => /^[+-][^+-]/.test(l))).toEqual([`+${AGENT_LINE}`]);
    expect(kube.store.get('ConfigMap', 'codex-system', 'shop-slot-1')?.data).toMatchObject({
      slot: '1',
      issue: String(issue),
      pr: String(pr),
    });

    // One status comment on the issue, edited along the run up to the pull request.
    const states = statusOf(issue);
    expect(states).toHaveLength(1);
    expect(states[0]).toMatchObject({ slot: 1, namespace: NS, agent: { message: AGENT_MESSAGE }, pr: { number: pr } });
  }, 600_000);

  it('(b) a review requesting changes: the follow-up is pushed to the same branch, in the same session', async () => {
    expect(pr).toBeGreaterThan(0);
    const before = head(branch);
    gh().state.addReviewThread(REPO, pr, {
      path: 'README.md',
      line: 4,
      comments: [{ author: MAINTAINER, body: 'Please also say where the cart is.' }],
    });
    const firstRequests = stage.model.requests.length;
    stage.script([
      { kind: 'exec', cmd: `printf '${REVIEW_LINE}\\n' >> /workspace/README.md` },
      { kind: 'message', text: 'Said where the cart is.' },
    ]);
    const payload = await reviewSubmitted(
      gh(),
      TOKEN,
      REPO,
      pr,
      { state: 'changes_requested', body: 'One more thing in the README.' },
      MAINTAINER,
    );
    const t = await stage.run('ai-pr-review.yml', 'pull_request_review', payload);
    assertConclusion(t, 'success');
    expect(t.jobs.map((j) => [j.id, j.result])).toEqual([
      ['prepare', 'success'],
      ['agent', 'success'],
      ['publish', 'success'],
      ['report', 'skipped'],
    ]);
    // The PR's slot was found, not claimed again; the agent resumed its session.
    expect(stepOf(t, 'ready').outputs).toMatchObject({ slot: '1', created: 'false', 'new-env': 'false' });
    expect(stepOf(t, 'agent').inputs).toMatchObject({ kind: 'dev_review', resume: 'true', pr: String(pr) });
    const prompt = JSON.stringify(stage.model.requests[firstRequests]!.body.input);
    expect(prompt).toContain('Please also say where the cart is.');
    expect(prompt).toContain(AGENT_MESSAGE);

    // One new commit on the same branch, on top of the first, holding the follow-up line; still one PR.
    const after = head(branch);
    expect(after).not.toBe(before);
    expect(git(stage.bare, 'rev-parse', `${after}^`)).toBe(before);
    const diff = git(stage.bare, 'diff', before, after);
    expect(diff.split('\n').filter((l) => /^[+-][^+-]/.test(l))).toEqual([`+${REVIEW_LINE}`]);
    expect(stepOf(t, 'publish').outputs).toMatchObject({ branch, changed: 'true', 'commit-sha': after });
    const pulls = [...gh().state.repo(REPO).issues.values()].filter((i) => i.pull);
    expect(pulls.map((p) => p.number)).toEqual([pr]);
  }, 600_000);

  it('(d) the PR merged and closed: slot released, namespace and record gone, branch deleted, issue closed', async () => {
    expect(pr).toBeGreaterThan(0);
    const payload = await pullRequestClosed(gh(), TOKEN, REPO, pr, true, MAINTAINER);
    const t = await stage.run('ai-cleanup.yml', 'pull_request', payload);
    assertConclusion(t, 'success');
    const cleanup = stepOf(t, 'agent');
    expect(cleanup.inputs).toMatchObject({ pr: String(pr), 'delete-branch': 'true', 'close-linked-issue': 'true' });
    expect(JSON.parse(cleanup.outputs.released ?? '[]')).toEqual([expect.objectContaining({ slot: 1 })]);
    expect(stepOf(t, 'repair').outcome).toBe('skipped');

    await stage.kube.waitFor('Namespace', '', NS, (o) => !o, 30_000);
    expect(stage.kube.store.get('ConfigMap', 'codex-system', 'shop-slot-1')).toBeUndefined();
    expect(stage.kube.store.list('ConfigMap', 'codex-system').map((c) => c.metadata.name)).not.toContain('shop-slot-1');
    expect(git(stage.bare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads')).toBe('main');
    expect(gh().state.issue(REPO, issue)).toMatchObject({ state: 'closed', stateReason: 'completed' });
  }, 600_000);
});
