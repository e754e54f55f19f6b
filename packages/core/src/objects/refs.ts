import { isClusterScoped } from './kinds.js';
import type { KubeObject } from './object.js';

/** Which object: enough to name it to kubectl and to a user. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Unset for cluster-scoped objects (and for namespaced ones that rely on kubectl's default namespace). */
  namespace?: string;
}

export function refOf(obj: KubeObject): ObjectRef {
  const ns = obj.metadata?.namespace;
  return {
    apiVersion: String(obj.apiVersion ?? ''),
    kind: String(obj.kind ?? ''),
    name: String(obj.metadata?.name ?? ''),
    ...(typeof ns === 'string' && ns !== '' && !isClusterScoped(obj) ? { namespace: ns } : {}),
  };
}

/** `Deployment shop-dev-1/api`, `ClusterRole reader`: how messages name an object. */
export function formatRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/**
 * `deployment.apps/api`: the kind qualified by its API group, so a CRD that reuses a built-in kind name
 * (another group's `Deployment`) is never picked by mistake.
 */
export function resourceArg(ref: ObjectRef): string {
  const group = groupOf(ref.apiVersion);
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

export const sameRef = (a: ObjectRef, b: ObjectRef): boolean =>
  a.apiVersion === b.apiVersion &&
  a.kind === b.kind &&
  a.name === b.name &&
  (a.namespace ?? '') === (b.namespace ?? '');

export const refKey = (r: ObjectRef): string => `${groupOf(r.apiVersion)}/${r.kind}/${r.namespace ?? ''}/${r.name}`;

/** The smallest manifest naming an object: what `get -f -`, `annotate -f -` and `delete -f -` need on stdin. */
export function stubOf(ref: ObjectRef): KubeObject {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
  };
}

/** A JSON stream (one object per line is valid YAML for kubectl's `-f -`). */
export function manifestStream(objects: readonly KubeObject[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n---\n') + '\n';
}
