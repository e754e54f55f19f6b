/** The HTTP front: sockets (TCP_NODELAY, keep-alive, backlog), request log, faults, discovery and routing. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import {
  AGGREGATED_CONTENT_TYPE,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  openapiV3Document,
  openapiV3Index,
  SERVER_VERSION,
  wantsAggregated,
} from './discovery.js';
import { ApiError, internalError, reasonForCode } from './errors.js';
import type { Faults, RequestLog } from './faults.js';
import { apiGroups } from './resources.js';
import { handleResource, sendError, sendJson, type RestDeps } from './rest.js';
import { parseRoute } from './routes.js';
import type { RequestLogEntry } from './types.js';

export interface FrontDeps extends RestDeps {
  faults: Faults;
  requestLog: RequestLog;
  /** Handles `/_test/...`; returns false when the path is unknown. */
  admin: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  /** WebSocket upgrades (exec). */
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void;
  aggregatedDiscovery: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const notFoundStatus = (): ApiError =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

export class Front {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly deps: FrontDeps) {
    this.server = createServer({ keepAlive: true, noDelay: true, requestTimeout: 0 }, (req, res) => {
      void this.onRequest(req, res);
    });
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    this.server.on('connection', (socket: Socket) => {
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.onUpgrade(req, socket, head);
    });
  }

  listen(port: number, host: string, backlog: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, backlog }, () => {
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

  private logEntry(req: IncomingMessage, url: URL): RequestLogEntry {
    const h = req.headers;
    const entry: RequestLogEntry = {
      time: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      userAgent: String(h['user-agent'] ?? ''),
      status: 0,
      durationMs: 0,
    };
    if (h['kubectl-command']) entry.kubectlCommand = String(h['kubectl-command']);
    if (h['kubectl-session']) entry.kubectlSession = String(h['kubectl-session']);
    this.deps.requestLog.add(entry);
    return entry;
  }

  /** Delay and injected failure for a request; returns the error to send, if any. */
  private async faults(method: string, path: string): Promise<ApiError | undefined> {
    const delay = this.deps.faults.takeDelay(method, path);
    if (delay > 0) await sleep(delay);
    const f = this.deps.faults.takeFailure(method, path);
    if (!f) return undefined;
    const reason = f.reason ?? reasonForCode(f.status);
    const headers: Record<string, string> = {};
    if (f.retryAfterSeconds !== undefined) headers['Retry-After'] = String(f.retryAfterSeconds);
    return new ApiError(
      f.status,
      reason,
      f.message ?? `injected failure (kube test server): ${reason}`,
      f.retryAfterSeconds !== undefined ? { retryAfterSeconds: f.retryAfterSeconds } : undefined,
      headers,
    );
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      if (url.pathname.startsWith('/_test/')) {
        if (!(await this.deps.admin(req, res, url))) sendError(res, notFoundStatus());
        return;
      }
      const entry = this.logEntry(req, url);
      const done = (): void => {
        entry.status = res.statusCode;
        entry.durationMs = Date.now() - entry.time;
      };
      res.on('finish', done);
      res.on('close', done);
      const injected = await this.faults(entry.method, url.pathname);
      if (injected) {
        req.resume();
        sendError(res, injected);
        return;
      }
      await this.route(req, res, url);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof ApiError) sendError(res, err);
      else {
        console.error('kube test server: request failed', req.method, req.url, err);
        sendError(res, internalError((err as Error).message ?? String(err)));
      }
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const accept = req.headers.accept;
    switch (path) {
      case '/version':
        return sendJson(res, 200, SERVER_VERSION);
      case '/healthz':
      case '/livez':
      case '/readyz':
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        return;
      case '/openapi/v3':
        return sendJson(res, 200, openapiV3Index());
      case '/openapi/v2':
        throw notFoundStatus();
      case '/api':
        if (this.deps.aggregatedDiscovery && wantsAggregated(accept))
          return sendJson(res, 200, aggregatedDiscovery(true), { 'Content-Type': AGGREGATED_CONTENT_TYPE });
        return sendJson(res, 200, apiVersions());
      case '/apis':
        if (this.deps.aggregatedDiscovery && wantsAggregated(accept))
          return sendJson(res, 200, aggregatedDiscovery(false), { 'Content-Type': AGGREGATED_CONTENT_TYPE });
        return sendJson(res, 200, apiGroupList());
    }
    if (path.startsWith('/openapi/v3/')) {
      const m = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
      const doc = m ? openapiV3Document(m[2] ?? '', m[1] ?? m[3]) : undefined;
      if (!doc) throw notFoundStatus();
      return sendJson(res, 200, doc);
    }
    const route = parseRoute(path);
    if (!route) throw notFoundStatus();
    switch (route.type) {
      case 'api':
      case 'apis':
        throw notFoundStatus();
      case 'group': {
        const g = apiGroups().find((x) => x.name === route.group);
        if (!g) throw notFoundStatus();
        return sendJson(res, 200, apiGroup(g.name, g.versions));
      }
      case 'resourceList':
        return sendJson(res, 200, apiResourceList(route.group, route.version));
      case 'unknownResource':
        throw notFoundStatus();
      case 'resource':
        return handleResource(req, res, route, url, this.deps);
    }
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry = this.logEntry(req, url);
    const injected = await this.faults(entry.method, url.pathname);
    if (injected) {
      entry.status = injected.code;
      writeRawStatus(socket, injected);
      return;
    }
    entry.status = 101;
    this.deps.upgrade(req, socket, head, url);
  }
}

/** Writes a Status response on a raw socket (for failed upgrades). */
export function writeRawStatus(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.toStatus());
  const extra = Object.entries(err.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`,
  );
}
