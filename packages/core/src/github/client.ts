import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { UserError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/reporter.js';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  token: string;
  /** REST base; GITHUB_API_URL (GitHub Enterprise Server) or api.github.com. */
  apiUrl?: string;
  log?: Logger;
  /** How many times a rate-limited request is retried before the step fails (default 3). */
  rateLimitRetries?: number;
  /** Retries of 5xx answers by plugin-retry (default 3). */
  serverErrorRetries?: number;
}

/** `owner/name` of a repository, split and checked. */
export interface RepoRef {
  owner: string;
  repo: string;
}

export function parseRepo(slug: string, field = 'repository'): RepoRef {
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/.exec(slug.trim());
  if (!m) throw new UserError(`${field}: "${slug}" is not owner/name; pass the repository as owner/name`);
  return { owner: m[1], repo: m[2] };
}

export function apiUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
}

/**
 * Octokit with retries of 5xx answers and waits on primary and secondary rate limits (each a bounded number of
 * times, logged), so a busy API slows a run down instead of failing it.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  if (!options.token) throw new UserError('github-token is empty: pass a token (secrets.GITHUB_TOKEN or a PAT)');
  const log = options.log ?? silentLogger;
  const limit = options.rateLimitRetries ?? 3;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _o: unknown, retryCount: number) => {
      if (retryCount >= limit) {
        log.warning(`GitHub ${kind} rate limit on ${request.method} ${request.url}: giving up after ${limit} waits`);
        return false;
      }
      log.info(`GitHub ${kind} rate limit on ${request.method} ${request.url}: waiting ${retryAfter} s`);
      return true;
    };
  return getOctokit(
    options.token,
    {
      baseUrl: options.apiUrl ?? apiUrlFromEnv(),
      retry: { retries: options.serverErrorRetries ?? 3 },
      throttle: { onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary') },
    },
    retry,
    throttling,
  );
}

/** HTTP status of an Octokit RequestError, if it is one. */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | undefined)?.status;
  return typeof s === 'number' ? s : undefined;
}

function apiOrigin(err: unknown): string {
  const url = (err as { request?: { url?: unknown } } | undefined)?.request?.url;
  try {
    return typeof url === 'string' ? new URL(url).origin : 'the API URL';
  } catch {
    return 'the API URL';
  }
}

/**
 * Turns the errors a user can fix into UserErrors that say how: a rejected token, a missing permission, a missing
 * issue. Anything else is passed on unchanged.
 */
export function explainGitHubError(err: unknown, what: string): unknown {
  const status = statusOf(err);
  const detail = (err as Error | undefined)?.message ?? String(err);
  if (status === 500 && (err as { response?: unknown }).response === undefined) {
    // Octokit reports a request that got no answer at all (DNS, refused or reset connection, TLS) as a 500 without
    // a response; plugin-retry has already tried it again by then.
    return new UserError(
      `${what}: could not reach GitHub at ${apiOrigin(err)} (${detail}); check GITHUB_API_URL and the network access of the machine it runs on`,
      undefined,
      undefined,
      undefined,
      { cause: err },
    );
  }
  if (status === 401)
    return new UserError(
      `${what}: GitHub rejected the token (401 ${detail}); check that github-token is set to a valid, unexpired token`,
      undefined,
      undefined,
      undefined,
      { cause: err },
    );
  if (status === 403)
    return new UserError(
      `${what}: the token is not allowed to do this (403 ${detail}); give the workflow the permission it needs (permissions: issues: write, pull-requests: write) or use a token that has it`,
      undefined,
      undefined,
      undefined,
      { cause: err },
    );
  if (status === 404)
    return new UserError(
      `${what}: not found (404); check the repository and the number, and that the token can see the repository`,
      undefined,
      undefined,
      undefined,
      { cause: err },
    );
  return err;
}
