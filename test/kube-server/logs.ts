/** `pods/log`: configurable container output. */
import { LOGS_ANNOTATION } from './behaviour.js';
import type { KubeObject } from './types.js';

export type LogSource = string | ((pod: KubeObject, container: string) => string);

interface LogRule {
  namespace?: string;
  /** Pod name, or the name of the workload that owns the pod (prefix match on `<name>-`). */
  name?: string;
  container?: string;
  source: LogSource;
}

export class Logs {
  private rules: LogRule[] = [];

  constructor(private defaultSource: LogSource) {}

  set(rule: LogRule): void {
    this.rules.push(rule);
  }

  setDefault(source: LogSource): void {
    this.defaultSource = source;
  }

  clear(): void {
    this.rules = [];
  }

  private sourceFor(pod: KubeObject, container: string): LogSource {
    const podName = pod.metadata.name ?? '';
    const owners = (pod.metadata.ownerReferences ?? []).map((o) => o.name);
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const r = this.rules[i];
      if (r.namespace && r.namespace !== pod.metadata.namespace) continue;
      if (r.container && r.container !== container) continue;
      if (r.name && r.name !== podName && !owners.includes(r.name) && !podName.startsWith(`${r.name}-`)) continue;
      return r.source;
    }
    const annotated = pod.metadata.annotations?.[LOGS_ANNOTATION];
    if (typeof annotated === 'string') return annotated;
    return this.defaultSource;
  }

  /** The log text, with `tailLines`, `limitBytes` and `timestamps` applied. */
  text(pod: KubeObject, container: string, query: URLSearchParams): string {
    const source = this.sourceFor(pod, container);
    let text = typeof source === 'function' ? source(pod, container) : source;
    const tail = query.get('tailLines');
    let lines = text.split('\n');
    const trailing = lines.length > 0 && lines[lines.length - 1] === '';
    if (trailing) lines.pop();
    if (tail !== null && Number(tail) >= 0) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
    if (query.get('timestamps') === 'true') {
      const ts = pod.status?.startTime ?? pod.metadata.creationTimestamp ?? new Date().toISOString();
      lines = lines.map((l) => `${String(ts).replace('Z', '.000000000Z')} ${l}`);
    }
    text = lines.join('\n') + (lines.length && trailing ? '\n' : '');
    const limit = query.get('limitBytes');
    if (limit !== null) text = Buffer.from(text).subarray(0, Number(limit)).toString('utf8');
    return text;
  }
}
