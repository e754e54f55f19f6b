import { describe, expect, it } from '@jest/globals';
import type { ApplyGroup } from './apply.js';
import { FakeRunner } from './fake-runner.js';
import { Kubectl } from './kubectl.js';
import { APPLYSET_NAME, componentKey, entriesOf, pruneSelector, readApplySet, recordApplied } from './prune.js';

const kubectlWith = (runner: FakeRunner) =>
  new Kubectl(runner, { binary: '/bin/kubectl', kubeconfig: '/tmp/kc', cacheDir: '/tmp/cache' });
const noSleep = { sleep: async () => undefined };

const groups: ApplyGroup[] = [
  {
    type: 'infra',
    name: 'RBAC',
    documents: [
      { object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } } },
      { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shared' } } },
    ],
  },
  {
    type: 'service',
    name: 'api',
    documents: [
      { object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop-dev-1' } } },
      { object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop-dev-1' } } },
      { object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api-2', namespace: 'shop-dev-1' } } },
    ],
  },
  { type: 'service', name: 'empty', documents: [] },
];

const recordJson = (data: Record<string, string>, resourceVersion: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: APPLYSET_NAME, namespace: 'shop-dev-1', resourceVersion },
    data,
  });

describe('the applied-kinds record', () => {
  it('one entry per kind and namespace, keyed by infra group or service', () => {
    expect(entriesOf(groups)).toEqual(
      new Map([
        ['infra.rbac', new Set(['ClusterRole.rbac.authorization.k8s.io', 'ConfigMap shared'])],
        ['service.api', new Set(['Deployment.apps shop-dev-1', 'Service shop-dev-1'])],
      ]),
    );
  });

  it('component keys are valid ConfigMap keys and label values, whatever the name', () => {
    expect(componentKey({ type: 'service', name: 'Chat-Web' })).toBe('service.chat-web');
    const odd = componentKey({ type: 'infra', name: 'Data services (main)' });
    expect(odd).toMatch(/^infra\.name-[0-9a-f]{16}$/);
    expect(componentKey({ type: 'infra', name: 'data services (main)' })).toBe(odd);
    expect(componentKey({ type: 'service', name: 'x'.repeat(64) })).toMatch(/^service\.name-[0-9a-f]{16}$/);
  });

  it('selects our objects of the project and env, never our helpers', () => {
    expect(pruneSelector('shop', 'ai')).toBe(
      'app.kubernetes.io/managed-by=codex-k8s,codex-k8s.io/project=shop,codex-k8s.io/env=ai,!codex-k8s.io/role',
    );
  });

  it('writes nothing when every kind is recorded already', async () => {
    const runner = new FakeRunner().on('get configmap', {
      stdout: recordJson(
        {
          'infra.rbac': 'ClusterRole.rbac.authorization.k8s.io\nConfigMap shared',
          'service.api': 'Deployment.apps shop-dev-1\nService shop-dev-1',
        },
        '5',
      ),
    });
    const kubectl = kubectlWith(runner);
    const record = await recordApplied(kubectl, 'shop-dev-1', groups, {}, { retry: noSleep });
    expect(record.exists).toBe(true);
    expect(runner.calls).toHaveLength(1);
  });

  it('a write that lost a race reads again and keeps the entries of the other run', async () => {
    const runner = new FakeRunner()
      .on('get configmap', { stdout: recordJson({ 'service.web': 'Deployment.apps shop-dev-1' }, '5') }, 1)
      .on('get configmap', {
        stdout: recordJson(
          { 'service.web': 'Deployment.apps shop-dev-1', 'service.db': 'StatefulSet.apps shop-dev-1' },
          '6',
        ),
      })
      .on(
        'replace',
        {
          code: 1,
          stderr: 'Error from server (Conflict): Operation cannot be fulfilled on configmaps "codex-k8s-applyset"',
        },
        1,
      )
      .on('replace', (call) => ({ stdout: JSON.stringify(JSON.parse(call.options.input!)) }));
    const kubectl = kubectlWith(runner);
    const record = await recordApplied(
      kubectl,
      'shop-dev-1',
      groups,
      { 'codex-k8s.io/project': 'shop' },
      { retry: noSleep },
    );
    const sent = runner.calls.filter((c) => c.args.includes('replace')).map((c) => JSON.parse(c.options.input!));
    expect(sent.map((s) => s.metadata.resourceVersion)).toEqual(['5', '6']);
    expect(Object.keys(sent[1].data)).toEqual(['infra.rbac', 'service.api', 'service.db', 'service.web']);
    expect(sent[1].metadata.labels).toEqual({ 'codex-k8s.io/project': 'shop', 'codex-k8s.io/role': 'applyset' });
    expect(record.entries.get('service.db')).toEqual(new Set(['StatefulSet.apps shop-dev-1']));
  });

  it('an absent record (or namespace) reads as empty and is created', async () => {
    const runner = new FakeRunner().on('create', (call) => ({
      stdout: JSON.stringify(JSON.parse(call.options.input!)),
    }));
    const kubectl = kubectlWith(runner);
    expect((await readApplySet(kubectl, 'shop-dev-9')).exists).toBe(false);
    expect(runner.commands[0]).toContain(`get configmap ${APPLYSET_NAME} -n shop-dev-9 --ignore-not-found -o json`);
    const record = await recordApplied(kubectl, 'shop-dev-9', groups, {}, { retry: noSleep });
    expect(record.exists).toBe(true);
    expect(runner.commands.filter((c) => c.includes('create -f -'))).toHaveLength(1);
  });
});
