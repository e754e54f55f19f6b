import type { ActorPolicy } from './actors.js';
import { explainGitHubError, type GitHubClient, type RepoRef } from './client.js';
import { sanitizeForPrompt } from './sanitize.js';
import { isStatusComment } from './status-comment.js';

export interface ContextComment {
  id: number | string;
  author: string;
  url: string;
  body: string;
  createdAt: string;
}

export interface ReviewComment extends ContextComment {
  threadId: string;
  path: string;
  line: number | null;
}

export interface IssueContext {
  number: number;
  isPullRequest: boolean;
  title: string;
  body: string;
  url: string;
  author: string;
  labels: string[];
  comments: ContextComment[];
  /** Comments of unresolved review threads (pull requests only), oldest first within each thread. */
  reviewComments: ReviewComment[];
  /** Authors whose text was left out because they are not allowed, with how many of their items were dropped. */
  omitted: { author: string; count: number }[];
}

export interface ContextOptions {
  /** Whose text the agent reads. Without it, every author's text is kept. */
  policy?: ActorPolicy;
  /** Keep text of any author (the workflow chose to trust everyone who can comment). */
  allAuthors?: boolean;
}

const THREADS_QUERY = `
query ReviewThreads($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 50, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id isResolved path line
          comments(first: 100) {
            pageInfo { hasNextPage endCursor }
            nodes { databaseId author { login } body createdAt url }
          }
        }
      }
    }
  }
}`;

const THREAD_COMMENTS_QUERY = `
query ThreadComments($id: ID!, $after: String) {
  node(id: $id) {
    ... on PullRequestReviewThread {
      comments(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { databaseId author { login } body createdAt url }
      }
    }
  }
}`;

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
interface GqlComment {
  databaseId: number | null;
  author: { login: string } | null;
  body: string;
  createdAt: string;
  url: string;
}
interface GqlCommentPage {
  pageInfo: PageInfo;
  nodes: GqlComment[];
}
interface GqlThread {
  id: string;
  isResolved: boolean;
  path: string;
  line: number | null;
  comments: GqlCommentPage;
}

/** GitHub's GraphQL answers at most 100 items a page; a runaway loop of pages is a bug, so it has a ceiling. */
const MAX_PAGES = 200;

/**
 * What the agent is told about an issue or PR: title, body, comments and unresolved review threads, each from an
 * allowed author only (by default), and every text as a reader of github.com sees it (sanitizeForPrompt). Our own
 * status comment is never part of it.
 */
export async function fetchIssueContext(
  client: GitHubClient,
  repo: RepoRef,
  number: number,
  options: ContextOptions = {},
): Promise<IssueContext> {
  const what = `reading #${number} of ${repo.owner}/${repo.repo}`;
  try {
    const { data: issue } = await client.rest.issues.get({ ...repo, issue_number: number });
    const rawComments = await client.paginate(client.rest.issues.listComments, {
      ...repo,
      issue_number: number,
      per_page: 100,
    });
    const isPullRequest = Boolean(issue.pull_request);
    const threads = isPullRequest ? await unresolvedThreads(client, repo, number) : [];

    const dropped = new Map<string, number>();
    const keep = async (author: string): Promise<boolean> => {
      if (options.allAuthors || !options.policy) return true;
      if (await options.policy.isAllowed(author)) return true;
      dropped.set(author, (dropped.get(author) ?? 0) + 1);
      return false;
    };

    const comments: ContextComment[] = [];
    for (const c of rawComments) {
      if (isStatusComment(c.body)) continue;
      const author = c.user?.login ?? 'ghost';
      // Whose text it is is asked first: an outsider's text costs nothing to drop.
      if (!(await keep(author))) continue;
      const body = sanitizeForPrompt(c.body ?? '');
      if (!body) continue;
      comments.push({ id: c.id, author, url: c.html_url, body, createdAt: c.created_at });
    }
    const reviewComments: ReviewComment[] = [];
    for (const t of threads)
      for (const c of t.comments) {
        const author = c.author?.login ?? 'ghost';
        if (!(await keep(author))) continue;
        const body = sanitizeForPrompt(c.body);
        if (!body) continue;
        reviewComments.push({
          id: c.databaseId ?? c.url,
          author,
          url: c.url,
          body,
          createdAt: c.createdAt,
          threadId: t.id,
          path: t.path,
          line: t.line,
        });
      }

    // The issue's own text counts like a comment: an outsider's issue is shown by title only.
    const author = issue.user?.login ?? 'ghost';
    const bodyAllowed = await keep(author);
    return {
      number,
      isPullRequest,
      title: sanitizeForPrompt(issue.title),
      body: bodyAllowed ? sanitizeForPrompt(issue.body ?? '') : '',
      url: issue.html_url,
      author,
      labels: issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
      comments,
      reviewComments,
      omitted: [...dropped].map(([a, count]) => ({ author: a, count })),
    };
  } catch (err) {
    throw explainGitHubError(err, what);
  }
}

async function unresolvedThreads(
  client: GitHubClient,
  repo: RepoRef,
  number: number,
): Promise<{ id: string; path: string; line: number | null; comments: GqlComment[] }[]> {
  const out: { id: string; path: string; line: number | null; comments: GqlComment[] }[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const data: { repository: { pullRequest: { reviewThreads: { pageInfo: PageInfo; nodes: GqlThread[] } } } } =
      await client.graphql(THREADS_QUERY, { owner: repo.owner, name: repo.repo, number, after });
    const conn = data.repository.pullRequest.reviewThreads;
    for (const t of conn.nodes) {
      if (t.isResolved) continue;
      const comments = [...t.comments.nodes];
      let more = t.comments.pageInfo;
      for (let p = 0; more.hasNextPage && p < MAX_PAGES; p++) {
        const next: { node: { comments: GqlCommentPage } } = await client.graphql(THREAD_COMMENTS_QUERY, {
          id: t.id,
          after: more.endCursor,
        });
        comments.push(...next.node.comments.nodes);
        more = next.node.comments.pageInfo;
      }
      out.push({ id: t.id, path: t.path, line: t.line, comments });
    }
    if (!conn.pageInfo.hasNextPage) return out;
    after = conn.pageInfo.endCursor;
  }
  return out;
}
