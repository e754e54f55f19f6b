import * as github from '@actions/github';
import type { SlotRecord } from '../slots/types.js';

/**
 * Whether a slot's issue or PR is closed, asked through the GitHub API (GITHUB_API_URL honoured for GHES). Without
 * a token or repository the answer is "not known to be closed", so only the age of a record makes it stale.
 */
export function issueClosedChecker(token: string, repository = process.env.GITHUB_REPOSITORY ?? '') {
  const [owner, repo] = repository.split('/');
  if (!token || !owner || !repo) return undefined;
  const octokit = github.getOctokit(token, { baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com' });
  return async (record: SlotRecord): Promise<boolean> => {
    // A PR is also an issue for this endpoint, so one call answers both.
    const number = record.pr > 0 ? record.pr : record.issue;
    const { data } = await octokit.rest.issues.get({ owner, repo, issue_number: number });
    return data.state === 'closed';
  };
}
