/** The HTTP front: request log, injected faults, authentication, rate-limit headers, then REST or GraphQL. */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { RateLimits, rateLimitHeaders, tokenFromHeader, type RateLimitState } from './auth.js';
import { badCredentials, badRequest, GitHubError, notFound } from './errors.js';
import { BAD_GATEWAY_HTML, type Faults, type FailSpec } from './faults.js';
import type { GraphQLApi } from './graphql.js';
import { match, type Route } from './routes.js';
import type { Shapes } from './shapes.js';
import { tokenLabel, type GitHubState } from './state.js';
import type { RequestLogEntry } from './types.js';

export interface FrontDeps {
  state: GitHubState;
  shapes: () => Shapes;
  graphql: () => GraphQLApi;
  routes: Route[];
  faults: Faults;
  log: RequestLogEntry[];
  rateLimits: RateLimits;
}

/** Like GitHub's `CA5E:1B2C3:4D5E6F:7A8B9C:65F0A1B2`: unique per response, quoted in support messages. */
const requestId = (): string => [2, 3, 3, 3, 4].map((n) => randomBytes(n).toString('hex').toUpperCase()).join(':');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function logHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    // The credential never reaches the log: `token` records its label instead.
    if (k === 'authorization' || v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export class Front {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly deps: FrontDeps) {
    this.server = createServer({ keepAlive: true }, (req, res) => void this.onRequest(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host }, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(req).catch(() => '');
    const parsed = parseJson(text);
    const token = tokenFromHeader(req.headers.authorization);
    const record = token === undefined ? undefined : this.deps.state.tokens.get(token);
    const entry: RequestLogEntry = {
      time: start,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parsed.ok ? parsed.value : text,
      headers: logHeaders(req),
      ...(token !== undefined ? { token: tokenLabel(token) } : {}),
      ...(record ? { login: record.login } : {}),
      status: 0,
      durationMs: 0,
    };
    this.deps.log.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.durationMs = Date.now() - start;
    });

    const resource = url.pathname === '/graphql' ? 'graphql' : 'core';
    const headers: Record<string, string> = {
      'x-github-request-id': requestId(),
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
    };
    // Classic tokens report their scopes on every response; fine-grained and installation tokens do not.
    if (record?.kind === 'classic') {
      headers['x-oauth-scopes'] = record.scopes.join(', ');
      headers['x-accepted-oauth-scopes'] = '';
    }
    try {
      const fault = this.deps.faults.take(method, url.pathname);
      if (fault) return this.sendFault(res, fault, headers, token, resource);
      if (!record) {
        // Unauthenticated budgets are 60 an hour; a bad token is charged there too.
        Object.assign(headers, rateLimitHeaders(this.deps.rateLimits.spend(undefined, resource, 60)));
        throw badCredentials();
      }
      if (this.deps.rateLimits.exhausted(token, resource)) {
        const r = this.deps.rateLimits.spend(token, resource);
        Object.assign(headers, rateLimitHeaders(r, 0));
        throw primaryRateLimit(this.deps.state.user(record.login).id, headers['x-github-request-id']!);
      }
      Object.assign(headers, rateLimitHeaders(this.deps.rateLimits.spend(token, resource)));
      if (!parsed.ok) throw badRequest('Problems parsing JSON');
      if (resource === 'graphql') {
        if (method !== 'POST') throw notFound('/graphql');
        const r = await this.deps.graphql().execute(record, parsed.value);
        return this.sendJson(res, r.status, r.body, headers);
      }
      const m = match(this.deps.routes, method, url.pathname);
      if (!m) throw notFound();
      if (m === 'method') throw notFound();
      const reply = m.route.handler({
        state: this.deps.state,
        shapes: this.deps.shapes(),
        url,
        body: parsed.value,
        token: record,
        params: m.params,
      });
      return this.sendJson(res, reply.status, reply.body, { ...headers, ...reply.headers });
    } catch (err) {
      if (err instanceof GitHubError) return this.sendJson(res, err.status, err.body(), { ...headers, ...err.headers });
      console.error('fake github: request failed', method, req.url, err);
      return this.sendJson(res, 500, { message: 'Server Error' }, headers);
    }
  }

  private sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
    if (status === 204 || body === undefined) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  }

  private sendFault(
    res: ServerResponse,
    f: FailSpec,
    headers: Record<string, string>,
    token: string | undefined,
    resource: 'core' | 'graphql',
  ): void {
    const id = headers['x-github-request-id']!;
    if (f.status === 502) {
      // The proxy answers, not the API: no GitHub headers, an HTML page.
      const body = BAD_GATEWAY_HTML;
      res.writeHead(502, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
      return;
    }
    const r: RateLimitState = this.deps.rateLimits.spend(token, resource);
    if (f.status === 401) {
      this.sendJson(res, 401, badCredentials().body(), { ...headers, ...rateLimitHeaders(r) });
      return;
    }
    if (f.forbidden) {
      const e = new GitHubError(403, 'Resource not accessible by integration');
      this.sendJson(res, 403, e.body(), { ...headers, ...rateLimitHeaders(r) });
      return;
    }
    const wait = f.retryAfter ?? 60;
    if (f.secondary) {
      const e = new GitHubError(
        403,
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out ' +
          `to GitHub Support for help, please include the request ID ${id}.`,
        { docs: '/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits' },
      );
      this.sendJson(res, 403, e.body(), { ...headers, ...rateLimitHeaders(r), 'retry-after': String(wait) });
      return;
    }
    const reset = Math.floor(Date.now() / 1000) + wait;
    const known = token === undefined ? undefined : this.deps.state.tokens.get(token);
    const userId = known ? this.deps.state.user(known.login).id : undefined;
    this.sendJson(res, 403, primaryRateLimit(userId, id).body(), {
      ...headers,
      ...rateLimitHeaders({ ...r, reset }, 0),
    });
  }
}

function primaryRateLimit(userId: number | undefined, requestId: string): GitHubError {
  return new GitHubError(
    403,
    `API rate limit exceeded for ${userId === undefined ? '127.0.0.1' : `user ID ${userId}`}. If you reach out to GitHub ` +
      `Support for help, please include the request ID ${requestId}.`,
    { docs: '/using-the-rest-api/rate-limits-for-the-rest-api#about-primary-rate-limits' },
  );
}
