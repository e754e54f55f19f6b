import { UserError } from '../util/errors.js';
import { explainGitHubError, type GitHubClient, type RepoRef } from './client.js';

export const PLAN_LABEL = '[ai-plan]';
const PARENT_MARKER = /AI-PLAN-PARENT:\s*#(\d+)/;
/** A plan tree deeper than this is a loop or a mistake, not a plan. */
const MAX_DEPTH = 20;

export interface PlanRoot {
  root: number;
  focus: number;
  /** The issues walked from the focus issue up to the root, the focus first. */
  path: number[];
}

/**
 * The root plan issue of a focus issue: the first issue, walking up from the focus through `AI-PLAN-PARENT: #N`
 * markers, that carries the `[ai-plan]` label. Child issues of children resolve to the same root.
 */
export async function resolvePlanRoot(client: GitHubClient, repo: RepoRef, focus: number): Promise<PlanRoot> {
  const path: number[] = [];
  let current = focus;
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    if (path.includes(current))
      throw new UserError(
        `plan root of #${focus}: the AI-PLAN-PARENT markers form a loop (${[...path, current].map((n) => `#${n}`).join(' → ')}); fix the marker in one of these issues or label the root issue ${PLAN_LABEL}`,
      );
    path.push(current);
    let issue;
    try {
      ({ data: issue } = await client.rest.issues.get({ ...repo, issue_number: current }));
    } catch (err) {
      throw explainGitHubError(err, `plan root of #${focus}: reading #${current}`);
    }
    const labels = issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? '')).trim());
    if (labels.includes(PLAN_LABEL)) return { root: current, focus, path };
    const parent = PARENT_MARKER.exec(issue.body ?? '');
    if (!parent) {
      const where = current === focus ? `#${focus}` : `#${current} (reached from #${focus})`;
      throw new UserError(
        `plan root of #${focus}: ${where} has neither the ${PLAN_LABEL} label nor an "AI-PLAN-PARENT: #N" line in its body; label the root plan issue ${PLAN_LABEL}, or add "AI-PLAN-PARENT: #<root>" to the issue`,
      );
    }
    current = Number(parent[1]);
  }
  throw new UserError(
    `plan root of #${focus}: more than ${MAX_DEPTH} AI-PLAN-PARENT steps without an issue labelled ${PLAN_LABEL}; label the root plan issue`,
  );
}
