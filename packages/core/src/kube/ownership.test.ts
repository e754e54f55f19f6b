import { describe, expect, it } from '@jest/globals';
import { FakeRunner } from './fake-runner.js';
import { Kubectl } from './kubectl.js';
import {
  checkNamespaceOwnership,
  missingOwnershipLabels,
  NamespaceNotOwnedError,
  protectedNamespaceReason,
} from './ownership.js';

const OURS = { 'app.kubernetes.io/managed-by': 'codex-k8s', 'codex-k8s.io/project': 'shop' };
const nsJson = (labels?: Record<string, string>) => JSON.stringify({ metadata: { name: 'x', labels } });
const kubectlWith = (runner: FakeRunner) => new Kubectl(runner, { binary: 'kubectl' });
const noSleep = { retries: 0, sleep: async () => undefined };

describe('protectedNamespaceReason', () => {
  it('kube-*, default and the state namespace, nothing else', () => {
    expect(protectedNamespaceReason('kube-system')).toMatch(/kube-\*.*even with --force/);
    expect(protectedNamespaceReason('kube-public')).toMatch(/system namespace/);
    expect(protectedNamespaceReason('default')).toMatch(/default namespace/);
    expect(protectedNamespaceReason('codex-system', ' codex-system ')).toMatch(/holds the slot records/);
    expect(protectedNamespaceReason('codex-system')).toBeUndefined();
    expect(protectedNamespaceReason('shop-dev-1', 'codex-system')).toBeUndefined();
    expect(protectedNamespaceReason('my-kube-system')).toBeUndefined();
    expect(protectedNamespaceReason('defaults')).toBeUndefined();
  });
});

describe('missingOwnershipLabels', () => {
  it('names the label that is missing or wrong', () => {
    expect(missingOwnershipLabels(OURS, 'shop')).toBeUndefined();
    expect(missingOwnershipLabels(undefined, 'shop')).toBe('it has no label app.kubernetes.io/managed-by=codex-k8s');
    expect(missingOwnershipLabels({ 'app.kubernetes.io/managed-by': 'helm' }, 'shop')).toBe(
      'its label app.kubernetes.io/managed-by is helm, not codex-k8s',
    );
    expect(missingOwnershipLabels({ 'app.kubernetes.io/managed-by': 'codex-k8s' }, 'shop')).toBe(
      'it has no label codex-k8s.io/project=shop',
    );
    expect(missingOwnershipLabels({ ...OURS, 'codex-k8s.io/project': 'bank' }, 'shop')).toBe(
      'it belongs to project bank (label codex-k8s.io/project=bank)',
    );
  });
});

describe('checkNamespaceOwnership', () => {
  it('a protected name is refused without asking the cluster, even with force and a record', async () => {
    const runner = new FakeRunner();
    const r = await checkNamespaceOwnership(kubectlWith(runner), 'kube-system', {
      project: 'shop',
      force: true,
      namedByRecord: true,
    });
    expect(r).toMatchObject({ allowed: false, exists: true });
    expect(runner.calls).toHaveLength(0);
  });

  it('absent: allowed, nothing to delete', async () => {
    const runner = new FakeRunner();
    const r = await checkNamespaceOwnership(kubectlWith(runner), 'shop-dev-1', { project: 'shop' });
    expect(r).toEqual({ namespace: 'shop-dev-1', exists: false, allowed: true, basis: 'absent' });
    expect(runner.commands).toEqual(['get namespace shop-dev-1 --ignore-not-found -o json']);
  });

  it('our labels: allowed without asking about records', async () => {
    let asked = 0;
    const runner = new FakeRunner().on('get namespace', { stdout: nsJson(OURS) });
    const r = await checkNamespaceOwnership(kubectlWith(runner), 'shop-dev-1', {
      project: 'shop',
      namedByRecord: async () => {
        asked++;
        return false;
      },
    });
    expect(r).toEqual({ namespace: 'shop-dev-1', exists: true, allowed: true, basis: 'labels' });
    expect(asked).toBe(0);
  });

  it('unlabelled: a vouching record allows it, a record that does not vouch says why', async () => {
    const runner = new FakeRunner().on('get namespace', { stdout: nsJson() });
    const k = kubectlWith(runner);
    expect(await checkNamespaceOwnership(k, 'shop-dev-1', { project: 'shop', namedByRecord: true })).toEqual({
      namespace: 'shop-dev-1',
      exists: true,
      allowed: true,
      basis: 'record',
    });
    expect(
      await checkNamespaceOwnership(k, 'shop-dev-1', { project: 'shop', namedByRecord: async () => true }),
    ).toMatchObject({ allowed: true, basis: 'record' });
    const refused = await checkNamespaceOwnership(k, 'shop-dev-1', {
      project: 'shop',
      namedByRecord: 'the record of slot 1 names it, but services.yaml gives slot 1 the namespace shop-dev-9',
    });
    expect(refused).toMatchObject({ exists: true, allowed: false });
    expect(refused.reason).toBe(
      'namespace shop-dev-1 is not managed by codex-k8s for project shop: it has no label app.kubernetes.io/managed-by=codex-k8s and the record of slot 1 names it, but services.yaml gives slot 1 the namespace shop-dev-9',
    );
    const none = await checkNamespaceOwnership(k, 'shop-dev-1', { project: 'shop', forceHint: 'pass --force' });
    expect(none.reason).toBe(
      'namespace shop-dev-1 is not managed by codex-k8s for project shop: it has no label app.kubernetes.io/managed-by=codex-k8s and no slot record names it; pass --force',
    );
  });

  it('labelled for another project: refused even when a record names it; force overrides and says what', async () => {
    const runner = new FakeRunner().on('get namespace', {
      stdout: nsJson({ ...OURS, 'codex-k8s.io/project': 'bank' }),
    });
    const k = kubectlWith(runner);
    const r = await checkNamespaceOwnership(k, 'bank-dev-1', { project: 'shop', namedByRecord: true });
    expect(r.allowed).toBe(false);
    expect(r.reason).toBe(
      'namespace bank-dev-1 is not managed by codex-k8s for project shop: it belongs to project bank (label codex-k8s.io/project=bank)',
    );
    const forced = await checkNamespaceOwnership(k, 'bank-dev-1', { project: 'shop', force: true });
    expect(forced).toEqual({
      namespace: 'bank-dev-1',
      exists: true,
      allowed: true,
      basis: 'force',
      reason: expect.stringContaining('project bank'),
    });
  });

  it('managed by someone else with a project label of ours is still not ours without a record', async () => {
    const runner = new FakeRunner().on('get namespace', {
      stdout: nsJson({ 'app.kubernetes.io/managed-by': 'helm', 'codex-k8s.io/project': 'shop' }),
    });
    const r = await checkNamespaceOwnership(kubectlWith(runner), 'shop-dev-1', { project: 'shop' });
    expect(r).toMatchObject({ allowed: false, reason: expect.stringContaining('is helm, not codex-k8s') });
    const named = await checkNamespaceOwnership(kubectlWith(runner), 'shop-dev-1', {
      project: 'shop',
      namedByRecord: true,
    });
    expect(named).toMatchObject({ allowed: true, basis: 'record' });
  });

  it('ours by manager but without a project label: a record still vouches for it', async () => {
    const runner = new FakeRunner().on('get namespace', {
      stdout: nsJson({ 'app.kubernetes.io/managed-by': 'codex-k8s' }),
    });
    const r = await checkNamespaceOwnership(kubectlWith(runner), 'shop-dev-1', {
      project: 'shop',
      namedByRecord: true,
    });
    expect(r).toMatchObject({ allowed: true, basis: 'record' });
  });

  it('blank output is an absent namespace; an object without metadata has no labels', async () => {
    const blank = new FakeRunner().on('get namespace', { stdout: '\n' });
    expect(await checkNamespaceOwnership(kubectlWith(blank), 'shop-dev-1', { project: 'shop' })).toMatchObject({
      exists: false,
      allowed: true,
    });
    const bare = new FakeRunner().on('get namespace', { stdout: '{}' });
    expect(await checkNamespaceOwnership(kubectlWith(bare), 'shop-dev-1', { project: 'shop' })).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('it has no label app.kubernetes.io/managed-by=codex-k8s'),
    });
  });

  it('an unreadable namespace is a clear error, not a decision', async () => {
    const runner = new FakeRunner().on('get namespace', {
      code: 1,
      stderr: 'Error from server (Forbidden): namespaces "shop-dev-1" is forbidden\n',
    });
    await expect(
      checkNamespaceOwnership(kubectlWith(runner), 'shop-dev-1', { project: 'shop' }, { retry: noSleep }),
    ).rejects.toThrow(/^cannot read namespace shop-dev-1 to check who owns it: .*forbidden/);
  });

  it("a failure that is not kubectl's (a bug) is passed on as it is, not dressed up as a user error", async () => {
    const bug = new TypeError('runner broke');
    const runner = new FakeRunner().on('get namespace', () => {
      throw bug;
    });
    await expect(
      checkNamespaceOwnership(kubectlWith(runner), 'shop-dev-1', { project: 'shop' }, { retry: noSleep }),
    ).rejects.toBe(bug);
  });

  it('the refusal error carries the decision', () => {
    const e = new NamespaceNotOwnedError({ namespace: 'x', exists: true, allowed: false });
    expect(e.message).toBe('namespace x may not be deleted');
    expect(e.ownership.namespace).toBe('x');
  });
});
