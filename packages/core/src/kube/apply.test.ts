import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../objects/object.js';
import {
  ApplyError,
  applyArgs,
  applyGroup,
  applyHint,
  applyStack,
  ensureNamespace,
  hoistNamespace,
  namespaceLabels,
  parseApplyOutput,
  sharedClusterObjects,
  type ApplyGroup,
} from './apply.js';
import { FakeRunner } from './fake-runner.js';
import { Kubectl } from './kubectl.js';
import { KubectlError } from './errors.js';

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

describe('applyStack: hooks, namespace, marks', () => {
  const transientApply = { code: 1, stderr: 'Error from server (InternalError): injected failure\n' };

  it('the hook before services runs once, after the infra groups and before the first service group', async () => {
    const runner = new FakeRunner();
    const order: string[] = [];
    const groups: ApplyGroup[] = [
      { type: 'infra', name: 'db', documents: [cm('db')] },
      { type: 'service', name: 'api', documents: [cm('api')] },
      { type: 'service', name: 'web', documents: [cm('web')] },
    ];
    await applyStack(kubectlWith(runner), groups, {
      usage: false,
      beforeServices: async () => void order.push(`hook after ${runner.calls.length} calls`),
      onEvent: (e) => e.type === 'group' && order.push(e.group.name),
    });
    expect(order).toEqual(['db', 'hook after 1 calls', 'api', 'web']);
  });

  it('the hook runs at the end when there is no service group, never in a dry run, not after a failure', async () => {
    let runs = 0;
    const beforeServices = async () => void runs++;
    await applyStack(kubectlWith(new FakeRunner()), [stack()[0]], { usage: false, beforeServices });
    expect(runs).toBe(1);
    await applyStack(kubectlWith(new FakeRunner()), stack(), { usage: false, dryRun: true, beforeServices });
    expect(runs).toBe(1);
    const failing = new FakeRunner().on('apply', { code: 1, stderr: 'Error from server (Forbidden): nope\n' });
    await expect(applyStack(kubectlWith(failing), [stack()[0]], { usage: false, beforeServices })).rejects.toThrow(
      ApplyError,
    );
    expect(runs).toBe(1);
  });

  it('a failing hook fails the apply and stops it before the services', async () => {
    const runner = new FakeRunner();
    const hookFails = async () => {
      throw new Error('copy failed');
    };
    await expect(applyStack(kubectlWith(runner), stack(), { usage: false, beforeServices: hookFails })).rejects.toThrow(
      'copy failed',
    );
    expect(runner.calls).toHaveLength(1);
    await expect(
      applyStack(kubectlWith(new FakeRunner()), [stack()[0]], { usage: false, beforeServices: hookFails }),
    ).rejects.toThrow('copy failed');
  });

  it('the namespace name is trimmed; ensureNamespace: false creates nothing; an env without slots has no slot label', async () => {
    const runner = new FakeRunner();
    const r = await applyStack(kubectlWith(runner), [stack()[2]], {
      namespace: ' shop-dev-1 ',
      namespaceLabels: namespaceLabels('shop', 'staging', 0),
    });
    expect(r.namespace).toEqual({ name: 'shop-dev-1', outcome: 'created' });
    expect(JSON.parse(runner.calls[0].options.input!)).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'shop-dev-1',
        labels: {
          'app.kubernetes.io/managed-by': 'codex-k8s',
          'codex-k8s.io/project': 'shop',
          'codex-k8s.io/env': 'staging',
        },
      },
    });
    expect(r.marked).toEqual([]);

    const none = new FakeRunner();
    const r2 = await applyStack(kubectlWith(none), [stack()[2]], { namespace: 'shop-dev-1', ensureNamespace: false });
    expect(r2.namespace).toEqual({ name: 'shop-dev-1', outcome: 'skipped' });
    expect(none.commands.filter((c) => c.includes('create'))).toEqual([]);
  });

  it('a namespace that cannot be created fails the apply; only AlreadyExists counts as there', async () => {
    const runner = new FakeRunner().on('create', {
      code: 1,
      stderr: 'Error from server (Forbidden): namespaces is forbidden: User cannot create namespaces\n',
    });
    await expect(applyStack(kubectlWith(runner), stack(), { namespace: 'shop-dev-1', retry: noSleep })).rejects.toThrow(
      /RBAC/,
    );
    expect(runner.calls).toHaveLength(1);
  });

  it('timeouts reach every call (5 minutes by default); retries of the namespace are reported', async () => {
    const runner = new FakeRunner().on('create', transientApply, 1);
    const events: string[] = [];
    await applyStack(kubectlWith(runner), stack(), {
      namespace: 'shop-dev-1',
      retry: noSleep,
      timeoutMs: 4000,
      onEvent: (e) => events.push(e.type === 'retry' ? `retry ${e.what}` : e.type),
    });
    expect(runner.calls.map((c) => c.options.timeoutMs)).toEqual([4000, 4000, 4000, 4000, 4000]);
    expect(events).toEqual(['retry namespace shop-dev-1', 'namespace', 'group', 'group', 'group', 'usage']);

    const defaults = new FakeRunner();
    await applyStack(kubectlWith(defaults), stack(), { namespace: 'shop-dev-1' });
    expect(defaults.calls.map((c) => c.options.timeoutMs)).toEqual([300_000, 300_000, 300_000, undefined]);
  });

  it('invocations count only this apply', async () => {
    const kubectl = kubectlWith(new FakeRunner());
    await kubectl.run(['version']);
    const r = await applyStack(kubectl, [stack()[2]], { usage: false });
    expect(r.invocations).toBe(1);
  });

  it('ensureNamespace applies the stack manifest when given one, and creates a generated one otherwise', async () => {
    const runner = new FakeRunner();
    const manifest = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop-dev-1', labels: { a: 'b' } } };
    expect(await ensureNamespace(kubectlWith(runner), 'shop-dev-1', { manifest, timeoutMs: 1000 })).toBe('applied');
    expect(runner.commands[0]).toContain('apply --server-side --field-manager=codex-k8s');
    expect(runner.calls[0].options.input).toContain('name: shop-dev-1');
    expect(runner.calls[0].options.timeoutMs).toBe(1000);
  });

  it('ensureNamespace retries transient errors with the retry options and reports each retry', async () => {
    const runner = new FakeRunner().on('create', transientApply, 1);
    const seen: number[] = [];
    const slept: number[] = [];
    const outcome = await ensureNamespace(kubectlWith(runner), 'shop-dev-1', {
      retry: { sleep: async (ms) => void slept.push(ms), initialDelayMs: 7, onRetry: (_e, a) => seen.push(-a) },
      onRetry: (_e, attempt) => seen.push(attempt),
    });
    expect(outcome).toBe('created');
    expect(seen).toEqual([1]);
    expect(slept).toEqual([7]);
    const viaRetry: number[] = [];
    await ensureNamespace(kubectlWith(new FakeRunner().on('create', transientApply, 1)), 'shop-dev-1', {
      retry: { ...noSleep, onRetry: (_e, a) => viaRetry.push(a) },
    });
    expect(viaRetry).toEqual([1]);
  });

  it('a group retry is told to the retry options and to the events; without retry options it still retries', async () => {
    const runner = new FakeRunner().on('apply', transientApply, 1);
    const told: string[] = [];
    await applyGroup(kubectlWith(runner), stack()[2], {
      retry: { ...noSleep, onRetry: (_e, a) => told.push(`retry option ${a}`) },
      onEvent: (e) => e.type === 'retry' && told.push(`event ${e.what} ${e.attempt}`),
    });
    expect(told).toEqual(['retry option 1', 'event service api 1']);
    const plain = new FakeRunner().on('apply', transientApply, 1);
    const r = await applyGroup(kubectlWith(plain), stack()[2], { retry: { initialDelayMs: 1 } });
    expect(r.attempts).toBe(2);
    const bare = new FakeRunner().on('apply', transientApply, 1);
    expect((await applyGroup(kubectlWith(bare), stack()[2], { onEvent: () => undefined })).attempts).toBe(2);
  });

  it("an error that is not kubectl's is passed on as it is", async () => {
    const runner = new FakeRunner().on('apply', () => {
      throw new Error('spawn kubectl ENOENT');
    });
    await expect(applyGroup(kubectlWith(runner), stack()[2])).rejects.toThrow(/^spawn kubectl ENOENT$/);
  });

  it('hints follow the reasons', () => {
    const hint = (stderr: string, force = true) => applyHint(new KubectlError(['apply'], 1, stderr), force);
    expect(
      hint('Error from server (Forbidden): unable to create new content in namespace x because it is being terminated'),
    ).toMatch(/namespace is being deleted/);
    expect(
      hint('error: resource mapping not found for name: "x": no matches for kind "Foo" in version "a/v1"'),
    ).toMatch(/install its CRD first/);
    expect(hint('Error from server (Forbidden): nope')).toMatch(/RBAC/);
    expect(hint('Error from server (NotFound): namespaces "shop-dev-1" not found')).toMatch(/namespace does not exist/);
    expect(hint('Error from server (ServiceUnavailable): down')).toMatch(/kept failing/);
    expect(hint('Error from server (Conflict): conflict with "x"')).toBe('Another field manager owns these fields.');
  });

  it('a conflict under force (the default) is not answered with "set force-conflicts"', async () => {
    const runner = new FakeRunner().on('apply', {
      code: 1,
      stderr: 'error: Apply failed with 1 conflict: conflict with "helm" using v1: .data.a\n',
    });
    const err = (await applyGroup(kubectlWith(runner), stack()[2]).catch((e: unknown) => e)) as ApplyError;
    expect(err.message).toMatch(/Another field manager owns these fields\.$/);
  });

  it('only a core Namespace of that name is the slot namespace, wherever it is in the stack', () => {
    const groups: ApplyGroup[] = [
      {
        type: 'infra',
        name: 'first',
        documents: [
          nsDoc('shop-dev-1'),
          doc({ apiVersion: 'example.io/v1', kind: 'Namespace', metadata: { name: 'shop-dev-1' } }),
          clusterRole('shop-dev-1'),
        ],
      },
      { type: 'service', name: 'api', documents: [cm('api'), clusterRole('r')] },
      { type: 'service', name: 'web', documents: [clusterRole('r')] },
    ];
    const h = hoistNamespace(groups, 'shop-dev-1');
    expect(h.manifest).toBe(groups[0].documents[0].object);
    expect(h.groups[0].documents.map((d) => [d.object.apiVersion, d.object.kind])).toEqual([
      ['v1', 'Namespace'],
      ['example.io/v1', 'Namespace'],
      ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
    ]);
    expect(sharedClusterObjects(groups, 'shop-dev-1').map((r) => `${r.kind} ${r.name}`)).toEqual([
      'Namespace shop-dev-1',
      'ClusterRole shop-dev-1',
      'ClusterRole r',
    ]);
  });

  it('apply output with padding and several spaces', () => {
    expect(parseApplyOutput('  configmap/y   created  \nsee configmap/z configured\n')).toEqual([
      { resource: 'configmap/y', action: 'created' },
    ]);
  });

  it('the stack namespace is applied with the field manager asked for', async () => {
    const runner = new FakeRunner();
    await ensureNamespace(kubectlWith(runner), 'shop-dev-1', {
      manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop-dev-1' } },
      fieldManager: 'ci',
    });
    expect(runner.calls[0].args.slice(4)).toEqual([
      'apply',
      '--server-side',
      '--field-manager=ci',
      '--force-conflicts',
      '-f',
      '-',
    ]);
  });

  it('a namespace retry needs no event listener', async () => {
    const runner = new FakeRunner().on('create', transientApply, 1);
    const r = await applyStack(kubectlWith(runner), [stack()[2]], { namespace: 'shop-dev-1', retry: noSleep });
    expect(r.namespace?.outcome).toBe('created');
  });

  it('a skipped group lists no objects', async () => {
    const r = await applyStack(kubectlWith(new FakeRunner()), stack(), { dryRun: true });
    expect(r.groups.map((g) => g.objects)).toEqual([[], [], []]);
  });

  it('hints: Unauthorized is about credentials, another NotFound is not about the namespace, the rest has none', () => {
    const hint = (stderr: string) => applyHint(new KubectlError(['apply'], 1, stderr), true);
    expect(hint('error: You must be logged in to the server (Unauthorized)')).toBe('');
    expect(
      hint('Error from server (Unauthorized): the server has asked for the client to provide credentials'),
    ).toMatch(/RBAC/);
    expect(hint('Error from server (NotFound): deployments.apps "api" not found')).toBe('');
    expect(hint('error: unable to recognize "STDIN": something odd')).toBe('');
  });
});
