/** Adversarial: images build/mirror. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeProject } from '../kube/project.js';
import { runCli } from '../support/cli.js';
import { buildahEnv, startRegistry, type TestRegistry } from '../support/registry.js';

describe('adv2 images', () => {
  let registry: TestRegistry;
  let env: Record<string, string>;
  beforeAll(async () => {
    registry = await startRegistry();
    env = buildahEnv();
  });
  afterAll(async () => {
    await registry?.close();
  });
  const project = (images: string) =>
    writeProject({
      'services.yaml': `project: shop
namespace:
  patterns:
    dev: shop-dev
environments:
  dev: {}
images:
${images}
services: []
`,
      Dockerfile: 'FROM scratch\nARG PATH\nCOPY a /a\n',
      a: 'a\n',
    });

  it('a build argument named like a variable of the builder (PATH) is refused, not passed to the builder', async () => {
    const root = project(`  web:
    type: build
    repository: ${registry.host}/shop/argpath
    tag: v1
    buildArgs:
      PATH: /opt/app/bin`);
    const res = await runCli(
      ['images', 'build', '-c', 'services.yaml', '--env', 'dev', '--insecure-registry', registry.host],
      {
        cwd: root,
        env,
      },
    );
    // Refused with a clear message: build argument values reach the builder through its environment.
    expect(res.stderr).not.toMatch(/ENOENT|could not run buildah/);
    expect(res).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/buildArgs: "PATH" is also a variable of the builder's own environment/),
    });
  });

  it('an external image pinned by digest can be mirrored', async () => {
    const root0 = project(`  web:
    type: build
    repository: ${registry.host}/shop/pin
    tag: v1`);
    const flags = ['-c', 'services.yaml', '--env', 'dev', '--insecure-registry', registry.host];
    const built = await runCli(['images', 'build', ...flags], { cwd: root0, env });
    const digest = built.stdout.trim().split('@')[1];
    expect(digest).toMatch(/^sha256:/);
    const root = project(`  copy:
    type: external
    from: ${registry.host}/shop/pin@${digest}
    local: ${registry.host}/mirror/pin:v1`);
    const res = await runCli(['images', 'mirror', ...flags], { cwd: root, env });
    expect(res.stderr).not.toMatch(/is not an image reference/);
    expect(res.stdout).toBe(`mirrored ${registry.host}/mirror/pin:v1@${digest}\n`);
  });
});
