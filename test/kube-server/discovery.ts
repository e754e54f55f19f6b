/** Discovery documents (legacy and aggregated), /version and the OpenAPI v3 stub kubectl needs for validation. */
import { apiGroups, groupVersion, RESOURCES, resourcesOf, type ResourceInfo } from './resources.js';
import type { JsonObject } from './types.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '35',
  emulationMajor: '1',
  emulationMinor: '35',
  minCompatibilityMajor: '1',
  minCompatibilityMinor: '34',
  gitVersion: 'v1.35.0-kube-test',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.25.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const LOCAL = [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }];

export function apiVersions(): JsonObject {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: LOCAL };
}

export function apiGroupList(): JsonObject {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: apiGroups().map((g) => apiGroup(g.name, g.versions)),
  };
}

export function apiGroup(name: string, versions: string[]): JsonObject {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: vs, preferredVersion: vs[0] };
}

/** Subresource entries as they appear in an APIResourceList. */
function subresourceEntries(ri: ResourceInfo): JsonObject[] {
  const out: JsonObject[] = [];
  for (const sub of ri.subresources ?? []) {
    const base = { name: `${ri.plural}/${sub}`, singularName: '', namespaced: ri.namespaced };
    if (sub === 'status') out.push({ ...base, kind: ri.kind, verbs: ['get', 'patch', 'update'] });
    else if (sub === 'scale')
      out.push({ ...base, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    else if (sub === 'log') out.push({ ...base, kind: 'Pod', verbs: ['get'] });
    else if (sub === 'exec') out.push({ ...base, kind: 'PodExecOptions', verbs: ['create', 'get'] });
    else if (sub === 'attach') out.push({ ...base, kind: 'PodAttachOptions', verbs: ['create', 'get'] });
    else if (sub === 'portforward') out.push({ ...base, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] });
    else if (sub === 'token')
      out.push({ ...base, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
    else if (sub === 'finalize') out.push({ ...base, kind: ri.kind, verbs: ['update'] });
  }
  return out;
}

export function apiResourceList(group: string, version: string): JsonObject | undefined {
  const list = resourcesOf(group, version);
  if (list.length === 0) return undefined;
  const resources: JsonObject[] = [];
  for (const ri of list) {
    const entry: JsonObject = {
      name: ri.plural,
      singularName: ri.singular,
      namespaced: ri.namespaced,
      kind: ri.kind,
      verbs: ri.verbs,
    };
    if (ri.shortNames) entry.shortNames = ri.shortNames;
    if (ri.categories) entry.categories = ri.categories;
    resources.push(entry, ...subresourceEntries(ri));
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
}

/** Content type of aggregated discovery (`/api`, `/apis` when the client asks for it). */
export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregated(accept: string | undefined): boolean {
  return !!accept && accept.includes('as=APIGroupDiscoveryList') && accept.includes('v=v2');
}

function aggregatedResource(ri: ResourceInfo): JsonObject {
  const out: JsonObject = {
    resource: ri.plural,
    responseKind: { group: ri.group, version: ri.version, kind: ri.kind },
    scope: ri.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: ri.singular,
    verbs: ri.verbs,
  };
  if (ri.shortNames) out.shortNames = ri.shortNames;
  if (ri.categories) out.categories = ri.categories;
  const subs = subresourceEntries(ri).map((s) => ({
    subresource: String(s.name).split('/')[1],
    responseKind: { group: s.group ?? ri.group, version: s.version ?? ri.version, kind: s.kind },
    verbs: s.verbs,
  }));
  if (subs.length) out.subresources = subs;
  return out;
}

/** Aggregated discovery for `/api` (core) or `/apis` (all named groups). */
export function aggregatedDiscovery(core: boolean): JsonObject {
  const groups = core ? [{ name: '', versions: ['v1'] }] : apiGroups();
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: RESOURCES.filter((ri) => ri.group === g.name && ri.version === v).map(aggregatedResource),
        freshness: 'Current',
      })),
    })),
  };
}

/** `/openapi/v3`: the index of group-version documents. */
export function openapiV3Index(): JsonObject {
  const paths: JsonObject = { 'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=KUBETEST' } };
  for (const g of apiGroups())
    for (const v of g.versions)
      paths[`apis/${g.name}/${v}`] = { serverRelativeURL: `/openapi/v3/apis/${g.name}/${v}?hash=KUBETEST` };
  return { paths };
}

/**
 * `/openapi/v3/<gv>`: only the PATCH operation of each kind, with the `fieldValidation` and `dryRun` query
 * parameters. That is all kubectl checks before it sends `fieldValidation=Strict` (no `--validate=false`).
 * No request body content is declared, so client-side apply uses the strategic-merge metadata built into kubectl.
 */
export function openapiV3Document(group: string, version: string): JsonObject | undefined {
  const list = resourcesOf(group, version);
  if (list.length === 0) return undefined;
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const params = ['fieldValidation', 'dryRun', 'fieldManager', 'force'].map((name) => ({
    name,
    in: 'query',
    schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
  }));
  const paths: JsonObject = {};
  for (const ri of list) {
    if (ri.virtual) continue;
    const path = ri.namespaced
      ? `${prefix}/namespaces/{namespace}/${ri.plural}/{name}`
      : `${prefix}/${ri.plural}/{name}`;
    paths[path] = {
      patch: {
        operationId: `patch${ri.kind}`,
        parameters: params,
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: ri.group, version: ri.version, kind: ri.kind },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
    paths,
    components: { schemas: {} },
  };
}
