/** core/v1 Events about objects (what `kubectl describe` and `kubectl get events` show). */
import { resolveResource } from './resources.js';
import { nowIso, type Store } from './store.js';
import type { KubeObject } from './types.js';

export class EventRecorder {
  private readonly eventRi = resolveResource('v1/Event');
  private readonly namespaceRi = resolveResource('v1/Namespace');

  private last = 0n;
  /** Identical events (same object, type, reason, message) -> the event's name, for counting repeats. */
  private readonly seen = new Map<string, string>();

  constructor(private readonly store: Store) {}

  /** Like the real recorder: the hex of a nanosecond timestamp, so names sort by time. */
  private nextSuffix(): string {
    let t = BigInt(Date.now()) * 1_000_000n;
    if (t <= this.last) t = this.last + 1n;
    this.last = t;
    return t.toString(16);
  }

  /** Records an event (or bumps the count of an identical one). */
  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string): void {
    const ns = obj.metadata.namespace ?? 'default';
    const nsObj = this.store.get(this.namespaceRi, undefined, ns);
    if (!nsObj || nsObj.metadata.deletionTimestamp) return;
    const now = nowIso();
    const key = JSON.stringify([obj.metadata.uid, type, reason, message]);
    const known = this.seen.get(key);
    const existing = known ? this.store.get(this.eventRi, ns, known) : undefined;
    if (existing) {
      existing.count = (existing.count ?? 1) + 1;
      existing.lastTimestamp = now;
      this.store.update(this.eventRi, existing);
      return;
    }
    const name = `${obj.metadata.name}.${this.nextSuffix()}`;
    this.seen.set(key, name);
    this.store.create(this.eventRi, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      source: { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: '',
    });
  }
}
