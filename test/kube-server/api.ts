/**
 * The API semantics, independent of HTTP: create/get/list/update/patch/delete with resourceVersion preconditions,
 * namespaces (existence, termination), status and scale. Deletion (finalizers, propagation) is in deletion.ts.
 */
import { randomBytes } from 'node:crypto';
import { recordUpdate, serverSideApply } from './apply.js';
import { applyDefaults, validate } from './defaults.js';
import { Deletion, type DeleteOptions } from './deletion.js';
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  notFound,
  unsupportedMediaType,
} from './errors.js';
import { clone, isObject, same } from './json.js';
import { jsonMergePatch, jsonPatch, strategicMergePatch } from './patch.js';
import { groupVersion, resolveResource, type ResourceInfo } from './resources.js';
import { fieldMatcher, labelMatcher, labelSelectorString } from './selectors.js';
import { nowIso, type Store } from './store.js';
import type { JsonObject, KubeObject } from './types.js';

export interface WriteContext {
  /** `fieldManager` query parameter, or derived from the user agent. */
  manager: string;
  dryRun?: boolean;
  force?: boolean;
}

export type { DeleteOptions } from './deletion.js';

export interface ApiOptions {
  /** How long a deleted namespace stays `Terminating` before its contents and itself are removed. */
  namespaceTerminationDelayMs: number;
  /** Create a `default` ServiceAccount in every new namespace (as the real controller does). */
  defaultServiceAccount: boolean;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export const randomSuffix = (n = 5): string =>
  [...randomBytes(n)].map((b) => NAME_CHARS[b % NAME_CHARS.length]).join('');

/** Everything but metadata and status: a change there bumps metadata.generation. */
function specPart(o: KubeObject): JsonObject {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

export class KubeApi {
  private readonly nsRi = resolveResource('v1/Namespace');
  private readonly saRi = resolveResource('v1/ServiceAccount');
  private readonly deletion: Deletion;

  constructor(
    readonly store: Store,
    readonly options: ApiOptions,
  ) {
    this.deletion = new Deletion(store, options.namespaceTerminationDelayMs);
  }

  close(): void {
    this.deletion.close();
  }

  // ------------------------------------------------------------------ reads

  get(ri: ResourceInfo, ns: string | undefined, name: string): KubeObject {
    const o = this.store.get(ri, ns, name);
    if (!o) throw notFound(ri.plural, ri.group, name);
    return o;
  }

  list(
    ri: ResourceInfo,
    ns: string | undefined,
    labelSelector?: string | null,
    fieldSelector?: string | null,
  ): KubeObject[] {
    const lm = labelMatcher(labelSelector);
    const fm = fieldMatcher(fieldSelector);
    return this.store.list(ri, ns).filter((o) => lm(o.metadata.labels) && fm(o));
  }

  // ------------------------------------------------------------------ writes

  private checkNamespace(ri: ResourceInfo, ns: string | undefined, name: string): void {
    if (!ri.namespaced) return;
    if (!ns) throw badRequest('the namespace of the object must be set');
    const nsObj = this.store.get(this.nsRi, undefined, ns);
    if (!nsObj) throw notFound('namespaces', '', ns);
    if (nsObj.metadata.deletionTimestamp)
      throw forbidden(
        `${ri.plural}${ri.group ? '.' + ri.group : ''} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        {
          name,
          group: ri.group,
          kind: ri.plural,
          causes: [
            {
              type: 'NamespaceTerminating',
              message: `namespace ${ns} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
  }

  /** Checks body identity against the URL and fills kind/apiVersion/namespace. */
  private normalize(ri: ResourceInfo, ns: string | undefined, body: unknown, urlName?: string): KubeObject {
    if (!isObject(body)) throw badRequest('the request body must be a JSON object');
    const obj = clone(body) as KubeObject;
    if (obj.kind && obj.kind !== ri.kind)
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected kind (${ri.kind})`);
    if (obj.apiVersion && obj.apiVersion !== groupVersion(ri))
      throw badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${groupVersion(ri)})`,
      );
    obj.apiVersion = groupVersion(ri);
    obj.kind = ri.kind;
    obj.metadata = isObject(obj.metadata) ? obj.metadata : {};
    if (ri.namespaced) {
      if (obj.metadata.namespace && ns && obj.metadata.namespace !== ns)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      obj.metadata.namespace = ns ?? obj.metadata.namespace;
    } else delete obj.metadata.namespace;
    if (urlName !== undefined) {
      if (obj.metadata.name && obj.metadata.name !== urlName)
        throw badRequest(
          `the name of the object (${obj.metadata.name}) does not match the name on the URL (${urlName})`,
        );
      obj.metadata.name = urlName;
    }
    return obj;
  }

  create(ri: ResourceInfo, ns: string | undefined, body: unknown, ctx: WriteContext): KubeObject {
    if (ri.virtual) throw new ApiError(405, 'MethodNotAllowed', 'not stored');
    const obj = this.normalize(ri, ns, body);
    if (!obj.metadata.name) {
      if (obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}${randomSuffix()}`;
      else
        throw invalid(ri.kind, ri.group, '', [
          { field: 'metadata.name', message: 'Required value: name or generateName is required' },
        ]);
    }
    const name = obj.metadata.name;
    this.checkNamespace(ri, obj.metadata.namespace, name);
    if (this.store.has(ri, obj.metadata.namespace, name)) throw alreadyExists(ri.plural, ri.group, name);
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'generation', 'selfLink'])
      delete obj.metadata[k];
    const fields = clone(obj);
    recordUpdate(undefined, fields, ctx.manager, ri);
    return this.insert(ri, obj, fields.metadata.managedFields, !!ctx.dryRun);
  }

  /** Stores a new, normalized object: defaults, validation, generation, managedFields. */
  private insert(ri: ResourceInfo, obj: KubeObject, managedFields: unknown, dryRun: boolean): KubeObject {
    obj.metadata.uid = randomUUIDLike();
    obj.metadata.creationTimestamp = nowIso();
    applyDefaults(ri, obj, true);
    validate(ri, obj);
    if (isObject(obj.spec) || ri.kind === 'Deployment') obj.metadata.generation = 1;
    if (managedFields) obj.metadata.managedFields = managedFields as KubeObject['metadata']['managedFields'];
    else delete obj.metadata.managedFields;
    if (dryRun) return { ...obj, metadata: { ...obj.metadata, resourceVersion: this.store.currentRV() } };
    const created = this.store.create(ri, obj);
    if (ri === this.nsRi && this.options.defaultServiceAccount) {
      const ns = created.metadata.name!;
      if (!this.store.has(this.saRi, ns, 'default'))
        this.store.create(this.saRi, {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'default', namespace: ns },
        });
    }
    return created;
  }

  /** Writes a new state of an existing object (shared by update, patch, apply and the status/scale subresources). */
  private write(
    ri: ResourceInfo,
    current: KubeObject,
    next: KubeObject,
    ctx: WriteContext,
    subresource?: string,
    managed = true,
  ): KubeObject {
    const rv = next.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(ri.plural, ri.group, current.metadata.name!);
    if (next.metadata.uid && next.metadata.uid !== current.metadata.uid)
      throw conflict(ri.plural, ri.group, current.metadata.name!);
    if (subresource === 'status') {
      const status = next.status;
      next = clone(current);
      if (status === undefined) delete next.status;
      else next.status = status;
    } else if (ri.subresources?.includes('status') || ri.kind === 'Namespace') {
      if (current.status === undefined) delete next.status;
      else next.status = clone(current.status);
    }
    next.metadata.name = current.metadata.name;
    if (ri.namespaced) next.metadata.namespace = current.metadata.namespace;
    next.metadata.uid = current.metadata.uid;
    next.metadata.creationTimestamp = current.metadata.creationTimestamp;
    if (current.metadata.deletionTimestamp) next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
    else delete next.metadata.deletionTimestamp;
    if (current.metadata.generation !== undefined) next.metadata.generation = current.metadata.generation;
    else delete next.metadata.generation;
    applyDefaults(ri, next, false);
    validate(ri, next);
    if (current.metadata.generation !== undefined && !same(specPart(current), specPart(next)))
      next.metadata.generation = current.metadata.generation + 1;
    if (managed) recordUpdate(current, next, ctx.manager, ri, subresource);
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    if (ctx.dryRun) return next;
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers ?? []).length && ri.kind !== 'Namespace') {
      const gone = this.store.remove(ri, next.metadata.namespace, next.metadata.name!)!;
      this.deletion.collectDependents(gone, 'Background');
      return gone;
    }
    return this.store.update(ri, next);
  }

  update(
    ri: ResourceInfo,
    ns: string | undefined,
    name: string,
    body: unknown,
    ctx: WriteContext,
    subresource?: string,
  ): KubeObject {
    const obj = this.normalize(ri, ns, body, name);
    const current = this.get(ri, ns, name);
    if (subresource === 'scale') return this.writeScale(ri, current, obj, ctx);
    return this.write(ri, current, obj, ctx, subresource);
  }

  /** A PATCH. Apply patches create the object when it does not exist. */
  patch(
    ri: ResourceInfo,
    ns: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    ctx: WriteContext,
    subresource?: string,
  ): { object: KubeObject; created: boolean } {
    if (type === 'strategic' && !ri.builtin)
      throw unsupportedMediaType(
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
      );
    if (type === 'apply') return this.apply(ri, ns, name, patch, ctx, subresource);
    const current = this.get(ri, ns, name);
    if (subresource === 'scale') {
      const scale = this.scaleOf(ri, current);
      return {
        object: this.writeScale(ri, current, this.patchValue(type, scale, patch) as KubeObject, ctx),
        created: false,
      };
    }
    const next = this.patchValue(type, current, patch);
    if (!isObject(next)) throw badRequest('the patch did not produce an object');
    const obj = this.normalize(ri, ns, next, name);
    return { object: this.write(ri, current, obj, ctx, subresource), created: false };
  }

  private patchValue(type: PatchType, target: unknown, patch: unknown): unknown {
    if (type === 'json') return jsonPatch(target, patch);
    if (!isObject(patch)) throw badRequest('the patch must be a JSON object');
    return type === 'merge' ? jsonMergePatch(target, patch) : strategicMergePatch(target, patch);
  }

  private apply(
    ri: ResourceInfo,
    ns: string | undefined,
    name: string,
    body: unknown,
    ctx: WriteContext,
    subresource?: string,
  ): { object: KubeObject; created: boolean } {
    if (!ctx.manager || ctx.manager === 'unknown')
      throw badRequest('PATCH, application/apply-patch+yaml requests require a fieldManager');
    const applied = this.normalize(ri, ns, body, name);
    if (isObject(body) && (!body.apiVersion || !body.kind))
      throw badRequest('apiVersion and kind must be set in an apply configuration');
    const current = this.store.get(ri, ns, name);
    if (!current) {
      this.checkNamespace(ri, applied.metadata.namespace, name);
      const obj = serverSideApply(undefined, applied, ctx.manager, !!ctx.force, ri, subresource);
      const managed = obj.metadata.managedFields;
      return { object: this.insert(ri, obj, managed, !!ctx.dryRun), created: true };
    }
    const rv = applied.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(ri.plural, ri.group, name);
    const merged = serverSideApply(current, applied, ctx.manager, !!ctx.force, ri, subresource);
    return { object: this.write(ri, current, merged, ctx, subresource, false), created: false };
  }

  // ------------------------------------------------------------------ scale

  scaleOf(ri: ResourceInfo, obj: KubeObject): KubeObject {
    if (!ri.subresources?.includes('scale')) throw notFound(ri.plural + '/scale', ri.group, obj.metadata.name!);
    return {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: obj.spec?.replicas ?? 1 },
      status: { replicas: obj.status?.replicas ?? 0, selector: labelSelectorString(obj.spec?.selector) },
    };
  }

  private writeScale(ri: ResourceInfo, current: KubeObject, scale: KubeObject, ctx: WriteContext): KubeObject {
    if (!ri.subresources?.includes('scale')) throw notFound(ri.plural + '/scale', ri.group, current.metadata.name!);
    const rv = scale.metadata?.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(ri.plural, ri.group, current.metadata.name!);
    const replicas = Number(scale.spec?.replicas ?? 0);
    const next = clone(current);
    next.spec = { ...(next.spec ?? {}), replicas };
    delete next.metadata.resourceVersion;
    return this.scaleOf(ri, this.write(ri, current, next, ctx, 'scale'));
  }

  delete(ri: ResourceInfo, ns: string | undefined, name: string, opts: DeleteOptions = {}): KubeObject {
    return this.deletion.delete(ri, ns, name, opts);
  }

  deleteCollection(
    ri: ResourceInfo,
    ns: string | undefined,
    labelSelector: string | null,
    fieldSelector: string | null,
    opts: DeleteOptions,
  ): KubeObject[] {
    return this.deletion.deleteCollection(ri, ns, labelSelector, fieldSelector, opts);
  }
}

function randomUUIDLike(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
