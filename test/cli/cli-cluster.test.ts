/** The CLI's cluster commands against the test server with real kubectl: apply, slots, doctor, destroy. */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';
import { runCli } from '../support/cli.js';
import { actionMain, runAction } from '../support/action.js';

const TOOLS = path.resolve('.tools/bin');
const CONFIG = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai: {}\n',
);

describe('codex-k8s apply, slots, doctor, destroy', () => {
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 50 });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
  });
  const cli = (root: string, args: string[]) => runCli(args, { cwd: root, env: env() });

  it('apply with a filter applies that service only, the way the agent uses it in its pod', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const res = await cli(root, [
      'apply',
      '-c',
      'services.yaml',
      '--env',
      'ai',
      '--slot',
      '4',
      '--only-services',
      'api',
    ]);
    expect(res.stderr).not.toMatch(/^error/m);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/applied \d+ objects to shop-dev-4/);
    expect(h.server.store.get('Deployment', 'shop-dev-4', 'api')).toBeTruthy();
    expect(h.server.store.get('StatefulSet', 'shop-dev-4', 'postgres')).toBeFalsy();
  });

  it('doctor reports kubectl, the cluster and permissions', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const res = await cli(root, ['doctor', '-c', 'services.yaml', '--env', 'ai', '--slot', '1']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^ok\s+kubectl: .*client v1\.35/m);
    expect(res.stdout).toMatch(/^ok\s+cluster: reachable/m);
    expect(res.stdout).toMatch(/^ok\s+can create configmaps in codex-system: yes/m);
    const down = await runCli(['doctor', '-c', 'services.yaml', '--env', 'ai', '--slot', '1'], {
      cwd: root,
      env: { ...env(), KUBECONFIG: path.join(root, 'missing-kubeconfig') },
    });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/^FAIL\s+cluster: not reachable/m);
  });

  it('slots list shows records; slots release and destroy tear down', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const slot = await runAction(
      actionMain('ensure-slot'),
      { config: 'services.yaml', issue: '31' },
      { cwd: root, env: env() },
    );
    expect(slot.outputs.slot).toBe('1');
    const list = await cli(root, ['slots', 'list', '-c', 'services.yaml', '--env', 'ai']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^SLOT\s+ENV\s+NAMESPACE\s+ISSUE/m);
    expect(list.stdout).toMatch(/^1\s+ai\s+shop-dev-1\s+#31/m);
    const applied = await cli(root, ['apply', '-c', 'services.yaml', '--env', 'ai', '--slot', '1', '--no-wait']);
    expect(applied.code).toBe(0);
    const release = await cli(root, ['slots', 'release', '-c', 'services.yaml', '--env', 'ai', '1']);
    expect(release.stdout).toBe('released slot 1\n');
    expect(h.server.store.get('Namespace', '', 'shop-dev-1')).toBeFalsy();
    expect((await cli(root, ['slots', 'list', '-c', 'services.yaml'])).stdout.trim().split('\n')).toHaveLength(1);
    await cli(root, ['apply', '-c', 'services.yaml', '--env', 'ai', '--slot', '5', '--no-wait']);
    const destroyed = await cli(root, ['destroy', '-c', 'services.yaml', '--env', 'ai', '--slot', '5']);
    expect(destroyed.code).toBe(0);
    expect(destroyed.stdout).toMatch(/^destroyed shop-dev-5/);
    expect(h.server.store.get('Namespace', '', 'shop-dev-5')).toBeFalsy();
  });

  it('destroy refuses a namespace that is not ours (exit 1, one message); --force overrides, never for kube-*', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    await h.kubectl(['create', 'namespace', 'foreign-prod']);
    const destroy = (...extra: string[]) =>
      cli(root, ['destroy', '-c', 'services.yaml', '--env', 'ai', '--slot', '1', ...extra]);
    for (const dry of [[], ['--dry-run']]) {
      const refused = await destroy('--namespace', 'foreign-prod', ...dry);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim()).toBe(
        'error: namespace foreign-prod is not managed by codex-k8s for project shop: it has no label ' +
          'app.kubernetes.io/managed-by=codex-k8s and no slot record names it; pass --force to delete it anyway',
      );
      expect(h.server.store.get('Namespace', '', 'foreign-prod')).toBeTruthy();
    }
    for (const ns of ['kube-system', 'default']) {
      const res = await destroy('--namespace', ns, '--force');
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(new RegExp(`namespace ${ns} .*never deletes it, even with --force`));
      expect(res.stderr).not.toMatch(/\n\s+at /);
      expect(h.server.store.get('Namespace', '', ns)).toBeTruthy();
    }
    const forced = await destroy('--namespace', 'foreign-prod', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/--force overrides: namespace foreign-prod is not managed by codex-k8s/);
    expect(h.server.store.get('Namespace', '', 'foreign-prod')).toBeFalsy();
  });

  it('apply leaves no rendered stack in the temp directory; -o writes it 0600', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'cli-apply-tmp-'));
    try {
      const withTmp = { ...env(), TMPDIR: tmp };
      const args = ['apply', '-c', 'services.yaml', '--env', 'ai', '--slot', '2', '--no-wait'];
      for (const extra of [[], ['--dry-run']]) {
        const res = await runCli([...args, ...extra], { cwd: root, env: withTmp });
        expect(res.code).toBe(0);
        expect(readdirSync(tmp)).toEqual([]);
      }
      const out = path.join(root, 'stack.yaml');
      const res = await runCli([...args, '-o', out], { cwd: root, env: withTmp });
      expect(res.code).toBe(0);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(readFileSync(out, 'utf8')).toContain('kind: Secret');
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
