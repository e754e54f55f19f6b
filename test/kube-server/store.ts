/** In-memory object store: one global resourceVersion counter, change events and a history for watches. */
import { randomUUID } from 'node:crypto';
import { alreadyExists, notFound } from './errors.js';
import { clone } from './json.js';
import { groupVersion, resourceKey, type ResourceInfo } from './resources.js';
import type { KubeObject, WatchEventType } from './types.js';

export interface StoreEvent {
  type: WatchEventType;
  ri: ResourceInfo;
  /** The object after the change (for DELETED: the last state, with the deletion's resourceVersion). */
  object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  old?: KubeObject;
  rv: number;
}

export type StoreListener = (ev: StoreEvent) => void;

export const nowIso = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export class Store {
  private rv = 1000;
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly historyLimit = 20000) {}

  /** The newest resourceVersion handed out. */
  currentRV(): string {
    return String(this.rv);
  }

  /** The oldest resourceVersion a watch can resume from. */
  oldestWatchableRV(): number {
    return this.history.length ? this.history[0].rv - 1 : this.rv;
  }

  /** Events after `rv` (for a watch that resumes). */
  eventsSince(rv: number): StoreEvent[] {
    return this.history.filter((e) => e.rv > rv);
  }

  subscribe(fn: StoreListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private bucket(ri: ResourceInfo): Map<string, KubeObject> {
    const key = resourceKey(ri);
    let b = this.data.get(key);
    if (!b) this.data.set(key, (b = new Map()));
    return b;
  }

  private static key(ns: string | undefined, name: string): string {
    return `${ns ?? ''}/${name}`;
  }

  has(ri: ResourceInfo, ns: string | undefined, name: string): boolean {
    return this.bucket(ri).has(Store.key(ri.namespaced ? ns : undefined, name));
  }

  get(ri: ResourceInfo, ns: string | undefined, name: string): KubeObject | undefined {
    const o = this.bucket(ri).get(Store.key(ri.namespaced ? ns : undefined, name));
    return o && clone(o);
  }

  /** Objects of a type, in one namespace or all, sorted by namespace and name. */
  list(ri: ResourceInfo, ns?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of this.bucket(ri).values())
      if (!ns || !ri.namespaced || o.metadata.namespace === ns) out.push(clone(o));
    out.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
      ),
    );
    return out;
  }

  /** Every stored object in a namespace (all namespaced types). */
  listNamespace(ns: string, types: ResourceInfo[]): { ri: ResourceInfo; object: KubeObject }[] {
    const out: { ri: ResourceInfo; object: KubeObject }[] = [];
    for (const ri of types) if (ri.namespaced) for (const o of this.list(ri, ns)) out.push({ ri, object: o });
    return out;
  }

  private emit(ev: StoreEvent): void {
    this.history.push(ev);
    if (this.history.length > this.historyLimit) this.history.splice(0, this.history.length - this.historyLimit);
    for (const l of [...this.listeners]) {
      try {
        l(ev);
      } catch (err) {
        console.error('kube test server: store listener failed', err);
      }
    }
  }

  /** Stores a new object: sets uid, creationTimestamp and resourceVersion. */
  create(ri: ResourceInfo, input: KubeObject): KubeObject {
    const obj = clone(input);
    const name = obj.metadata.name!;
    const ns = ri.namespaced ? obj.metadata.namespace : undefined;
    if (!ri.namespaced) delete obj.metadata.namespace;
    const b = this.bucket(ri);
    const key = Store.key(ns, name);
    if (b.has(key)) throw alreadyExists(ri.plural, ri.group, name);
    obj.apiVersion = groupVersion(ri);
    obj.kind = ri.kind;
    obj.metadata.uid = obj.metadata.uid || randomUUID();
    obj.metadata.creationTimestamp = obj.metadata.creationTimestamp || nowIso();
    obj.metadata.resourceVersion = String(++this.rv);
    b.set(key, obj);
    this.emit({ type: 'ADDED', ri, object: clone(obj), rv: this.rv });
    return clone(obj);
  }

  /** Replaces a stored object (no checks: callers do the resourceVersion precondition). */
  update(ri: ResourceInfo, input: KubeObject): KubeObject {
    const obj = clone(input);
    const name = obj.metadata.name!;
    const ns = ri.namespaced ? obj.metadata.namespace : undefined;
    const b = this.bucket(ri);
    const key = Store.key(ns, name);
    const old = b.get(key);
    if (!old) throw notFound(ri.plural, ri.group, name);
    obj.apiVersion = groupVersion(ri);
    obj.kind = ri.kind;
    obj.metadata.uid = old.metadata.uid;
    obj.metadata.creationTimestamp = old.metadata.creationTimestamp;
    obj.metadata.resourceVersion = String(++this.rv);
    b.set(key, obj);
    this.emit({ type: 'MODIFIED', ri, object: clone(obj), old, rv: this.rv });
    return clone(obj);
  }

  /** Removes an object; returns its last state or undefined when it was not there. */
  remove(ri: ResourceInfo, ns: string | undefined, name: string): KubeObject | undefined {
    const b = this.bucket(ri);
    const key = Store.key(ri.namespaced ? ns : undefined, name);
    const old = b.get(key);
    if (!old) return undefined;
    b.delete(key);
    const last = clone(old);
    last.metadata.resourceVersion = String(++this.rv);
    this.emit({ type: 'DELETED', ri, object: clone(last), old, rv: this.rv });
    return last;
  }
}
