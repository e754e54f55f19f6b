import { createHash } from 'node:crypto';
import type { StackDocument } from '../render/stack.js';

/**
 * `sha256:<hex>` of a rendered stack: its documents in apply order, as JSON. Rendering is deterministic (keys in
 * the order the manifests give them), so the same services.yaml, variables and slot give the same digest; a stack
 * whose templates read the clock differs on every run and is applied every time.
 */
export function stackDigest(documents: readonly StackDocument[]): string {
  const hash = createHash('sha256');
  for (const d of documents) hash.update(`${d.group}\u0000${d.name}\u0000${JSON.stringify(d.object)}\n`);
  return `sha256:${hash.digest('hex')}`;
}
