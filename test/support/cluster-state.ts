/** The whole state of a test server, to prove that a run changed nothing at all. */
import { RESOURCES, groupVersion } from '../kube-server/resources.js';
import type { KubeServer, RequestLogEntry } from '../kube-server/index.js';

/** Every stored object of every kind, as `apiVersion/Kind namespace/name` → object (resourceVersion included). */
export function clusterState(server: KubeServer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const ri of RESOURCES) {
    if (ri.virtual) continue;
    const apiVersion = groupVersion(ri);
    for (const o of server.store.list(`${apiVersion}/${ri.kind}`))
      out[`${apiVersion}/${ri.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`] = o;
  }
  return out;
}

/** Requests that could change something (dry-run requests, `dryRun=All`, included). */
export function mutatingRequests(server: KubeServer, since = 0): RequestLogEntry[] {
  // A server-side dry run (kubectl diff sends PATCH ?dryRun=All) is answered without storing anything.
  return server.requests
    .slice(since)
    .filter(
      (r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && !/(^|[?&])dryRun=All\b/.test(r.query ?? ''),
    );
}
