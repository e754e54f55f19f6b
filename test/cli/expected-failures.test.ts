/**
 * Expected failures of the CLI (a bad flag, a failing hook, an object the API server refuses, an unreachable
 * cluster, a failed wait, the slot state, YAML limits) exit 1 with one message; no stack trace, no "internal error".
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { MANIFESTS, SERVICES_YAML, writeProject as writeProjectDir } from '../kube/project.js';
import { CLI, REPO_ROOT, runCli, type RunResult } from '../support/cli.js';

const TOOLS = path.resolve('.tools/bin');
const CONFIG = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai: {}\n',
);

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const writeProject = (files: Record<string, string>) => {
  const root = writeProjectDir(files);
  roots.push(root);
  return root;
};

function expectUserFailure(res: RunResult, message: RegExp): void {
  expect(res.stderr).not.toMatch(/internal error|^\s+at /m);
  expect(res.stderr).toMatch(/^error: /m);
  expect(res.stderr).toMatch(message);
  expect(res.code).toBe(1);
}

describe('expected failures of the CLI exit 1 with one message', () => {
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 50 });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
  });
  const apply = (root: string, ...more: string[]) =>
    runCli(['apply', '-c', 'services.yaml', '--env', 'ai', '--slot', '1', ...more], { cwd: root, env: env() });

  it('a bad --wait-timeout', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    expectUserFailure(await apply(root, '--wait-timeout', '5 minutes'), /invalid duration "5 minutes"/);
  });

  it('a failing hook', async () => {
    const root = writeProject({
      'services.yaml': CONFIG.replace(
        'services:\n',
        'hooks:\n  beforeAll:\n    - name: check\n      run: exit 3\nservices:\n',
      ),
      ...MANIFESTS,
    });
    expectUserFailure(await apply(root), /check.*failed: exit code 3/s);
  });

  it('an object the API server refuses', async () => {
    const root = writeProject({
      'services.yaml': CONFIG,
      ...MANIFESTS,
      'deploy/rbac.yaml':
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: Not_Valid\nrules: []\n',
    });
    expectUserFailure(await apply(root, '--only-infra', 'rbac'), /apply of infra "rbac" failed/);
  });

  it('an unreachable cluster', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const kubeconfig = path.join(root, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "http://127.0.0.1:1"}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user: {token: t}\n',
    );
    const res = await runCli(['apply', '-c', 'services.yaml', '--env', 'ai', '--slot', '1'], {
      cwd: root,
      env: { ...env(), KUBECONFIG: kubeconfig },
    });
    expectUserFailure(res, /kubectl .* failed|refused|unreachable/);
  });

  it('a workload that never becomes ready', async () => {
    const root = writeProject({
      'services.yaml': CONFIG,
      ...MANIFESTS,
      'services/api.yaml': MANIFESTS['services/api.yaml'].replace(
        'metadata:\n  name: api\n',
        'metadata:\n  name: api\n  annotations:\n    test.codex-k8s.io/behaviour: fail\n',
      ),
    });
    const res = await apply(root, '--only-services', 'api', '--wait-timeout', '20s');
    expectUserFailure(res, /not ready/);
    // The CLI has no job summary to point at.
    expect(res.stderr).not.toMatch(/job summary/);
  });

  it('slot state that cannot be read', async () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    h.server.setDenyList([]);
    h.server.failNext(20, 403, 'Forbidden', { path: '/configmaps' });
    const res = await runCli(['slots', 'list', '-c', 'services.yaml', '--env', 'ai'], { cwd: root, env: env() });
    expectUserFailure(res, /configmaps|forbidden/i);
  });

  it('a YAML alias bomb in services.yaml', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const p = String.fromCharCode(97 + i - 1);
      const c = String.fromCharCode(97 + i);
      levels.push(`${c}: &${c} [*${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}]`);
    }
    const root = writeProject({ 'services.yaml': `${CONFIG}x-bomb:\n  ${levels.join('\n  ')}\n`, ...MANIFESTS });
    const res = await runCli(['render', '-c', 'services.yaml', '--env', 'ai', '--slot', '1'], {
      cwd: root,
      env: env(),
    });
    expectUserFailure(res, /alias/i);
  });
});

describe('output that cannot be written', () => {
  const args = [CLI, 'render', '-c', 'examples/shop/services.yaml', '--env', 'ai', '--slot', '1'];

  it('a full disk: one message and exit 1, not a stack trace', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, args, {
        cwd: REPO_ROOT,
        stdio: ['ignore', full, 'pipe'],
        encoding: 'utf8',
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^error: cannot write the output: ENOSPC/m);
      expect(r.stderr).not.toMatch(/node:events|^\s+at /m);
    } finally {
      closeSync(full);
    }
  });

  it('a reader that stops early (| head -1) is no failure', () => {
    const r = spawnSync('sh', ['-c', '"$@" | head -c 1', 'sh', process.execPath, ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'a', '']);
  });
});
