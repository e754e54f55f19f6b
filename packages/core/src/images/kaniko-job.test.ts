import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import type { LoadedStack } from '../config/load.js';
import type { WaitFailure } from '../kube/diagnostics.js';
import {
  DEFAULT_KANIKO_IMAGE,
  digestFromMessage,
  kanikoArgs,
  kanikoJobManifest,
  kanikoJobName,
  kanikoSecretManifest,
  podPath,
  type KanikoJobSpec,
} from './kaniko-job.js';
import { resolveKanikoPlan } from './kaniko-plan.js';
import { failureMessage } from './kaniko.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('kanikoJobName', () => {
  it('is a DNS-1123 label of at most 62 characters, from the image name and a hash', () => {
    expect(kanikoJobName('api', 'r:5000/shop/api:v1', 'n1')).toMatch(/^kaniko-api-[0-9a-f]{8}$/);
    for (const name of ['Web_Frontend.v2', 'x'.repeat(200), '---', 'ÄPI', '-a-']) {
      const job = kanikoJobName(name, 'r/x:1', 'n');
      expect(job).toMatch(DNS_LABEL);
      expect(job.length).toBeLessThanOrEqual(62);
    }
    expect(kanikoJobName('Web_Frontend.v2', 'r/x:1', 'n')).toMatch(/^kaniko-web-frontend-v2-[0-9a-f]{8}$/);
    expect(kanikoJobName('---', 'r/x:1', 'n')).toMatch(/^kaniko-[0-9a-f]{8}$/);
  });

  it('differs between builds of the same target (a rerun never meets an earlier Job) unless given the nonce', () => {
    expect(kanikoJobName('api', 'r/a:1', 'same')).toBe(kanikoJobName('api', 'r/a:1', 'same'));
    expect(kanikoJobName('api', 'r/a:1', 'one')).not.toBe(kanikoJobName('api', 'r/a:1', 'two'));
    expect(kanikoJobName('api', 'r/a:1')).not.toBe(kanikoJobName('api', 'r/a:1'));
  });
});

describe('podPath', () => {
  const src = path.resolve('/repo');
  it('maps paths inside the source under /kaniko/source', () => {
    expect(podPath(src, src, 'f', 'services.yaml')).toBe('/kaniko/source');
    expect(podPath(src, path.join(src, 'images', 'api'), 'f', 'services.yaml')).toBe('/kaniko/source/images/api');
    // A name that merely starts with two dots is inside.
    expect(podPath(src, path.join(src, '..cache'), 'f', 'w')).toBe('/kaniko/source/..cache');
  });

  it('refuses a path outside the source, naming the field and the fix', () => {
    expect(() => podPath(src, path.resolve('/elsewhere/ctx'), 'images.api.context', 'services.yaml')).toThrow(
      /services\.yaml: images\.api\.context: .*ctx is outside .*repo.*set source \(--source\)/,
    );
    expect(() => podPath(src, path.resolve('/'), 'images.api.context', 'w')).toThrow(/is outside/);
  });
});

const spec: KanikoJobSpec = {
  name: 'kaniko-api-0123abcd',
  namespace: 'shop-dev-3',
  image: DEFAULT_KANIKO_IMAGE,
  target: 'registry.local:5000/shop/api:dev-1',
  contextPath: '/kaniko/source/images/api',
  dockerfilePath: '/kaniko/source/images/api/Dockerfile',
  buildArgNames: ['TOKEN', 'GREETING'],
  insecureRegistries: ['registry.local:5000'],
  pvc: 'shop-workspace',
  subPath: 'codex/envs/3/src',
  dockerConfig: { secret: 'kaniko-api-0123abcd', key: 'config.json' },
  timeoutSeconds: 1800,
  labels: { 'app.kubernetes.io/managed-by': 'codex-k8s', 'codex-k8s.io/role': 'image-build' },
};

describe('kanikoJobManifest', () => {
  it('runs the executor once, bounded, with the context, destination, digest file and argument names', () => {
    expect(kanikoArgs(spec)).toEqual([
      '--context=dir:///kaniko/source/images/api',
      '--dockerfile=/kaniko/source/images/api/Dockerfile',
      '--destination=registry.local:5000/shop/api:dev-1',
      '--digest-file=/dev/termination-log',
      '--build-arg=GREETING',
      '--build-arg=TOKEN',
      '--insecure-registry=registry.local:5000',
      '--skip-tls-verify-registry=registry.local:5000',
    ]);
    const job = kanikoJobManifest(spec);
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 1800, ttlSecondsAfterFinished: 86400 });
    expect(job.metadata).toMatchObject({ name: spec.name, namespace: 'shop-dev-3', labels: spec.labels });
    const pod = job.spec.template.spec;
    expect(job.spec.template.metadata.labels).toEqual(spec.labels);
    expect(pod).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false });
    const c = pod.containers[0];
    expect(c).toMatchObject({
      name: 'kaniko',
      image: DEFAULT_KANIKO_IMAGE,
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'FallbackToLogsOnError',
    });
    // Values come from the Secret by reference; nothing but names and paths is inline.
    expect(c.env).toEqual([
      { name: 'DOCKER_CONFIG', value: '/kaniko/.docker' },
      { name: 'GREETING', valueFrom: { secretKeyRef: { name: spec.name, key: 'build-arg.GREETING' } } },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: spec.name, key: 'build-arg.TOKEN' } } },
    ]);
    expect(c.volumeMounts).toEqual([
      { name: 'source', mountPath: '/kaniko/source', subPath: 'codex/envs/3/src', readOnly: true },
      { name: 'docker-config', mountPath: '/kaniko/.docker', readOnly: true },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'source', persistentVolumeClaim: { claimName: 'shop-workspace', readOnly: true } },
      {
        name: 'docker-config',
        secret: { secretName: spec.name, items: [{ key: 'config.json', path: 'config.json' }] },
      },
    ]);
  });

  it('mounts no docker config when there is none, and no insecure flags for secure registries', () => {
    const job = kanikoJobManifest({ ...spec, dockerConfig: undefined, insecureRegistries: [], buildArgNames: [] });
    const c = job.spec.template.spec.containers[0];
    expect(c.volumeMounts.map((m: { name: string }) => m.name)).toEqual(['source']);
    expect(c.args.filter((a: string) => /insecure|skip-tls|build-arg/.test(a))).toEqual([]);
    expect(c.env).toEqual([{ name: 'DOCKER_CONFIG', value: '/kaniko/.docker' }]);
  });
});

describe('kanikoSecretManifest', () => {
  it('holds the registry entry as config.json and each build argument value', () => {
    const s = kanikoSecretManifest({
      name: 'k',
      namespace: 'ns',
      labels: {},
      dockerConfig: { key: 'registry.local:5000', auth: 'dTpw' },
      buildArgs: { TOKEN: 's3cret value' },
    });
    const decode = (k: string) => Buffer.from(s.data[k], 'base64').toString('utf8');
    expect(JSON.parse(decode('config.json'))).toEqual({ auths: { 'registry.local:5000': { auth: 'dTpw' } } });
    expect(decode('build-arg.TOKEN')).toBe('s3cret value');
    expect(s.type).toBe('Opaque');
  });
});

describe('digestFromMessage', () => {
  it('accepts only a sha256 digest', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(digestFromMessage(`${d}\n`)).toBe(d);
    expect(digestFromMessage('error building image: ...')).toBeUndefined();
    expect(digestFromMessage(undefined)).toBeUndefined();
    expect(digestFromMessage(`sha256:${'a'.repeat(63)}`)).toBeUndefined();
  });
});

describe('failureMessage', () => {
  const failure: WaitFailure = {
    object: { apiVersion: 'batch/v1', kind: 'Job', name: 'kaniko-api-1', namespace: 'ns' },
    reason: 'failed',
    message: 'job failed: BackoffLimitExceeded: Job has reached the specified backoff limit',
    describe: '',
    pods: '',
    events:
      '2026-01-01T00:00:00Z  Normal  Started  pod/kaniko-api-1-x: Started container kaniko\n' +
      '2026-01-01T00:00:01Z  Warning  BackoffLimitExceeded  job/kaniko-api-1: Job has reached the specified backoff limit',
    logs: Array.from({ length: 15 }, (_, i) => `[pod/kaniko-api-1-x/kaniko] line ${i + 1}`).join('\n'),
  };

  it('names the Job and why, with the last ten log lines and the warning events', () => {
    const text = failureMessage('ns', 'kaniko-api-1', failure, 1_800_000, true);
    expect(text.split('\n')[0]).toBe(
      'kaniko Job ns/kaniko-api-1 job failed: BackoffLimitExceeded: Job has reached the specified backoff limit ' +
        '(kept for 24h: kubectl logs -n ns job/kaniko-api-1)',
    );
    expect(text).toContain('  line 6\n');
    expect(text).not.toMatch(/line 5\n|\[pod\//);
    expect(text).toMatch(/warning events:\n {2}.*BackoffLimitExceeded/);
    expect(text).not.toMatch(/Started container/);
  });

  it('says a timeout in terms of kaniko-timeout', () => {
    const text = failureMessage('ns', 'k', { ...failure, reason: 'timeout', logs: '', events: '' }, 600_000, false);
    expect(text).toBe('kaniko Job ns/k did not finish within 10m0s (kaniko-timeout)');
  });
});

describe('resolveKanikoPlan', () => {
  const stack = (over: Partial<LoadedStack> = {}) =>
    ({
      project: 'shop',
      env: 'ai',
      slot: 3,
      slotted: true,
      namespace: 'shop-ai-3',
      displayFile: 'services.yaml',
      ...over,
    }) as LoadedStack;
  const kubectl = () => Promise.reject(new Error('not used'));
  const sources = { mount: '/workspace', dir: '/workspace/codex/envs/3/src' };

  it('defaults: the env namespace, the pinned image, 30 minutes, the project claim, the slot directory', () => {
    const plan = resolveKanikoPlan(stack(), { kubectl, sources });
    expect(plan).toMatchObject({
      namespace: 'shop-ai-3',
      image: DEFAULT_KANIKO_IMAGE,
      timeoutMs: 1_800_000,
      pvc: 'shop-workspace',
      subPath: 'codex/envs/3/src',
      source: path.resolve('.'),
      labels: {
        'app.kubernetes.io/managed-by': 'codex-k8s',
        'codex-k8s.io/project': 'shop',
        'codex-k8s.io/env': 'ai',
        'codex-k8s.io/slot': '3',
        'codex-k8s.io/role': 'image-build',
      },
    });
    const unslotted = { kubectl, sources: { mount: '/w', dir: '/w/envs/ai/src' } };
    expect(resolveKanikoPlan(stack({ slot: 0, slotted: false }), unslotted).subPath).toBe('envs/ai/src');
  });

  it('names the input to fix', () => {
    const ok = { kubectl, sources };
    expect(() => resolveKanikoPlan(stack(), undefined)).toThrow(/no cluster settings/);
    expect(() => resolveKanikoPlan(stack(), { kubectl })).toThrow(/set code-root-base/);
    expect(() => resolveKanikoPlan(stack({ slot: 0 }), ok)).toThrow(/give slot \(--slot\)/);
    expect(() => resolveKanikoPlan(stack(), { ...ok, image: 'a b' })).toThrow(/kaniko-image .* is not an image/);
    expect(() => resolveKanikoPlan(stack(), { ...ok, timeoutMs: 10 })).toThrow(/kaniko-timeout .* at least 1s/);
    expect(() => resolveKanikoPlan(stack(), { ...ok, workspacePvc: 'Bad_Name' })).toThrow(/workspace-pvc/);
    expect(() => resolveKanikoPlan(stack(), { ...ok, registrySecret: 'a b' })).toThrow(/registry-secret/);
    expect(() => resolveKanikoPlan(stack(), { ...ok, source: 'no/such/dir' })).toThrow(/source \(--source\)/);
    expect(() => resolveKanikoPlan(stack(), { ...ok, sources: { mount: '/workspace', dir: '/elsewhere' } })).toThrow(
      /code-root-base: \/elsewhere is not inside workspace-mount \/workspace/,
    );
  });
});
