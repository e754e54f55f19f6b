/** codex-k8s images build | mirror against Debian's docker-registry with buildah and skopeo, as a user runs them. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeProject } from '../kube/project.js';
import { runCli } from '../support/cli.js';
import { buildahEnv, startRegistry, type TestRegistry } from '../support/registry.js';

describe('codex-k8s images', () => {
  let registry: TestRegistry;
  let env: Record<string, string>;
  beforeAll(async () => {
    registry = await startRegistry();
    env = buildahEnv();
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('build pushes, a second build skips, --dry-run says what it would do; mirror copies with the digest', async () => {
    const yaml = `project: shop
namespace:
  patterns:
    dev: shop-dev
environments:
  dev: {}
images:
  web:
    type: build
    repository: ${registry.host}/shop/web
    tag: v2
  copy:
    type: external
    from: ${registry.host}/shop/web:v2
    local: ${registry.host}/mirror/web:v2
services: []
`;
    const root = writeProject({ 'services.yaml': yaml, Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'a\n' });
    const flags = ['-c', 'services.yaml', '--env', 'dev', '--insecure-registry', registry.host];
    const dry = await runCli(['images', 'build', ...flags, '--dry-run'], { cwd: root, env });
    expect(dry.stdout).toBe(`would-build ${registry.host}/shop/web:v2\n`);
    const built = await runCli(['images', 'build', ...flags], { cwd: root, env });
    expect(built.stderr).not.toMatch(/^error/m);
    expect(built.stdout).toMatch(new RegExp(`^built ${registry.host}/shop/web:v2@sha256:[0-9a-f]{64}\\n$`));
    const digest = built.stdout.trim().split('@')[1];
    const again = await runCli(['images', 'build', ...flags], { cwd: root, env });
    expect(again.stdout).toBe(`skipped ${registry.host}/shop/web:v2@${digest}\n`);
    const mirrored = await runCli(['images', 'mirror', ...flags], { cwd: root, env });
    expect(mirrored.stdout).toBe(`mirrored ${registry.host}/mirror/web:v2@${digest}\n`);
    const unknown = await runCli(['images', 'build', ...flags, '--images', 'nope'], { cwd: root, env });
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringMatching(/images: nope is not under images:/) });
  });
});
