/** Adversarial: ensure-ready prepare-images after a failed build, when the slot's namespace already exists. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { kubectlOf, writeProject } from '../kube/project.js';
import { actionMain, runAction } from '../support/action.js';
import { buildahEnv, startRegistry, type TestRegistry } from '../support/registry.js';

describe('adv2 prepare-images', () => {
  const h = useKubeServer({ readyDelayMs: 20 });
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('a build that failed in the first run is built by the rerun', async () => {
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
  - name: cfg
    manifests:
      - path: cm.yaml
services: []
`;
    const root = writeProject({
      'services.yaml': yaml,
      Dockerfile: 'FROM scratch\nCOPY missing /a\n',
      a: 'a\n',
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: {{ .Namespace }}\ndata: {}\n',
    });
    // the slot namespace exists already (created by an admin, or left by an earlier environment)
    await kubectlOf(h).run(['create', 'namespace', 'shop-ai-1']);
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
    const first = await run();
    expect(first.errors.join('\n')).toMatch(/images failed/);
    writeFileSync(path.join(root, 'Dockerfile'), 'FROM scratch\nCOPY a /a\n');
    const second = await run();
    expect(second.errors).toEqual([]);
    const tags =
      ((await fetch(`http://${registry.host}/v2/shop/web/tags/list`).then((r) => r.json())) as { tags?: string[] })
        .tags ?? [];
    expect({ tags, log: second.stdout.match(/prepare-images:.*/)?.[0] }).toEqual({
      tags: ['slot-1'],
      log: expect.anything(),
    });
  });
});
