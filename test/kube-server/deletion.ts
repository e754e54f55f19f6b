/**
 * Deletion: preconditions, finalizers, propagation (Background / Foreground / Orphan) through ownerReferences,
 * and namespace termination (Terminating for a while, then its contents and itself removed).
 */
import { ApiError, notFound } from './errors.js';
import { RESOURCES, resolveResource, type ResourceInfo } from './resources.js';
import { fieldMatcher, labelMatcher } from './selectors.js';
import { nowIso, type Store } from './store.js';
import type { KubeObject } from './types.js';

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  dryRun?: boolean;
}

export class Deletion {
  private readonly nsRi = resolveResource('v1/Namespace');
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: Store,
    /** How long a deleted namespace stays `Terminating`. */
    private readonly namespaceTerminationDelayMs: number,
  ) {}

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      try {
        fn();
      } catch (err) {
        console.error('kube test server: background task failed', err);
      }
    }, ms);
    this.timers.add(t);
  }

  delete(ri: ResourceInfo, ns: string | undefined, name: string, opts: DeleteOptions = {}): KubeObject {
    const current = this.store.get(ri, ns, name);
    if (!current) throw notFound(ri.plural, ri.group, name);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== current.metadata.uid)
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${ri.plural} "${name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
        { name, group: ri.group, kind: ri.plural },
      );
    if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${ri.plural} "${name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
        { name, group: ri.group, kind: ri.plural },
      );
    if (opts.dryRun) return current;
    if (ri === this.nsRi) return this.terminateNamespace(current);
    const policy = opts.propagationPolicy ?? 'Background';
    if (policy === 'Foreground') this.deleteDependents(current);
    if ((current.metadata.finalizers ?? []).length) {
      if (current.metadata.deletionTimestamp) return current;
      current.metadata.deletionTimestamp = nowIso();
      current.metadata.deletionGracePeriodSeconds = 0;
      return this.store.update(ri, current);
    }
    const gone = this.store.remove(ri, ns, name)!;
    this.collectDependents(gone, policy);
    return gone;
  }

  /** Deletes every object (in any namespace) whose ownerReferences name this uid. */
  private dependentsOf(owner: KubeObject): { ri: ResourceInfo; object: KubeObject }[] {
    const uid = owner.metadata.uid;
    const out: { ri: ResourceInfo; object: KubeObject }[] = [];
    for (const ri of RESOURCES) {
      if (ri.virtual) continue;
      for (const o of this.store.list(ri, ri.namespaced ? owner.metadata.namespace : undefined))
        if ((o.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) out.push({ ri, object: o });
    }
    return out;
  }

  private deleteDependents(owner: KubeObject): void {
    for (const { ri, object } of this.dependentsOf(owner)) {
      if (!this.store.has(ri, object.metadata.namespace, object.metadata.name!)) continue;
      try {
        this.delete(ri, object.metadata.namespace, object.metadata.name!, { propagationPolicy: 'Foreground' });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
  }

  /** After an object is gone: orphan its dependents, or delete them shortly after (background). */
  collectDependents(owner: KubeObject, policy: string): void {
    if (policy === 'Orphan') {
      for (const { ri, object } of this.dependentsOf(owner)) {
        object.metadata.ownerReferences = (object.metadata.ownerReferences ?? []).filter(
          (r) => r.uid !== owner.metadata.uid,
        );
        if (!object.metadata.ownerReferences.length) delete object.metadata.ownerReferences;
        this.store.update(ri, object);
      }
      return;
    }
    // Background: the garbage collector runs shortly after.
    this.later(0, () => this.deleteDependents(owner));
  }

  private terminateNamespace(ns: KubeObject): KubeObject {
    if (ns.metadata.deletionTimestamp) return ns;
    ns.metadata.deletionTimestamp = nowIso();
    ns.status = {
      phase: 'Terminating',
      conditions: [
        {
          type: 'NamespaceDeletionContentFailure',
          status: 'False',
          reason: 'ContentDeleted',
          message: 'All content successfully deleted, may be waiting on finalization',
          lastTransitionTime: nowIso(),
        },
      ],
    };
    const updated = this.store.update(this.nsRi, ns);
    this.later(this.namespaceTerminationDelayMs, () => this.finishNamespace(updated.metadata.name!));
    return updated;
  }

  private finishNamespace(name: string): void {
    for (const { ri, object } of this.store.listNamespace(name, RESOURCES)) {
      if (ri.virtual) continue;
      this.store.remove(ri, name, object.metadata.name!);
    }
    this.store.remove(this.nsRi, undefined, name);
  }

  deleteCollection(
    ri: ResourceInfo,
    ns: string | undefined,
    labelSelector: string | null,
    fieldSelector: string | null,
    opts: DeleteOptions,
  ): KubeObject[] {
    const out: KubeObject[] = [];
    const lm = labelMatcher(labelSelector);
    const fm = fieldMatcher(fieldSelector);
    for (const o of this.store.list(ri, ns).filter((x) => lm(x.metadata.labels) && fm(x))) {
      try {
        out.push(this.delete(ri, o.metadata.namespace, o.metadata.name!, opts));
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    return out;
  }
}
