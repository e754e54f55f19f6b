import { describe, expect, it } from '@jest/globals';
import type { ApplyGroup } from './apply.js';
import { FakeRunner, type RecordedCall } from './fake-runner.js';
import type { KubeObject } from '../objects/object.js';
import { isClusterScoped } from '../objects/kinds.js';
import { Kubectl } from './kubectl.js';
import {
  APPLYSET_NAME,
  componentKey,
  describePrune,
  entriesOf,
  pruneSelector,
  pruneStack,
  readApplySet,
  recordApplied,
} from './prune.js';

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

/** kubectl's answer to a write of a manifest: the object as stored. */
const stored = (call: RecordedCall) => ({ stdout: JSON.stringify(JSON.parse(call.options.input!)) });
const conflict = {
  code: 1,
  stderr: 'Error from server (Conflict): Operation cannot be fulfilled on configmaps "codex-k8s-applyset"\n',
};

describe('the applied-kinds record: reads and writes', () => {
  it('has a fixed name, and a document without a kind adds nothing', () => {
    expect(APPLYSET_NAME).toBe('codex-k8s-applyset');
    expect(
      entriesOf([
        { type: 'service', name: 'x', documents: [{ object: { apiVersion: 'v1', metadata: { name: 'n' } } }] },
      ]),
    ).toEqual(new Map());
  });

  it('reads blank and padded lines of a hand-edited record as the entries they hold, with the timeout', async () => {
    const runner = new FakeRunner().on('get configmap', {
      stdout: recordJson({ 'service.api': ' Deployment.apps shop-dev-1 \n\nService shop-dev-1\n' }, '3'),
    });
    const record = await readApplySet(kubectlWith(runner), 'shop-dev-1', { timeoutMs: 4000 });
    expect(record).toEqual({
      exists: true,
      resourceVersion: '3',
      entries: new Map([['service.api', new Set(['Deployment.apps shop-dev-1', 'Service shop-dev-1'])]]),
    });
    expect(runner.calls[0].options.timeoutMs).toBe(4000);
    await readApplySet(kubectlWith(runner), 'shop-dev-1');
    expect(runner.calls[1].options.timeoutMs).toBe(60_000);
  });

  it('writes the old and the new entries, sorted one per line, as a ConfigMap guarded by its resourceVersion', async () => {
    const runner = new FakeRunner()
      .on('get configmap', {
        stdout: recordJson({ 'service.api': 'Secret shop-dev-1', 'service.zz': 'Job shop-dev-1' }, '5'),
      })
      .on('replace', stored);
    const record = await recordApplied(kubectlWith(runner), 'shop-dev-1', groups, { 'codex-k8s.io/env': 'dev' });
    expect(runner.commands.slice(1)).toEqual(['--kubeconfig /tmp/kc --cache-dir /tmp/cache replace -f - -o json']);
    expect(runner.calls.map((c) => c.options.timeoutMs)).toEqual([60_000, 60_000]);
    expect(JSON.parse(runner.calls[1].options.input!)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'codex-k8s-applyset',
        namespace: 'shop-dev-1',
        labels: { 'codex-k8s.io/env': 'dev', 'codex-k8s.io/role': 'applyset' },
        resourceVersion: '5',
      },
      data: {
        'infra.rbac': 'ClusterRole.rbac.authorization.k8s.io\nConfigMap shared',
        'service.api': 'Deployment.apps shop-dev-1\nSecret shop-dev-1\nService shop-dev-1',
        'service.zz': 'Job shop-dev-1',
      },
    });
    expect(record.entries.get('service.api')).toEqual(
      new Set(['Deployment.apps shop-dev-1', 'Secret shop-dev-1', 'Service shop-dev-1']),
    );
  });

  it('the write gets the timeout', async () => {
    const runner = new FakeRunner().on('create', stored);
    await recordApplied(kubectlWith(runner), 'shop-dev-1', groups, {}, { timeoutMs: 2500 });
    expect(runner.calls.map((c) => c.options.timeoutMs)).toEqual([2500, 2500]);
  });

  it('a refused write is not taken for a lost race: no re-read, no second write', async () => {
    const runner = new FakeRunner().on('create', {
      code: 1,
      stderr: 'Error from server (Forbidden): configmaps is forbidden: User cannot create\n',
    });
    await expect(recordApplied(kubectlWith(runner), 'shop-dev-1', groups, {}, { retry: noSleep })).rejects.toThrow(
      /Forbidden/,
    );
    expect(runner.calls).toHaveLength(2);
  });

  it('a create that lost to another run reads again and replaces', async () => {
    const runner = new FakeRunner()
      .on('get configmap', { stdout: '' }, 1)
      .on('get configmap', { stdout: recordJson({ 'service.web': 'Deployment.apps shop-dev-1' }, '7') })
      .on('create', {
        code: 1,
        stderr: 'Error from server (AlreadyExists): configmaps "codex-k8s-applyset" already exists\n',
      })
      .on('replace', stored);
    const record = await recordApplied(kubectlWith(runner), 'shop-dev-1', groups, {}, { retry: noSleep });
    expect(runner.commands.map((c) => c.split(' ')[4])).toEqual(['get', 'create', 'get', 'replace']);
    expect(record.entries.get('service.web')).toEqual(new Set(['Deployment.apps shop-dev-1']));
  });

  it('a race lost again and again gives up after five writes', async () => {
    const runner = new FakeRunner().on('get configmap', { stdout: recordJson({}, '5') }).on('replace', conflict);
    await expect(recordApplied(kubectlWith(runner), 'shop-dev-1', groups, {}, { retry: noSleep })).rejects.toThrow(
      /Conflict/,
    );
    expect(runner.commands.filter((c) => c.includes(' replace '))).toHaveLength(5);
  });
});

describe('pruneStack: protected namespaces', () => {
  const LABELS = {
    'app.kubernetes.io/managed-by': 'codex-k8s',
    'codex-k8s.io/project': 'shop',
    'codex-k8s.io/env': 'dev',
    'codex-k8s.io/slot': '1',
  };
  const namespace = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: LABELS },
  });
  /** `get -f -`: the objects named on stdin that exist. */
  const cluster =
    (...objects: KubeObject[]) =>
    (call: RecordedCall) => {
      const wanted = call.options
        .input!.split('\n---\n')
        .filter((d) => d.trim())
        .map((d) => JSON.parse(d) as KubeObject);
      const found = objects.filter((o) =>
        wanted.some((w) => w.kind === o.kind && w.metadata?.name === o.metadata?.name),
      );
      return { stdout: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: found }) };
    };

  it('never default, kube-*, the target namespace or one the stack uses; a stale one of ours is', async () => {
    const names = [
      'default',
      'kube-system',
      'kube-public',
      'shop-dev-1',
      'shared',
      'shop-old',
      'shop-default',
      'defaults-old',
    ];
    const live = names.map(namespace);
    const runner = new FakeRunner()
      .on('get namespace', { stdout: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: live }) })
      .on('get -f -', cluster(...live));
    const r = await pruneStack(kubectlWith(runner), {
      namespace: 'shop-dev-1',
      project: 'shop',
      env: 'dev',
      slot: 1,
      groups: [
        {
          type: 'infra',
          name: 'shared',
          documents: [
            { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shared' } } },
          ],
        },
      ],
      record: { exists: true, entries: new Map([['infra.rbac', new Set(['Namespace'])]]) },
      dryRun: true,
    });
    expect(r.problems).toEqual([]);
    expect(r.deleted.map((ref) => ref.name)).toEqual(['shop-old', 'shop-default', 'defaults-old']);
  });
});

/**
 * A cluster for prune: lists answer by kind, namespace and label selector as the API server does (a cluster-scoped
 * kind whatever -n says); `get -f -`, `annotate -f - key-` and `delete -f -` act on the objects named on stdin.
 */
class PruneCluster {
  readonly runner = new FakeRunner();
  readonly deleted: string[] = [];
  /** `first`: answers that take precedence over the cluster's (failures). */
  constructor(
    public objects: KubeObject[],
    first: (runner: FakeRunner) => void = () => undefined,
  ) {
    first(this.runner);
    this.runner.on(
      (c) => c.args[0] === 'get' && c.args[1] !== '-f',
      (c) => this.list(c.args),
    );
    this.runner.on('get -f -', (c) => {
      const found = this.named(c)
        .map((w) => this.objects.find((o) => same(o, w))!)
        .filter(Boolean);
      return { stdout: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: found }) };
    });
    this.runner.on('annotate -f -', (c) => {
      const key = c.args.at(-1)!.replace(/-$/, '');
      for (const w of this.named(c)) delete this.objects.find((o) => same(o, w))?.metadata?.annotations?.[key];
      return {};
    });
    this.runner.on('delete -f -', (c) => {
      const lines: string[] = [];
      for (const w of this.named(c)) {
        this.deleted.push(`${w.kind} ${w.metadata?.namespace ?? ''}/${w.metadata?.name}`);
        this.objects = this.objects.filter((o) => !same(o, w));
        lines.push(`${String(w.kind).toLowerCase()} "${w.metadata?.name}" deleted`);
      }
      return { stdout: lines.join('\n') };
    });
  }

  private named(c: RecordedCall): KubeObject[] {
    const input = c.options.input ?? '';
    expect(input.trim()).not.toBe('');
    return input
      .split('\n---\n')
      .filter((d) => d.trim())
      .map((d) => JSON.parse(d) as KubeObject);
  }

  private list(args: string[]) {
    const kinds = args[1].split(',');
    const n = args.indexOf('-n');
    const ns = n > 0 ? args[n + 1] : undefined;
    const selector = args[args.indexOf('-l') + 1];
    expect(args.slice(-2)).toEqual(['-o', 'json']);
    const items = this.objects.filter((o) => {
      const group = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/')[0] : '';
      const resource = `${String(o.kind).toLowerCase()}${group ? `.${group}` : ''}`;
      if (!kinds.includes(resource)) return false;
      if (!isClusterScoped(o) && ns !== undefined && o.metadata?.namespace !== ns) return false;
      const labels = (o.metadata?.labels ?? {}) as Record<string, string>;
      return selector
        .split(',')
        .every((term) =>
          term.startsWith('!') ? !(term.slice(1) in labels) : labels[term.split('=')[0]] === term.split('=')[1],
        );
    });
    return { stdout: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) };
  }
}
const same = (a: KubeObject, b: KubeObject) =>
  a.kind === b.kind &&
  a.apiVersion === b.apiVersion &&
  a.metadata?.name === b.metadata?.name &&
  (a.metadata?.namespace ?? '') === (b.metadata?.namespace ?? '');

const SELECTOR =
  'app.kubernetes.io/managed-by=codex-k8s,codex-k8s.io/project=shop,codex-k8s.io/env=dev,!codex-k8s.io/role';
const ours = (slot?: number, extra: Record<string, string> = {}) => ({
  'app.kubernetes.io/managed-by': 'codex-k8s',
  'codex-k8s.io/project': 'shop',
  'codex-k8s.io/env': 'dev',
  ...(slot ? { 'codex-k8s.io/slot': String(slot) } : {}),
  ...extra,
});
const obj = (
  apiVersion: string,
  kind: string,
  name: string,
  namespace: string | undefined,
  labels: Record<string, string>,
  more: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}), labels, ...more },
});
const deployment = (name: string, labels: Record<string, string>, more: Record<string, unknown> = {}) =>
  obj('apps/v1', 'Deployment', name, 'shop-dev-1', labels, more);
const configMap = (
  name: string,
  labels: Record<string, string>,
  ns = 'shop-dev-1',
  more: Record<string, unknown> = {},
) => obj('v1', 'ConfigMap', name, ns, labels, more);
const clusterRole = (name: string, labels: Record<string, string>, users: string[] = []) =>
  obj('rbac.authorization.k8s.io/v1', 'ClusterRole', name, undefined, labels, {
    annotations: Object.fromEntries(users.map((u) => [`used-by.codex-k8s.io/${u}`, u])),
  });

describe('pruneStack', () => {
  const rendered: ApplyGroup[] = [
    { type: 'infra', name: 'db', documents: [{ object: configMap('db', ours(1, { 'codex-k8s.io/infra': 'db' })) }] },
    {
      type: 'service',
      name: 'api',
      documents: [
        { object: deployment('api', ours(1, { 'codex-k8s.io/service': 'api' })) },
        // Written without a namespace: kept in whatever namespace it landed.
        { object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-token' } } },
      ],
    },
  ];
  const record = {
    exists: true,
    entries: new Map([
      ['service.api', new Set(['Deployment.apps shop-dev-1', 'ConfigMap shop-dev-1', 'Secret'])],
      ['service.old', new Set(['Deployment.apps shop-dev-1'])],
      ['infra.rbac', new Set(['ClusterRole.rbac.authorization.k8s.io'])],
      ['infra.shared', new Set(['ConfigMap shared'])],
    ]),
  };
  const options = { namespace: 'shop-dev-1', project: 'shop', env: 'dev', slot: 1, groups: rendered, record };
  const live = () => [
    deployment('api', ours(1, { 'codex-k8s.io/service': 'api' })),
    deployment('old', ours(1, { 'codex-k8s.io/service': 'old' })),
    deployment('other-slot', ours(2, { 'codex-k8s.io/service': 'old' })),
    deployment('other-env', { ...ours(1), 'codex-k8s.io/env': 'staging' }),
    deployment('by-hand', {}),
    deployment('owned', ours(1), { ownerReferences: [{ kind: 'Deployment', name: 'api' }] }),
    configMap('db', ours(1, { 'codex-k8s.io/infra': 'db' })),
    configMap('stale', ours(1, { 'codex-k8s.io/service': 'api' })),
    configMap('default', ours(1)),
    // A record written without its role label (as by an older version): never pruned.
    configMap(APPLYSET_NAME, ours(1)),
    configMap('stale-shared', ours(1, { 'codex-k8s.io/infra': 'shared' }), 'shared'),
    obj('v1', 'Secret', 'api-token', 'somewhere', ours(1)),
    clusterRole('stale-role', ours(1, { 'codex-k8s.io/infra': 'rbac' })),
    clusterRole('shared-role', ours(2), ['shop-dev-1', 'shop-dev-2']),
    clusterRole('theirs', ours(2), ['shop-dev-2']),
  ];

  it('deletes what this slot no longer renders, releases its shared objects, and nothing else', async () => {
    const cluster = new PruneCluster(live());
    const kubectl = new Kubectl(cluster.runner, { binary: 'kubectl' });
    await kubectl.run(['version']);
    const r = await pruneStack(kubectl, { ...options, timeoutMs: 8000 });
    expect(r.problems).toEqual([]);
    expect(cluster.runner.commands.slice(1)).toEqual([
      `get secret -l ${SELECTOR} -o json`,
      `get configmap -n shared -l ${SELECTOR} -o json`,
      `get clusterrole.rbac.authorization.k8s.io,configmap,deployment.apps -n shop-dev-1 -l ${SELECTOR} -o json`,
      'delete -f - --ignore-not-found --wait=false',
      'get -f - --ignore-not-found -o json',
      'annotate -f - used-by.codex-k8s.io/shop-dev-1-',
      'delete -f - --ignore-not-found --wait=false',
    ]);
    expect(cluster.runner.calls.slice(1).map((c) => c.options.timeoutMs)).toEqual(Array(7).fill(8000));
    expect(cluster.deleted).toEqual([
      'ConfigMap shared/stale-shared',
      'Deployment shop-dev-1/old',
      'ConfigMap shop-dev-1/stale',
      'ConfigMap shop-dev-1/default',
      'ClusterRole /stale-role',
    ]);
    expect(r.deleted.map((ref) => `${ref.kind} ${ref.name}`)).toEqual([
      'ConfigMap stale-shared',
      'Deployment old',
      'ConfigMap stale',
      'ConfigMap default',
      'ClusterRole stale-role',
    ]);
    expect(r.released).toEqual([
      {
        ref: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'shared-role' },
        users: ['shop-dev-2'],
      },
    ]);
    expect(cluster.objects.find((o) => o.metadata?.name === 'shared-role')?.metadata?.annotations).toEqual({
      'used-by.codex-k8s.io/shop-dev-2': 'shop-dev-2',
    });
    expect(r.invocations).toBe(7);
    expect(r.dryRun).toBe(false);
    expect(describePrune(r)).toEqual([
      'pruned ConfigMap shared/stale-shared',
      'pruned Deployment shop-dev-1/old',
      'pruned ConfigMap shop-dev-1/stale',
      'pruned ConfigMap shop-dev-1/default',
      'pruned ClusterRole stale-role',
      'kept ClusterRole shared-role: still used by shop-dev-2',
    ]);
  });

  it('dry run: the same decisions, only reads; 60 s per call by default', async () => {
    const cluster = new PruneCluster(live());
    const r = await pruneStack(new Kubectl(cluster.runner, { binary: 'kubectl' }), { ...options, dryRun: true });
    expect(cluster.deleted).toEqual([]);
    expect(cluster.runner.commands.filter((c) => !c.startsWith('get'))).toEqual([]);
    expect(r.dryRun).toBe(true);
    expect(r.deleted.map((ref) => ref.name)).toEqual(['stale-shared', 'old', 'stale', 'default', 'stale-role']);
    expect(new Set(cluster.runner.calls.map((c) => c.options.timeoutMs))).toEqual(new Set([60_000]));
    expect(describePrune(r)).toContain('would prune Deployment shop-dev-1/old');
    expect(describePrune(r)).toContain('would keep ClusterRole shared-role: still used by shop-dev-2');
  });

  it('a filtered apply prunes only objects of the selected components, looking only where they were', async () => {
    const cluster = new PruneCluster(live());
    const r = await pruneStack(new Kubectl(cluster.runner, { binary: 'kubectl' }), {
      ...options,
      scope: [{ type: 'service', name: 'old' }],
    });
    expect(cluster.runner.commands[0]).toBe(`get deployment.apps -n shop-dev-1 -l ${SELECTOR} -o json`);
    expect(cluster.runner.commands).toHaveLength(2);
    expect(r.deleted.map((ref) => ref.name)).toEqual(['old']);
  });

  it('an env without slots prunes only objects without a slot label', async () => {
    const cluster = new PruneCluster([
      deployment('old', ours(undefined, { 'codex-k8s.io/service': 'old' })),
      deployment('slot-1', ours(1, { 'codex-k8s.io/service': 'old' })),
      deployment('slot-0', ours(undefined, { 'codex-k8s.io/service': 'old', 'codex-k8s.io/slot': '0' })),
    ]);
    const r = await pruneStack(new Kubectl(cluster.runner, { binary: 'kubectl' }), {
      ...options,
      slot: 0,
      groups: [],
      record: { exists: true, entries: new Map([['service.old', new Set(['Deployment.apps shop-dev-1'])]]) },
    });
    expect(r.deleted.map((ref) => ref.name)).toEqual(['old']);
  });

  it('a listing that fails is reported and pruned nowhere; the others still are; transient ones are retried', async () => {
    const cluster = new PruneCluster(live(), (runner) =>
      runner.on('get configmap -n shared', { code: 1, stderr: 'Error from server (ServiceUnavailable): busy\n' }, 1),
    );
    const retried = await pruneStack(new Kubectl(cluster.runner, { binary: 'kubectl' }), {
      ...options,
      retry: noSleep,
      dryRun: true,
    });
    expect(retried.problems).toEqual([]);
    expect(cluster.runner.commands.filter((c) => c.includes('-n shared'))).toHaveLength(2);
    expect(retried.deleted.map((ref) => ref.name)).toContain('stale-shared');

    const refused = new PruneCluster(live(), (runner) =>
      runner
        .on('get configmap -n shared', {
          code: 1,
          stdout: '',
          stderr: 'Error from server (Forbidden): configmaps is forbidden: User cannot list configmaps in "shared"\n',
        })
        .on('get secret', {
          code: 1,
          stdout: JSON.stringify({
            apiVersion: 'v1',
            kind: 'List',
            items: [obj('v1', 'Secret', 'gone', 'x', ours(1))],
          }),
          stderr: 'error: a partial answer\n',
        }),
    );
    const r = await pruneStack(new Kubectl(refused.runner, { binary: 'kubectl' }), { ...options, dryRun: true });
    expect(r.problems).toEqual([
      'cannot list secret: error: a partial answer',
      'cannot list configmap in shared: Error from server (Forbidden): configmaps is forbidden: User cannot list configmaps in "shared"',
    ]);
    expect(r.deleted.map((ref) => ref.name)).toEqual(['gone', 'old', 'stale', 'default', 'stale-role']);
    expect(refused.runner.commands.filter((c) => c.includes('-n shared'))).toHaveLength(1);
    expect(describePrune(r)).toContain('prune: cannot list secret: error: a partial answer');
  });

  it('a delete refused for one object deletes the others and names it; one refused for all names them all', async () => {
    const oneRefused = new PruneCluster(live(), (runner) =>
      runner.on('delete -f -', {
        code: 1,
        stderr: 'Error from server (Forbidden): deployments.apps "old" is forbidden: User cannot delete\n',
      }),
    );
    const r = await pruneStack(new Kubectl(oneRefused.runner, { binary: 'kubectl' }), {
      ...options,
      scope: [
        { type: 'service', name: 'old' },
        { type: 'service', name: 'api' },
      ],
    });
    expect(r.deleted.map((ref) => ref.name)).toEqual(['stale']);
    expect(r.problems).toEqual([
      'cannot delete Deployment shop-dev-1/old: Error from server (Forbidden): deployments.apps "old" is forbidden: User cannot delete',
    ]);

    const allRefused = new PruneCluster(live(), (runner) =>
      runner.on('delete -f -', { code: 1, stderr: 'error: You must be logged in to the server\n' }),
    );
    const r2 = await pruneStack(new Kubectl(allRefused.runner, { binary: 'kubectl' }), {
      ...options,
      scope: [{ type: 'service', name: 'old' }],
      retry: noSleep,
    });
    expect(r2.deleted).toEqual([]);
    expect(r2.problems).toEqual([
      'cannot delete Deployment shop-dev-1/old: error: You must be logged in to the server',
    ]);

    // Stopped part-way: what kubectl reported deleted counts, the rest is named.
    const partly = new PruneCluster(live(), (runner) =>
      runner.on('delete -f -', {
        code: 1,
        stdout: 'configmap "stale" deleted\n',
        stderr: 'error: the server closed the connection\n',
      }),
    );
    const r3 = await pruneStack(new Kubectl(partly.runner, { binary: 'kubectl' }), {
      ...options,
      scope: [
        { type: 'service', name: 'old' },
        { type: 'service', name: 'api' },
      ],
      retry: noSleep,
    });
    expect(r3.deleted.map((ref) => ref.name)).toEqual(['stale']);
    expect(r3.problems).toEqual(['cannot delete Deployment shop-dev-1/old: error: the server closed the connection']);
  });

  it('problems of the shared objects are reported with the object', async () => {
    const cluster = new PruneCluster(live(), (runner) =>
      runner.on('delete -f -', {
        code: 1,
        stderr:
          'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "stale-role" is forbidden: no delete\n',
      }),
    );
    const r = await pruneStack(new Kubectl(cluster.runner, { binary: 'kubectl' }), {
      ...options,
      scope: [{ type: 'infra', name: 'rbac' }],
    });
    expect(r.problems).toEqual([
      'ClusterRole stale-role: cannot delete: Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "stale-role" is forbidden: no delete',
    ]);
  });

  it('the namespaces to protect include those given', async () => {
    const cluster = new PruneCluster([obj('v1', 'Namespace', 'codex-state', undefined, ours(1))]);
    const r = await pruneStack(new Kubectl(cluster.runner, { binary: 'kubectl' }), {
      ...options,
      groups: [],
      record: { exists: true, entries: new Map([['infra.ns', new Set(['Namespace'])]]) },
      protectedNamespaces: ['codex-state'],
    });
    expect(r.deleted).toEqual([]);
    expect(cluster.deleted).toEqual([]);
  });

  it('an object moved to another namespace leaves the old one to prune; one listed twice is pruned once', async () => {
    const cluster = new PruneCluster([
      configMap('settings', ours(1, { 'codex-k8s.io/infra': 'db' }), 'shop-dev-1'),
      configMap('settings', ours(1, { 'codex-k8s.io/infra': 'db' }), 'shared'),
      clusterRole('stale-role', ours(1)),
    ]);
    const r = await pruneStack(new Kubectl(cluster.runner, { binary: 'kubectl' }), {
      ...options,
      groups: [{ type: 'infra', name: 'db', documents: [{ object: configMap('settings', ours(1), 'shop-dev-1') }] }],
      record: {
        exists: true,
        entries: new Map([
          ['infra.db', new Set(['ConfigMap shop-dev-1', 'ConfigMap shared'])],
          // A ClusterRole once written with a namespace: listed by both calls.
          [
            'infra.rbac',
            new Set(['ClusterRole.rbac.authorization.k8s.io', 'ClusterRole.rbac.authorization.k8s.io shared']),
          ],
        ]),
      },
      dryRun: true,
    });
    expect(r.deleted.map((ref) => `${ref.kind} ${ref.namespace ?? ''}/${ref.name}`)).toEqual([
      'ConfigMap shared/settings',
      'ClusterRole /stale-role',
    ]);
  });
});
