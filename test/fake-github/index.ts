/**
 * A fake GitHub API for tests that use the real octokit: `startFakeGitHub()` listens on 127.0.0.1 over plain HTTP
 * and serves the REST endpoints and GraphQL slice this project's actions call. See README.md for what it covers.
 */
import { RateLimits } from './auth.js';
import { Faults, type FailSpec } from './faults.js';
import { gitRoutes } from './git.js';
import { GraphQLApi } from './graphql.js';
import { issueRoutes } from './issues.js';
import { pullRoutes } from './pulls.js';
import { repoRoutes } from './repos.js';
import type { Route } from './routes.js';
import { Front } from './server.js';
import { Shapes } from './shapes.js';
import { GitHubState } from './state.js';
import type { RequestLogEntry } from './types.js';

export type { FailSpec } from './faults.js';
export type { CommentSeed, IssueSeed, PullSeed, RepoSeed, ReviewThreadSeed, TokenSeed } from './state.js';
export type * from './types.js';
export { GitHubState, tokenLabel } from './state.js';

export interface FakeGitHubOptions {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  host?: string;
  /** Requests per token and hour before the primary rate limit answers 403 (default 5000). */
  rateLimit?: number;
}

export interface FakeGitHub {
  /** `http://127.0.0.1:PORT`: what GITHUB_API_URL (octokit's `baseUrl`) would be. */
  readonly url: string;
  /** `${url}/graphql` */
  readonly graphqlUrl: string;
  /** The in-memory GitHub: seed it before requests, inspect it after (records, not REST shapes). */
  readonly state: GitHubState;
  /** Every request, oldest first; tokens only as `sha256:` labels. */
  readonly requests: RequestLogEntry[];
  /** Makes the next `times` matching requests fail (502 from the proxy, 401, 403 rate limits). */
  fail(spec: FailSpec): void;
  clearFaults(): void;
  /** Faults not yet used up. */
  pendingFaults(): number;
  clearRequests(): void;
  close(): Promise<void>;
}

const ROUTES: Route[] = [...repoRoutes, ...issueRoutes, ...pullRoutes, ...gitRoutes];

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const state = new GitHubState();
  const faults = new Faults();
  const log: RequestLogEntry[] = [];
  // Shapes need the URL, which is known once the port is.
  const late: { shapes?: Shapes; graphql?: GraphQLApi } = {};
  const front = new Front({
    state,
    shapes: () => late.shapes!,
    graphql: () => late.graphql!,
    routes: ROUTES,
    faults,
    log,
    rateLimits: new RateLimits(options.rateLimit ?? 5000),
  });
  const host = options.host ?? '127.0.0.1';
  const port = await front.listen(options.port ?? 0, host);
  const url = `http://${host}:${port}`;
  late.shapes = new Shapes(url, state);
  late.graphql = new GraphQLApi(state, late.shapes);

  let closed = false;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    state,
    requests: log,
    fail: (spec) => faults.add(spec),
    clearFaults: () => faults.clear(),
    pendingFaults: () => faults.remaining,
    clearRequests: () => void (log.length = 0),
    async close() {
      if (closed) return;
      closed = true;
      await front.close();
    },
  };
}
