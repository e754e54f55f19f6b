/** Workload behaviours: parsed from `test.codex-k8s.io/behaviour` annotations or set through the server API. */
import type { Behaviour, KubeObject } from './types.js';

export const BEHAVIOUR_ANNOTATION = 'test.codex-k8s.io/behaviour';
export const LOGS_ANNOTATION = 'test.codex-k8s.io/logs';

/** Milliseconds from `500ms`, `2s`, `1m` or a bare number (ms). */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!m) throw new Error(`kube test server: bad duration ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60000 : n;
}

/**
 * `ready`, `never`, `fail`, `ready-after=500ms`, `fail-after=1s`, `never-after=100ms`
 * (`-after` sets when the outcome is reached; also accepted: `ready after 500ms`, `ready:500ms`).
 */
export function parseBehaviour(text: string | Behaviour): Behaviour {
  if (typeof text !== 'string') return text;
  const m = /^\s*(ready|never|fail)(?:(?:-after|\s+after)?\s*[=: ]\s*(.+))?\s*$/.exec(text);
  if (!m)
    throw new Error(`kube test server: bad behaviour ${JSON.stringify(text)} (want ready|never|fail[-after=DURATION])`);
  const b: Behaviour = { mode: m[1] as Behaviour['mode'] };
  if (m[2]) b.afterMs = parseDuration(m[2]);
  return b;
}

export interface BehaviourTarget {
  kind?: string;
  namespace?: string;
  name?: string;
}

interface Rule {
  target: BehaviourTarget;
  behaviour: Behaviour;
}

/** Behaviour rules set by tests; the newest matching rule wins. */
export class BehaviourRules {
  private rules: Rule[] = [];

  add(target: BehaviourTarget, behaviour: Behaviour): void {
    this.rules.push({ target, behaviour });
  }

  clear(): void {
    this.rules = [];
  }

  /** The newest rule for this object; `named` picks rules with a name (specific) or without (kind/namespace-wide). */
  find(obj: KubeObject, named: boolean): Behaviour | undefined {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const { target, behaviour } = this.rules[i];
      if (!!target.name !== named) continue;
      if (target.kind && target.kind.toLowerCase() !== obj.kind.toLowerCase()) continue;
      if (target.namespace && target.namespace !== obj.metadata.namespace) continue;
      if (target.name && target.name !== obj.metadata.name) continue;
      return behaviour;
    }
    return undefined;
  }
}

/** Behaviour from an object's annotation (or its pod template's). */
export function annotatedBehaviour(obj: KubeObject): Behaviour | undefined {
  const text =
    obj.metadata.annotations?.[BEHAVIOUR_ANNOTATION] ??
    obj.spec?.template?.metadata?.annotations?.[BEHAVIOUR_ANNOTATION];
  if (typeof text !== 'string') return undefined;
  try {
    return parseBehaviour(text);
  } catch {
    return undefined;
  }
}
