/*
 * The secret values a rendered stack carries, so that no text we print (wait diagnostics in the log and the job
 * summary) shows them: `kubectl describe` of a Secret prints sizes only, but a pod or Deployment describe prints
 * env values given inline, and a container may log its own configuration.
 */
import type { KubeObject } from '../objects/object.js';

/**
 * Values too short to be worth hiding: masking "1" or "true" would garble every text and hides nothing an attacker
 * could not guess.
 */
const MIN_LENGTH = 4;

/** The values of the Secrets among these objects: `data` base64-decoded and `stringData`, each line of multi-line ones too. */
export function secretValues(objects: Iterable<KubeObject>): string[] {
  const out = new Set<string>();
  const add = (value: string) => {
    for (const v of [value, ...value.split(/\r?\n/)]) {
      const t = v.trim();
      if (t.length >= MIN_LENGTH) out.add(t);
    }
  };
  for (const obj of objects) {
    if (obj.kind !== 'Secret' || String(obj.apiVersion ?? 'v1') !== 'v1') continue;
    for (const [field, decode] of [
      ['data', (v: string) => Buffer.from(v, 'base64').toString('utf8')],
      ['stringData', (v: string) => v],
    ] as const) {
      const map = obj[field];
      if (!map || typeof map !== 'object') continue;
      for (const v of Object.values(map as Record<string, unknown>)) if (typeof v === 'string') add(decode(v));
    }
  }
  return [...out];
}
