import { describe, expect, it } from '@jest/globals';
import {
  addOwnershipLabels,
  applyMounts,
  applyPullPolicy,
  droppedKind,
  injectNamespace,
  overrideImage,
} from './overlays.js';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', labels: { app: 'api' } },
  spec: {
    selector: { matchLabels: { app: 'api' } },
    template: {
      metadata: { labels: { app: 'api' } },
      spec: {
        initContainers: [
          { name: 'migrate', image: 'api:old' },
          { name: 'wait', image: 'busybox' },
        ],
        containers: [
          { name: 'sidecar', image: 'envoy', imagePullPolicy: 'Always' },
          { name: 'api', image: 'api:old', volumeMounts: [{ name: 'workspace', mountPath: '/old' }] },
        ],
        volumes: [
          { name: 'workspace', emptyDir: {} },
          { name: 'keep', emptyDir: {} },
        ],
      },
    },
  },
});

const cronJob = () => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'api' },
  spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'x', image: 'old' }] } } } } },
});

describe('overlays', () => {
  it('overrides the container named like the service and init containers that ran the same image', () => {
    const d = deployment();
    overrideImage(d, 'api', 'reg/api:v2');
    const spec = d.spec.template.spec;
    expect(spec.containers.map((c) => c.image)).toEqual(['envoy', 'reg/api:v2']);
    expect(spec.initContainers.map((c) => c.image)).toEqual(['reg/api:v2', 'busybox']);
  });

  it('overrides other workload kinds too (CronJob)', () => {
    const c = cronJob();
    overrideImage(c, 'api', 'reg/api:v2');
    expect(c.spec.jobTemplate.spec.template.spec.containers[0].image).toBe('reg/api:v2');
  });

  it('replaces volumes and mounts of the same name and mounts into the main and init containers only', () => {
    const d = deployment();
    applyMounts(d, 'api', {
      pvcMounts: [{ name: 'workspace', claimName: 'ws', mountPath: '/workspace', subPath: 'slots/3/src' }],
      hostMounts: [{ name: 'cache', hostPath: '/var/cache/x', mountPath: '/cache', readOnly: true }],
    });
    const spec: any = d.spec.template.spec;
    expect(spec.volumes).toEqual([
      { name: 'keep', emptyDir: {} },
      { name: 'workspace', persistentVolumeClaim: { claimName: 'ws' } },
      { name: 'cache', hostPath: { path: '/var/cache/x', type: 'Directory' } },
    ]);
    expect(spec.containers[1].volumeMounts).toEqual([
      { name: 'workspace', mountPath: '/workspace', subPath: 'slots/3/src' },
      { name: 'cache', mountPath: '/cache', readOnly: true },
    ]);
    expect(spec.containers[0].volumeMounts).toBeUndefined();
    expect(spec.initContainers[1].volumeMounts).toHaveLength(2);
  });

  it('sets the pull policy only where a container has none', () => {
    const d = deployment();
    applyPullPolicy(d, 'IfNotPresent');
    const spec: any = d.spec.template.spec;
    expect(spec.containers.map((c: any) => c.imagePullPolicy)).toEqual(['Always', 'IfNotPresent']);
    expect(spec.initContainers.map((c: any) => c.imagePullPolicy)).toEqual(['IfNotPresent', 'IfNotPresent']);
  });

  it('injects a namespace into namespaced kinds without one, never into cluster-scoped kinds', () => {
    const cm: any = { kind: 'ConfigMap', metadata: { name: 'a' } };
    const issuer: any = { kind: 'ClusterIssuer', metadata: { name: 'b' } };
    const given: any = { kind: 'Secret', metadata: { name: 'c', namespace: 'other' } };
    for (const o of [cm, issuer, given]) injectNamespace(o, 'slot-1');
    expect([cm.metadata.namespace, issuer.metadata.namespace, given.metadata.namespace]).toEqual([
      'slot-1',
      undefined,
      'other',
    ]);
  });

  it('fills a blank namespace, adds metadata when missing, and leaves documents without a kind or a namespace alone', () => {
    const blank: any = { kind: 'ConfigMap', metadata: { name: 'a', namespace: '  ' } };
    const bare: any = { kind: 'Service' };
    const noKind: any = { metadata: { name: 'x' } };
    const noNamespace: any = { kind: 'ConfigMap', metadata: { name: 'y' } };
    injectNamespace(blank, 'slot-1');
    injectNamespace(bare, 'slot-1');
    injectNamespace(noKind, 'slot-1');
    injectNamespace(noNamespace, '');
    expect(blank.metadata.namespace).toBe('slot-1');
    expect(bare.metadata).toEqual({ namespace: 'slot-1' });
    expect(noKind.metadata).toEqual({ name: 'x' });
    expect(noNamespace.metadata).toEqual({ name: 'y' });
  });

  it('drops kinds case-insensitively', () => {
    expect(droppedKind({ kind: 'Ingress' }, [' ingress '])).toBe(' ingress ');
    expect(droppedKind({ kind: 'Service' }, ['Ingress'])).toBeUndefined();
    // A document without a kind is not dropped, not even by an empty entry; no list drops nothing.
    expect(droppedKind({ metadata: {} } as any, ['', 'Ingress'])).toBeUndefined();
    expect(droppedKind({ kind: 'Ingress' }, undefined)).toBeUndefined();
  });

  it('labels the object, not its selector or pod template', () => {
    const d = deployment();
    addOwnershipLabels(d, 'shop', 'ai', 2);
    expect(d.metadata.labels).toEqual({
      app: 'api',
      'app.kubernetes.io/managed-by': 'codex-k8s',
      'codex-k8s.io/project': 'shop',
      'codex-k8s.io/env': 'ai',
      'codex-k8s.io/slot': '2',
    });
    expect(d.spec.template.metadata.labels).toEqual({ app: 'api' });
    expect(d.spec.selector.matchLabels).toEqual({ app: 'api' });
  });

  it('leaves malformed documents as they are instead of failing on them', () => {
    const overlay = {
      pvcMounts: [{ name: 'data', claimName: 'c', mountPath: '/d' }],
      hostMounts: [{ name: 'src', hostPath: '/h', mountPath: '/s' }],
    } as any;
    const malformed: any[] = [
      { kind: 5, metadata: { name: 'api' }, spec: {} },
      { kind: 'Deployment', metadata: { name: 'api' }, spec: { template: 'text' } },
      { kind: 'Deployment', metadata: { name: 'api' }, spec: { template: { spec: [] } } },
      { kind: 'Deployment', metadata: { name: 'api' }, spec: { template: { spec: { containers: [] } } } },
      { kind: 'Deployment', metadata: { name: 'api' }, spec: { template: { spec: { containers: [null, 'x'] } } } },
      { kind: 'Deployment', metadata: { name: 'api' }, spec: null },
    ];
    for (const obj of malformed) {
      const before = JSON.stringify(obj);
      overrideImage(obj, 'api', 'img:2');
      applyMounts(obj, 'api', overlay);
      applyPullPolicy(obj, 'Always');
      expect(JSON.stringify(obj)).toBe(before);
    }
  });

  it('mounts replace same-named volumes and mounts, tolerate null entries, and write only the fields given', () => {
    const d: any = {
      kind: 'Deployment',
      metadata: { name: 'api' },
      spec: {
        template: {
          spec: {
            volumes: [null, { name: 'data', emptyDir: {} }, { name: 'keep', emptyDir: {} }],
            containers: [{ name: 'api', image: 'a', volumeMounts: [null, { name: 'data', mountPath: '/old' }] }],
          },
        },
      },
    };
    applyMounts(d, 'api', { pvcMounts: [{ name: 'data', claimName: 'c', mountPath: '/d' }] } as any);
    const spec = d.spec.template.spec;
    expect(spec.volumes).toEqual([
      null,
      { name: 'keep', emptyDir: {} },
      { name: 'data', persistentVolumeClaim: { claimName: 'c' } },
    ]);
    // Strict: a mount without subPath must not carry an undefined subPath (YAML output cannot print it).
    expect(spec.containers[0].volumeMounts).toStrictEqual([null, { name: 'data', mountPath: '/d' }]);
  });

  it('gives no slot label outside a slot', () => {
    const cm: any = { kind: 'ConfigMap', metadata: { name: 'a' } };
    addOwnershipLabels(cm, 'shop', 'staging', 0);
    expect(Object.keys(cm.metadata.labels)).not.toContain('codex-k8s.io/slot');
  });

  it('finds the pod spec of every workload kind', () => {
    const pod = () => ({ containers: [{ name: 'api', image: 'old' }] });
    const kinds: Record<string, any> = {
      Pod: { spec: pod() },
      Deployment: { spec: { template: { spec: pod() } } },
      StatefulSet: { spec: { template: { spec: pod() } } },
      DaemonSet: { spec: { template: { spec: pod() } } },
      ReplicaSet: { spec: { template: { spec: pod() } } },
      Job: { spec: { template: { spec: pod() } } },
      CronJob: { spec: { jobTemplate: { spec: { template: { spec: pod() } } } } },
    };
    for (const [kind, body] of Object.entries(kinds)) {
      const obj: any = { kind, metadata: { name: 'api' }, ...body };
      overrideImage(obj, 'api', 'new');
      applyPullPolicy(obj, 'Always');
      expect([kind, JSON.stringify(obj)]).toEqual([
        kind,
        expect.stringContaining('"image":"new","imagePullPolicy":"Always"'),
      ]);
    }
    const cm: any = { kind: 'ConfigMap', metadata: { name: 'api' }, spec: pod() };
    overrideImage(cm, 'api', 'new');
    expect(cm.spec.containers[0].image).toBe('old');
  });

  it('an overlay without mounts changes nothing, not even an empty volume list', () => {
    const d = deployment();
    const before = JSON.stringify(d);
    applyMounts(d, 'api', { pvcMounts: [], hostMounts: [] } as any);
    applyMounts(d, 'api', {} as any);
    expect(JSON.stringify(d)).toBe(before);
  });
});
