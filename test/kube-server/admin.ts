/**
 * `/_test/...` endpoints: the same controls as the in-process API, for a server running as a separate process.
 *
 *   GET    /_test/health                     -> {ok: true}
 *   GET    /_test/requests                   -> {entries, counts, kubectlInvocations}
 *   DELETE /_test/requests                   -> clears the log
 *   POST   /_test/faults    {failNext: {count, status?, reason?, message?, retryAfterSeconds?, method?, path?}}
 *                           {delay: {ms, count?, method?, path?}}   (also shorthand {failNext: 2, status: 500} / {delayMs})
 *   DELETE /_test/faults                     -> clears failures and delays
 *   POST   /_test/behaviour {kind?, namespace?, name?, behaviour: "never" | "fail" | "ready-after=500ms"}
 *   POST   /_test/logs      {namespace?, name?, container?, text}
 *   POST   /_test/deny      {rules: [{verb?, resource?, group?, namespace?, name?}]}
 *   GET    /_test/objects?resource=deployments[&namespace=x][&labelSelector=...]
 *   PUT    /_test/objects   <object>          -> stores it (create or replace, status included)
 *   GET    /_test/execs                      -> exec history
 *   GET    /_test/paths?namespace=x&claim=y  -> {pvcDir}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeBody, readBody } from './body.js';
import { ApiError, badRequest } from './errors.js';
import { sendError, sendJson } from './rest.js';
import type { KubeServer } from './index.js';
import type { JsonObject, KubeObject } from './types.js';

export async function handleAdmin(
  server: KubeServer,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const path = url.pathname.replace(/\/+$/, '');
  const method = req.method ?? 'GET';
  const q = url.searchParams;
  const body = async (): Promise<JsonObject> => {
    const type = String(req.headers['content-type'] ?? '');
    const b = await decodeBody(await readBody(req), type.includes('yaml') ? type : 'application/json');
    return (b ?? {}) as JsonObject;
  };
  try {
    switch (`${method} ${path}`) {
      case 'GET /_test/health':
        sendJson(res, 200, { ok: true, url: server.url });
        return true;
      case 'GET /_test/requests':
        sendJson(res, 200, {
          entries: server.requests,
          counts: server.requestCounts(),
          kubectlInvocations: server.kubectlInvocations(),
        });
        return true;
      case 'DELETE /_test/requests':
        server.clearRequests();
        sendJson(res, 200, { ok: true });
        return true;
      case 'POST /_test/faults': {
        const b = await body();
        if (typeof b.failNext === 'number')
          server.failNext(b.failNext, b.status, b.reason, {
            retryAfterSeconds: b.retryAfterSeconds,
            method: b.method,
            path: b.path,
          });
        else if (b.failNext && typeof b.failNext === 'object') {
          const f = b.failNext as JsonObject;
          server.failNext(Number(f.count ?? 1), f.status, f.reason, f);
        }
        if (typeof b.delayMs === 'number') server.delay(b.delayMs);
        if (b.delay && typeof b.delay === 'object') server.delay(Number(b.delay.ms ?? 0), b.delay);
        sendJson(res, 200, { ok: true });
        return true;
      }
      case 'DELETE /_test/faults':
        server.clearFaults();
        sendJson(res, 200, { ok: true });
        return true;
      case 'POST /_test/behaviour': {
        const b = await body();
        if (!b.behaviour) throw badRequest('behaviour is required');
        server.setBehaviour({ kind: b.kind, namespace: b.namespace, name: b.name }, b.behaviour);
        sendJson(res, 200, { ok: true });
        return true;
      }
      case 'POST /_test/logs': {
        const b = await body();
        server.setLogs({ namespace: b.namespace, name: b.name, container: b.container }, String(b.text ?? ''));
        sendJson(res, 200, { ok: true });
        return true;
      }
      case 'POST /_test/termination-message': {
        const b = await body();
        server.setTerminationMessage(
          { namespace: b.namespace, name: b.name, container: b.container },
          String(b.text ?? ''),
        );
        sendJson(res, 200, { ok: true });
        return true;
      }
      case 'POST /_test/deny': {
        const b = await body();
        server.setDenyList(Array.isArray(b.rules) ? b.rules : []);
        sendJson(res, 200, { ok: true });
        return true;
      }
      case 'GET /_test/objects': {
        const resource = q.get('resource');
        if (!resource) throw badRequest('resource is required');
        sendJson(res, 200, {
          items: server.store.list(resource, q.get('namespace') ?? undefined, q.get('labelSelector') ?? undefined),
        });
        return true;
      }
      case 'PUT /_test/objects':
        sendJson(res, 200, server.store.put((await body()) as KubeObject));
        return true;
      case 'GET /_test/execs':
        sendJson(res, 200, { execs: server.execs });
        return true;
      case 'GET /_test/paths':
        sendJson(res, 200, { pvcDir: server.pvcDir(q.get('namespace') ?? 'default', q.get('claim') ?? '') });
        return true;
      default:
        return false;
    }
  } catch (err) {
    sendError(res, err instanceof ApiError ? err : badRequest((err as Error).message));
    return true;
  }
}
