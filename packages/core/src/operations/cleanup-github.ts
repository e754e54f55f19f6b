/*
 * cleanup's GitHub side (delete-branch, close-linked-issue), after the slots are released. Each step is reported;
 * a GitHub failure is a warning, never a reason to call the slots' teardown failed.
 */
import {
  closeLinkedIssue,
  deleteAgentBranch,
  explainGitHubError,
  issueOfAgentBranch,
  statusOf,
  type GitHubClient,
  type RepoRef,
} from '../github/index.js';
import type { Reporter } from '../util/reporter.js';

export interface GitHubCleanupOptions {
  client: GitHubClient;
  repo: RepoRef;
  /** Issues whose slots were cleaned (or the issue input). */
  issues: readonly number[];
  /** Pull requests whose slots were cleaned (or the pr input). */
  prs: readonly number[];
  deleteBranch: boolean;
  closeLinkedIssue: boolean;
  dryRun?: boolean;
  reporter: Reporter;
}

/** Lines for the summary, one per branch or issue looked at. */
export async function cleanupOnGitHub(o: GitHubCleanupOptions): Promise<string[]> {
  const lines: string[] = [];
  if (!o.deleteBranch && !o.closeLinkedIssue) return lines;
  const branches = new Set(o.issues.filter((n) => n > 0).map((n) => `codex/issue-${n}`));
  const links: { pr: number; issue: number }[] = [];
  for (const pr of new Set(o.prs.filter((n) => n > 0))) {
    try {
      const { data } = await o.client.rest.pulls.get({ ...o.repo, pull_number: pr });
      const own = data.head.repo?.full_name?.toLowerCase() === `${o.repo.owner}/${o.repo.repo}`.toLowerCase();
      const issue = issueOfAgentBranch(data.head.ref);
      if (own && issue !== undefined) {
        branches.add(data.head.ref);
        links.push({ pr, issue });
      }
    } catch (err) {
      warn(o, lines, `PR #${pr}: ${explain(err)}`);
    }
  }
  if (o.deleteBranch && branches.size > 0) {
    let defaultBranch = '';
    try {
      defaultBranch = (await o.client.rest.repos.get({ ...o.repo })).data.default_branch;
    } catch (err) {
      warn(o, lines, `${o.repo.owner}/${o.repo.repo}: ${explain(err)}`);
    }
    for (const branch of defaultBranch ? branches : []) {
      try {
        const outcome = await deleteAgentBranch(o.client, o.repo, branch, defaultBranch, o.dryRun);
        lines.push(`branch ${branch}: ${outcome}`);
        o.reporter.info(`branch ${branch}: ${outcome}`);
      } catch (err) {
        warn(o, lines, `branch ${branch}: ${explain(err)}`);
      }
    }
  }
  if (o.closeLinkedIssue)
    for (const { pr, issue } of links) {
      try {
        const outcome = await closeLinkedIssue(o.client, o.repo, pr, issue, o.dryRun);
        lines.push(`issue #${issue} (PR #${pr}): ${outcome}`);
        o.reporter.info(`issue #${issue} (PR #${pr}): ${outcome}`);
      } catch (err) {
        warn(o, lines, `issue #${issue}: ${explain(err)}`);
      }
    }
  return lines;
}

function warn(o: GitHubCleanupOptions, lines: string[], message: string): void {
  lines.push(`${message} (not done)`);
  o.reporter.warning(message);
}

function explain(err: unknown): string {
  const e = statusOf(err) !== undefined ? explainGitHubError(err, 'GitHub') : err;
  return (e as Error)?.message ?? String(e);
}
