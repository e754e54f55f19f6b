import { createHash } from 'node:crypto';
import type { LoadedStack } from '../config/load.js';
import type { StackDocument } from '../render/stack.js';

/**
 * `sha256:<hex>` of what an apply does: the rendered documents in apply order, as JSON, and the hooks around them
 * (global and per item, as services.yaml renders them), so that a changed hook is applied like a changed manifest.
 * Rendering is deterministic (keys in the order the manifests give them), so the same services.yaml, variables and
 * slot give the same digest; a stack whose templates read the clock differs on every run and is applied every time.
 * Values hooks read from the runner's environment (secrets) are not part of it: a rotated secret needs force-apply.
 */
export function stackDigest(documents: readonly StackDocument[], stack?: Pick<LoadedStack, 'config'>): string {
  const hash = createHash('sha256');
  for (const d of documents) hash.update(`${d.group}\u0000${d.name}\u0000${JSON.stringify(d.object)}\n`);
  if (stack) {
    const c = stack.config;
    const hooks = {
      all: c.hooks ?? null,
      infrastructure: (c.infrastructure ?? []).map((i) => [i.name, i.hooks ?? null]),
      services: (c.services ?? []).map((s) => [s.name, s.hooks ?? null]),
    };
    hash.update(`hooks\u0000${JSON.stringify(hooks)}\n`);
  }
  return `sha256:${hash.digest('hex')}`;
}
