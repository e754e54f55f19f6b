import { describe, expect, it } from '@jest/globals';
import type { StackDocument } from '../render/stack.js';
import { stackDigest } from './stack-digest.js';

const doc = (name: string, image: string): StackDocument =>
  ({
    object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { image } },
    group: 'service',
    name,
    file: `${name}.yaml`,
    index: 0,
  }) as unknown as StackDocument;

describe('stackDigest', () => {
  it('is the same for the same documents and changes with any value, the order or the group', () => {
    const a = stackDigest([doc('web', 'web:1'), doc('api', 'api:1')]);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(stackDigest([doc('web', 'web:1'), doc('api', 'api:1')])).toBe(a);
    expect(stackDigest([doc('web', 'web:2'), doc('api', 'api:1')])).not.toBe(a);
    expect(stackDigest([doc('api', 'api:1'), doc('web', 'web:1')])).not.toBe(a);
    expect(stackDigest([{ ...doc('web', 'web:1'), group: 'infra' }, doc('api', 'api:1')])).not.toBe(a);
    expect(stackDigest([])).not.toBe(a);
  });

  it('changes with the hooks, global or per item, and not without them', () => {
    const docs = [doc('web', 'web:1')];
    const withHooks = (run: string, item = '') =>
      stackDigest(docs, {
        config: {
          hooks: { afterAll: [{ name: 'seed', run }] },
          services: [{ name: 'web', hooks: item ? { afterApply: [{ run: item }] } : undefined }],
        },
      } as never);
    const a = withHooks('seed v1');
    expect(withHooks('seed v1')).toBe(a);
    expect(withHooks('seed v2')).not.toBe(a);
    expect(withHooks('seed v1', 'migrate')).not.toBe(a);
    expect(stackDigest(docs)).not.toBe(a);
  });
});
