/** ensure-ready on the example project, bundled, against the test server with real kubectl. */
import { describe, expect, it } from '@jest/globals';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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
  const records = () =>
    h.server.store.list('ConfigMap', 'codex-system').filter((c: any) => c.metadata.name.startsWith('shop-slot-'));
  const recordData = (slot = 1): Record<string, string> =>
    h.server.store.get('ConfigMap', 'codex-system', `shop-slot-${slot}`)?.data ?? {};
  /** Every object of the example stack for slot 1 exists in the cluster. */
  const expectWholeStack = (config = path.join(REPO_ROOT, CONFIG)) => {
    const stack = renderStack(loadStack({ config, env: 'ai', slot: 1, processEnv: { PATH: process.env.PATH } }));
    for (const d of stack.documents) {
      const ns = d.object.kind === 'Namespace' ? '' : 'shop-ai-1';
      expect([
        d.object.kind,
        d.object.metadata!.name,
        !!h.server.store.get(d.object.kind as string, ns, d.object.metadata!.name),
      ]).toEqual([d.object.kind, d.object.metadata!.name, true]);
    }
  };
  /** A copy of examples/shop to change, removed by `done`. */
  const shopCopy = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-shop-'));
    cpSync(path.join(REPO_ROOT, 'examples/shop'), dir, { recursive: true });
    return { dir, config: path.join(dir, 'services.yaml'), done: () => rmSync(dir, { recursive: true, force: true }) };
  };

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
    // 8: slot list, claim, re-list, the write that ends the pending claim, namespace check, the write that records
    // the complete apply, and two spare. Prune: the applied-kinds record read and written by the bootstrap and by
    // the apply (4), one list (1).
    const budget = stack.groups.length + waited + 8 + 5;
    const calls = h.server.kubectlInvocations().slice(before);
    const used = calls.length;
    process.stdout.write(
      `ensure-ready kubectl invocations: ${used} (budget ${budget}: ${stack.groups.length} groups + ${waited} waits + 8 + 5 for prune)\n`,
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
    expect(soft.summary).toMatch(/\| infra ready \| false \(\d+ of \d+ workloads ready\) \|/);
    // A failed wait is no complete apply: nothing recorded, so the next run applies again, without force-apply.
    expect(recordData().appliedDigest).toBeUndefined();
    h.server.setBehaviour({ kind: 'Deployment', name: 'web' }, 'ready');
    const again = await ready({ 'wait-timeout': '20s' });
    expect(again.errors).toEqual([]);
    expect(again.stdout).toMatch(/applying the stack to shop-ai-1: no complete apply recorded/);
    expect(again.outputs).toMatchObject({ 'infra-ready': 'true', 'env-ready': 'true' });
    expect(again.stdout).toMatch(/ready: .*Deployment.*web/);
    expect(recordData().appliedDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('applies an unchanged stack once, and a changed services.yaml (an image tag) on the next run without force-apply', async () => {
    const shop = shopCopy();
    try {
      const first = await ready({ config: shop.config });
      expect(first.errors).toEqual([]);
      const digest = recordData().appliedDigest;
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(recordData().appliedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      // The predecessor's keys are still there, unchanged in meaning.
      expect(recordData()).toMatchObject({ slot: '1', env: 'ai', namespace: 'shop-ai-1', issue: '7', pr: '0' });

      const second = await ready({ config: shop.config });
      expect(second.errors).toEqual([]);
      expect(second.stdout).toMatch(/unchanged since its last complete apply \(\d{4}-.*\): not applied again/);
      expect(second.summary).toMatch(/\| infra ready \| not waited \(unchanged since its last complete apply/);
      expect(second.outputs['env-ready']).toBe('true');

      const text = readFileSync(shop.config, 'utf8');
      writeFileSync(shop.config, text.replace('web: "1.4.0"', 'web: "1.5.0"'));
      const third = await ready({ config: shop.config });
      expect(third.errors).toEqual([]);
      expect(third.stdout).toMatch(/applying the stack to shop-ai-1: the stack changed since its last complete apply/);
      const web = h.server.store.get('Deployment', 'shop-ai-1', 'web') as any;
      expect(web.spec.template.spec.containers[0].image).toMatch(/:ai-1\.5\.0$/);
      expect(recordData().appliedDigest).toMatch(/^sha256:/);
      expect(recordData().appliedDigest).not.toBe(digest);
      expect(third.summary).toMatch(/\| infra ready \| true \(\d+ of \d+ workloads ready\) \|/);
    } finally {
      shop.done();
    }
  });

  it('checks every input and renders the stack before claiming a slot; a fixed rerun applies everything', async () => {
    const src = mkdtempSync(path.join(os.tmpdir(), 'ck8s-src-'));
    const shop = shopCopy();
    try {
      writeFileSync(path.join(src, 'README.md'), 'shop\n');
      const cases: [Record<string, string>, RegExp][] = [
        [{ source: src, 'code-root-base': 'slots' }, /code-root-base: "slots" must be an absolute pod path/],
        [{ source: src, 'code-root-base': '/workspace/../etc' }, /code-root-base: .* is not inside workspace-mount/],
        [{ source: path.join(src, 'missing'), 'code-root-base': '/workspace/slots' }, /source: .* is not a directory/],
        [
          { source: path.join(src, 'README.md'), 'code-root-base': '/workspace/slots' },
          /source: .* is not a directory/,
        ],
      ];
      for (const [inputs, message] of cases) {
        const res = await ready(inputs);
        expect([inputs, res.code]).toEqual([inputs, 1]);
        expect(res.errors.join('\n')).toMatch(message);
      }
      // A template error in a service manifest: nothing claimed either.
      const web = path.join(shop.dir, 'services/web/deploy.yaml');
      writeFileSync(web, `${readFileSync(web, 'utf8')}\n{{ .NoSuchField }}\n`);
      const broken = await ready({ config: shop.config });
      expect(broken.code).toBe(1);
      expect(broken.errors.join('\n')).toMatch(/NoSuchField/);

      expect(records()).toEqual([]);
      expect(h.server.store.get('Namespace', '', 'shop-ai-1')).toBeUndefined();

      const good = await ready({ source: src, 'code-root-base': '/workspace/slots' });
      expect(good.errors).toEqual([]);
      expect(good.outputs).toMatchObject({ slot: '1', 'infra-ready': 'true', 'env-ready': 'true' });
      expectWholeStack();
      expect(recordData().appliedDigest).toMatch(/^sha256:/);
    } finally {
      rmSync(src, { recursive: true, force: true });
      shop.done();
    }
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

  it('a re-sync stops on changes of the agent naming the file; discard-changes saves them and the log names the patch', async () => {
    const src = mkdtempSync(path.join(os.tmpdir(), 'ck8s-src-'));
    try {
      writeFileSync(path.join(src, 'app.js'), 'v1\n');
      const inputs = { source: src, 'code-root-base': '/workspace/slots' };
      expect((await ready(inputs)).errors).toEqual([]);
      const slotDir = path.join(h.server.pvcDir('shop-ai-1', 'shop-workspace'), 'slots/1');
      writeFileSync(path.join(slotDir, 'src/app.js'), 'edited by the agent\n');
      writeFileSync(path.join(src, 'README.md'), 'new\n');

      const refused = await ready(inputs);
      expect(refused.code).toBe(1);
      expect(refused.errors.join('\n')).toMatch(
        /changes the new sources do not contain.*: app\.js\. .*discard-changes: true/s,
      );
      expect(readFileSync(path.join(slotDir, 'src/app.js'), 'utf8')).toBe('edited by the agent\n');

      const discarded = await ready({ ...inputs, 'discard-changes': 'true' });
      expect(discarded.errors).toEqual([]);
      const named = /saved to (\/workspace\/slots\/1\/saved\/\d{8}T\d{6}Z\.patch)/.exec(discarded.warnings.join('\n'));
      expect(named).not.toBeNull();
      const patch = readFileSync(path.join(slotDir, 'saved', path.posix.basename(named![1])), 'utf8');
      expect(patch).toContain('+edited by the agent\n');
      expect(readFileSync(path.join(slotDir, 'src/app.js'), 'utf8')).toBe('v1\n');
      expect(readFileSync(path.join(slotDir, 'src/README.md'), 'utf8')).toBe('new\n');
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });
});
