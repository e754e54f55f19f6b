/**
 * The documented chain, each action bundled and run as the runner runs it: ensure-slot (whose bootstrap creates the
 * namespace and the workspace PVC), then ensure-ready for the same issue, on examples/shop against the test server.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadStack, renderStack } from '../../packages/core/src/index.js';
import { useKubeServer } from '../kube-server/harness.js';
import { actionMain, runAction } from '../support/action.js';
import { REPO_ROOT } from '../support/cli.js';

const TOOLS = path.resolve('.tools/bin');
const CONFIG = 'examples/shop/services.yaml';
const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'];

describe('ensure-slot then ensure-ready for one issue', () => {
  const h = useKubeServer({ readyDelayMs: 100 });
  const run = (action: string, inputs: Record<string, string>) =>
    runAction(
      actionMain(action),
      { config: CONFIG, env: 'ai', issue: '12', ...inputs },
      {
        cwd: REPO_ROOT,
        env: {
          KUBECONFIG: h.kubeconfig,
          PATH: `${TOOLS}:${process.env.PATH}`,
          KUBECACHEDIR: path.join(h.dir, 'cache'),
        },
        timeoutMs: 180_000,
      },
    );

  it('ensure-ready applies and waits for the whole stack the bootstrap of ensure-slot started', async () => {
    const src = mkdtempSync(path.join(os.tmpdir(), 'ck8s-chain-src-'));
    try {
      mkdirSync(path.join(src, 'services/web'), { recursive: true });
      writeFileSync(path.join(src, 'services/web/index.js'), 'console.log("shop")\n');

      const slot = await run('ensure-slot', {});
      expect(slot.errors).toEqual([]);
      expect(slot.outputs).toMatchObject({ slot: '1', namespace: 'shop-ai-1', created: 'true' });
      expect(h.server.store.get('PersistentVolumeClaim', 'shop-ai-1', 'shop-workspace')).toBeTruthy();
      expect(h.server.store.get('Deployment', 'shop-ai-1', 'codex')).toBeFalsy();

      const ready = await run('ensure-ready', { source: src, 'code-root-base': '/workspace/slots' });
      expect(ready.errors).toEqual([]);
      expect(ready.stdout).not.toMatch(/not applied again/);
      expect(ready.outputs).toMatchObject({
        slot: '1',
        namespace: 'shop-ai-1',
        created: 'false',
        'infra-ready': 'true',
        'env-ready': 'true',
      });

      const stack = renderStack(
        loadStack({ config: path.join(REPO_ROOT, CONFIG), env: 'ai', slot: 1, processEnv: { PATH: process.env.PATH } }),
      );
      const missing = stack.documents
        .map((d) => d.object)
        .filter(
          (o) => !h.server.store.get(o.kind as string, o.kind === 'Namespace' ? '' : 'shop-ai-1', o.metadata!.name),
        )
        .map((o) => `${o.kind}/${o.metadata!.name}`);
      expect(missing).toEqual([]);
      const workloads = stack.documents.filter((d) => WORKLOADS.includes(d.object.kind as string));
      for (const w of workloads)
        expect(ready.stdout).toContain(`ready: ${w.object.kind} shop-ai-1/${w.object.metadata!.name} in `);
      expect(ready.summary).toMatch(
        new RegExp(`\\| infra ready \\| true \\(${workloads.length} of ${workloads.length} workloads ready\\) \\|`),
      );
      const record = h.server.store.get('ConfigMap', 'codex-system', 'shop-slot-1')!;
      expect(record.data.appliedDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const synced = path.join(h.server.pvcDir('shop-ai-1', 'shop-workspace'), 'slots/1/src/services/web/index.js');
      expect(readFileSync(synced, 'utf8')).toBe('console.log("shop")\n');
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });
});
