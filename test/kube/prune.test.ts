/** Prune on apply, with the real kubectl against the kube test server. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { APPLYSET_NAME } from '../../packages/core/src/kube/prune.js';
import { formatRef } from '../../packages/core/src/objects/refs.js';
import {
  applyEnvironment,
  type ApplyEnvironmentOptions,
} from '../../packages/core/src/operations/apply-environment.js';
import type { StackFilters } from '../../packages/core/src/render/filters.js';
import type { Reporter } from '../../packages/core/src/util/reporter.js';
import { useKubeServer, yamlStream } from '../kube-server/harness.js';
import { KUBECTL_BIN } from '../kube-server/kubectl.js';
import { runCli } from '../support/cli.js';
import { MANIFESTS, SERVICES_YAML, kubectlOf, writeProject } from './project.js';

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: shop/web:1
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
`;
/** Stack A: the shop stack plus a `web` service. */
const WITH_WEB = `${SERVICES_YAML}  - name: web
    manifests:
      - path: services/web.yaml
`;

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function project(): { root: string; write: (services: string, extra?: Record<string, string>) => void } {
  const root = writeProject({ 'services.yaml': WITH_WEB, ...MANIFESTS, 'services/web.yaml': WEB });
  roots.push(root);
  return {
    root,
    write: (services, extra = {}) => {
      writeFileSync(join(root, 'services.yaml'), services);
      for (const [name, text] of Object.entries(extra)) writeFileSync(join(root, name), text);
    },
  };
}

function recorder() {
  const lines: string[] = [];
  const summary: string[] = [];
  const reporter: Reporter = {
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`warning: ${m}`),
    debug: () => undefined,
    group: (_t, body) => body(),
    summary: (m) => summary.push(m),
  };
  return { reporter, lines, summary };
}

describe('prune on apply', () => {
  const h = useKubeServer({ readyDelayMs: 50 });
  const apply = (
    root: string,
    slot: number,
    extra: Partial<ApplyEnvironmentOptions> & { filters?: StackFilters } = {},
  ) => {
    const rec = recorder();
    return applyEnvironment({
      load: { config: join(root, 'services.yaml'), env: 'ai', slot, cwd: root, processEnv: { PATH: process.env.PATH } },
      client: kubectlOf(h),
      wait: false,
      reporter: rec.reporter,
      ...extra,
    }).then((result) => ({ result, ...rec }));
  };
  const get = (kind: string, ns: string | undefined, name: string) => h.server.store.get(kind, ns, name);

  it('deletes the Deployment and Service of a removed service, and nothing else', async () => {
    const p = project();
    await apply(p.root, 1);
    await apply(p.root, 2);
    const api = get('Deployment', 'shop-dev-1', 'api');
    expect(get('Deployment', 'shop-dev-1', 'web')?.metadata.labels).toMatchObject({ 'codex-k8s.io/service': 'web' });
    const record = get('ConfigMap', 'shop-dev-1', APPLYSET_NAME)!;
    expect(record.data['service.web'].split('\n')).toEqual(['Deployment.apps shop-dev-1', 'Service shop-dev-1']);
    expect(record.data['infra.rbac']).toBe('ClusterRole.rbac.authorization.k8s.io');

    // Look-alikes that must survive: no labels of ours, and our labels of another slot.
    const copy = (name: string, labels: Record<string, string>) =>
      h.kubectl(['apply', '--server-side', '--field-manager=someone', '-f', '-'], {
        stdin: yamlStream(
          `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: shop-dev-1\n  labels: ${JSON.stringify(labels)}\nspec:\n  ports: [{port: 80}]`,
        ),
      });
    expect((await copy('web-legacy', { app: 'web' })).code).toBe(0);
    const ours = {
      'app.kubernetes.io/managed-by': 'codex-k8s',
      'codex-k8s.io/project': 'shop',
      'codex-k8s.io/env': 'ai',
    };
    expect((await copy('web-slot-2', { ...ours, 'codex-k8s.io/slot': '2', 'codex-k8s.io/service': 'web' })).code).toBe(
      0,
    );

    p.write(SERVICES_YAML);
    const { result, summary } = await apply(p.root, 1);
    expect(result.prune?.deleted.map(formatRef).sort()).toEqual([
      'Deployment shop-dev-1/web',
      'Service shop-dev-1/web',
    ]);
    expect(get('Deployment', 'shop-dev-1', 'web')).toBeUndefined();
    expect(get('Service', 'shop-dev-1', 'web')).toBeUndefined();
    expect(get('Deployment', 'shop-dev-1', 'api')?.metadata.uid).toBe(api!.metadata.uid);
    expect(get('Service', 'shop-dev-1', 'web-legacy')).toBeDefined();
    expect(get('Service', 'shop-dev-1', 'web-slot-2')).toBeDefined();
    expect(get('Deployment', 'shop-dev-2', 'web')).toBeDefined();
    expect(get('ConfigMap', 'shop-dev-1', APPLYSET_NAME)).toBeDefined();
    expect(get('Namespace', undefined, 'shop-dev-1')).toBeDefined();
    expect(summary.join('\n')).toMatch(/- pruned Deployment shop-dev-1\/web/);

    // Applying the same stack again finds nothing more to prune.
    expect((await apply(p.root, 1)).result.prune?.deleted).toEqual([]);
  });

  it('a filtered apply prunes only inside the services it selected', async () => {
    const p = project();
    await apply(p.root, 3);
    // api no longer renders its Service; web is gone from services.yaml.
    p.write(SERVICES_YAML, { 'services/api.yaml': MANIFESTS['services/api.yaml'].split('---')[0] });
    const { result } = await apply(p.root, 3, { filters: { onlyServices: ['api'] } });
    expect(result.prune?.deleted.map(formatRef)).toEqual(['Service shop-dev-3/api']);
    expect(get('Service', 'shop-dev-3', 'api')).toBeUndefined();
    expect(get('Deployment', 'shop-dev-3', 'web')).toBeDefined();
    expect(get('Service', 'shop-dev-3', 'web')).toBeDefined();
    expect(get('StatefulSet', 'shop-dev-3', 'postgres')).toBeDefined();

    // skip-services web is filtered too: web stays; a full apply then removes it.
    expect((await apply(p.root, 3, { filters: { skipServices: ['migrate'] } })).result.prune?.deleted).toEqual([]);
    expect(get('Deployment', 'shop-dev-3', 'web')).toBeDefined();
    expect((await apply(p.root, 3)).result.prune?.deleted.map(formatRef).sort()).toEqual([
      'Deployment shop-dev-3/web',
      'Service shop-dev-3/web',
    ]);
  });

  it('prune: false keeps what is no longer rendered; dry run lists it and deletes nothing', async () => {
    const p = project();
    await apply(p.root, 4);
    p.write(SERVICES_YAML);
    const off = await apply(p.root, 4, { prune: false });
    expect(off.result.prune).toBeUndefined();
    expect(get('Deployment', 'shop-dev-4', 'web')).toBeDefined();

    const before = h.server.requests.length;
    const dry = await apply(p.root, 4, { dryRun: true });
    expect(dry.result.prune?.deleted.map(formatRef).sort()).toEqual([
      'Deployment shop-dev-4/web',
      'Service shop-dev-4/web',
    ]);
    expect(dry.lines).toContain('would prune Deployment shop-dev-4/web');
    expect(dry.summary.join('\n')).toMatch(/would prune Service shop-dev-4\/web/);
    expect(get('Deployment', 'shop-dev-4', 'web')).toBeDefined();
    // kubectl diff's server-side dry runs are the only requests that are not reads.
    const writes = h.server.requests
      .slice(before)
      .filter((r) => !['GET', 'HEAD'].includes(r.method) && !/dryRun=All/.test(r.query ?? ''));
    expect(writes).toEqual([]);
  });

  it('a shared cluster-scoped object loses only this slot’s mark; one only this slot used is deleted', async () => {
    const p = project();
    await apply(p.root, 5);
    await apply(p.root, 6);
    expect(Object.keys(get('ClusterRole', undefined, 'shop-reader')!.metadata.annotations!).sort()).toEqual([
      'used-by.codex-k8s.io/shop-dev-5',
      'used-by.codex-k8s.io/shop-dev-6',
    ]);
    // Slot 6 applied shop-reader last, so it carries slot label 6: slot 5 still finds it by its mark.
    p.write(WITH_WEB.replace(/ {2}- name: rbac\n {4}manifests:\n {6}- path: deploy\/rbac.yaml\n/, ''));
    const { result } = await apply(p.root, 5);
    expect(result.prune?.deleted.map(formatRef)).toEqual(['ClusterRole shop-dev-5-only']);
    expect(result.prune?.released.map((k) => [formatRef(k.ref), k.users])).toEqual([
      ['ClusterRole shop-reader', ['shop-dev-6']],
    ]);
    expect(get('ClusterRole', undefined, 'shop-dev-5-only')).toBeUndefined();
    expect(get('ClusterRole', undefined, 'shop-dev-6-only')).toBeDefined();
    expect(Object.keys(get('ClusterRole', undefined, 'shop-reader')!.metadata.annotations!)).toEqual([
      'used-by.codex-k8s.io/shop-dev-6',
    ]);
    // Slot 6 drops it too: no mark is left, so it goes.
    const last = await apply(p.root, 6);
    expect(last.result.prune?.deleted.map(formatRef).sort()).toEqual([
      'ClusterRole shop-dev-6-only',
      'ClusterRole shop-reader',
    ]);
    expect(get('ClusterRole', undefined, 'shop-reader')).toBeUndefined();
  });

  it('never prunes after a failed apply, nor the namespace the stack stops rendering', async () => {
    const p = project();
    await apply(p.root, 7);
    const broken = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n';
    p.write(SERVICES_YAML, { 'services/migrate.yaml': broken });
    await expect(apply(p.root, 7)).rejects.toThrow(/Bad_Name/);
    expect(get('Deployment', 'shop-dev-7', 'web')).toBeDefined();

    // The stack no longer holds its Namespace (nor web): web goes, the namespace stays.
    p.write(SERVICES_YAML.replace(/ {2}- name: namespace\n {4}manifests:\n {6}- path: deploy\/namespace.yaml\n/, ''), {
      'services/migrate.yaml': MANIFESTS['services/migrate.yaml'],
    });
    const { result } = await apply(p.root, 7);
    expect(result.prune?.deleted.map(formatRef).sort()).toEqual([
      'Deployment shop-dev-7/web',
      'Service shop-dev-7/web',
    ]);
    expect(get('Namespace', undefined, 'shop-dev-7')?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('the CLI: --dry-run prints what would be pruned, --no-prune keeps it, a plain apply prunes it', async () => {
    const p = project();
    const cli = (...args: string[]) =>
      runCli(['apply', '-c', 'services.yaml', '--env', 'ai', '--slot', '8', '--no-wait', ...args], {
        cwd: p.root,
        env: {
          KUBECONFIG: h.kubeconfig,
          KUBECACHEDIR: join(h.dir, 'cache'),
          PATH: `${dirname(KUBECTL_BIN)}:${process.env.PATH}`,
        },
      });
    expect((await cli()).code).toBe(0);
    p.write(SERVICES_YAML);
    const dry = await cli('--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^would prune Deployment shop-dev-8\/web$/m);
    expect(dry.stdout).toMatch(/^would prune Service shop-dev-8\/web$/m);
    const kept = await cli('--no-prune');
    expect(kept.code).toBe(0);
    expect(kept.stdout).not.toMatch(/prune/);
    expect(get('Deployment', 'shop-dev-8', 'web')).toBeDefined();
    const pruned = await cli();
    expect(pruned.stdout).toMatch(/^pruned Deployment shop-dev-8\/web$/m);
    expect(get('Deployment', 'shop-dev-8', 'web')).toBeUndefined();
  });
});
