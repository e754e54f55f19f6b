/** `codex-k8s images build --builder kaniko` as a user runs it, against the Kubernetes API test server. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { KUBECTL_BIN } from '../kube-server/kubectl.js';
import { writeProject } from '../kube/project.js';
import { runCli } from '../support/cli.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

describe('codex-k8s images build --builder kaniko', () => {
  const h = useKubeServer({ readyDelayMs: 200, namespaces: ['shop-ai-2'] });
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('prints the plan on --dry-run, builds in a Job with the flags given, and names a missing flag', async () => {
    const yaml = `project: shop
namespace:
  patterns:
    ai: "{{ .Project }}-ai-{{ .Slot }}"
environments:
  ai: {}
images:
  web:
    type: build
    repository: ${registry.host}/shop/web
    tag: v3
    context: app
    dockerfile: app/Dockerfile
services: []
`;
    const root = writeProject({ 'services.yaml': yaml, 'app/Dockerfile': 'FROM scratch\n' });
    h.server.store.put({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'sources', namespace: 'shop-ai-2' },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
    });
    const digest = `sha256:${'e'.repeat(64)}`;
    h.server.setTerminationMessage({ namespace: 'shop-ai-2', name: 'kaniko-web' }, digest);
    const env = { KUBECONFIG: h.kubeconfig, KUBECACHEDIR: join(h.dir, 'cache') };
    const flags = [
      ...['-c', 'services.yaml', '--env', 'ai', '--slot', '2', '--builder', 'kaniko'],
      ...['--insecure-registry', registry.host, '--kubectl', KUBECTL_BIN],
    ];
    const kaniko = ['--code-root-base', '/data/envs', '--workspace-mount', '/data', '--workspace-pvc', 'sources'];

    const dry = await runCli(['images', 'build', ...flags, ...kaniko, '--dry-run'], { cwd: root, env });
    expect(dry.stdout).toBe(`would-build ${registry.host}/shop/web:v3\n`);
    expect(h.server.store.list('Job', 'shop-ai-2')).toEqual([]);

    const built = await runCli(['images', 'build', ...flags, ...kaniko, '--kaniko-timeout', '20m'], { cwd: root, env });
    expect(built.stderr).not.toMatch(/^error/m);
    expect(built.stdout).toBe(`built ${registry.host}/shop/web:v3@${digest}\n`);
    expect(built.stderr).toMatch(/kaniko Job shop-ai-2\/kaniko-web-[0-9a-f]{8} builds/);

    const noBase = await runCli(['images', 'build', ...flags], { cwd: root, env });
    expect(noBase).toMatchObject({ code: 1, stderr: expect.stringMatching(/set code-root-base \(--code-root-base/) });
    const badTimeout = await runCli(['images', 'build', ...flags, ...kaniko, '--kaniko-timeout', 'soon'], {
      cwd: root,
      env,
    });
    expect(badTimeout.stderr).toMatch(/--kaniko-timeout "soon" is not a duration/);
  });
});
