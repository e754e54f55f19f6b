/**
 * Builder kaniko against the Kubernetes API test server with real kubectl, and Debian's docker-registry for the
 * "is the tag there" question: the Job and Secret it creates, the digest read from the termination message, a
 * failing build reported with its log and events, dry-run and existing tags creating nothing, the registry Secret.
 * The test server runs no container: a Job "succeeds" after the ready delay, and its termination message is what
 * the test scripts (setTerminationMessage), as kaniko's `--digest-file=/dev/termination-log` would leave it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildImages, type BuildImagesOptions } from '../../packages/core/src/images/build-images.js';
import { DEFAULT_KANIKO_IMAGE } from '../../packages/core/src/images/kaniko-job.js';
import { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import { ChildProcessRunner, type ProcessRunner, type RunOptions } from '../../packages/core/src/kube/runner.js';
import { useKubeServer } from '../kube-server/harness.js';
import { KUBECTL_BIN } from '../kube-server/kubectl.js';
import { load, writeProject } from '../kube/project.js';
import { mutatingRequests } from '../support/cluster-state.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { tempDir } from '../support/temp-dir.js';
import { pushEmptyImage, recordingReporter, watchObjects } from './support.js';

const NS = 'shop-ai-3';
const ROLE = 'codex-k8s.io/role=image-build';
const digestOf = (c: string) => `sha256:${c.repeat(64)}`;

const config = (host: string) => `project: shop
namespace:
  patterns:
    ai: "{{ .Project }}-ai-{{ .Slot }}"
environments:
  ai: {}
images:
  api:
    type: build
    repository: ${host}/shop/api
    tag: v1
    dockerfile: images/api/Dockerfile
    context: images/api
    buildArgs:
      TOKEN: 'tok-{{ .Project }}-4f9e2c'
  web:
    type: build
    repository: ${host}/shop/web
    tag: v1
services: []
`;

/** A real ProcessRunner that keeps every command line, to prove no secret was on one. */
class RecordingRunner implements ProcessRunner {
  readonly argv: string[][] = [];
  private readonly inner = new ChildProcessRunner();
  run(command: string, args: readonly string[], options?: RunOptions) {
    this.argv.push([command, ...args]);
    return this.inner.run(command, args, options);
  }
}

describe('builder kaniko', () => {
  const h = useKubeServer({ readyDelayMs: 400, namespaces: [NS] });
  let registry: TestRegistry;
  let runner: RecordingRunner;
  let authFile: string;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.close();
  });
  beforeEach(() => {
    runner = new RecordingRunner();
    h.server.store.put({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'shop-workspace', namespace: NS },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
    });
    // The runner's auth file: the build registry's entry goes to the cluster, the other one must not.
    authFile = join(tempDir('kaniko-auth-'), 'auth.json');
    writeFileSync(
      authFile,
      JSON.stringify({
        auths: {
          [registry.host]: { auth: Buffer.from('pusher:pw-71c3d0').toString('base64') },
          'other.example:5000': { auth: Buffer.from('x:other-pw-5512').toString('base64') },
        },
      }),
    );
  });

  const build = (root: string, over: Partial<BuildImagesOptions> = {}, kaniko = {}) => {
    const kubectl = new Kubectl(runner, { binary: KUBECTL_BIN, kubeconfig: h.kubeconfig, cacheDir: join(h.dir, 'c') });
    return buildImages({
      stack: load(root, 3),
      runner,
      mirror: false,
      build: true,
      builder: 'kaniko',
      insecureRegistries: [registry.host],
      authFile,
      reporter: recordingReporter(),
      kaniko: {
        kubectl,
        sources: { mount: '/workspace', dir: '/workspace/codex/envs/3/src' },
        source: root,
        timeoutMs: 600_000,
        ...kaniko,
      },
      ...over,
    });
  };
  const project = () =>
    writeProject({
      'services.yaml': config(registry.host),
      'images/api/Dockerfile': 'FROM scratch\nARG TOKEN\n',
      Dockerfile: 'FROM scratch\n',
    });

  it('runs one Job per image with the expected spec, reads the digests, and removes Jobs and Secrets', async () => {
    h.server.setTerminationMessage({ namespace: NS, name: 'kaniko-api', container: 'kaniko' }, digestOf('a'));
    h.server.setTerminationMessage({ namespace: NS, name: 'kaniko-web', container: 'kaniko' }, `${digestOf('b')}\n`);
    const root = project();
    const watch = watchObjects(h.server, NS, ROLE);
    const result = await watch.during(build(root));

    expect(result.builder).toBe('kaniko');
    expect(result.built.map((o) => o.ref)).toEqual([
      `${registry.host}/shop/api:v1@${digestOf('a')}`,
      `${registry.host}/shop/web:v1@${digestOf('b')}`,
    ]);
    const api = watch.seen('Job', 'kaniko-api-');
    expect(api.metadata.name).toMatch(/^kaniko-api-[0-9a-f]{8}$/);
    expect(api.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'codex-k8s',
      'codex-k8s.io/project': 'shop',
      'codex-k8s.io/env': 'ai',
      'codex-k8s.io/slot': '3',
      'codex-k8s.io/role': 'image-build',
      'codex-k8s.io/image': 'api',
    });
    expect(api.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 86400 });
    const pod = api.spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe(DEFAULT_KANIKO_IMAGE);
    expect(c.args).toEqual([
      '--context=dir:///kaniko/source/images/api',
      '--dockerfile=/kaniko/source/images/api/Dockerfile',
      `--destination=${registry.host}/shop/api:v1`,
      '--digest-file=/dev/termination-log',
      '--build-arg=TOKEN',
      `--insecure-registry=${registry.host}`,
      `--skip-tls-verify-registry=${registry.host}`,
    ]);
    expect(c.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'source', mountPath: '/kaniko/source', subPath: 'codex/envs/3/src', readOnly: true },
        { name: 'docker-config', mountPath: '/kaniko/.docker', readOnly: true },
      ]),
    );
    expect(pod.volumes).toContainEqual({
      name: 'docker-config',
      secret: { secretName: api.metadata.name, items: [{ key: 'config.json', path: 'config.json' }] },
    });
    expect(watch.seen('Job', 'kaniko-web-').spec.template.spec.containers[0].args.slice(0, 2)).toEqual([
      '--context=dir:///kaniko/source',
      '--dockerfile=/kaniko/source/Dockerfile',
    ]);

    // The Secret: only the build registry's credentials, the argument value, owned by its Job.
    const secret = watch.seen('Secret', 'kaniko-api-');
    const data = (k: string) => Buffer.from(secret.data[k], 'base64').toString('utf8');
    expect(Object.keys(JSON.parse(data('config.json')).auths)).toEqual([registry.host]);
    expect(data('build-arg.TOKEN')).toBe('tok-shop-4f9e2c');
    expect(secret.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Job', name: api.metadata.name, uid: api.metadata.uid }),
    ]);
    // No value in the Job, and none on any command line.
    for (const secretText of ['tok-shop-4f9e2c', 'pw-71c3d0', Buffer.from('pusher:pw-71c3d0').toString('base64')]) {
      expect(JSON.stringify(api)).not.toContain(secretText);
      expect(runner.argv.flat().join(' ')).not.toContain(secretText);
    }
    // Both finished well: nothing of them is left.
    expect(h.server.store.list('Job', NS, ROLE)).toEqual([]);
    expect(h.server.store.list('Secret', NS, ROLE)).toEqual([]);
  });

  it('a failing build fails naming the image, with its log lines and events; the Job is kept, the Secret is not', async () => {
    h.server.setBehaviour({ kind: 'Job', namespace: NS }, 'fail');
    h.server.setLogs(
      { namespace: NS, name: 'kaniko-api' },
      'INFO[0000] Retrieving image manifest scratch\nerror building image: parsing dockerfile: unknown instruction: FORM\n',
    );
    const root = project();
    const reporter = recordingReporter();
    const err = await build(root, { names: ['api'], reporter }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^1 of 1 images failed:\\napi \\(${registry.host}/shop/api:v1\\): kaniko Job ${NS}/kaniko-api-[0-9a-f]{8} job failed: BackoffLimitExceeded`,
      ),
    );
    expect(message).toMatch(
      /last lines of its log:\n {2}INFO\[0000\] Retrieving image manifest scratch\n {2}error building image: parsing dockerfile: unknown instruction: FORM/,
    );
    expect(message).toMatch(/warning events:\n {2}.*BackoffLimitExceeded/);
    expect(message).toMatch(/kept for 24h: kubectl logs/);
    // The full diagnostics (describe, pod, events, logs) went to the log; the argument value is masked there.
    const diagnostics = reporter.lines.join('\n');
    expect(diagnostics).toMatch(/--- describe Job shop-ai-3\/kaniko-api-[0-9a-f]{8} ---/);
    expect(diagnostics).not.toContain('tok-shop-4f9e2c');
    expect(h.server.store.list('Job', NS, ROLE)).toHaveLength(1);
    expect(h.server.store.list('Secret', NS, ROLE)).toEqual([]);
  });

  it('dry-run creates nothing and checks the paths; a context off the workspace fails before any Job', async () => {
    const root = project();
    const before = h.server.requests.length;
    const dry = await build(root, { dryRun: true });
    expect(dry.planned.map((j) => j.name)).toEqual(['api', 'web']);
    expect(mutatingRequests(h.server, before)).toEqual([]);
    expect(runner.argv).toEqual([]);

    const elsewhere = tempDir('kaniko-src-');
    const off = await build(root, {}, { source: elsewhere }).catch((e: Error) => e);
    expect((off as Error).message).toMatch(/images\.api\.context: .* is outside .*set source \(--source\)/);
    expect(mutatingRequests(h.server, before)).toEqual([]);
  });

  it('an existing tag is skipped without a Job; force builds it', async () => {
    const root = project();
    const existing = await pushEmptyImage(registry.host, 'shop/web', 'v1');
    h.server.setTerminationMessage({ namespace: NS, name: 'kaniko-web' }, digestOf('c'));
    const before = h.server.requests.length;
    const skipped = await build(root, { names: ['web'] });
    expect(skipped.skipped.map((o) => o.ref)).toEqual([`${registry.host}/shop/web:v1@${existing}`]);
    expect(skipped.built).toEqual([]);
    // Nothing to build: the cluster was not even asked.
    expect(h.server.requests.length).toBe(before);
    expect(runner.argv).toEqual([]);
    const forced = await build(root, { names: ['web'], force: true });
    expect(forced.built.map((o) => o.ref)).toEqual([`${registry.host}/shop/web:v1@${digestOf('c')}`]);
  });

  it('registry-secret: mounts that Secret; a missing or wrong one, or a missing namespace, is named first', async () => {
    const root = project();
    h.server.setTerminationMessage({ namespace: NS, name: 'kaniko-web' }, digestOf('d'));
    // force throughout: the registry is shared by the tests of this file, and another one may have pushed web:v1.
    const web = { names: ['web'], force: true };
    const missing = await build(root, web, { registrySecret: 'push-creds' }).catch((e: Error) => e);
    expect((missing as Error).message).toMatch(/registry-secret: Secret push-creds is not in namespace shop-ai-3/);
    h.server.store.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'plain', namespace: NS },
      type: 'Opaque',
      data: {},
    });
    const wrong = await build(root, web, { registrySecret: 'plain' }).catch((e: Error) => e);
    expect((wrong as Error).message).toMatch(/has type Opaque; kaniko needs a docker config/);
    expect(h.server.store.list('Job', NS)).toEqual([]);

    h.server.store.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'push-creds', namespace: NS },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
    });
    const watch = watchObjects(h.server, NS, ROLE);
    const ok = await watch.during(build(root, web, { registrySecret: 'push-creds' }));
    expect(ok.built.map((o) => o.digest)).toEqual([digestOf('d')]);
    const job = watch.seen('Job', 'kaniko-web-');
    expect(job.spec.template.spec.volumes).toContainEqual({
      name: 'docker-config',
      secret: { secretName: 'push-creds', items: [{ key: '.dockerconfigjson', path: 'config.json' }] },
    });
    // No build arguments and the user's Secret: no Secret of its own.
    expect(watch.all('Secret')).toEqual([]);

    const gone = await build(root, { ...web, stack: load(root, 4) }).catch((e: Error) => e);
    expect((gone as Error).message).toMatch(/namespace shop-ai-4 does not exist; .* run ensure-ready first/);
  });
});
