import { UserError } from '../util/errors.js';
import { isClusterScoped } from '../objects/kinds.js';
import type { StackDocument } from './stack.js';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function where(d: StackDocument): string {
  return `${d.file} (document ${d.index}, ${d.group} ${d.name})`;
}

/** Checks every rendered object is one Kubernetes can take, and that no two documents name the same object. */
export function validateDocuments(documents: readonly StackDocument[], configFile: string): void {
  const problems: string[] = [];
  const seen = new Map<string, StackDocument>();
  for (const d of documents) {
    const o = d.object;
    if (typeof o.apiVersion !== 'string' || !o.apiVersion.trim()) problems.push(`${where(d)}: apiVersion: required`);
    if (typeof o.kind !== 'string' || !o.kind.trim()) problems.push(`${where(d)}: kind: required`);
    const meta = o.metadata;
    if (!meta || typeof meta !== 'object' || Array.isArray(meta)) {
      problems.push(`${where(d)}: metadata: required`);
      continue;
    }
    const name = meta.name ?? meta.generateName;
    if (typeof name !== 'string' || !name.trim()) problems.push(`${where(d)}: metadata.name: required`);
    for (const [k, v] of Object.entries((meta.labels ?? {}) as Record<string, unknown>)) {
      if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
        problems.push(`${where(d)}: metadata.labels.${k}: "${String(v)}" is not a valid label value`);
      }
    }
    if (typeof meta.name === 'string' && typeof o.kind === 'string') {
      const group = String(o.apiVersion ?? '')
        .split('/')
        .slice(0, -1)
        .join('/');
      const ns = isClusterScoped(o) ? '' : String(meta.namespace ?? '');
      const key = `${group}|${o.kind}|${ns}|${meta.name}`;
      const first = seen.get(key);
      if (first)
        problems.push(
          `${where(d)}: ${o.kind} "${meta.name}"${ns ? ` in ${ns}` : ''} is also defined by ${where(first)}`,
        );
      else seen.set(key, d);
    }
  }
  if (problems.length) {
    throw new UserError(
      `the rendered stack of ${configFile} is not valid, nothing was produced:\n  ${problems.join('\n  ')}`,
      configFile,
    );
  }
}
