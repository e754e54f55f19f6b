/**
 * Benchmark (h) of test/bench/run.ts: flow (a), templates/ai-dev-issue.yml on examples/shop against the local
 * stand-ins, timed in two phases: from the label event to the agent starting (its first model request), and from
 * the agent's last message (the model's last answer) to the pull request (the fake GitHub's POST /pulls), with the
 * kubectl processes (a counting kubectl first on PATH) and GitHub API requests (the fake's request log) of each.
 */
import { removeTempDirs } from '../support/temp-dir.js';
import { runDevIssue } from './dev-flow.js';
import { startStage } from './stage.js';
import { assertConclusion } from './transcript.js';

export async function benchDevFlow(): Promise<string> {
  const stage = await startStage();
  try {
    const beforeModel = stage.modelTimes.length;
    const run = await runDevIssue(stage);
    assertConclusion(run.transcript, 'success');
    const end = Date.now();
    const model = stage.modelTimes.slice(beforeModel);
    const agentStart = model[0]!;
    const lastMessage = model[model.length - 1]!;
    const prCreated = stage.gh.requests.find((r) => r.method === 'POST' && /\/pulls$/.test(r.path) && r.status === 201);
    if (!prCreated) throw new Error('no pull request was created');
    const kubectl = stage.kubectlCalls();
    const within = (t: number, from: number, to: number) => t >= from && t <= to;
    const phase = (from: number, to: number) => ({
      ms: to - from,
      kubectl: kubectl.filter((c) => within(c.time, from, to)).length,
      github: stage.gh.requests.filter((r) => within(r.time, from, to)).length,
    });
    const one = phase(run.labelledAt, agentStart);
    const two = phase(lastMessage, prCreated.time);
    const all = phase(run.labelledAt, end);
    const steps = run.transcript.jobs
      .flatMap((j) => j.steps)
      .filter((s) => s.kind === 'action')
      .map((s) => `${s.job}/${s.id} ${s.endedAt - s.startedAt} ms`)
      .join(', ');
    return (
      `(h) dev-issue flow (templates/ai-dev-issue.yml on examples/shop, local stand-ins): ` +
      `label event -> agent's first model request ${one.ms} ms (${one.kubectl} kubectl calls, ${one.github} GitHub API requests); ` +
      `agent's last message -> pull request ${two.ms} ms (${two.kubectl} kubectl calls, ${two.github} GitHub API requests); ` +
      `whole run ${all.ms} ms (${all.kubectl} kubectl calls, ${all.github} GitHub API requests, ${model.length} model requests; ` +
      `action steps: ${steps})`
    );
  } finally {
    await stage.close();
    removeTempDirs();
  }
}
