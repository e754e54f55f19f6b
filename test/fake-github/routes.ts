/** The REST route table: `METHOD /path/:param/*rest` templates, and what every handler gets. */
import { badRequest, notFound } from './errors.js';
import type { Shapes } from './shapes.js';
import type { GitHubState } from './state.js';
import type { RepoRecord, TokenRecord } from './types.js';

export interface Context {
  state: GitHubState;
  shapes: Shapes;
  /** The request URL, resolved against the server's base URL. */
  url: URL;
  /** Parsed JSON body (`{}` when empty). */
  body: unknown;
  token: TokenRecord;
  params: Record<string, string>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: Context) => Reply;

export interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

/**
 * `:name` matches one path segment, `*name` the rest of the path (branch names have slashes). Values are
 * URL-decoded, since octokit encodes `/` in `{ref}` as `%2F`.
 */
export function route(method: string, template: string, handler: Handler): Route {
  const names: string[] = [];
  const source = template.replace(/[:*](\w+)/g, (m, name: string) => {
    names.push(name);
    return m.startsWith('*') ? '(.+)' : '([^/]+)';
  });
  return { method, pattern: new RegExp(`^${source}/?$`), names, handler };
}

export function match(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | 'method' | undefined {
  let pathMatched = false;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== method) continue;
    const params: Record<string, string> = {};
    r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')));
    return { route: r, params };
  }
  return pathMatched ? 'method' : undefined;
}

/**
 * The repository named by `:owner/:repo`. A private repository the caller has no role on is a 404, as on GitHub
 * (which does not reveal that it exists).
 */
export function repoOf(ctx: Context): RepoRecord {
  const repo = ctx.state.repos.get(`${ctx.params.owner}/${ctx.params.repo}`);
  if (!repo || ctx.state.permission(repo, ctx.token.login) === 'none') throw notFound('/repos/repos#get-a-repository');
  ctx.state.refreshBranches(repo);
  return repo;
}

/** `:number` as an integer (a non-number is a 404 on GitHub too). */
export function numberParam(ctx: Context, name = 'number'): number {
  const n = Number(ctx.params[name]);
  if (!Number.isInteger(n) || n <= 0) throw notFound();
  return n;
}

export type JsonObject = Record<string, unknown>;

export function bodyObject(ctx: Context): JsonObject {
  const b = ctx.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw badRequest('Problems parsing JSON');
  return b as JsonObject;
}

export function optionalString(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw badRequest(`Invalid request.\n\nFor '${key}', ${JSON.stringify(v)} is not a string.`);
  return v;
}

/** Label lists are strings or `{name}` objects. */
export function labelNames(v: unknown): string[] {
  if (!Array.isArray(v)) throw badRequest("Invalid request.\n\nFor 'labels', expected an array.");
  return v.map((x: unknown) => {
    if (typeof x === 'string') return x;
    if (x && typeof x === 'object' && typeof (x as JsonObject).name === 'string') return (x as { name: string }).name;
    throw badRequest(`Invalid request.\n\n${JSON.stringify(x)} is not a label.`);
  });
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  headers,
});
