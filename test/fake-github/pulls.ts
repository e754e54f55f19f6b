/** Pull requests: get, list (filtered by state/head/base), create (GitHub's 422s), update. */
import { notFound, validationFailed } from './errors.js';
import { updateIssue } from './issues.js';
import { paginate } from './pagination.js';
import { bodyObject, json, numberParam, optionalString, repoOf, route, type Context, type Route } from './routes.js';
import type { IssueRecord, RepoRecord } from './types.js';

const PULLS = '/repos/:owner/:repo/pulls';
const CREATE_DOCS = '/pulls/pulls#create-a-pull-request';

function pullOf(ctx: Context): { repo: RepoRecord; pr: IssueRecord } {
  const repo = repoOf(ctx);
  const pr = repo.issues.get(numberParam(ctx));
  if (!pr?.pull) throw notFound('/pulls/pulls#get-a-pull-request');
  return { repo, pr };
}

/** `owner:branch` (or a bare branch of the base repository's owner) → `{owner, ref}`. */
function parseHead(head: string, repo: RepoRecord): { owner: string; ref: string } {
  const i = head.indexOf(':');
  return i < 0 ? { owner: repo.owner, ref: head } : { owner: head.slice(0, i), ref: head.slice(i + 1) };
}

/** The repository a head owner means: the base repository itself or that owner's fork of the same name. */
function headRepoName(repo: RepoRecord, owner: string): string {
  return owner === repo.owner ? repo.fullName : `${owner}/${repo.name}`;
}

function create(ctx: Context): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const o = bodyObject(ctx);
  const title = optionalString(o, 'title');
  const headSpec = optionalString(o, 'head');
  const baseRef = optionalString(o, 'base');
  const missing = [!title && 'title', !headSpec && 'head', !baseRef && 'base'].filter((x): x is string => !!x);
  if (missing.length > 0)
    throw validationFailed(
      missing.map((field) => ({ resource: 'PullRequest', code: 'missing_field', field })),
      CREATE_DOCS,
    );
  const head = parseHead(headSpec!, repo);
  const headRepo = ctx.state.repos.get(headRepoName(repo, head.owner));
  const headBranch = headRepo?.branches.get(head.ref);
  const baseBranch = repo.branches.get(baseRef!);
  const invalid = [!headBranch && 'head', !baseBranch && 'base'].filter((x): x is string => !!x);
  if (invalid.length > 0)
    throw validationFailed(
      invalid.map((field) => ({ resource: 'PullRequest', code: 'invalid', field })),
      CREATE_DOCS,
    );
  const label = `${head.owner}:${head.ref}`;
  const existing = [...repo.issues.values()].find(
    (i) =>
      i.state === 'open' &&
      i.pull &&
      i.pull.head.ref === head.ref &&
      i.pull.head.repo === headRepo!.fullName &&
      i.pull.base.ref === baseRef,
  );
  if (existing)
    throw validationFailed(
      [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${label}.` }],
      CREATE_DOCS,
    );
  if (headBranch!.sha === baseBranch!.sha)
    throw validationFailed(
      [{ resource: 'PullRequest', code: 'custom', message: `No commits between ${baseRef} and ${head.ref}` }],
      CREATE_DOCS,
    );
  const pr = ctx.state.addPull(repo.fullName, {
    title: title!,
    body: optionalString(o, 'body') ?? null,
    author: ctx.token.login,
    head: head.ref,
    headRepo: headRepo!.fullName,
    base: baseRef,
    draft: o.draft === true,
  });
  return json(201, ctx.shapes.pull(repo, pr, ctx.token.login), {
    location: `${ctx.shapes.url}/repos/${repo.fullName}/pulls/${pr.number}`,
  });
}

export const pullRoutes: Route[] = [
  route('POST', PULLS, create),
  route('GET', PULLS, (ctx) => {
    const repo = repoOf(ctx);
    const q = ctx.url.searchParams;
    const state = q.get('state') ?? 'open';
    const head = q.get('head') ? parseHead(q.get('head')!, repo) : undefined;
    const base = q.get('base');
    const pulls = [...repo.issues.values()]
      .filter((i) => i.pull && (state === 'all' || i.state === state))
      .filter((i) => !head || (i.pull!.head.ref === head.ref && i.pull!.head.repo === headRepoName(repo, head.owner)))
      .filter((i) => !base || i.pull!.base.ref === base)
      // Default order: newest first (sort=created, direction=desc).
      .sort((a, b) => (q.get('direction') === 'asc' ? a.number - b.number : b.number - a.number))
      .map((i) => ctx.shapes.pull(repo, i, ctx.token.login));
    const p = paginate(pulls, ctx.url, ctx.shapes.url);
    return json(200, p.items, p.link ? { link: p.link } : undefined);
  }),
  route('GET', `${PULLS}/:number`, (ctx) => {
    const { repo, pr } = pullOf(ctx);
    return json(200, ctx.shapes.pull(repo, pr, ctx.token.login));
  }),
  route('PATCH', `${PULLS}/:number`, (ctx) => {
    const { repo, pr } = pullOf(ctx);
    const o = bodyObject(ctx);
    const base = optionalString(o, 'base');
    if (base !== undefined) {
      const b = repo.branches.get(base);
      if (!b) throw validationFailed([{ resource: 'PullRequest', code: 'invalid', field: 'base' }]);
      pr.pull!.base = { ref: b.name, sha: b.sha };
    }
    // Labels and assignees are not pull request fields (they are set through the issue endpoints).
    const fields = Object.fromEntries(Object.entries(o).filter(([k]) => ['title', 'body', 'state'].includes(k)));
    updateIssue(ctx, repo, pr, fields);
    return json(200, ctx.shapes.pull(repo, pr, ctx.token.login));
  }),
];
