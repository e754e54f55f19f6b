/**
 * `?watch=true`: newline-delimited JSON events on a chunked response.
 * Supports sendInitialEvents (+ the `k8s.io/initial-events-end` BOOKMARK kubectl wait needs), resuming from a
 * resourceVersion (410 Expired when too old), label/field selectors (objects leaving the selection are sent as
 * DELETED) and timeoutSeconds.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { groupVersion, type ResourceInfo } from './resources.js';
import { fieldMatcher, labelMatcher } from './selectors.js';
import type { Store, StoreEvent } from './store.js';
import type { KubeObject } from './types.js';

export interface WatchRequest {
  ri: ResourceInfo;
  namespace?: string;
  query: URLSearchParams;
  /** Wraps each object (Table output); identity by default. */
  transform?: (obj: KubeObject, first: boolean) => unknown;
}

export class Watches {
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly store: Store) {}

  get count(): number {
    return this.open.size;
  }

  closeAll(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }

  handle(req: IncomingMessage, res: ServerResponse, w: WatchRequest): void {
    const { ri, namespace, query } = w;
    const lm = labelMatcher(query.get('labelSelector'));
    const fm = fieldMatcher(query.get('fieldSelector'));
    const matches = (o: KubeObject | undefined): boolean =>
      !!o && (!namespace || !ri.namespaced || o.metadata.namespace === namespace) && lm(o.metadata.labels) && fm(o);
    let first = true;
    const wrap = (o: KubeObject): unknown => {
      const out = w.transform ? w.transform(o, first) : o;
      first = false;
      return out;
    };
    const send = (type: string, object: unknown): void => {
      res.write(JSON.stringify({ type, object }) + '\n');
    };

    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    this.open.add(res);

    const onEvent = (ev: StoreEvent): void => {
      if (ev.ri !== ri) return;
      const now = matches(ev.object);
      const before = ev.type === 'MODIFIED' ? matches(ev.old) : now;
      if (ev.type === 'ADDED' && now) send('ADDED', wrap(ev.object));
      else if (ev.type === 'DELETED' && before) send('DELETED', wrap(ev.object));
      else if (ev.type === 'MODIFIED') {
        if (now && before) send('MODIFIED', wrap(ev.object));
        else if (now) send('ADDED', wrap(ev.object));
        else if (before) send('DELETED', wrap(ev.object));
      }
    };

    const rv = query.get('resourceVersion') ?? '';
    const initial = query.get('sendInitialEvents') === 'true';
    if (initial || rv === '' || rv === '0') {
      for (const o of this.store.list(ri, namespace)) if (matches(o)) send('ADDED', wrap(o));
      if (initial)
        send('BOOKMARK', {
          kind: ri.kind,
          apiVersion: groupVersion(ri),
          metadata: {
            resourceVersion: this.store.currentRV(),
            annotations: { 'k8s.io/initial-events-end': 'true' },
          },
        });
    } else {
      const from = Number(rv);
      if (!Number.isFinite(from) || from < this.store.oldestWatchableRV()) {
        send('ERROR', {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${rv} (${this.store.oldestWatchableRV()})`,
          reason: 'Expired',
          code: 410,
        });
        this.open.delete(res);
        res.end();
        return;
      }
      for (const ev of this.store.eventsSince(from)) onEvent(ev);
    }

    const unsubscribe = this.store.subscribe(onEvent);
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');
    const timer = timeoutSeconds > 0 ? setTimeout(() => finish(), timeoutSeconds * 1000) : undefined;
    const finish = (): void => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      if (this.open.delete(res)) res.end();
    };
    req.on('close', finish);
    res.on('close', finish);
  }
}
