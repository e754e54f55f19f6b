/*
 * What cleanup may do on GitHub after a slot is released: delete the agent's branch and close the issue a merged PR
 * implemented. Both only ever touch what the agent made: a branch named `codex/issue-<n>` (or the predecessor's
 * `codex/ai-repair-<n>`) that is neither the default branch nor protected, and the issue of that branch's PR.
 */
import { statusOf, type GitHubClient, type RepoRef } from './client.js';

const AGENT_BRANCH = /^codex\/(issue|ai-repair)-([1-9][0-9]*)$/;

/** The issue number an agent branch is for, or undefined for any other branch. */
export function issueOfAgentBranch(branch: string): number | undefined {
  const m = AGENT_BRANCH.exec(branch);
  return m ? Number(m[2]) : undefined;
}

export type BranchOutcome = 'deleted' | 'would delete' | 'absent' | `refused: ${string}`;

export async function deleteAgentBranch(
  client: GitHubClient,
  repo: RepoRef,
  branch: string,
  /** The repository's default branch (asked once by the caller for all its branches). */
  defaultBranch: string,
  dryRun = false,
): Promise<BranchOutcome> {
  if (issueOfAgentBranch(branch) === undefined) return `refused: ${branch} is not an agent branch (codex/issue-<n>)`;
  if (branch === defaultBranch) return `refused: ${branch} is the default branch`;
  let protectedBranch: boolean;
  try {
    protectedBranch = (await client.rest.repos.getBranch({ ...repo, branch })).data.protected;
  } catch (err) {
    if (statusOf(err) === 404) return 'absent';
    throw err;
  }
  if (protectedBranch) return `refused: ${branch} is protected`;
  // Deleting the head branch of an open PR would close it with whatever people pushed to it.
  const open = await client.rest.pulls.list({ ...repo, state: 'open', head: `${repo.owner}:${branch}`, per_page: 1 });
  if (open.data[0]) return `refused: ${branch} is the head of the open PR #${open.data[0].number}`;
  if (dryRun) return 'would delete';
  try {
    await client.rest.git.deleteRef({ ...repo, ref: `heads/${branch}` });
  } catch (err) {
    const message = (err as Error).message ?? '';
    if (statusOf(err) === 404 || (statusOf(err) === 422 && /does not exist/i.test(message))) return 'absent';
    if (statusOf(err) === 422) return `refused: GitHub would not delete ${branch} (${message})`;
    throw err;
  }
  return 'deleted';
}

export type IssueOutcome = 'closed' | 'would close' | 'already closed' | `left open: ${string}`;

/** Closes `issue` as completed when pull request `pr` was merged; an unmerged PR leaves it open. */
export async function closeLinkedIssue(
  client: GitHubClient,
  repo: RepoRef,
  pr: number,
  issue: number,
  dryRun = false,
): Promise<IssueOutcome> {
  const { data: pull } = await client.rest.pulls.get({ ...repo, pull_number: pr });
  if (!pull.merged) return `left open: PR #${pr} was closed without being merged`;
  const { data: current } = await client.rest.issues.get({ ...repo, issue_number: issue });
  if (current.pull_request) return `left open: #${issue} is a pull request, not an issue`;
  if (current.state === 'closed') return 'already closed';
  if (dryRun) return 'would close';
  await client.rest.issues.update({ ...repo, issue_number: issue, state: 'closed', state_reason: 'completed' });
  return 'closed';
}
