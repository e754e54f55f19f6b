/** Issues (pull requests included, as on GitHub), their labels and their comments. */
import { GitHubError, notFound, validationFailed } from './errors.js';
import { paginate } from './pagination.js';
import { timestamp } from './state.js';
import {
  bodyObject,
  json,
  labelNames,
  numberParam,
  optionalString,
  repoOf,
  route,
  type Context,
  type Reply,
  type Route,
} from './routes.js';
import type { IssueRecord, RepoRecord } from './types.js';

const ISSUES = '/repos/:owner/:repo/issues';

function issueOf(ctx: Context): { repo: RepoRecord; issue: IssueRecord } {
  const repo = repoOf(ctx);
  const issue = repo.issues.get(numberParam(ctx));
  if (!issue) throw notFound('/issues/issues#get-an-issue');
  return { repo, issue };
}

/** A page of items with its `link` header. */
function page<T>(ctx: Context, all: T[]): Reply {
  const p = paginate(all, ctx.url, ctx.shapes.url);
  return json(200, p.items, p.link ? { link: p.link } : undefined);
}

function commentOf(ctx: Context): { repo: RepoRecord; id: number } {
  const repo = repoOf(ctx);
  const id = numberParam(ctx, 'id');
  const c = ctx.state.comments.get(id);
  if (!c || c.repo !== repo.fullName) throw notFound('/issues/comments#get-an-issue-comment');
  return { repo, id };
}

function requireBody(o: Record<string, unknown>, docs: string): string {
  const body = optionalString(o, 'body');
  if (body === undefined)
    throw validationFailed([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }], docs);
  return body;
}

/** Applies the fields of an issue PATCH (also used by pull request PATCH for title, body and state). */
export function updateIssue(ctx: Context, repo: RepoRecord, issue: IssueRecord, o: Record<string, unknown>): void {
  const title = optionalString(o, 'title');
  if (title !== undefined) issue.title = title;
  if ('body' in o) issue.body = optionalString(o, 'body') ?? null;
  const state = optionalString(o, 'state');
  if (state !== undefined) {
    if (state !== 'open' && state !== 'closed')
      throw validationFailed([{ resource: 'Issue', code: 'invalid', field: 'state' }]);
    if (state !== issue.state) {
      issue.state = state;
      issue.closedAt = state === 'closed' ? timestamp() : null;
      issue.stateReason = state === 'closed' ? 'completed' : 'reopened';
    }
  }
  const reason = optionalString(o, 'state_reason');
  if (reason === 'completed' || reason === 'not_planned' || reason === 'reopened' || reason === 'duplicate')
    issue.stateReason = reason;
  if ('labels' in o) {
    issue.labels = [];
    for (const l of labelNames(o.labels)) ctx.state.addLabel(repo, issue, l);
  }
  if (Array.isArray(o.assignees)) issue.assignees = o.assignees.filter((a): a is string => typeof a === 'string');
  issue.updatedAt = timestamp();
}

export const issueRoutes: Route[] = [
  route('POST', ISSUES, (ctx) => {
    const repo = repoOf(ctx);
    const o = bodyObject(ctx);
    const title = optionalString(o, 'title');
    if (!title)
      throw validationFailed(
        [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
        '/issues/issues#create-an-issue',
      );
    const issue = ctx.state.addIssue(repo.fullName, {
      title,
      body: optionalString(o, 'body') ?? null,
      labels: o.labels === undefined ? [] : labelNames(o.labels),
      assignees: Array.isArray(o.assignees) ? o.assignees.filter((a): a is string => typeof a === 'string') : [],
      author: ctx.token.login,
    });
    return json(201, ctx.shapes.issue(repo, issue), {
      location: `${ctx.shapes.url}/repos/${repo.fullName}/issues/${issue.number}`,
    });
  }),
  route('GET', `${ISSUES}/comments/:id`, (ctx) => {
    const { repo, id } = commentOf(ctx);
    return json(200, ctx.shapes.comment(repo, ctx.state.comments.get(id)!));
  }),
  route('PATCH', `${ISSUES}/comments/:id`, (ctx) => {
    const { repo, id } = commentOf(ctx);
    const c = ctx.state.comments.get(id)!;
    c.body = requireBody(bodyObject(ctx), '/issues/comments#update-an-issue-comment');
    c.updatedAt = timestamp();
    return json(200, ctx.shapes.comment(repo, c));
  }),
  route('DELETE', `${ISSUES}/comments/:id`, (ctx) => {
    const { id } = commentOf(ctx);
    ctx.state.comments.delete(id);
    return { status: 204 };
  }),
  route('GET', `${ISSUES}/:number`, (ctx) => {
    const { repo, issue } = issueOf(ctx);
    return json(200, ctx.shapes.issue(repo, issue));
  }),
  route('PATCH', `${ISSUES}/:number`, (ctx) => {
    const { repo, issue } = issueOf(ctx);
    updateIssue(ctx, repo, issue, bodyObject(ctx));
    return json(200, ctx.shapes.issue(repo, issue));
  }),
  route('GET', `${ISSUES}/:number/labels`, (ctx) => {
    const { repo, issue } = issueOf(ctx);
    return page(ctx, ctx.shapes.labels(repo, issue));
  }),
  route('POST', `${ISSUES}/:number/labels`, (ctx) => {
    const { repo, issue } = issueOf(ctx);
    // Both `{"labels": [...]}` and a bare array are accepted by GitHub.
    const names = labelNames(Array.isArray(ctx.body) ? ctx.body : bodyObject(ctx).labels);
    for (const n of names) ctx.state.addLabel(repo, issue, n);
    issue.updatedAt = timestamp();
    return json(200, ctx.shapes.labels(repo, issue));
  }),
  route('PUT', `${ISSUES}/:number/labels`, (ctx) => {
    const { repo, issue } = issueOf(ctx);
    const names = labelNames(Array.isArray(ctx.body) ? ctx.body : bodyObject(ctx).labels);
    issue.labels = [];
    for (const n of names) ctx.state.addLabel(repo, issue, n);
    issue.updatedAt = timestamp();
    return json(200, ctx.shapes.labels(repo, issue));
  }),
  route('DELETE', `${ISSUES}/:number/labels/:name`, (ctx) => {
    const { repo, issue } = issueOf(ctx);
    const name = ctx.params.name!.toLowerCase();
    const before = issue.labels.length;
    issue.labels = issue.labels.filter((l) => l.toLowerCase() !== name);
    if (issue.labels.length === before)
      throw new GitHubError(404, 'Label does not exist', { docs: '/issues/labels#remove-a-label-from-an-issue' });
    issue.updatedAt = timestamp();
    return json(200, ctx.shapes.labels(repo, issue));
  }),
  route('GET', `${ISSUES}/:number/comments`, (ctx) => {
    const { repo, issue } = issueOf(ctx);
    const comments = ctx.state.commentsOf(repo.fullName, issue.number).map((c) => ctx.shapes.comment(repo, c));
    return page(ctx, comments);
  }),
  route('POST', `${ISSUES}/:number/comments`, (ctx) => {
    const { repo, issue } = issueOf(ctx);
    const body = requireBody(bodyObject(ctx), '/issues/comments#create-an-issue-comment');
    const c = ctx.state.addComment(repo.fullName, issue.number, { author: ctx.token.login, body });
    return json(201, ctx.shapes.comment(repo, c), {
      location: `${ctx.shapes.url}/repos/${repo.fullName}/issues/comments/${c.id}`,
    });
  }),
];
