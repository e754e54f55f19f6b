import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../objects/object.js';
import {
  ApplyError,
  applyArgs,
  applyStack,
  hoistNamespace,
  namespaceLabels,
  parseApplyOutput,
  sharedClusterObjects,
  type ApplyGroup,
} from './apply.js';
import { FakeRunner } from './fake-runner.js';
import { Kubectl } from './kubectl.js';

const noSleep = { sleep: async () => undefined };
const kubectlWith = (runner: FakeRunner) =>
  new Kubectl(runner, { binary: '/bin/kubectl', kubeconfig: '/tmp/kc', cacheDir: '/tmp/cache' });

const doc = (object: KubeObject) => ({ object });
const cm = (name: string, ns = 'shop-dev-1', data: Record<string, string> = {}) =>
  doc({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data });
const secret = (name: string, value: string) =>
  doc({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'shop-dev-1' }, stringData: { TOKEN: value } });
const clusterRole = (name: string) =>
  doc({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [] });
const nsDoc = (name: string) => doc({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

const stack = (): ApplyGroup[] => [
  {
    type: 'infra',
    name: 'postgres',
    documents: [cm('pg'), secret('pg-pass', 's3cr3t-value'), clusterRole('pg-reader')],
  },
  { type: 'infra', name: 'empty', documents: [] },
  { type: 'service', name: 'api', documents: [cm('api'), cm('api-2')] },
];

describe('apply flags', () => {
  it('server-side apply with our field manager, force by default', () => {
    expect(applyArgs()).toEqual([
      'apply',
      '--server-side',
      '--field-manager=codex-k8s',
      '--force-conflicts',
      '-f',
      '-',
    ]);
    expect(applyArgs({ forceConflicts: false, fieldManager: 'x' })).toEqual([
      'apply',
      '--server-side',
      '--field-manager=x',
      '-f',
      '-',
    ]);
    expect(applyArgs({ dryRun: 'server' })).toContain('--dry-run=server');
  });

  it('parses kubectl apply output', () => {
    expect(parseApplyOutput('deployment.apps/api serverside-applied\nconfigmap/x unchanged\n\nWarning: y\n')).toEqual([
      { resource: 'deployment.apps/api', action: 'serverside-applied' },
      { resource: 'configmap/x', action: 'unchanged' },
    ]);
  });
});

describe('applyStack', () => {
  it('one call per non-empty group, documents on stdin only, namespace first, usage marks last', async () => {
    const runner = new FakeRunner();
    const kubectl = kubectlWith(runner);
    const result = await applyStack(kubectl, stack(), {
      namespace: 'shop-dev-1',
      namespaceLabels: namespaceLabels('shop', 'ai', 1),
      retry: noSleep,
    });
    for (const c of runner.calls) {
      expect(c.command).toBe('/bin/kubectl');
      expect(c.args.slice(0, 4)).toEqual(['--kubeconfig', '/tmp/kc', '--cache-dir', '/tmp/cache']);
    }
    expect(runner.calls.map((c) => c.args.slice(4).join(' '))).toEqual([
      'create --field-manager=codex-k8s -f -',
      'apply --server-side --field-manager=codex-k8s --force-conflicts -f -',
      'apply --server-side --field-manager=codex-k8s --force-conflicts -f -',
      'annotate --overwrite -f - used-by.codex-k8s.io/shop-dev-1=shop-dev-1',
    ]);
    expect(runner.calls[0].options.input).toContain('"codex-k8s.io/slot":"1"');
    for (const c of runner.calls) expect(c.args.join(' ')).not.toContain('s3cr3t');
    expect(runner.calls[1].options.input).toContain('s3cr3t-value');
    expect(runner.calls[1].options.input!.match(/^kind:/gm)).toHaveLength(3);
    expect(runner.calls[3].options.input).toContain('"name":"pg-reader"');
    expect(runner.calls[3].options.input).not.toContain('ConfigMap');
    expect(result.namespace).toEqual({ name: 'shop-dev-1', outcome: 'created' });
    expect(result.groups.map((g) => [g.name, g.skipped ?? 'applied'])).toEqual([
      ['postgres', 'applied'],
      ['empty', 'empty'],
      ['api', 'applied'],
    ]);
    expect(result.marked).toEqual([
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'pg-reader' },
    ]);
    expect(result.invocations).toBe(4);
    expect(kubectl.invocations).toBe(4);
  });

  it('an existing namespace is fine (AlreadyExists), and is left as it is', async () => {
    const runner = new FakeRunner().on('create', {
      code: 1,
      stderr: 'Error from server (AlreadyExists): error when creating "STDIN": namespaces "shop-dev-1" already exists',
    });
    const result = await applyStack(kubectlWith(runner), stack(), { namespace: 'shop-dev-1', usage: false });
    expect(result.namespace?.outcome).toBe('exists');
    expect(runner.calls).toHaveLength(3);
  });

  it("the stack's own Namespace goes first in the first call: no extra call", async () => {
    const groups: ApplyGroup[] = [
      { type: 'infra', name: 'empty', documents: [] },
      { type: 'infra', name: 'db', documents: [cm('db')] },
      { type: 'service', name: 'ns', documents: [cm('x'), nsDoc('shop-dev-1'), nsDoc('other')] },
    ];
    const h = hoistNamespace(groups, 'shop-dev-1');
    expect(h.manifest?.metadata?.name).toBe('shop-dev-1');
    expect(h.groups[1].documents.map((d) => d.object.metadata?.name)).toEqual(['shop-dev-1', 'db']);
    expect(h.groups[2].documents.map((d) => d.object.metadata?.name)).toEqual(['x', 'other']);
    expect(groups[2].documents).toHaveLength(3);

    const runner = new FakeRunner();
    const result = await applyStack(kubectlWith(runner), groups, { namespace: 'shop-dev-1' });
    expect(result.namespace?.outcome).toBe('in-stack');
    expect(runner.commands.filter((c) => c.includes('create'))).toEqual([]);
    expect(runner.calls[0].options.input).toMatch(
      /^apiVersion: v1\nkind: Namespace\nmetadata:\n {2}name: shop-dev-1\n/,
    );
    // The other Namespace is shared and cluster-scoped: marked; the slot's own is not.
    expect(sharedClusterObjects(h.groups, 'shop-dev-1').map((r) => r.name)).toEqual(['other']);
    expect(runner.commands.at(-1)).toContain('annotate --overwrite');
    expect(runner.calls).toHaveLength(3);
  });

  it('retries transient errors of a group, not refused requests', async () => {
    const runner = new FakeRunner().on(
      'apply',
      { code: 1, stderr: 'Error from server (InternalError): injected failure' },
      2,
    );
    const retries: number[] = [];
    const result = await applyStack(kubectlWith(runner), [stack()[2]], {
      retry: noSleep,
      onEvent: (e) => e.type === 'retry' && retries.push(e.attempt),
    });
    expect(result.groups[0].attempts).toBe(3);
    expect(retries).toEqual([1, 2]);
    expect(runner.calls).toHaveLength(3);

    const refused = new FakeRunner().on('apply', {
      code: 1,
      stderr: 'The ConfigMap "api" is invalid: data: Invalid value',
    });
    const err = await applyStack(kubectlWith(refused), stack(), { retry: noSleep }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplyError);
    expect((err as ApplyError).message).toMatch(
      /^apply of infra "postgres" failed:\n {2}The ConfigMap "api" is invalid/,
    );
    expect((err as ApplyError).message).toMatch(/Fix the manifest/);
    // Stops at the first failing group; what was applied before is still marked (here: nothing).
    expect(refused.calls).toHaveLength(1);
  });

  it('a conflict without force says how to take the fields over', async () => {
    const runner = new FakeRunner().on('apply', {
      code: 1,
      stderr:
        'error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.a\nPlease review the fields above',
    });
    const err = (await applyStack(kubectlWith(runner), [stack()[2]], { forceConflicts: false, retry: noSleep }).catch(
      (e: unknown) => e,
    )) as ApplyError;
    expect(runner.calls).toHaveLength(1);
    expect(runner.calls[0].args).not.toContain('--force-conflicts');
    expect(err.message).toMatch(/set force-conflicts: true/);
  });

  it('marks what was applied before a failing group, then fails', async () => {
    const runner = new FakeRunner().on((c) => c.args.includes('apply') && (c.options.input ?? '').includes('api-2'), {
      code: 1,
      stderr: 'Error from server (Forbidden): configmaps "api-2" is forbidden: nope',
    });
    const err = (await applyStack(kubectlWith(runner), stack(), { namespace: 'shop-dev-1', retry: noSleep }).catch(
      (e: unknown) => e,
    )) as ApplyError;
    expect(err.message).toMatch(/apply of service "api" failed/);
    expect(err.message).toMatch(/RBAC/);
    expect(runner.commands.at(-1)).toContain('annotate --overwrite -f - used-by.codex-k8s.io/shop-dev-1=shop-dev-1');
  });

  it('dry run sends nothing', async () => {
    const runner = new FakeRunner();
    const result = await applyStack(kubectlWith(runner), stack(), { namespace: 'shop-dev-1', dryRun: true });
    expect(runner.calls).toEqual([]);
    expect(result.dryRun).toBe(true);
    expect(result.namespace?.outcome).toBe('skipped');
    expect(result.groups.map((g) => g.skipped)).toEqual(['dry-run', 'empty', 'dry-run']);
  });
});
