/** ensure-ready on the example project, bundled, against the test server with real kubectl. */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadStack, renderStack } from '../../packages/core/src/index.js';
import { useKubeServer } from '../kube-server/harness.js';
import { actionMain, runAction } from '../support/action.js';
import { REPO_ROOT } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

const TOOLS = path.resolve('.tools/bin');
const CONFIG = 'examples/shop/services.yaml';

describe('ensure-ready action on examples/shop', () => {
  const h = useKubeServer({ readyDelayMs: 100, namespaceTerminationDelayMs: 50 });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
  });
  const ready = (inputs: Record<string, string>) =>
    runAction(
      actionMain('ensure-ready'),
      { config: CONFIG, env: 'ai', issue: '7', ...inputs },
      { cwd: REPO_ROOT, env: env(), timeoutMs: 180_000 },
    );

  it('applies the whole stack with ownership labels, waits for it, and stays within its kubectl budget', async () => {
    const before = h.server.kubectlInvocations().length;
    const res = await ready({});
    expect(res.errors).toEqual([]);
    expect(res.outputs).toMatchObject({
      slot: '1',
      namespace: 'shop-ai-1',
      created: 'true',
      recreated: 'false',
      'new-env': 'true',
      'infra-ready': 'true',
      'env-ready': 'true',
      url: 'https://ai.shop.example.com',
    });
    const stack = renderStack(
      loadStack({ config: path.join(REPO_ROOT, CONFIG), env: 'ai', slot: 1, processEnv: { PATH: process.env.PATH } }),
    );
    for (const d of stack.documents) {
      const ns = d.object.kind === 'Namespace' ? '' : 'shop-ai-1';
      const live = h.server.store.get(d.object.kind as string, ns, d.object.metadata!.name);
      expect(live?.metadata?.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'codex-k8s',
        'codex-k8s.io/slot': '1',
      });
    }
    const waited = stack.documents.filter((d) =>
      ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(d.object.kind as string),
    ).length;
    const budget = stack.groups.length + waited + 6;
    const calls = h.server.kubectlInvocations().slice(before);
    const used = calls.length;
    process.stdout.write(
      `ensure-ready kubectl invocations: ${used} (budget ${budget}: ${stack.groups.length} groups + ${waited} waits + 6)\n`,
    );
    expect(used).toBeLessThanOrEqual(budget);
    expect(calls.map((c) => c.command).join('\n')).toMatch(/rollout status/);
    expect(res.stdout).toMatch(/ready: .*Deployment.*codex/);
  });

  it('fails with describe output and events in the job summary when a workload never becomes ready; soft-fail reports it', async () => {
    h.server.setBehaviour({ kind: 'Deployment', name: 'web' }, 'never');
    const res = await ready({ 'wait-timeout': '2s' });
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).toMatch(/web/);
    expect(res.summary).toMatch(/Workloads not ready/);
    expect(res.summary).toMatch(/Events/i);
    expect(res.summary).toMatch(/Name:\s+web/);
    const soft = await ready({ 'wait-timeout': '2s', 'wait-soft-fail': 'true', 'force-apply': 'true' });
    expect(soft.code).toBe(0);
    expect(soft.outputs['infra-ready']).toBe('false');
    expect(soft.outputs['env-ready']).toBe('true');
  });

  it('restores a namespace deleted behind its back (recreated=true)', async () => {
    expect((await ready({})).outputs.created).toBe('true');
    const second = await ready({});
    expect(second.outputs).toMatchObject({ created: 'false', recreated: 'false', 'new-env': 'false' });
    h.server.store.delete('Namespace', '', 'shop-ai-1');
    await h.server.waitFor('Namespace', '', 'shop-ai-1', (o: unknown) => !o, 10_000);
    const third = await ready({});
    expect(third.errors).toEqual([]);
    expect(third.outputs).toMatchObject({
      slot: '1',
      created: 'false',
      recreated: 'true',
      'new-env': 'true',
      'infra-ready': 'true',
    });
    expect(h.server.store.get('Deployment', 'shop-ai-1', 'web')).toBeTruthy();
  });

  it('copies the sources into the slot workspace before the services start', async () => {
    const src = tempDir('ck8s-src-');
    mkdirSync(path.join(src, 'services/web'), { recursive: true });
    mkdirSync(path.join(src, '.git'));
    writeFileSync(path.join(src, 'services/web/index.js'), 'console.log("hi")\n');
    writeFileSync(path.join(src, '.git/HEAD'), 'ref: refs/heads/main\n');
    const res = await ready({ source: src, 'code-root-base': '/workspace/slots' });
    expect(res.errors).toEqual([]);
    const target = path.join(h.server.pvcDir('shop-ai-1', 'shop-workspace'), 'slots/1/src');
    expect(readFileSync(path.join(target, 'services/web/index.js'), 'utf8')).toBe('console.log("hi")\n');
    expect(existsSync(path.join(target, '.git'))).toBe(false);
    expect(
      h.server.store.list('Pod', 'shop-ai-1').filter((p: any) => p.metadata.name.startsWith('codex-k8s-sync-')),
    ).toEqual([]);
  });
});
