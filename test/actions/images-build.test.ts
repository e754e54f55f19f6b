/**
 * images-build as the runner runs it, against Debian's docker-registry on 127.0.0.1 with buildah (chroot isolation,
 * vfs storage) and skopeo: FROM scratch images built in parallel and pushed, skipped when their tag is there, rebuilt
 * with force; an external image mirrored between repositories with its digest; basic auth; a registry that is down.
 * Builder kaniko against the Kubernetes API test server: each build a Job, its digest from the termination message.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { writeProject } from '../kube/project.js';
import { actionMain, runAction } from '../support/action.js';
import { buildahEnv, freePort, startRegistry, type TestRegistry } from '../support/registry.js';
import { watchObjects } from '../images/support.js';

const config = (host: string) => `project: shop
namespace:
  patterns:
    dev: "{{ .Project }}-dev"
versions:
  app: "1.2.0"
environments:
  dev: {}
images:
  api:
    type: build
    repository: ${host}/shop/api
    tagTemplate: '{{ printf "%s-%s" .Env (index .Versions "app") }}'
    dockerfile: images/api/Dockerfile
    context: images/api
    buildArgs:
      GREETING: 'hello from {{ .Project }}'
  web:
    type: build
    repository: ${host}/shop/web
    tag: v1
    dockerfile: images/web/Dockerfile
    context: images/web
  worker:
    type: build
    repository: ${host}/shop/worker
    tag: v1
    dockerfile: images/worker/Dockerfile
    context: images/worker
  base:
    type: external
    from: ${host}/upstream/base:3
    local: ${host}/mirror/base:3
services: []
`;

const files = (host: string): Record<string, string> => ({
  'services.yaml': config(host),
  'images/api/Dockerfile': 'FROM scratch\nARG GREETING\nLABEL greeting=$GREETING\nCOPY app.txt /app.txt\n',
  'images/api/app.txt': 'api\n',
  'images/web/Dockerfile': 'FROM scratch\nCOPY app.txt /app.txt\n',
  'images/web/app.txt': 'web\n',
  'images/worker/Dockerfile': 'FROM scratch\nCOPY app.txt /app.txt\n',
  'images/worker/app.txt': 'worker\n',
});

describe('images-build', () => {
  let registry: TestRegistry;
  let env: Record<string, string>;
  beforeAll(async () => {
    registry = await startRegistry();
    env = buildahEnv();
    // The upstream image the mirror copies: built straight into the registry.
    const up = writeProject({ Dockerfile: 'FROM scratch\nCOPY x /x\n', x: 'upstream\n' });
    execFileSync('buildah', ['bud', '-t', `${registry.host}/upstream/base:3`, up], {
      env: { ...process.env, ...env },
      stdio: 'pipe',
    });
    execFileSync('buildah', ['push', '--tls-verify=false', `${registry.host}/upstream/base:3`], {
      env: { ...process.env, ...env },
      stdio: 'pipe',
    });
  });
  afterAll(async () => {
    await registry?.close();
  });

  const act = (root: string, inputs: Record<string, string>, extra: Record<string, string> = {}) =>
    runAction(
      actionMain('images-build'),
      { config: 'services.yaml', env: 'dev', 'insecure-registries': registry.host, ...inputs },
      { cwd: root, env: { ...env, ...extra }, timeoutMs: 300_000 },
    );
  const inspect = (ref: string) =>
    JSON.parse(
      execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      }),
    ) as { Digest: string; Labels: Record<string, string> };

  it('builds three images in parallel and mirrors one; a second run skips all; force rebuilds', async () => {
    const root = writeProject(files(registry.host));
    const first = await act(root, { parallel: '3' });
    expect(first.errors).toEqual([]);
    const built = JSON.parse(first.outputs.built) as string[];
    expect(built.map((r) => r.replace(/@sha256:[0-9a-f]{64}$/, ''))).toEqual([
      `${registry.host}/shop/api:dev-1.2.0`,
      `${registry.host}/shop/web:v1`,
      `${registry.host}/shop/worker:v1`,
    ]);
    for (const ref of built) {
      const [name, digest] = ref.split('@');
      expect(inspect(name).Digest).toBe(digest);
    }
    // The build argument, rendered with the template context, reached the build (and no command line).
    expect(inspect(`${registry.host}/shop/api:dev-1.2.0`).Labels.greeting).toBe('hello from shop');
    expect(first.stdout).not.toMatch(/GREETING=hello/);
    const mirrored = JSON.parse(first.outputs.mirrored) as string[];
    expect(mirrored).toHaveLength(1);
    expect(mirrored[0].split('@')[1]).toBe(inspect(`${registry.host}/upstream/base:3`).Digest);
    expect(inspect(`${registry.host}/mirror/base:3`).Digest).toBe(inspect(`${registry.host}/upstream/base:3`).Digest);
    expect(first.summary).toMatch(/\| api \| built \|/);

    const second = await act(root, {});
    expect(second.errors).toEqual([]);
    expect(JSON.parse(second.outputs.built)).toEqual([]);
    expect(JSON.parse(second.outputs.mirrored)).toEqual([]);
    expect((JSON.parse(second.outputs.skipped) as string[]).sort()).toEqual([...built, ...mirrored].sort());

    const forced = await act(root, { force: 'true', images: 'web', mirror: 'false' });
    expect(forced.errors).toEqual([]);
    expect((JSON.parse(forced.outputs.built) as string[]).map((r) => r.split('@')[0])).toEqual([
      `${registry.host}/shop/web:v1`,
    ]);
    expect(JSON.parse(forced.outputs.mirrored)).toEqual([]);
  });

  it('dry-run asks the registry and builds nothing', async () => {
    const yaml = config(registry.host).replace(/tag: v1/g, 'tag: never-built');
    const r2 = writeProject({ ...files(registry.host), 'services.yaml': yaml });
    const res = await act(r2, { 'dry-run': 'true', images: 'web,worker' });
    expect(res.errors).toEqual([]);
    expect(res.summary).toMatch(/\| web \| would be built \|/);
    expect(JSON.parse(res.outputs.built)).toEqual([]);
    const tags = await fetch(`http://${registry.host}/v2/shop/web/tags/list`).then((r) => r.json());
    expect((tags as { tags: string[] }).tags ?? []).not.toContain('never-built');
  });

  it('builder, build, mirror and parallel change what is done', async () => {
    const root = writeProject(files(registry.host));
    // Only the mirror is planned when build is off (a dry run asks the registry and shows the plan).
    const mirrorOnly = await act(root, { 'dry-run': 'true', build: 'false', force: 'true' });
    expect(mirrorOnly.summary).toMatch(/\| base \| would be mirrored \|/);
    expect(mirrorOnly.summary).not.toMatch(/would be built/);
    // builder: docker is used when asked for (this machine has no buildx: the step fails naming it).
    const docker = await act(root, { images: 'web', force: 'true', builder: 'docker' });
    expect(docker.code).toBe(1);
    expect(docker.errors.join('\n')).toMatch(/docker buildx failed|could not run docker/);
    const unknown = await act(root, { builder: 'podman' });
    expect(unknown.errors.join('\n')).toMatch(/builder: "podman" is not one of auto, buildah, docker, kaniko/);
    // kaniko builds from the slot workspace: without code-root-base it is told which input to set.
    const kaniko = await act(root, { builder: 'kaniko', images: 'web', force: 'true' });
    expect(kaniko.errors.join('\n')).toMatch(
      /builder kaniko builds from the sources in the slot workspace: set code-root-base/,
    );
    const zero = await act(root, { parallel: '40' });
    expect(zero.errors.join('\n')).toMatch(/parallel: 40 must be a whole number from 1 to 32/);
  });

  it('a registry with basic auth works with the auth file; a registry that is down is named', async () => {
    const secured = await startRegistry({ user: 'tester', password: 's3cret' });
    try {
      const yaml = `project: shop\nnamespace:\n  patterns:\n    dev: shop-dev\nenvironments:\n  dev: {}\nimages:\n  web:\n    type: build\n    repository: ${secured.host}/shop/web\n    tag: v1\n    dockerfile: Dockerfile\nservices: []\n`;
      const root = writeProject({ 'services.yaml': yaml, Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'a\n' });
      const authed = buildahEnv({ host: secured.host, user: 'tester', password: 's3cret' });
      const ok = await runAction(
        actionMain('images-build'),
        { config: 'services.yaml', env: 'dev', 'insecure-registries': secured.host },
        { cwd: root, env: authed, timeoutMs: 300_000 },
      );
      expect(ok.errors).toEqual([]);
      expect(JSON.parse(ok.outputs.built)).toHaveLength(1);
      const again = await runAction(
        actionMain('images-build'),
        { config: 'services.yaml', env: 'dev', 'insecure-registries': secured.host },
        { cwd: root, env: authed, timeoutMs: 300_000 },
      );
      expect(JSON.parse(again.outputs.skipped)).toHaveLength(1);
      const noCreds = await runAction(
        actionMain('images-build'),
        { config: 'services.yaml', env: 'dev', 'insecure-registries': secured.host },
        { cwd: root, env: buildahEnv(), timeoutMs: 300_000 },
      );
      expect(noCreds.code).toBe(1);
      expect(noCreds.errors.join('\n')).toMatch(
        new RegExp(`registry ${secured.host.replace(/\./g, '\\.')} needs credentials`),
      );
    } finally {
      await secured.close();
    }
    const closed = `127.0.0.1:${await freePort()}`;
    const down = writeProject({
      ...files(closed),
    });
    const res = await act(down, { images: 'web', 'insecure-registries': closed });
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).toMatch(
      new RegExp(`registry ${closed.replace(/\./g, '\\.')} is not reachable \\(ECONNREFUSED\\)`),
    );
  });
});

describe('ensure-ready prepare-images', () => {
  const h = useKubeServer({ readyDelayMs: 20 });
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('images are built before the stack is applied; a build that failed is built by the rerun; then skipped', async () => {
    const yaml = `project: shop
namespace:
  patterns:
    ai: "{{ .Project }}-ai-{{ .Slot }}"
state:
  configmapNamespace: codex-system
environments:
  ai: {}
images:
  web:
    type: build
    repository: ${registry.host}/shop/web
    tag: slot-{{ .Slot }}
infrastructure:
  - name: namespace
    manifests:
      - path: namespace.yaml
services: []
`;
    const root = writeProject({
      'services.yaml': yaml,
      'namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Namespace }}\n',
      Dockerfile: 'FROM scratch\nCOPY missing /a\n',
      a: 'a\n',
    });
    const run = () =>
      runAction(
        actionMain('ensure-ready'),
        { config: 'services.yaml', issue: '5', 'prepare-images': 'true', 'insecure-registries': registry.host },
        {
          cwd: root,
          timeoutMs: 300_000,
          env: {
            ...buildahEnv(),
            KUBECONFIG: h.kubeconfig,
            PATH: `${path.resolve('.tools/bin')}:${process.env.PATH}`,
            KUBECACHEDIR: path.join(h.dir, 'cache'),
          },
        },
      );
    const tags = async () =>
      ((await fetch(`http://${registry.host}/v2/shop/web/tags/list`).then((r) => r.json())) as { tags?: string[] })
        .tags ?? [];
    const failed = await run();
    expect(failed.errors.join('\n')).toMatch(/1 of 1 images failed:\nweb \(/);
    // Nothing was applied from a run whose images failed.
    expect(h.server.store.get('Namespace', '', 'shop-ai-1')).toBeFalsy();
    expect(await tags()).toEqual([]);
    writeFileSync(path.join(root, 'Dockerfile'), 'FROM scratch\nCOPY a /a\n');
    const fixed = await run();
    expect(fixed.errors).toEqual([]);
    expect(fixed.stdout).toMatch(/prepare-images: 1 built, 0 mirrored, 0 already in the registry/);
    expect(await tags()).toEqual(['slot-1']);
    expect(h.server.store.get('Namespace', '', 'shop-ai-1')).toBeTruthy();
    const again = await run();
    expect(again.errors).toEqual([]);
    expect(again.stdout).toMatch(/prepare-images: 0 built, 0 mirrored, 1 already in the registry/);
  });
});

describe('images-build with builder kaniko (a Job in the cluster)', () => {
  const h = useKubeServer({ readyDelayMs: 300, namespaces: ['shop-dev'] });
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.close();
  });
  const run = (root: string, inputs: Record<string, string>) =>
    runAction(
      actionMain('images-build'),
      {
        config: 'services.yaml',
        env: 'dev',
        builder: 'kaniko',
        'code-root-base': '/workspace/codex/envs',
        'insecure-registries': registry.host,
        mirror: 'false',
        ...inputs,
      },
      {
        cwd: root,
        timeoutMs: 120_000,
        env: {
          KUBECONFIG: h.kubeconfig,
          PATH: `${path.resolve('.tools/bin')}:${process.env.PATH}`,
          KUBECACHEDIR: path.join(h.dir, 'cache'),
        },
      },
    );

  it('builds each image in a Job and outputs ref@digest; a failed build fails the step naming it', async () => {
    h.server.store.put({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'shop-workspace', namespace: 'shop-dev' },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
    });
    const digest = (c: string) => `sha256:${c.repeat(64)}`;
    h.server.setTerminationMessage({ namespace: 'shop-dev', name: 'kaniko-api' }, digest('1'));
    h.server.setTerminationMessage({ namespace: 'shop-dev', name: 'kaniko-web' }, digest('2'));
    const root = writeProject(files(registry.host));
    const watch = watchObjects(h.server, 'shop-dev', 'codex-k8s.io/role=image-build');
    const dry = await run(root, { 'dry-run': 'true', images: 'api,web' });
    expect(dry.summary).toMatch(/\| api \| would be built \|/);
    expect(h.server.store.list('Job', 'shop-dev')).toEqual([]);

    const res = await watch.during(
      run(root, { images: 'api,web', 'kaniko-image': 'mirror.local/kaniko/executor:v1.24.0', 'kaniko-timeout': '5m' }),
    );
    expect(res.errors).toEqual([]);
    expect(JSON.parse(res.outputs.built)).toEqual([
      `${registry.host}/shop/api:dev-1.2.0@${digest('1')}`,
      `${registry.host}/shop/web:v1@${digest('2')}`,
    ]);
    expect(res.summary).toMatch(/\| web \| built \|/);
    const api = watch.seen('Job', 'kaniko-api-');
    expect(api.spec.activeDeadlineSeconds).toBe(300);
    const c = api.spec.template.spec.containers[0];
    expect(c.image).toBe('mirror.local/kaniko/executor:v1.24.0');
    expect(c.args).toContain('--context=dir:///kaniko/source/images/api');
    // An env without slots: its sources are under <code-root-base>/<env>/src.
    expect(c.volumeMounts[0]).toMatchObject({ subPath: 'codex/envs/dev/src', readOnly: true });
    expect(JSON.stringify(api)).not.toContain('hello from shop');
    expect(h.server.store.list('Job', 'shop-dev')).toEqual([]);

    h.server.setBehaviour({ kind: 'Job', namespace: 'shop-dev' }, 'fail');
    h.server.setLogs({ namespace: 'shop-dev', name: 'kaniko-web' }, 'error building image: COPY failed: app.txt\n');
    const failed = await run(root, { images: 'web', force: 'true' });
    expect(failed.code).toBe(1);
    expect(failed.errors.join('\n')).toMatch(
      new RegExp(`web \\(${registry.host}/shop/web:v1\\): kaniko Job shop-dev/kaniko-web-[0-9a-f]{8} job failed`),
    );
    expect(failed.errors.join('\n')).toMatch(/error building image: COPY failed: app\.txt/);
  });
});
