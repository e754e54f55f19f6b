/** Server-level behaviour with kubectl: faults, request log, auth can-i, concurrency, the standalone process. */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useKubeServer } from './harness.js';
import { kubectlFor } from './kubectl.js';
import { tempDir } from '../support/temp-dir.js';

const configMap = (name: string, namespace = 'default'): string => `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: ${namespace}}
data: {k: v}`;

describe('kube test server', () => {
  const h = useKubeServer();

  it('failNext: the next 2 requests get 500, then kubectl get succeeds (kubectl does not retry a 500 by itself)', async () => {
    expect((await h.kubectl(['get', 'ns', 'default'])).code).toBe(0); // warms the discovery cache
    h.server.failNext(2, 500);
    const first = await h.kubectl(['get', 'ns', 'default']);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('Error from server (InternalError)');
    expect((await h.kubectl(['get', 'ns', 'default'])).code).toBe(1);
    const third = await h.kubectl(['get', 'ns', 'default']);
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/^NAME\s+STATUS\s+AGE\ndefault\s+Active/);
    expect(h.server.requests.filter((r) => r.status === 500)).toHaveLength(2);

    // With Retry-After, client-go retries 5xx/429 itself: one invocation succeeds.
    h.server.failNext(2, 503, undefined, { retryAfterSeconds: 0 });
    h.server.clearRequests();
    const retried = await h.kubectl(['get', 'ns', 'default']);
    expect(retried.code).toBe(0);
    expect(h.server.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(h.server.kubectlInvocations()).toHaveLength(1);
    expect(h.server.kubectlInvocations()[0].command).toBe('kubectl get');
  });

  it('delay and path-filtered failures; the request log counts', async () => {
    await h.kubectl(['get', 'ns']);
    h.server.delay(300, { count: 1, path: '/api/v1/namespaces/default' });
    const slow = await h.kubectl(['get', 'ns', 'default']);
    expect(slow.code).toBe(0);
    expect(slow.durationMs).toBeGreaterThanOrEqual(300);
    h.server.failNext(1, 404, 'NotFound', { method: 'POST', path: '/configmaps' });
    const failed = await h.kubectl(['create', '-f', '-'], { stdin: configMap('x') });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Error from server (NotFound)');
    expect((await h.kubectl(['create', '-f', '-'], { stdin: configMap('x') })).code).toBe(0);
    const counts = h.server.requestCounts();
    expect(counts['POST /api/v1/namespaces/default/configmaps']).toBe(2);
    expect(h.server.requests[0].userAgent).toMatch(/^kubectl\/v1\.35/);
  });

  it('auth can-i answers yes, and no for the deny list', async () => {
    const yes = await h.kubectl(['auth', 'can-i', 'create', 'deployments', '-n', 'default']);
    expect(yes.stdout.trim()).toBe('yes');
    expect(yes.code).toBe(0);
    h.server.setDenyList([{ verb: 'delete', resource: 'namespaces' }]);
    const no = await h.kubectl(['auth', 'can-i', 'delete', 'namespaces']);
    expect(no.stdout.trim()).toMatch(/^no/);
    expect(no.code).toBe(1);
    expect((await h.kubectl(['auth', 'can-i', 'get', 'pods', '-n', 'x'])).code).toBe(0);
  });

  it('20 concurrent kubectl create -f - of distinct configmaps all succeed', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.kubectl(['create', '-f', '-'], { stdin: configMap(`slot-${i}`), timeoutMs: 30_000 }),
      ),
    );
    for (const [i, r] of results.entries()) {
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(`configmap/slot-${i} created`);
    }
    expect(h.server.store.list('cm', 'default').filter((c) => c.metadata.name!.startsWith('slot-'))).toHaveLength(20);
    expect(h.server.kubectlInvocations()).toHaveLength(20);
  });
});

describe('standalone process (main.ts)', () => {
  it('prints url and kubeconfig as JSON, serves kubectl and /_test, closes on SIGTERM', async () => {
    const dir = tempDir('kube-test-main-');
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', main, '--port', '0', '--kubeconfig-dir', dir, '--quiet'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let buf = '';
        const timer = setTimeout(() => reject(new Error('main.ts did not start')), 15_000);
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('\n')) {
            clearTimeout(timer);
            resolve(buf.split('\n')[0]);
          }
        });
        child.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`main.ts exited early (${code})`));
        });
      });
      const info = JSON.parse(first) as { url: string; kubeconfig: string };
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info.kubeconfig).toBe(join(dir, 'kubeconfig'));
      const kubectl = kubectlFor(info.kubeconfig, join(dir, 'cache'));
      expect((await kubectl(['create', '-f', '-'], { stdin: configMap('standalone') })).code).toBe(0);

      await fetch(`${info.url}/_test/faults`, { method: 'POST', body: JSON.stringify({ failNext: 1, status: 500 }) });
      expect((await kubectl(['get', 'cm', 'standalone'])).code).toBe(1);
      expect((await kubectl(['get', 'cm', 'standalone'])).code).toBe(0);
      const log = (await (await fetch(`${info.url}/_test/requests`)).json()) as { counts: Record<string, number> };
      expect(log.counts['GET /api/v1/namespaces/default/configmaps/standalone']).toBe(2);
      const objects = (await (await fetch(`${info.url}/_test/objects?resource=cm&namespace=default`)).json()) as {
        items: { metadata: { name: string } }[];
      };
      expect(objects.items.map((o) => o.metadata.name)).toContain('standalone');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
