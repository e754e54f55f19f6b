/**
 * POST /graphql: a small slice of GitHub's schema (repository → pullRequest → reviewThreads → comments, viewer,
 * resolve/unresolve a thread) run by graphql-js, so any well-formed query against it works (variables, aliases,
 * fragments). Errors come back as GitHub sends them: HTTP 200 with `errors` (and `type: NOT_FOUND`).
 */
import { buildSchema, graphql, GraphQLError, type ExecutionResult } from 'graphql';
import type { Shapes } from './shapes.js';
import type { GitHubState } from './state.js';
import type { IssueRecord, RepoRecord, ReviewThreadRecord, TokenRecord } from './types.js';

const SDL = /* GraphQL */ `
  scalar DateTime
  scalar URI

  type Query {
    repository(owner: String!, name: String!): Repository
    viewer: User!
    node(id: ID!): Node
  }

  interface Node {
    id: ID!
  }

  type Mutation {
    resolveReviewThread(input: ResolveReviewThreadInput!): ResolveReviewThreadPayload
    unresolveReviewThread(input: UnresolveReviewThreadInput!): UnresolveReviewThreadPayload
  }

  input ResolveReviewThreadInput {
    threadId: ID!
    clientMutationId: String
  }
  input UnresolveReviewThreadInput {
    threadId: ID!
    clientMutationId: String
  }
  type ResolveReviewThreadPayload {
    clientMutationId: String
    thread: PullRequestReviewThread
  }
  type UnresolveReviewThreadPayload {
    clientMutationId: String
    thread: PullRequestReviewThread
  }

  interface Actor {
    login: String!
    url: URI!
    avatarUrl: URI!
  }
  type User implements Actor {
    id: ID!
    databaseId: Int
    login: String!
    url: URI!
    avatarUrl: URI!
  }
  type Bot implements Actor {
    id: ID!
    databaseId: Int
    login: String!
    url: URI!
    avatarUrl: URI!
  }

  type Repository {
    id: ID!
    databaseId: Int
    name: String!
    nameWithOwner: String!
    isPrivate: Boolean!
    isFork: Boolean!
    url: URI!
    owner: Actor!
    defaultBranchRef: Ref
    pullRequest(number: Int!): PullRequest
  }

  type Ref {
    name: String!
    prefix: String!
  }

  enum PullRequestState {
    OPEN
    CLOSED
    MERGED
  }

  type PullRequest {
    id: ID!
    databaseId: Int
    number: Int!
    title: String!
    body: String!
    url: URI!
    state: PullRequestState!
    isDraft: Boolean!
    merged: Boolean!
    author: Actor
    headRefName: String!
    headRefOid: String!
    baseRefName: String!
    createdAt: DateTime!
    updatedAt: DateTime!
    reviewThreads(first: Int, after: String, last: Int, before: String): PullRequestReviewThreadConnection!
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type PullRequestReviewThreadConnection {
    totalCount: Int!
    nodes: [PullRequestReviewThread]
    edges: [PullRequestReviewThreadEdge]
    pageInfo: PageInfo!
  }
  type PullRequestReviewThreadEdge {
    cursor: String!
    node: PullRequestReviewThread
  }

  enum DiffSide {
    LEFT
    RIGHT
  }

  type PullRequestReviewThread implements Node {
    id: ID!
    isResolved: Boolean!
    isOutdated: Boolean!
    isCollapsed: Boolean!
    path: String!
    line: Int
    originalLine: Int
    diffSide: DiffSide!
    comments(first: Int, after: String, last: Int, before: String): PullRequestReviewCommentConnection!
  }

  type PullRequestReviewCommentConnection {
    totalCount: Int!
    nodes: [PullRequestReviewComment]
    edges: [PullRequestReviewCommentEdge]
    pageInfo: PageInfo!
  }
  type PullRequestReviewCommentEdge {
    cursor: String!
    node: PullRequestReviewComment
  }

  type PullRequestReviewComment {
    id: ID!
    databaseId: Int
    author: Actor
    body: String!
    createdAt: DateTime!
    url: URI!
    path: String!
    outdated: Boolean!
  }
`;

const schema = buildSchema(SDL);

/** An error GitHub tags with a `type` (NOT_FOUND, FORBIDDEN, ...). */
class TypedError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

const cursor = (i: number): string => Buffer.from(`cursor:v2:${i}`).toString('base64');
function cursorIndex(c: string | null | undefined): number | undefined {
  if (!c) return undefined;
  const m = /^cursor:v2:(\d+)$/.exec(Buffer.from(c, 'base64').toString());
  if (!m) throw new TypedError('INVALID_CURSOR_ARGUMENTS', `\`${c}\` does not appear to be a valid cursor.`);
  return Number(m[1]);
}

/** Relay connection over a list: `first`/`after` forwards, `last`/`before` backwards; GitHub caps pages at 100. */
function connection<T, N>(all: T[], args: PageArgs, node: (t: T) => N) {
  for (const k of ['first', 'last'] as const) {
    const v = args[k];
    if (v !== undefined && v !== null && (v < 0 || v > 100))
      throw new TypedError(
        'ARGUMENT_LIMIT',
        `Requesting ${v} records on the connection exceeds the \`${k}\` limit of 100 records.`,
      );
  }
  let start = 0;
  let end = all.length;
  const after = cursorIndex(args.after);
  const before = cursorIndex(args.before);
  if (after !== undefined) start = after + 1;
  if (before !== undefined) end = Math.min(end, before);
  if (args.first !== undefined && args.first !== null) end = Math.min(end, start + args.first);
  if (args.last !== undefined && args.last !== null) start = Math.max(start, end - args.last);
  const slice = all.slice(start, end).map((t, i) => ({ cursor: cursor(start + i), node: node(t) }));
  return {
    totalCount: all.length,
    nodes: slice.map((e) => e.node),
    edges: slice,
    pageInfo: {
      hasNextPage: end < all.length,
      hasPreviousPage: start > 0,
      startCursor: slice[0]?.cursor ?? null,
      endCursor: slice[slice.length - 1]?.cursor ?? null,
    },
  };
}

/** Resolver objects: graphql-js calls function-valued fields with (args, context, info). */
export class GraphQLApi {
  constructor(
    private readonly state: GitHubState,
    private readonly shapes: Shapes,
  ) {}

  private actor(login: string) {
    const u = this.state.user(login);
    return {
      // graphql-js's default type resolver reads __typename for interfaces.
      __typename: u.type === 'Bot' ? 'Bot' : 'User',
      id: Buffer.from(`04:${u.type}${u.id}`).toString('base64'),
      databaseId: u.id,
      login,
      url: `${this.shapes.html}/${login}`,
      avatarUrl: `${this.shapes.html}/avatars/u/${u.id}`,
    };
  }

  private thread(repo: RepoRecord, pr: IssueRecord, t: ReviewThreadRecord) {
    return {
      __typename: 'PullRequestReviewThread',
      id: t.id,
      isResolved: t.isResolved,
      isOutdated: t.isOutdated,
      isCollapsed: t.isResolved,
      path: t.path,
      line: t.isOutdated ? null : t.line,
      originalLine: t.line,
      diffSide: 'RIGHT',
      comments: (args: PageArgs) =>
        connection(t.comments, args, (c) => ({
          id: `PRRC_fake${c.id}`,
          databaseId: c.id,
          author: this.actor(c.author),
          body: c.body,
          createdAt: c.createdAt,
          url: `${this.shapes.html}/${repo.fullName}/pull/${pr.number}#discussion_r${c.id}`,
          path: t.path,
          outdated: t.isOutdated,
        })),
    };
  }

  private pull(repo: RepoRecord, pr: IssueRecord) {
    const p = pr.pull!;
    return {
      id: Buffer.from(`04:PullRequest${pr.pullId ?? pr.id}`).toString('base64'),
      databaseId: pr.pullId ?? pr.id,
      number: pr.number,
      title: pr.title,
      body: pr.body ?? '',
      url: `${this.shapes.html}/${repo.fullName}/pull/${pr.number}`,
      state: p.merged ? 'MERGED' : pr.state === 'open' ? 'OPEN' : 'CLOSED',
      isDraft: p.draft,
      merged: p.merged,
      author: this.actor(pr.author),
      headRefName: p.head.ref,
      headRefOid: p.head.sha,
      baseRefName: p.base.ref,
      createdAt: pr.createdAt,
      updatedAt: pr.updatedAt,
      reviewThreads: (args: PageArgs) => connection(p.reviewThreads, args, (t) => this.thread(repo, pr, t)),
    };
  }

  private repository(repo: RepoRecord) {
    return {
      id: Buffer.from(`04:Repository${repo.id}`).toString('base64'),
      databaseId: repo.id,
      name: repo.name,
      nameWithOwner: repo.fullName,
      isPrivate: repo.private,
      isFork: repo.fork,
      url: `${this.shapes.html}/${repo.fullName}`,
      owner: this.actor(repo.owner),
      defaultBranchRef: { name: repo.defaultBranch, prefix: 'refs/heads/' },
      pullRequest: ({ number }: { number: number }) => {
        const pr = repo.issues.get(number);
        if (!pr?.pull)
          throw new TypedError('NOT_FOUND', `Could not resolve to a PullRequest with the number of ${number}.`);
        return this.pull(repo, pr);
      },
    };
  }

  private setResolved(token: TokenRecord, threadId: string, isResolved: boolean) {
    const t = this.state.findThread(threadId);
    if (!t) throw new TypedError('NOT_FOUND', `Could not resolve to a node with the global id of '${threadId}'`);
    t.isResolved = isResolved;
    for (const repo of this.state.repos.values())
      for (const pr of repo.issues.values())
        if (pr.pull?.reviewThreads.includes(t)) {
          if (this.state.permission(repo, token.login) === 'none')
            throw new TypedError('NOT_FOUND', `Could not resolve to a node with the global id of '${threadId}'`);
          return { thread: this.thread(repo, pr, t) };
        }
    return { thread: null };
  }

  root(token: TokenRecord) {
    return {
      viewer: () => this.actor(token.login),
      // Only review threads are reachable by id here (what paging one thread's comments needs).
      node: ({ id }: { id: string }) => {
        const t = this.state.findThread(id);
        for (const repo of this.state.repos.values())
          for (const pr of repo.issues.values())
            if (t && pr.pull?.reviewThreads.includes(t) && this.state.permission(repo, token.login) !== 'none')
              return this.thread(repo, pr, t);
        throw new TypedError('NOT_FOUND', `Could not resolve to a node with the global id of '${id}'`);
      },
      repository: ({ owner, name }: { owner: string; name: string }) => {
        const repo = this.state.repos.get(`${owner}/${name}`);
        // A private repository the viewer has no role on is as invisible as a missing one.
        if (!repo || this.state.permission(repo, token.login) === 'none')
          throw new TypedError('NOT_FOUND', `Could not resolve to a Repository with the name '${owner}/${name}'.`);
        return this.repository(repo);
      },
      resolveReviewThread: ({ input }: { input: { threadId: string; clientMutationId?: string } }) => ({
        clientMutationId: input.clientMutationId ?? null,
        ...this.setResolved(token, input.threadId, true),
      }),
      unresolveReviewThread: ({ input }: { input: { threadId: string; clientMutationId?: string } }) => ({
        clientMutationId: input.clientMutationId ?? null,
        ...this.setResolved(token, input.threadId, false),
      }),
    };
  }

  /** Runs one GraphQL request body; GitHub answers 200 even with errors, and `{"errors":[...]}` without data on a parse error. */
  async execute(token: TokenRecord, body: unknown): Promise<{ status: number; body: unknown }> {
    const b = (body && typeof body === 'object' ? body : {}) as {
      query?: unknown;
      variables?: unknown;
      operationName?: unknown;
    };
    if (typeof b.query !== 'string')
      return {
        status: 400,
        body: { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/graphql' },
      };
    const result: ExecutionResult = await graphql({
      schema,
      source: b.query,
      rootValue: this.root(token),
      variableValues:
        b.variables && typeof b.variables === 'object' ? (b.variables as Record<string, unknown>) : undefined,
      operationName: typeof b.operationName === 'string' ? b.operationName : undefined,
    });
    const out: Record<string, unknown> = {};
    if (result.data !== undefined) out.data = result.data;
    if (result.errors) out.errors = result.errors.map(formatError);
    return { status: 200, body: out };
  }
}

function formatError(e: GraphQLError): Record<string, unknown> {
  const typed = e.originalError instanceof TypedError ? e.originalError : undefined;
  return {
    ...(typed ? { type: typed.type } : {}),
    ...(e.path ? { path: e.path } : {}),
    ...(e.locations ? { locations: e.locations } : {}),
    message: e.message,
  };
}
