/**
 * Flow (a) on a stage, shared by its test, the demo and the benchmark: an issue of the shop asking for a README
 * line, the scripted model whose shell command adds it in the agent pod, and the `[ai-dev]` label event run through
 * templates/ai-dev-issue.yml.
 */
import type { RunWorkflowOptions } from './runner.js';
import { issueLabeled } from './events.js';
import { MAINTAINER, REPO, TOKEN, type Stage } from './stage.js';
import type { Transcript } from './transcript.js';

export const DEV_LABEL = '[ai-dev]';
export const AGENT_LINE = 'The shop has a cart.';
export const AGENT_MESSAGE = 'Added a line about the cart to README.md.';

export interface DevRun {
  issue: number;
  transcript: Transcript;
  /** When the label event was handed to the runner (ms since the epoch). */
  labelledAt: number;
}

export async function runDevIssue(stage: Stage, extra: Partial<RunWorkflowOptions> = {}): Promise<DevRun> {
  const issue = stage.gh.state.addIssue(REPO, {
    title: 'Mention the cart in the README',
    body: 'The README should say that the shop has a cart.',
    author: MAINTAINER,
  });
  stage.script([
    { kind: 'exec', cmd: `printf '${AGENT_LINE}\\n' >> /workspace/README.md` },
    { kind: 'message', text: AGENT_MESSAGE },
  ]);
  const payload = await issueLabeled(stage.gh, TOKEN, REPO, issue.number, DEV_LABEL, MAINTAINER);
  const labelledAt = Date.now();
  const transcript = await stage.run('ai-dev-issue.yml', 'issues', payload, extra);
  return { issue: issue.number, transcript, labelledAt };
}
