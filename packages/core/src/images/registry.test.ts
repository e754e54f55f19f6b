import { describe, expect, it } from '@jest/globals';
import { parseRef } from './registry.js';

describe('parseRef', () => {
  it.each([
    ['postgres:16', { registry: 'registry-1.docker.io', repository: 'library/postgres', tag: '16' }],
    ['postgres', { registry: 'registry-1.docker.io', repository: 'library/postgres', tag: 'latest' }],
    ['bitnami/redis:7', { registry: 'registry-1.docker.io', repository: 'bitnami/redis', tag: '7' }],
    ['127.0.0.1:5000/shop/web:v1', { registry: '127.0.0.1:5000', repository: 'shop/web', tag: 'v1' }],
    ['localhost/shop/web', { registry: 'localhost', repository: 'shop/web', tag: 'latest' }],
    ['ghcr.io/acme/agent:0.3.0', { registry: 'ghcr.io', repository: 'acme/agent', tag: '0.3.0' }],
    [
      'registry.x.svc.cluster.local:5000/a/b/c:dev-1',
      { registry: 'registry.x.svc.cluster.local:5000', repository: 'a/b/c', tag: 'dev-1' },
    ],
  ])('%s', (ref, want) => {
    expect(parseRef(ref)).toEqual(want);
  });
});
