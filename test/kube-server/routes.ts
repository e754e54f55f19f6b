/** URL parsing for `/api/v1/...` and `/apis/<group>/<version>/...` resource paths. */
import { findByPlural, resourcesOf, type ResourceInfo } from './resources.js';

export type Route =
  | { type: 'api' }
  | { type: 'apis' }
  | { type: 'group'; group: string }
  | { type: 'resourceList'; group: string; version: string }
  | {
      type: 'resource';
      ri: ResourceInfo;
      namespace?: string;
      name?: string;
      subresource?: string;
      /** Namespaced resource addressed across all namespaces (`/api/v1/pods`). */
      allNamespaces: boolean;
    }
  | { type: 'unknownResource'; group: string; version: string; plural: string };

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRoute(pathname: string): Route | undefined {
  const segs = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length === 1) return { type: 'api' };
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    if (segs.length === 1) return { type: 'apis' };
    if (segs.length === 2) return { type: 'group', group: segs[1] };
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return undefined;
  if (resourcesOf(group, version).length === 0) return undefined;
  if (rest.length === 0) return { type: 'resourceList', group, version };

  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && NAMESPACE_SUBRESOURCES.has(rest[2]))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource] = rest;
  if (rest.length > 3) return undefined;
  const ri = findByPlural(group, version, plural);
  if (!ri) return { type: 'unknownResource', group, version, plural };
  if (namespace !== undefined && !ri.namespaced) return undefined;
  return {
    type: 'resource',
    ri,
    namespace,
    name,
    subresource,
    allNamespaces: ri.namespaced && namespace === undefined,
  };
}
