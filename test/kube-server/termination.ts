/**
 * Termination messages, as the kubelet reports them in `state.terminated.message` when a container ends: the text
 * the container left at its `terminationMessagePath`, at most 4096 bytes; with `terminationMessagePolicy:
 * FallbackToLogsOnError` and nothing written, a failed container gets the tail of its log instead (the last 80 lines,
 * at most 2048 bytes). Containers do not run here, so tests script what they "write": `setTerminationMessage` or
 * the `test.codex-k8s.io/termination-message` annotation on the pod (template).
 */
import type { Logs } from './logs.js';
import type { JsonObject, KubeObject } from './types.js';

export const TERMINATION_MESSAGE_ANNOTATION = 'test.codex-k8s.io/termination-message';

/** The kubelet's limits (pkg/kubelet/container: MaxContainerTerminationMessageLength, ...LogLines, ...LogLength). */
const MAX_MESSAGE_BYTES = 4096;
const FALLBACK_LOG_LINES = 80;
const FALLBACK_LOG_BYTES = 2048;

export type TerminationSource = string | ((pod: KubeObject, container: string) => string);

interface Rule {
  namespace?: string;
  /** Pod name, or the name of the workload that owns the pod (prefix match on `<name>-`, like logs). */
  name?: string;
  container?: string;
  source: TerminationSource;
}

/** The head of `text` in at most `max` bytes (the kubelet reads the file's first bytes). */
const head = (text: string, max: number): string => Buffer.from(text).subarray(0, max).toString('utf8');
/** The tail of `text` in at most `max` bytes (the kubelet keeps the end of the log). */
const tail = (text: string, max: number): string => {
  const b = Buffer.from(text);
  return b.subarray(Math.max(0, b.length - max)).toString('utf8');
};

export class TerminationMessages {
  private rules: Rule[] = [];

  constructor(private readonly logs: Logs) {}

  set(rule: Rule): void {
    this.rules.push(rule);
  }

  clear(): void {
    this.rules = [];
  }

  /** What the container wrote to its termination message path ('' when nothing). */
  private written(pod: KubeObject, container: string): string {
    const podName = pod.metadata.name ?? '';
    const owners = (pod.metadata.ownerReferences ?? []).map((o) => o.name);
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const r = this.rules[i];
      if (r.namespace && r.namespace !== pod.metadata.namespace) continue;
      if (r.container && r.container !== container) continue;
      if (r.name && r.name !== podName && !owners.includes(r.name) && !podName.startsWith(`${r.name}-`)) continue;
      return typeof r.source === 'function' ? r.source(pod, container) : r.source;
    }
    const annotated = pod.metadata.annotations?.[TERMINATION_MESSAGE_ANNOTATION];
    return typeof annotated === 'string' ? annotated : '';
  }

  /** The `terminated.message` of a container that ended with `exitCode`, or undefined for none. */
  message(pod: KubeObject, container: JsonObject, exitCode: number): string | undefined {
    const name = String(container.name ?? '');
    let text = head(this.written(pod, name), MAX_MESSAGE_BYTES);
    if (!text && exitCode !== 0 && container.terminationMessagePolicy === 'FallbackToLogsOnError')
      text = tail(
        this.logs.text(pod, name, new URLSearchParams({ tailLines: String(FALLBACK_LOG_LINES) })),
        FALLBACK_LOG_BYTES,
      );
    return text || undefined;
  }

  /** Sets the message of every terminated container of `status` (a pod status just computed for `pod`). */
  fill(pod: KubeObject, status: JsonObject): void {
    const containers = (pod.spec?.containers ?? []) as JsonObject[];
    for (const s of (status.containerStatuses ?? []) as JsonObject[]) {
      const terminated = s.state?.terminated as JsonObject | undefined;
      const spec = containers.find((c) => c.name === s.name);
      if (!terminated || !spec) continue;
      const message = this.message(pod, spec, Number(terminated.exitCode ?? 0));
      if (message !== undefined) terminated.message = message;
    }
  }
}
