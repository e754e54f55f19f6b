/** Unit tests of the pure parts: selectors, patches, server-side apply, protobuf decoding, path mapping. */
import { describe, expect, it } from '@jest/globals';
import { serverSideApply } from './apply.js';
import { parseBehaviour } from './behaviour.js';
import { jsonMergePatch, jsonPatch, strategicMergePatch } from './patch.js';
import { localArgv, mapPath, mountEnvName, rewriteMountPaths } from './paths.js';
import { decodeKubeProtobuf } from './protobuf.js';
import { resolveResource } from './resources.js';
import { fieldMatcher, labelMatcher } from './selectors.js';
import type { KubeObject } from './types.js';

describe('selectors', () => {
  it('label selectors', () => {
    const l = { app: 'web', tier: 'fe' };
    expect(labelMatcher('app=web,tier==fe')(l)).toBe(true);
    expect(labelMatcher('app!=web')(l)).toBe(false);
    expect(labelMatcher('tier in (be, fe)')(l)).toBe(true);
    expect(labelMatcher('tier notin (fe)')(l)).toBe(false);
    expect(labelMatcher('app,!legacy')(l)).toBe(true);
    expect(labelMatcher('legacy')(l)).toBe(false);
    expect(labelMatcher('')(undefined)).toBe(true);
    expect(() => labelMatcher('a=(b')).toThrow();
  });

  it('field selectors', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'n' },
      status: { phase: 'Running' },
    };
    expect(fieldMatcher('metadata.name=p,status.phase!=Pending')(pod)).toBe(true);
    expect(fieldMatcher('metadata.namespace==other')(pod)).toBe(false);
  });
});

describe('patches', () => {
  it('strategic merge patch merges containers/env/ports by key and honours directives', () => {
    const target = {
      spec: {
        containers: [
          { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }], ports: [{ containerPort: 80 }] },
          { name: 'b', image: 'b:1' },
        ],
        finalizers: ['f1'],
        tolerations: [{ key: 't1' }],
      },
    };
    const out = strategicMergePatch(target, {
      spec: {
        containers: [
          { name: 'a', env: [{ name: 'Y', value: '2' }], ports: [{ containerPort: 81 }] },
          { name: 'b', $patch: 'delete' },
        ],
        finalizers: ['f2'],
        tolerations: [{ key: 't2' }],
        '$setElementOrder/finalizers': ['f2', 'f1'],
      },
    }) as any;
    expect(out.spec.containers).toEqual([
      {
        name: 'a',
        image: 'a:1',
        env: [
          { name: 'X', value: '1' },
          { name: 'Y', value: '2' },
        ],
        ports: [{ containerPort: 80 }, { containerPort: 81 }],
      },
    ]);
    expect(out.spec.finalizers).toEqual(['f2', 'f1']);
    expect(out.spec.tolerations).toEqual([{ key: 't2' }]);
    expect(strategicMergePatch({ a: { b: 1, c: 2 } }, { a: { $patch: 'replace', d: 3 } })).toEqual({ a: { d: 3 } });
    expect(strategicMergePatch({ a: 1, b: 2 }, { b: null })).toEqual({ a: 1 });
  });

  it('JSON merge patch and JSON patch', () => {
    expect(jsonMergePatch({ a: { b: 1, c: 2 }, l: [1] }, { a: { c: null, d: 4 }, l: [2] })).toEqual({
      a: { b: 1, d: 4 },
      l: [2],
    });
    expect(
      jsonPatch({ a: [1, 2], b: { c: 1 } }, [
        { op: 'add', path: '/a/-', value: 3 },
        { op: 'replace', path: '/b/c', value: 2 },
        { op: 'move', from: '/b', path: '/d' },
        { op: 'test', path: '/d/c', value: 2 },
      ]),
    ).toEqual({ a: [1, 2, 3], d: { c: 2 } });
    expect(() => jsonPatch({}, [{ op: 'remove', path: '/x' }])).toThrow();
  });
});

describe('server-side apply', () => {
  const ri = resolveResource('Deployment');
  const deploy = (image: string, replicas?: number): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'n' },
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      template: { spec: { containers: [{ name: 'c', image }] } },
    },
  });

  it('conflicts between managers unless forced; same values co-own', () => {
    const a = serverSideApply(undefined, deploy('x:1', 2), 'a', false, ri);
    expect(() => serverSideApply(a, deploy('x:2'), 'b', false, ri)).toThrow(
      /conflict with "a" using apps\/v1: \.spec\.template\.spec\.containers\[name="c"\]\.image/,
    );
    const co = serverSideApply(a, deploy('x:1'), 'b', false, ri);
    expect(co.metadata.managedFields?.map((m) => m.manager)).toEqual(['a', 'b']);
    const forced = serverSideApply(a, deploy('x:2'), 'b', true, ri);
    expect(forced.spec.template.spec.containers[0].image).toBe('x:2');
    expect(forced.spec.replicas).toBe(2);
    // a stops applying replicas: removed, as nobody else owns it.
    const dropped = serverSideApply(forced, deploy('x:2'), 'a', false, ri);
    expect(dropped.spec.replicas).toBeUndefined();
  });
});

describe('protobuf', () => {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    while (n > 127) {
      out.push((n & 127) | 128);
      n >>>= 7;
    }
    out.push(n);
    return out;
  };
  const field = (no: number, bytes: Buffer | string): Buffer => {
    const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    return Buffer.from([...varint((no << 3) | 2), ...varint(b.length), ...b]);
  };
  const entry = (k: string, v: string): Buffer => Buffer.concat([field(1, k), field(2, v)]);

  it('decodes a ConfigMap in the k8s\\0 envelope', () => {
    const meta = Buffer.concat([field(1, 'slot-1'), field(3, 'ai'), field(11, entry('app', 'x'))]);
    const cm = Buffer.concat([field(1, meta), field(2, entry('issue', '42')), field(2, entry('env', 'ai'))]);
    const typeMeta = Buffer.concat([field(1, 'v1'), field(2, 'ConfigMap')]);
    const body = Buffer.concat([Buffer.from('k8s\0', 'binary'), field(1, typeMeta), field(2, cm)]);
    expect(decodeKubeProtobuf(body)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'slot-1', namespace: 'ai', labels: { app: 'x' } },
      data: { issue: '42', env: 'ai' },
    });
  });
});

describe('paths and behaviours', () => {
  const mounts = [
    { mountPath: '/workspace', local: '/tmp/r/pvc/n/ws' },
    { mountPath: '/workspace/cache', local: '/tmp/r/pvc/n/cache' },
  ];
  it('maps pod paths, rewrites argv, adds tar transforms', () => {
    expect(mapPath('/workspace/a/b', mounts)).toBe('/tmp/r/pvc/n/ws/a/b');
    expect(mapPath('/workspace/cache/x', mounts)).toBe('/tmp/r/pvc/n/cache/x');
    expect(mapPath('/workspace2', mounts)).toBe('/workspace2');
    expect(rewriteMountPaths('cd /workspace && cat "/workspace/f" > /workspaces', mounts)).toBe(
      'cd /tmp/r/pvc/n/ws && cat "/tmp/r/pvc/n/ws/f" > /workspaces',
    );
    expect(localArgv(['sh', '-c', 'ls /workspace'], mounts, false)).toEqual(['sh', '-c', 'ls /workspace']);
    const tar = localArgv(['tar', 'cf', '-', '/workspace/x'], mounts, true);
    expect(tar.slice(0, 4)).toEqual(['tar', 'cf', '-', '/tmp/r/pvc/n/ws/x']);
    expect(tar).toContain('--transform=s|^tmp/r/pvc/n/ws|workspace|');
    expect(mountEnvName('/workspace')).toBe('KUBE_TEST_MOUNT__workspace');
  });

  it('parses behaviours', () => {
    expect(parseBehaviour('never')).toEqual({ mode: 'never' });
    expect(parseBehaviour('ready-after=500ms')).toEqual({ mode: 'ready', afterMs: 500 });
    expect(parseBehaviour('fail-after=2s')).toEqual({ mode: 'fail', afterMs: 2000 });
    expect(() => parseBehaviour('sometimes')).toThrow();
  });
});
