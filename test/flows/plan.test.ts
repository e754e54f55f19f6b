/**
 * (c) templates/ai-plan-issue.yml end to end against the local stand-ins: the `[ai-plan]` label claims a slot and
 * runs the agent as a planner; it writes the child issues itself and answers with the plan, which lands in the
 * issue's status comment. Nothing is committed.
 *
 * What is realistic here: the plan prompt tells the agent to create child issues with `gh issue create`, using the
 * GH_TOKEN the project's manifests give the agent pod (the template says to pass such secrets to the step that
 * renders the stack). The project's copy of the template does exactly that (one added `env:` line, AGENT_GH_TOKEN),
 * and its manifests render the `codex-github` Secret from it. The agent pod here has no `gh`, and `gh` cannot speak
 * to a plain-HTTP fake anyway, so the scripted model makes the same REST call with curl: POST /repos/{repo}/issues
 * with the pod's GH_TOKEN, against the fake GitHub.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeState } from '../../packages/core/src/github/index.js';
import { REPO_ROOT } from '../support/cli.js';
import { issueLabeled } from './events.js';
import { MAINTAINER, REPO, startStage, TOKEN, type Stage } from './stage.js';
import { assertConclusion, stepOf } from './transcript.js';

/** The agent pod's token for the child issues (a person's token of the bot account, as a project would set). */
const AGENT_TOKEN = 'ghp_planAgentToken00000000000000000000001';

/** The project's copy of the plan template: the agent's GitHub token passed to the step that renders the stack. */
function projectCopy(): string {
  const text = readFileSync(path.join(REPO_ROOT, 'templates/ai-plan-issue.yml'), 'utf8');
  const anchor = '          OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n';
  if (!text.includes(anchor)) throw new Error('templates/ai-plan-issue.yml: no OPENAI_API_KEY line in a step env');
  return text.replace(anchor, `${anchor}          AGENT_GH_TOKEN: \${{ secrets.CODEX_K8S_AGENT_GH_TOKEN }}\n`);
}

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('plan flow (templates/ai-plan-issue.yml)', () => {
  let stage: Stage;
  beforeAll(async () => {
    stage = await startStage({ secrets: { CODEX_K8S_AGENT_GH_TOKEN: AGENT_TOKEN } });
    stage.gh.state.addToken(AGENT_TOKEN, { login: 'shop-codex-bot' });
    stage.gh.state.setPermission(REPO, 'shop-codex-bot', 'write');
  }, 120_000);
  afterAll(async () => {
    await stage?.close();
  });

  it('the [ai-plan] label: the agent posts child issues marked with the parent and answers with the plan', async () => {
    const { gh, kube } = stage;
    const parent = gh.state.addIssue(REPO, {
      title: 'Checkout with a saved cart',
      body: 'Customers should be able to save a cart and check out later.',
      author: MAINTAINER,
    });
    const children = [
      { title: 'Store carts in Postgres', body: `Persist carts per customer.\n\nAI-PLAN-PARENT: #${parent.number}` },
      { title: 'Resume a saved cart at checkout', body: `Load the cart.\n\nAI-PLAN-PARENT: #${parent.number}` },
    ];
    const create = (c: { title: string; body: string }) =>
      [
        // The token goes to curl on stdin (printf is a shell builtin): never in an argv.
        'printf "Authorization: token %s\\n" "$GH_TOKEN" |',
        'curl -sS --fail-with-body -X POST -H @-',
        "-H 'Accept: application/vnd.github+json'",
        `${gh.url}/repos/${REPO}/issues`,
        `--data ${sq(JSON.stringify(c))}`,
      ].join(' ');
    const plan = `Plan for #${parent.number}: store carts, then resume them at checkout (two child issues).`;
    stage.script([
      { kind: 'exec', cmd: create(children[0]!) },
      { kind: 'exec', cmd: create(children[1]!) },
      { kind: 'message', text: plan },
    ]);
    const before = stage.model.requests.length;
    const payload = await issueLabeled(gh, TOKEN, REPO, parent.number, '[ai-plan]', MAINTAINER);
    const t = await stage.run('ai-plan-issue.yml', 'issues', payload, { content: projectCopy() });
    assertConclusion(t, 'success');
    expect(t.jobs.map((j) => [j.id, j.result])).toEqual([
      ['prepare', 'success'],
      ['agent', 'success'],
      ['report', 'skipped'],
    ]);
    expect(stepOf(t, 'ready').outputs).toMatchObject({ slot: '1', namespace: 'shop-ai-1', created: 'true' });
    expect(kube.store.get('Secret', 'shop-ai-1', 'codex-github')).toBeTruthy();

    // The planner's prompt, and its answer.
    expect(JSON.stringify(stage.model.requests[before]!.body.input)).toContain(`plan issue #${parent.number}`);
    expect(stepOf(t, 'agent').outputs).toMatchObject({ 'final-message': plan, changed: 'false' });

    // The child issues, written by the agent with the pod's token, each naming its parent.
    const created = [...gh.state.repo(REPO).issues.values()].filter((i) => i.number !== parent.number);
    expect(created.map((i) => [i.title, i.author, i.body])).toEqual(
      children.map((c) => [c.title, 'shop-codex-bot', c.body]),
    );
    // The plan itself, in the parent's status comment; no branch, no pull request.
    const states = gh.state
      .commentsOf(REPO, parent.number)
      .map((c) => decodeState(c.body))
      .filter(Boolean);
    expect(states).toHaveLength(1);
    expect(states[0]).toMatchObject({ agent: { message: plan } });
    expect([...gh.state.repo(REPO).branches.keys()]).toEqual(['main']);
  }, 600_000);
});
