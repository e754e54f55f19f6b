import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../objects/object.js';
import { clusterObjectsOf, describeDestroy, destroySlot } from './destroy.js';
import { FakeRunner } from './fake-runner.js';
import { Kubectl } from './kubectl.js';
import type { ObjectRef } from '../objects/refs.js';
import { releaseUsage, usageKey, usersOf } from './usage.js';

const kubectlWith = (runner: FakeRunner) => new Kubectl(runner, { binary: 'kubectl' });
const role = (name: string): ObjectRef => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name });
const issuer = (name: string): ObjectRef => ({ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', name });
const live = (ref: ObjectRef, users: string[]): KubeObject => ({
  apiVersion: ref.apiVersion,
  kind: ref.kind,
  metadata: {
    name: ref.name,
    labels: { 'app.kubernetes.io/managed-by': 'codex-k8s', 'codex-k8s.io/project': 'shop' },
    annotations: Object.fromEntries(users.map((u) => [`used-by.codex-k8s.io/${u}`, u])),
  },
});
const list = (...items: KubeObject[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const noSleep = { sleep: async () => undefined };
const owner = { project: 'shop' };
/** Our namespace, as `get namespace -o json` shows it. */
const ownNamespace = (runner: FakeRunner) =>
  runner.on('get namespace shop-dev-1', {
    stdout: JSON.stringify({
      metadata: {
        name: 'shop-dev-1',
        labels: { 'app.kubernetes.io/managed-by': 'codex-k8s', 'codex-k8s.io/project': 'shop' },
      },
    }),
  });

describe('usage marks', () => {
  it('one annotation per slot namespace', () => {
    expect(usageKey('shop-dev-1')).toBe('used-by.codex-k8s.io/shop-dev-1');
    expect(() => usageKey('Bad_NS')).toThrow(/not a valid namespace name/);
    expect(usersOf(live(role('r'), ['b', 'a']))).toEqual(['a', 'b']);
    expect(usersOf({ metadata: { annotations: { other: 'x' } } })).toEqual([]);
  });

  it('release: delete what nobody else uses, unmark what others still use, skip what is gone', async () => {
    const runner = new FakeRunner().on('get -f -', {
      stdout: list(
        live(role('shared'), ['shop-dev-1', 'shop-dev-2']),
        live(role('mine'), ['shop-dev-1']),
        live(issuer('legacy'), []),
      ),
    });
    const refs = [role('shared'), role('mine'), issuer('legacy'), role('gone')];
    const r = await releaseUsage(kubectlWith(runner), refs, { namespace: 'shop-dev-1' });
    expect(r.kept).toEqual([{ ref: role('shared'), users: ['shop-dev-2'] }]);
    expect(r.deleted).toEqual([role('mine'), issuer('legacy')]);
    expect(r.absent).toEqual([role('gone')]);
    expect(r.problems).toEqual([]);
    expect(runner.commands).toEqual([
      'get -f - --ignore-not-found -o json',
      'annotate -f - used-by.codex-k8s.io/shop-dev-1-',
      'delete -f - --ignore-not-found --wait=false',
    ]);
    expect(runner.calls[1].options.input).toContain('"name":"shared"');
    expect(runner.calls[1].options.input).not.toContain('"name":"mine"');
    expect(runner.calls[2].options.input).toContain('"name":"mine"');
    expect(runner.calls[2].options.input).toContain('"name":"legacy"');
  });

  it('an object used only by others is not touched at all', async () => {
    const runner = new FakeRunner().on('get -f -', { stdout: list(live(role('theirs'), ['shop-dev-2'])) });
    const r = await releaseUsage(kubectlWith(runner), [role('theirs')], { namespace: 'shop-dev-1' });
    expect(r.kept).toEqual([{ ref: role('theirs'), users: ['shop-dev-2'] }]);
    expect(runner.calls).toHaveLength(1);
  });

  it('errors on one object do not stop the others, and are all reported', async () => {
    const runner = new FakeRunner()
      .on('get -f -', {
        code: 1,
        stdout: list(live(role('a'), []), live(role('b'), []), live(role('c'), ['shop-dev-1', 'x'])),
        stderr:
          'error: resource mapping not found for name: "le" namespace: "" from "STDIN": no matches for kind "ClusterIssuer" in version "cert-manager.io/v1"\nensure CRDs are installed first\n',
      })
      .on('annotate', {
        code: 1,
        stderr: 'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "c" is forbidden: no patch\n',
      })
      .on('delete', {
        code: 1,
        stdout: 'clusterrole.rbac.authorization.k8s.io "a" deleted\n',
        stderr:
          'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "b" is forbidden: User cannot delete\n',
      });
    const r = await releaseUsage(
      kubectlWith(runner),
      [role('a'), role('b'), role('c'), issuer('le')],
      { namespace: 'shop-dev-1' },
      { retry: noSleep },
    );
    expect(r.deleted).toEqual([role('a')]);
    expect(r.absent).toEqual([issuer('le')]);
    expect(r.problems.map((p) => [p.ref?.name, p.message])).toEqual([
      ['c', expect.stringMatching(/^cannot remove used-by.codex-k8s.io\/shop-dev-1: Error from server \(Forbidden\)/)],
      ['b', expect.stringMatching(/^cannot delete: Error from server \(Forbidden\): .* "b" is forbidden/)],
    ]);
  });

  it('dry run decides and changes nothing', async () => {
    const runner = new FakeRunner().on('get -f -', { stdout: list(live(role('mine'), ['shop-dev-1'])) });
    const r = await releaseUsage(kubectlWith(runner), [role('mine')], { namespace: 'shop-dev-1' }, { dryRun: true });
    expect(r.deleted).toEqual([role('mine')]);
    expect(runner.calls).toHaveLength(1);
  });

  it('an unreadable cluster decides nothing', async () => {
    const runner = new FakeRunner().on('get -f -', {
      code: 1,
      stderr: 'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io is forbidden: list\n',
    });
    const r = await releaseUsage(kubectlWith(runner), [role('x'), role('y')], { namespace: 'shop-dev-1' });
    expect(r.deleted).toEqual([]);
    expect(r.absent).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(runner.calls).toHaveLength(1);
  });
});

describe('destroySlot', () => {
  const stackDocs: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop-dev-1' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop-dev-1' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'mine' } },
  ];

  it('only the shared kinds of the stack are released; the slot namespace is deleted and awaited', async () => {
    expect(clusterObjectsOf(stackDocs, 'shop-dev-1')).toEqual([role('mine')]);
    const runner = ownNamespace(new FakeRunner())
      .on('delete namespace shop-dev-1', { stdout: 'namespace "shop-dev-1" deleted\n' })
      .on('get -f -', { stdout: list(live(role('mine'), ['shop-dev-1'])) });
    const r = await destroySlot(kubectlWith(runner), {
      namespace: 'shop-dev-1',
      owner,
      clusterObjects: stackDocs,
      namespaceTimeoutMs: 30_000,
    });
    expect(r.ok).toBe(true);
    expect(r.namespace).toMatchObject({ name: 'shop-dev-1', existed: true, gone: true });
    expect(runner.commands).toEqual([
      'get namespace shop-dev-1 --ignore-not-found -o json',
      'delete namespace shop-dev-1 --ignore-not-found --wait=false',
      'get -f - --ignore-not-found -o json',
      'delete -f - --ignore-not-found --wait=false',
      'wait --for=delete namespace/shop-dev-1 --timeout=30s',
    ]);
    expect(r.invocations).toBe(5);
    expect(describeDestroy(r)).toEqual([
      'namespace shop-dev-1: deleted',
      'deleted ClusterRole mine (no other slot uses it)',
    ]);
  });

  it('a namespace that does not end in time is reported, the shared objects are still released', async () => {
    const runner = ownNamespace(new FakeRunner())
      .on('delete namespace shop-dev-1', { stdout: 'namespace "shop-dev-1" deleted\n' })
      .on('get -f -', { stdout: list(live(role('mine'), [])) })
      .on('wait --for=delete', {
        code: 1,
        stderr: 'error: timed out waiting for the condition on namespaces/shop-dev-1\n',
      });
    const r = await destroySlot(kubectlWith(runner), {
      namespace: 'shop-dev-1',
      owner,
      clusterObjects: stackDocs,
      namespaceTimeoutMs: 2000,
    });
    expect(r.ok).toBe(false);
    expect(r.cluster.deleted).toEqual([role('mine')]);
    expect(r.problems).toEqual([
      {
        object: 'Namespace shop-dev-1',
        message: expect.stringMatching(/^still terminating after 2s; look for finalizers/),
      },
    ]);
  });

  it('an absent namespace is not awaited; a failed namespace delete does not stop the release', async () => {
    const runner = new FakeRunner().on('get -f -', { stdout: list() });
    const r = await destroySlot(kubectlWith(runner), { namespace: 'shop-dev-1', owner, clusterObjects: stackDocs });
    expect(r.ok).toBe(true);
    expect(r.namespace).toMatchObject({ name: 'shop-dev-1', existed: false, gone: true });
    // The ownership read finds nothing; the delete is still sent (--ignore-not-found) in case it appeared since.
    expect(runner.commands).toHaveLength(3);

    const failing = ownNamespace(new FakeRunner())
      .on('delete namespace shop-dev-1', {
        code: 1,
        stderr: 'Error from server (Forbidden): namespaces "shop-dev-1" is forbidden\n',
      })
      .on('get -f -', { stdout: list(live(role('mine'), [])) });
    const r2 = await destroySlot(kubectlWith(failing), {
      namespace: 'shop-dev-1',
      owner,
      clusterObjects: stackDocs,
      retry: noSleep,
    });
    expect(r2.ok).toBe(false);
    expect(r2.cluster.deleted).toEqual([role('mine')]);
    expect(r2.problems[0]).toEqual({ object: 'Namespace shop-dev-1', message: expect.stringContaining('forbidden') });
  });
});
