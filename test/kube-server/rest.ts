/** HTTP handlers for resource paths: get/list/watch/create/update/patch/delete/deletecollection and subresources. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeleteOptions, KubeApi, PatchType, WriteContext } from './api.js';
import { decodeBody, mediaType, readBody } from './body.js';
import { ApiError, badRequest, methodNotAllowed, notFound, unsupportedMediaType } from './errors.js';
import type { Logs } from './logs.js';
import { isObject } from './json.js';
import { groupVersion, type ResourceInfo } from './resources.js';
import { tokenRequest, type Authorizer } from './reviews.js';
import type { Route } from './routes.js';
import { toTable, wantsTable } from './table.js';
import type { JsonObject, KubeObject } from './types.js';
import type { Watches } from './watch.js';

export interface RestDeps {
  api: KubeApi;
  watches: Watches;
  logs: Logs;
  authorizer: Authorizer;
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  sendJson(res, err.code, err.toStatus(), err.headers);
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The default field manager: the user agent up to its first `/` (`kubectl`), as kube-apiserver derives it. */
function writeContext(req: IncomingMessage, q: URLSearchParams): WriteContext {
  const ua = String(req.headers['user-agent'] ?? 'unknown');
  return {
    manager: q.get('fieldManager') || ua.split('/')[0] || 'unknown',
    dryRun: q.getAll('dryRun').includes('All'),
    force: q.get('force') === 'true',
  };
}

function listMeta(api: KubeApi, cont?: string, remaining?: number): JsonObject {
  const meta: JsonObject = { resourceVersion: api.store.currentRV() };
  if (cont) meta.continue = cont;
  if (remaining) meta.remainingItemCount = remaining;
  return meta;
}

function paginate(items: KubeObject[], q: URLSearchParams): { page: KubeObject[]; cont?: string; remaining?: number } {
  const limit = Number(q.get('limit') ?? '0');
  let start = 0;
  const token = q.get('continue');
  if (token) {
    try {
      start = Number(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')).start) || 0;
    } catch {
      throw badRequest('continue key is not valid');
    }
  }
  if (!(limit > 0)) return { page: items.slice(start) };
  const page = items.slice(start, start + limit);
  const next = start + limit;
  if (next >= items.length) return { page };
  return {
    page,
    cont: Buffer.from(JSON.stringify({ start: next })).toString('base64url'),
    remaining: items.length - next,
  };
}

function tableOrObject(
  req: IncomingMessage,
  q: URLSearchParams,
  api: KubeApi,
  ri: ResourceInfo,
  obj: KubeObject,
): unknown {
  if (!wantsTable(req.headers.accept)) return obj;
  return toTable(ri.kind, [obj], { resourceVersion: api.store.currentRV() }, q.get('includeObject') ?? 'Metadata');
}

function deleteOptions(q: URLSearchParams, body: unknown): DeleteOptions {
  const b = isObject(body) ? body : {};
  const propagation = (q.get('propagationPolicy') ?? b.propagationPolicy) as DeleteOptions['propagationPolicy'];
  const orphan = q.get('orphanDependents') ?? b.orphanDependents;
  const grace = q.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
  return {
    propagationPolicy: propagation ?? (orphan === true || orphan === 'true' ? 'Orphan' : undefined),
    preconditions: isObject(b.preconditions) ? b.preconditions : undefined,
    gracePeriodSeconds: grace === undefined || grace === null ? undefined : Number(grace),
    dryRun: q.getAll('dryRun').includes('All') || (Array.isArray(b.dryRun) && b.dryRun.includes('All')),
  };
}

async function handleCreate(
  req: IncomingMessage,
  res: ServerResponse,
  route: Extract<Route, { type: 'resource' }>,
  q: URLSearchParams,
  deps: RestDeps,
): Promise<void> {
  const { ri, namespace, name, subresource } = route;
  const body = await decodeBody(await readBody(req), req.headers['content-type']);
  if (ri.virtual) {
    if (!isObject(body)) throw badRequest('the request body must be an object');
    const review = deps.authorizer.review(ri.kind, body);
    if (ri.kind === 'SelfSubjectAccessReview' || ri.kind === 'SubjectAccessReview')
      review.spec = { ...(review.spec ?? {}) };
    sendJson(res, 201, review);
    return;
  }
  if (name !== undefined) {
    if (ri.plural === 'serviceaccounts' && subresource === 'token') {
      deps.api.get(ri, namespace, name);
      sendJson(res, 201, tokenRequest(namespace!, name, isObject(body) ? body : undefined));
      return;
    }
    if (ri.plural === 'pods' && (subresource === 'exec' || subresource === 'attach'))
      throw new ApiError(400, 'BadRequest', 'Upgrade request required');
    throw methodNotAllowed();
  }
  const created = deps.api.create(ri, namespace, body, writeContext(req, q));
  sendJson(res, 201, created);
}

export async function handleResource(
  req: IncomingMessage,
  res: ServerResponse,
  route: Extract<Route, { type: 'resource' }>,
  url: URL,
  deps: RestDeps,
): Promise<void> {
  const { ri, namespace, name, subresource } = route;
  const q = url.searchParams;
  const { api } = deps;
  const method = req.method ?? 'GET';
  if (subresource && !(ri.subresources ?? []).includes(subresource))
    throw notFound(`${ri.plural}/${subresource}`, ri.group, name ?? '');
  if (name === undefined && route.allNamespaces && method !== 'GET')
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');

  switch (method) {
    case 'GET': {
      if (ri.virtual) throw methodNotAllowed();
      if (name === undefined) {
        if (q.get('watch') === 'true' || q.get('watch') === '1') {
          const table = wantsTable(req.headers.accept);
          deps.watches.handle(req, res, {
            ri,
            namespace,
            query: q,
            transform: table
              ? (o, first) =>
                  toTable(
                    ri.kind,
                    [o],
                    { resourceVersion: o.metadata.resourceVersion },
                    q.get('includeObject') ?? 'Metadata',
                    first,
                  )
              : undefined,
          });
          return;
        }
        const items = api.list(ri, namespace, q.get('labelSelector'), q.get('fieldSelector'));
        const { page, cont, remaining } = paginate(items, q);
        if (wantsTable(req.headers.accept)) {
          sendJson(
            res,
            200,
            toTable(ri.kind, page, listMeta(api, cont, remaining), q.get('includeObject') ?? 'Metadata'),
          );
          return;
        }
        sendJson(res, 200, {
          kind: `${ri.kind}List`,
          apiVersion: groupVersion(ri),
          metadata: listMeta(api, cont, remaining),
          items: page,
        });
        return;
      }
      const obj = api.get(ri, namespace, name);
      if (subresource === 'log') {
        const containers = [...(obj.spec?.containers ?? []), ...(obj.spec?.initContainers ?? [])] as JsonObject[];
        const container = q.get('container') ?? containers[0]?.name;
        if (!containers.some((c) => c.name === container))
          throw badRequest(`container ${container} is not valid for pod ${name}`);
        const text = deps.logs.text(obj, String(container), q);
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      if (subresource === 'exec' || subresource === 'attach' || subresource === 'portforward')
        throw new ApiError(400, 'BadRequest', 'Upgrade request required');
      if (subresource === 'scale') {
        sendJson(res, 200, api.scaleOf(ri, obj));
        return;
      }
      sendJson(res, 200, tableOrObject(req, q, api, ri, obj));
      return;
    }
    case 'POST':
      await handleCreate(req, res, route, q, deps);
      return;
    case 'PUT': {
      if (name === undefined) throw methodNotAllowed();
      const body = await decodeBody(await readBody(req), req.headers['content-type']);
      const sub = subresource === 'finalize' ? undefined : subresource;
      sendJson(res, 200, api.update(ri, namespace, name, body, writeContext(req, q), sub));
      return;
    }
    case 'PATCH': {
      if (name === undefined) throw methodNotAllowed();
      const type = PATCH_TYPES[mediaType(req.headers['content-type'])];
      if (!type)
        throw unsupportedMediaType(
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
        );
      const raw = await readBody(req);
      const patch = await decodeBody(raw, type === 'apply' ? 'application/yaml' : 'application/json');
      const { object, created } = api.patch(ri, namespace, name, type, patch, writeContext(req, q), subresource);
      sendJson(res, created ? 201 : 200, object);
      return;
    }
    case 'DELETE': {
      const raw = await readBody(req);
      const body = raw.length ? await decodeBody(raw, req.headers['content-type'] ?? 'application/json') : undefined;
      const opts = deleteOptions(q, body);
      if (name === undefined) {
        const items = api.deleteCollection(ri, namespace, q.get('labelSelector'), q.get('fieldSelector'), opts);
        sendJson(res, 200, { kind: `${ri.kind}List`, apiVersion: groupVersion(ri), metadata: listMeta(api), items });
        return;
      }
      sendJson(res, 200, api.delete(ri, namespace, name, opts));
      return;
    }
    default:
      throw methodNotAllowed();
  }
}
