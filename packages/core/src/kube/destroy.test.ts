import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../objects/object.js';
import { clusterObjectsOf, describeDestroy, destroySlot } from './destroy.js';
import { FakeRunner } from './fake-runner.js';
import { Kubectl } from './kubectl.js';
import type { ObjectRef } from '../objects/refs.js';
import { describeRelease, markUsage, releaseUsage, usageKey, usersOf } from './usage.js';
import type { RecordedCall } from './fake-runner.js';

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

/** The objects named on a `-f -` stdin, as kubectl reads them. */
const stdinObjects = (call: RecordedCall): KubeObject[] =>
  (call.options.input ?? '')
    .split('\n---\n')
    .filter((s) => s.trim())
    .map((s) => JSON.parse(s) as KubeObject);
const sameObject = (a: KubeObject, b: KubeObject) =>
  a.apiVersion === b.apiVersion && a.kind === b.kind && a.metadata?.name === b.metadata?.name;
/**
 * Answers `get -f - --ignore-not-found -o json` as kubectl does: only the objects named on stdin that exist, one
 * bare object when a single one is found (kubectl prints no List then).
 */
const cluster =
  (...objects: KubeObject[]) =>
  (call: RecordedCall) => {
    const wanted = stdinObjects(call);
    if (wanted.length === 0) return { code: 1, stderr: 'error: no objects passed to get\n' };
    const found = objects.filter((o) => wanted.some((w) => sameObject(w, o)));
    return { stdout: found.length === 1 ? JSON.stringify(found[0]) : found.length ? list(...found) : '' };
  };
const foreignRole = (name: string): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'helm' } },
});
const transient = {
  code: 1,
  stderr: 'Unable to connect to the server: dial tcp 10.0.0.1:6443: connect: connection refused\n',
};

describe('usage marks: names, reads and kubectl calls', () => {
  it('the key is a DNS label of at most 63 characters', () => {
    expect(usageKey('a')).toBe('used-by.codex-k8s.io/a');
    expect(usageKey('x'.repeat(63))).toBe(`used-by.codex-k8s.io/${'x'.repeat(63)}`);
    for (const bad of ['x'.repeat(64), 'Shop-dev-1', 'shop-dev-1_', 'shop-', '-shop', 'shop.dev'])
      expect(() => usageKey(bad)).toThrow(/not a valid namespace name/);
  });

  it('an object without annotations has no users', () => {
    expect(usersOf({ apiVersion: 'v1', kind: 'ClusterRole', metadata: { name: 'r' } })).toEqual([]);
    expect(usersOf({ apiVersion: 'v1', kind: 'ClusterRole' })).toEqual([]);
  });

  it('marking and releasing nothing asks kubectl nothing (kubectl refuses an empty -f -)', async () => {
    const runner = new FakeRunner().on('get -f -', cluster());
    await markUsage(kubectlWith(runner), [], { namespace: 'shop-dev-1' });
    const r = await releaseUsage(kubectlWith(runner), [], { namespace: 'shop-dev-1' });
    expect(r).toEqual({ deleted: [], kept: [], absent: [], foreign: [], problems: [] });
    expect(runner.calls).toHaveLength(0);
  });

  it('marking sends the objects on stdin, the trimmed description as the value, and the timeout', async () => {
    const runner = new FakeRunner();
    await markUsage(
      kubectlWith(runner),
      [role('r')],
      { namespace: 'shop-dev-1', description: ' shop/dev/1 ' },
      { timeoutMs: 7000 },
    );
    expect(runner.commands).toEqual(['annotate --overwrite -f - used-by.codex-k8s.io/shop-dev-1=shop/dev/1']);
    expect(stdinObjects(runner.calls[0])).toEqual([
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } },
    ]);
    expect(runner.calls[0].options.timeoutMs).toBe(7000);
  });

  it('the read names the objects on stdin; every call gets the timeout; a single object comes back bare', async () => {
    const runner = new FakeRunner().on('get -f -', cluster(live(role('mine'), ['shop-dev-1'])));
    const r = await releaseUsage(
      kubectlWith(runner),
      [role('mine'), role('gone')],
      { namespace: 'shop-dev-1' },
      { timeoutMs: 9000 },
    );
    expect(r.deleted).toEqual([role('mine')]);
    expect(r.absent).toEqual([role('gone')]);
    expect(runner.commands).toEqual([
      'get -f - --ignore-not-found -o json',
      'delete -f - --ignore-not-found --wait=false',
    ]);
    expect(stdinObjects(runner.calls[0]).map((o) => o.metadata?.name)).toEqual(['mine', 'gone']);
    expect(stdinObjects(runner.calls[1]).map((o) => o.metadata?.name)).toEqual(['mine']);
    expect(runner.calls.map((c) => c.options.timeoutMs)).toEqual([9000, 9000]);
  });

  it('unmarking gets the timeout too', async () => {
    const runner = new FakeRunner().on('get -f -', cluster(live(role('shared'), ['shop-dev-1', 'shop-dev-2'])));
    await releaseUsage(kubectlWith(runner), [role('shared')], { namespace: 'shop-dev-1' }, { timeoutMs: 9000 });
    expect(runner.commands[1]).toBe('annotate -f - used-by.codex-k8s.io/shop-dev-1-');
    expect(runner.calls.map((c) => c.options.timeoutMs)).toEqual([9000, 9000]);
  });

  it('an unused object without our labels for the project is left alone, and only unmarked', async () => {
    const theirs = foreignRole('theirs');
    const marked = {
      ...foreignRole('marked'),
      metadata: { ...foreignRole('marked').metadata, annotations: { 'used-by.codex-k8s.io/shop-dev-1': 'x' } },
    };
    const runner = new FakeRunner().on('get -f -', cluster(theirs, marked, live(role('mine'), [])));
    const r = await releaseUsage(
      kubectlWith(runner),
      [role('theirs'), role('marked'), role('mine')],
      { namespace: 'shop-dev-1' },
      { project: 'shop' },
    );
    expect(r.foreign).toEqual([
      { ref: role('theirs'), reason: 'its label app.kubernetes.io/managed-by is helm, not codex-k8s' },
      { ref: role('marked'), reason: 'its label app.kubernetes.io/managed-by is helm, not codex-k8s' },
    ]);
    expect(r.deleted).toEqual([role('mine')]);
    expect(runner.commands).toEqual([
      'get -f - --ignore-not-found -o json',
      'annotate -f - used-by.codex-k8s.io/shop-dev-1-',
      'delete -f - --ignore-not-found --wait=false',
    ]);
    expect(stdinObjects(runner.calls[1]).map((o) => o.metadata?.name)).toEqual(['marked']);
    expect(stdinObjects(runner.calls[2]).map((o) => o.metadata?.name)).toEqual(['mine']);
    expect(describeRelease(r)).toEqual([
      'deleted ClusterRole mine (no other slot uses it)',
      'kept ClusterRole theirs: not managed by codex-k8s for this project (its label app.kubernetes.io/managed-by is helm, not codex-k8s)',
      'kept ClusterRole marked: not managed by codex-k8s for this project (its label app.kubernetes.io/managed-by is helm, not codex-k8s)',
    ]);
  });

  it('a transient read error is retried', async () => {
    const runner = new FakeRunner().on('get -f -', transient, 1).on('get -f -', cluster(live(role('mine'), [])));
    const r = await releaseUsage(kubectlWith(runner), [role('mine')], { namespace: 'shop-dev-1' }, { retry: noSleep });
    expect(r.problems).toEqual([]);
    expect(r.deleted).toEqual([role('mine')]);
    expect(runner.commands.filter((c) => c.startsWith('get'))).toHaveLength(2);
  });

  it('a read that keeps failing without an error line decides nothing and says so', async () => {
    const runner = new FakeRunner().on('get -f -', transient);
    const r = await releaseUsage(
      kubectlWith(runner),
      [role('a'), role('b')],
      { namespace: 'shop-dev-1' },
      { retry: { ...noSleep, attempts: 2 } },
    );
    expect(r.deleted).toEqual([]);
    expect(r.absent).toEqual([]);
    expect(r.problems).toEqual([
      { message: expect.stringMatching(/^cannot read the cluster-scoped objects: .*connection refused/) },
    ]);
    expect(runner.calls).toHaveLength(2);
  });

  it('a read that keeps failing with a server error decides nothing: no object is taken for absent', async () => {
    const runner = new FakeRunner().on('get -f -', {
      code: 1,
      stderr: 'Error from server (ServiceUnavailable): the server is currently unable to handle the request\n',
    });
    const r = await releaseUsage(
      kubectlWith(runner),
      [role('a'), role('b')],
      { namespace: 'shop-dev-1' },
      { retry: { ...noSleep, attempts: 2 } },
    );
    expect(r.absent).toEqual([]);
    expect(r.deleted).toEqual([]);
    expect(r.problems).toEqual([
      {
        message:
          'cannot read: Error from server (ServiceUnavailable): the server is currently unable to handle the request',
      },
    ]);
    expect(runner.calls).toHaveLength(2);
  });

  it('a read error on one object leaves that one undecided, the others are decided', async () => {
    const runner = new FakeRunner().on('get -f -', (call) => ({
      ...cluster(live(role('a'), []), live(issuer('b'), []))(call),
      code: 1,
      stderr: 'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "c" is forbidden: no get\n',
    }));
    const r = await releaseUsage(kubectlWith(runner), [role('a'), issuer('b'), role('c'), role('gone')], {
      namespace: 'shop-dev-1',
    });
    expect(r.deleted).toEqual([role('a'), issuer('b')]);
    expect(r.absent).toEqual([role('gone')]);
    expect(r.problems).toEqual([
      {
        ref: role('c'),
        message:
          'cannot read: Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "c" is forbidden: no get',
      },
    ]);
    expect(describeRelease(r).slice(-1)).toEqual([`ClusterRole c: ${r.problems[0].message}`]);
  });

  it('an error naming an object is pinned on the object of that kind, not on another kind of the same name', async () => {
    const runner = new FakeRunner().on('get -f -', cluster(live(role('x'), []), live(issuer('x'), []))).on('delete', {
      code: 1,
      stdout: 'clusterissuer.cert-manager.io "x" deleted\n',
      stderr: 'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "x" is forbidden: no delete\n',
    });
    const r = await releaseUsage(kubectlWith(runner), [role('x'), issuer('x')], { namespace: 'shop-dev-1' });
    expect(r.deleted).toEqual([issuer('x')]);
    expect(r.problems.map((p) => p.ref)).toEqual([role('x')]);
  });

  it('an error about a ClusterRoleBinding is not pinned on the ClusterRole of the same name', async () => {
    const binding: ObjectRef = { ...role('x'), kind: 'ClusterRoleBinding' };
    const runner = new FakeRunner().on('get -f -', (call) => ({
      ...cluster(live(role('x'), []), live(binding, []))(call),
      code: 1,
      stderr: 'Error from server (Forbidden): clusterrolebindings.rbac.authorization.k8s.io "x" is forbidden: no get\n',
    }));
    const r = await releaseUsage(kubectlWith(runner), [role('x'), binding], { namespace: 'shop-dev-1' });
    expect(r.deleted).toEqual([role('x')]);
    expect(r.problems.map((p) => p.ref)).toEqual([binding]);
  });

  it("an error about one group's kind is not pinned on another group's kind of the same name", async () => {
    const other: ObjectRef = { ...issuer('x'), apiVersion: 'issuers.example.io/v1' };
    const runner = new FakeRunner().on('get -f -', cluster(live(issuer('x'), []), live(other, []))).on('delete', {
      code: 1,
      stdout: 'clusterissuer.cert-manager.io "x" deleted\n',
      stderr: 'Error from server (Forbidden): clusterissuers.issuers.example.io "x" is forbidden: no delete\n',
    });
    const r = await releaseUsage(kubectlWith(runner), [issuer('x'), other], { namespace: 'shop-dev-1' });
    expect(r.deleted).toEqual([issuer('x')]);
    expect(r.problems.map((p) => p.ref)).toEqual([other]);
  });

  it('kubectl\'s other spellings of an object are pinned on it: `The <Kind> "<name>" is invalid`, plurals in -ies', async () => {
    const policy: ObjectRef = { apiVersion: 'policy.example.io/v1', kind: 'ClusterPolicy', name: 'p' };
    const runner = new FakeRunner().on('get -f -', cluster(live(role('a'), []), live(policy, []))).on('delete', {
      code: 1,
      stderr:
        'The ClusterRole "a" is invalid: metadata.finalizers: Forbidden\n' +
        'Error from server (Forbidden): clusterpolicies.policy.example.io "p" is forbidden: no delete\n',
    });
    const r = await releaseUsage(kubectlWith(runner), [role('a'), policy], { namespace: 'shop-dev-1' });
    expect(r.deleted).toEqual([]);
    expect(r.problems.map((p) => p.ref)).toEqual([role('a'), policy]);
  });

  it('only lines that start as errors are problems; a warning that mentions an object and the word error is not', async () => {
    const runner = new FakeRunner().on('get -f -', cluster(live(role('a'), []), live(role('b'), []))).on('delete', {
      code: 1,
      stdout: 'clusterrole.rbac.authorization.k8s.io "b" deleted\n',
      stderr:
        'Warning: clusterrole.rbac.authorization.k8s.io "b" had an error in its aggregation rule\n' +
        'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "a" is forbidden: no delete  \r\n',
    });
    const r = await releaseUsage(kubectlWith(runner), [role('a'), role('b')], { namespace: 'shop-dev-1' });
    expect(r.deleted).toEqual([role('b')]);
    expect(r.problems).toEqual([
      {
        ref: role('a'),
        message:
          'cannot delete: Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "a" is forbidden: no delete',
      },
    ]);
  });

  it('a delete cut off by its time limit or by cancellation says so, is not retried, and deletes nothing in the result', async () => {
    for (const cut of [{ timedOut: true }, { aborted: true }]) {
      const runner = new FakeRunner()
        .on('get -f -', cluster(live(role('a'), [])))
        .on('delete', { code: 137, stderr: '', ...cut });
      const r = await releaseUsage(kubectlWith(runner), [role('a')], { namespace: 'shop-dev-1' }, { retry: noSleep });
      expect(r.deleted).toEqual([]);
      expect(r.problems).toEqual([{ message: 'cannot delete: kubectl delete timed out: exit code 137' }]);
      expect(runner.commands.filter((c) => c.startsWith('delete'))).toHaveLength(1);
    }
  });

  it('the read failing for good is described with the call that failed', async () => {
    const runner = new FakeRunner().on('get -f -', { code: 1, stderr: 'something went wrong\n' });
    const r = await releaseUsage(kubectlWith(runner), [role('a')], { namespace: 'shop-dev-1' }, { retry: noSleep });
    expect(r.problems).toEqual([
      { message: 'cannot read the cluster-scoped objects: kubectl get -f failed: something went wrong' },
    ]);
  });

  it('a delete error naming no object: only what kubectl said it deleted counts, the error is reported', async () => {
    const runner = new FakeRunner().on('get -f -', cluster(live(role('a'), []), live(role('b'), []))).on('delete', {
      code: 1,
      stdout: 'clusterrole.rbac.authorization.k8s.io "a" deleted\n',
      stderr: 'error: the server could not finish the request\n',
    });
    const r = await releaseUsage(kubectlWith(runner), [role('a'), role('b')], { namespace: 'shop-dev-1' });
    expect(r.deleted).toEqual([role('a')]);
    expect(r.problems).toEqual([{ message: 'cannot delete: error: the server could not finish the request' }]);
    expect(describeRelease(r)).toEqual([
      'deleted ClusterRole a (no other slot uses it)',
      'cannot delete: error: the server could not finish the request',
    ]);
  });

  it('a delete that fails without an error line deletes nothing in the result, and is reported', async () => {
    const runner = new FakeRunner().on('get -f -', cluster(live(role('a'), []))).on('delete', transient);
    const r = await releaseUsage(
      kubectlWith(runner),
      [role('a')],
      { namespace: 'shop-dev-1' },
      { retry: { ...noSleep, attempts: 2 } },
    );
    expect(r.deleted).toEqual([]);
    expect(r.problems).toEqual([{ message: expect.stringMatching(/^cannot delete: .*connection refused/) }]);
    expect(runner.commands.filter((c) => c.startsWith('delete'))).toHaveLength(2);
  });

  it('kept objects are described with their other users', () => {
    expect(
      describeRelease({
        deleted: [],
        kept: [{ ref: role('r'), users: ['a', 'b'] }],
        absent: [],
        foreign: [],
        problems: [],
      }),
    ).toEqual(['kept ClusterRole r: still used by a, b']);
  });
});

describe('usage marks: a failed call never passes for a deletion or an absence', () => {
  const binding = (name: string): ObjectRef => ({ ...role(name), kind: 'ClusterRoleBinding' });
  const gateway: ObjectRef = { apiVersion: 'kuma.io/v1alpha1', kind: 'MeshGateway', name: 'edge' };
  const user = { namespace: 'shop-dev-1' };
  /** A delete of all of `refs` that fails with `stderr`, kubectl confirming what `stdout` says. */
  const del = (refs: ObjectRef[], stderr: string, stdout = '') => {
    const runner = new FakeRunner()
      .on('get -f -', cluster(...refs.map((r) => live(r, []))))
      .on('delete', { code: 1, stdout, stderr });
    return releaseUsage(kubectlWith(runner), refs, user, { retry: noSleep });
  };
  /** A read of `refs` that returns `found` and fails with `stderr`. */
  const read = (refs: ObjectRef[], found: ObjectRef[], stderr: string) => {
    const runner = new FakeRunner().on('get -f -', (call) => ({
      ...cluster(...found.map((r) => live(r, [])))(call),
      code: 1,
      stderr,
    }));
    return releaseUsage(kubectlWith(runner), refs, user, { dryRun: true, retry: noSleep });
  };

  it('a name with capitals is matched as written', async () => {
    const forbidden =
      'Error from server (Forbidden): error when deleting "STDIN": clusterroles.rbac.authorization.k8s.io "Admin" is forbidden: User "u" cannot delete\n';
    const r = await del(
      [role('Admin'), binding('Admin')],
      forbidden,
      'clusterrolebinding.rbac.authorization.k8s.io "Admin" deleted\n',
    );
    expect(r.deleted).toEqual([binding('Admin')]);
    expect(r.problems.map((p) => p.ref)).toEqual([role('Admin')]);
    const unread = await read(
      [role('Admin'), role('b')],
      [role('b')],
      'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "Admin" is forbidden: User "u" cannot get\n',
    );
    expect(unread.absent).toEqual([]);
    expect(unread.deleted).toEqual([role('b')]);
  });

  it('a confirmation is of that name exactly: `admin` deleted does not confirm `Admin`', async () => {
    const r = await del(
      [role('Admin'), role('admin')],
      'Error from server (InternalError): error when deleting "STDIN": etcdserver: request timed out\n',
      'clusterrole.rbac.authorization.k8s.io "admin" deleted\n',
    );
    expect(r.deleted).toEqual([role('admin')]);
  });

  it('a kind ending in a vowel and y (plural -ys) is matched', async () => {
    const r = await del(
      [gateway, role('edge')],
      'Error from server (Forbidden): error when deleting "STDIN": meshgateways.kuma.io "edge" is forbidden: no delete\n',
      'clusterrole.rbac.authorization.k8s.io "edge" deleted\n',
    );
    expect(r.deleted).toEqual([role('edge')]);
    const unread = await read(
      [gateway, role('b')],
      [role('b')],
      'Error from server (Forbidden): meshgateways.kuma.io "edge" is forbidden: User "u" cannot get\n',
    );
    expect(unread.absent).toEqual([]);
  });

  it('"is invalid" with a list of causes, or with none, is a failure of that object', async () => {
    for (const stderr of [
      'The ClusterRole "x" is invalid: \n* metadata.finalizers[0]: Invalid value: "a": x\n* metadata.finalizers[1]: Invalid value: "b": y\n',
      'The ClusterRole "x" is invalid\n',
    ]) {
      const r = await del(
        [role('x'), binding('x')],
        stderr,
        'clusterrolebinding.rbac.authorization.k8s.io "x" deleted\n',
      );
      expect(r.deleted).toEqual([binding('x')]);
      expect(r.problems.map((p) => p.ref)).toEqual([role('x')]);
    }
  });

  it('an error naming no object: the object of the same name but another kind does not confirm the deletion', async () => {
    const r = await del(
      [role('x'), binding('x')],
      'Error from server (Forbidden): error when deleting "STDIN": admission webhook "validate.example.io" denied the request: protected\n',
      'clusterrolebinding.rbac.authorization.k8s.io "x" deleted\n',
    );
    expect(r.deleted).toEqual([binding('x')]);
  });

  it("an error pinned through a webhook's own text on another object: only confirmed deletions count", async () => {
    const r = await del(
      [binding('c'), role('b')],
      'Error from server (Forbidden): error when deleting "STDIN": admission webhook "validation.gatekeeper.sh" denied the request: [keep-rbac] clusterrole "b" is still bound\n',
      'clusterrole.rbac.authorization.k8s.io "b" deleted\n',
    );
    expect(r.deleted).not.toContainEqual(binding('c'));
  });

  it('a read error pinned on one object, with nothing read: the others are undecided too', async () => {
    const r = await read(
      [role('a'), role('b')],
      [],
      'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "b" is forbidden: no get\n',
    );
    expect(r.absent).toEqual([]);
    expect(r.deleted).toEqual([]);
  });

  it('klog lines, CRLF endings and the causes under "is invalid" do not make missing objects undecided', async () => {
    const r = await read(
      [role('a'), role('b'), role('gone')],
      [role('a')],
      'W1206 10:00:00.000000   12345 warnings.go:70] rbac.authorization.k8s.io/v1beta1 is deprecated\r\n' +
        'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "b" is forbidden: no get\r\n',
    );
    expect(r.absent).toEqual([role('gone')]);
    expect(r.problems.map((p) => p.ref)).toEqual([role('b')]);
  });

  it('a kind the cluster no longer serves, on delete: the mapping error is pinned on that object', async () => {
    const r = await del(
      [issuer('i'), role('a')],
      'error: resource mapping not found for name: "i" namespace: "" from "STDIN": no matches for kind "ClusterIssuer" in version "cert-manager.io/v1"\n',
      'clusterrole.rbac.authorization.k8s.io "a" deleted\n',
    );
    expect(r.deleted).toEqual([role('a')]);
    expect(r.problems.map((p) => p.ref)).toEqual([issuer('i')]);
  });

  it('a delete that fails with something other than kubectl (a bug) is passed on as it is', async () => {
    const bug = new TypeError('runner broke');
    const runner = new FakeRunner().on('get -f -', cluster(live(role('a'), []))).on('delete', () => {
      throw bug;
    });
    await expect(releaseUsage(kubectlWith(runner), [role('a')], user, { retry: noSleep })).rejects.toBe(bug);
  });

  it('a read failure no line pins on an object: what is missing from the output is undecided, not absent', async () => {
    const lost = await read(
      [issuer('i'), role('a')],
      [],
      'error: resource mapping not found for name: "i" namespace: "" from "STDIN": no matches for kind "ClusterIssuer" in version "cert-manager.io/v1"\n' +
        'ensure CRDs are installed first\nUnable to connect to the server: http2: client connection lost\n',
    );
    expect(lost.absent).toEqual([]);
    expect(lost.problems.map((p) => p.message)).toContain(
      'cannot read: Unable to connect to the server: http2: client connection lost',
    );
    const webhook = await read(
      [role('a'), role('b'), issuer('c')],
      [role('a')],
      'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "b" is forbidden: no get\n' +
        'Error from server: conversion webhook for cert-manager.io/v1, Kind=ClusterIssuer failed: Post "https://cert-manager-webhook.cert-manager.svc:443/convert?timeout=30s": service "cert-manager-webhook" not found\n',
    );
    expect(webhook.absent).toEqual([]);
    expect(webhook.deleted).toEqual([role('a')]);
  });
});

describe('destroySlot: what is deleted, what is waited for', () => {
  const ownNs = (runner: FakeRunner, labels: Record<string, string> = { ...OUR_LABELS }) =>
    runner.on('get namespace shop-dev-1', { stdout: JSON.stringify({ metadata: { name: 'shop-dev-1', labels } }) });
  const OUR_LABELS = { 'app.kubernetes.io/managed-by': 'codex-k8s', 'codex-k8s.io/project': 'shop' };

  it('the shared objects: refs and cluster-scoped documents, once each, other namespaces kept, the slot one not', () => {
    const docs: (KubeObject | ObjectRef)[] = [
      role('by-ref'),
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', namespace: 'shop-dev-1' },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop-dev-1' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop-shared' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'shop-dev-1' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'mine' } },
      role('mine'),
      issuer('mine'),
      role('by-ref'),
    ];
    expect(clusterObjectsOf(docs, 'shop-dev-1')).toEqual([
      role('by-ref'),
      { apiVersion: 'v1', kind: 'Namespace', name: 'shop-shared' },
      role('shop-dev-1'),
      role('mine'),
      issuer('mine'),
    ]);
  });

  it('a namespace that is not ours stops everything: nothing deleted, nothing released', async () => {
    const runner = ownNs(new FakeRunner(), { 'app.kubernetes.io/managed-by': 'helm' }).on(
      'get -f -',
      cluster(live(role('mine'), [])),
    );
    const r = await destroySlot(kubectlWith(runner), {
      namespace: 'shop-dev-1',
      owner,
      clusterObjects: [role('mine')],
    });
    expect(r.ok).toBe(false);
    expect(r.namespace.refused).toBe(true);
    expect(r.cluster).toEqual({ deleted: [], kept: [], absent: [], foreign: [], problems: [] });
    expect(r.problems).toEqual([
      { object: 'Namespace shop-dev-1', message: expect.stringMatching(/^namespace shop-dev-1 is not managed by/) },
    ]);
    expect(runner.commands).toEqual(['get namespace shop-dev-1 --ignore-not-found -o json']);
    expect(describeDestroy(r)).toEqual([`namespace shop-dev-1: refused: ${r.namespace.ownership?.reason}`]);
  });

  it('a namespace whose owner cannot be read stops everything too', async () => {
    const runner = new FakeRunner().on('get namespace shop-dev-1', {
      code: 1,
      stderr: 'Error from server (Forbidden): namespaces "shop-dev-1" is forbidden\n',
    });
    const r = await destroySlot(kubectlWith(runner), { namespace: 'shop-dev-1', owner, clusterObjects: [role('x')] });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      { object: 'Namespace shop-dev-1', message: expect.stringMatching(/cannot read namespace/) },
    ]);
    expect(runner.calls).toHaveLength(1);
    // Nothing was done: nothing to describe (the problem is reported on its own), and no claim of a deletion.
    expect(describeDestroy(r)).toEqual([]);
  });

  it('every call gets the timeout; the wait gets its own limit with room for kubectl to report', async () => {
    const runner = ownNs(new FakeRunner())
      .on('delete namespace shop-dev-1', { stdout: 'namespace "shop-dev-1" deleted\n' })
      .on('get -f -', cluster(live(role('mine'), [])));
    await destroySlot(kubectlWith(runner), {
      namespace: 'shop-dev-1',
      owner,
      clusterObjects: [role('mine')],
      timeoutMs: 5000,
      namespaceTimeoutMs: 60_000,
    });
    expect(runner.calls.map((c) => [c.args[0], c.options.timeoutMs])).toEqual([
      ['get', 5000],
      ['delete', 5000],
      ['get', 5000],
      ['delete', 5000],
      ['wait', 90_000],
    ]);
    const defaults = ownNs(new FakeRunner()).on('delete namespace shop-dev-1', {
      stdout: 'namespace "shop-dev-1" deleted\n',
    });
    await destroySlot(kubectlWith(defaults), { namespace: 'shop-dev-1', owner });
    expect(defaults.calls.map((c) => [c.args.join(' '), c.options.timeoutMs])).toEqual([
      ['get namespace shop-dev-1 --ignore-not-found -o json', 60_000],
      ['delete namespace shop-dev-1 --ignore-not-found --wait=false', 60_000],
      ['wait --for=delete namespace/shop-dev-1 --timeout=300s', 330_000],
    ]);
  });

  it('the retry options reach the ownership read and the delete', async () => {
    const runner = ownNs(new FakeRunner().on('get namespace shop-dev-1', transient, 1))
      .on('delete namespace shop-dev-1', transient, 1)
      .on('delete namespace shop-dev-1', { stdout: 'namespace "shop-dev-1" deleted\n' });
    const slept: number[] = [];
    const r = await destroySlot(kubectlWith(runner), {
      namespace: 'shop-dev-1',
      owner,
      namespaceTimeoutMs: 0,
      retry: { sleep: async (ms) => void slept.push(ms), initialDelayMs: 3 },
    });
    expect(r.ok).toBe(true);
    expect(slept).toEqual([3, 3]);
  });

  it('dry run: reads, deletes nothing, waits for nothing', async () => {
    const runner = ownNs(new FakeRunner()).on('get -f -', cluster(live(role('mine'), [])));
    const r = await destroySlot(kubectlWith(runner), {
      namespace: 'shop-dev-1',
      owner,
      clusterObjects: [role('mine')],
      dryRun: true,
    });
    expect(r.ok).toBe(true);
    expect(r.namespace.existed).toBe(true);
    expect(r.cluster.deleted).toEqual([role('mine')]);
    expect(runner.commands).toEqual([
      'get namespace shop-dev-1 --ignore-not-found -o json',
      'get -f - --ignore-not-found -o json',
    ]);
    expect(describeDestroy(r)).toEqual([
      'namespace shop-dev-1: would be deleted',
      'would delete ClusterRole mine (no other slot uses it)',
    ]);

    const absent = new FakeRunner();
    const r2 = await destroySlot(kubectlWith(absent), { namespace: 'shop-dev-1', owner, dryRun: true });
    expect(r2.namespace.existed).toBe(false);
    expect(absent.calls).toHaveLength(1);
    expect(describeDestroy(r2)).toEqual(['namespace shop-dev-1: does not exist']);
  });

  it('a record that shares the namespace keeps it and still releases its shared objects', async () => {
    const runner = ownNs(new FakeRunner()).on('get -f -', cluster(live(role('mine'), [])));
    const r = await destroySlot(kubectlWith(runner), {
      namespace: 'shop-dev-1',
      owner,
      clusterObjects: [role('mine')],
      deleteNamespace: false,
    });
    expect(r.ok).toBe(true);
    expect(r.namespace.skipped).toBe(true);
    expect(runner.commands).toEqual([
      'get namespace shop-dev-1 --ignore-not-found -o json',
      'get -f - --ignore-not-found -o json',
      'delete -f - --ignore-not-found --wait=false',
    ]);
    expect(describeDestroy(r)).toEqual([
      'namespace shop-dev-1: kept (not deleted for this record)',
      'deleted ClusterRole mine (no other slot uses it)',
    ]);
  });

  it('releasing can be turned off', async () => {
    const runner = ownNs(new FakeRunner())
      .on('delete namespace shop-dev-1', { stdout: 'namespace "shop-dev-1" deleted\n' })
      .on('get -f -', cluster(live(role('mine'), [])));
    const r = await destroySlot(kubectlWith(runner), {
      namespace: 'shop-dev-1',
      owner,
      clusterObjects: [role('mine')],
      releaseClusterObjects: false,
      namespaceTimeoutMs: 0,
    });
    expect(r.ok).toBe(true);
    expect(runner.commands).toEqual([
      'get namespace shop-dev-1 --ignore-not-found -o json',
      'delete namespace shop-dev-1 --ignore-not-found --wait=false',
    ]);
  });

  it('the release is told the project: an unlabelled shared object of that name is not deleted', async () => {
    const runner = ownNs(new FakeRunner())
      .on('delete namespace shop-dev-1', { stdout: 'namespace "shop-dev-1" deleted\n' })
      .on('get -f -', cluster(foreignRole('theirs')));
    const r = await destroySlot(kubectlWith(runner), {
      namespace: 'shop-dev-1',
      owner,
      clusterObjects: [role('theirs')],
      namespaceTimeoutMs: 0,
    });
    expect(r.cluster.foreign.map((f) => f.ref)).toEqual([role('theirs')]);
    expect(runner.commands.filter((c) => c.startsWith('delete -f'))).toEqual([]);
  });

  it('not waiting: the deletion is started, not reported gone', async () => {
    const runner = ownNs(new FakeRunner()).on('delete namespace shop-dev-1', {
      stdout: 'namespace "shop-dev-1" deleted\n',
    });
    const r = await destroySlot(kubectlWith(runner), { namespace: 'shop-dev-1', owner, namespaceTimeoutMs: 0 });
    expect(r.ok).toBe(true);
    expect(r.namespace).toMatchObject({ existed: true });
    expect(r.namespace.gone).toBeUndefined();
    expect(runner.commands.some((c) => c.startsWith('wait'))).toBe(false);
    expect(describeDestroy(r)).toEqual(['namespace shop-dev-1: deletion started']);
  });

  it('a wait that fails for another reason than time says why, and the namespace is not gone', async () => {
    const runner = ownNs(new FakeRunner())
      .on('delete namespace shop-dev-1', { stdout: 'namespace "shop-dev-1" deleted\n' })
      .on('wait --for=delete', {
        code: 1,
        stderr: 'Error from server (Forbidden): namespaces "shop-dev-1" is forbidden: cannot watch\n',
      });
    const r = await destroySlot(kubectlWith(runner), { namespace: 'shop-dev-1', owner, namespaceTimeoutMs: 1000 });
    expect(r.ok).toBe(false);
    expect(r.namespace.gone).toBe(false);
    expect(r.problems).toEqual([
      {
        object: 'Namespace shop-dev-1',
        message: expect.stringMatching(/^Error from server \(Forbidden\): .*cannot watch; look for finalizers/),
      },
    ]);
    expect(describeDestroy(r)).toEqual(['namespace shop-dev-1: deletion started']);
  });

  it('an already gone namespace is described so, and invocations count only this destroy', async () => {
    const runner = new FakeRunner();
    const kubectl = kubectlWith(runner);
    await kubectl.run(['version']);
    const r = await destroySlot(kubectl, { namespace: 'shop-dev-1', owner });
    expect(r.invocations).toBe(2);
    expect(describeDestroy(r)).toEqual(['namespace shop-dev-1: already gone']);
  });

  it('force over a namespace that is not ours is said first', async () => {
    const runner = ownNs(new FakeRunner(), {}).on('delete namespace shop-dev-1', {
      stdout: 'namespace "shop-dev-1" deleted\n',
    });
    const r = await destroySlot(kubectlWith(runner), {
      namespace: 'shop-dev-1',
      owner: { ...owner, force: true },
      namespaceTimeoutMs: 0,
    });
    expect(describeDestroy(r)).toEqual([
      `namespace shop-dev-1: --force overrides: ${r.namespace.ownership?.reason}`,
      'namespace shop-dev-1: deletion started',
    ]);
  });
});
