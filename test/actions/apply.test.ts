/** The bundled apply action, run as the runner runs it, against the Kubernetes API test server with real kubectl. */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { actionMain, runAction } from '../support/action.js';
import { tempDir } from '../support/temp-dir.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';

const TOOLS = path.resolve('.tools/bin');
const HOOKS = `hooks:
  beforeAll:
    - name: g-before
      run: 'echo "beforeAll $CODEX_K8S_NAMESPACE" >> "$CODEX_K8S_PROJECT_ROOT/order.log"'
  afterAll:
    - name: g-after
      run: 'echo "afterAll" >> "$CODEX_K8S_PROJECT_ROOT/order.log"'
`;
const withHooks = SERVICES_YAML.replace('environments:', `${HOOKS}environments:`).replace(
  '      - path: deploy/postgres.yaml\n',
  `      - path: deploy/postgres.yaml
    hooks:
      beforeApply:
        - name: pg-before
          run: 'echo "pg beforeApply" >> "$CODEX_K8S_PROJECT_ROOT/order.log"'
      afterApply:
        - name: pg-after
          run: 'echo "pg afterApply $(kubectl -n $CODEX_K8S_NAMESPACE get statefulset postgres -o name)" >> "$CODEX_K8S_PROJECT_ROOT/order.log"'
`,
);

describe('apply action (node dist/index.js)', () => {
  const h = useKubeServer({ readyDelayMs: 100 });
  const run = (root: string, inputs: Record<string, string>) =>
    runAction(
      actionMain('apply'),
      { config: 'services.yaml', env: 'ai', slot: '2', ...inputs },
      {
        cwd: root,
        env: {
          KUBECONFIG: h.kubeconfig,
          PATH: `${TOOLS}:${process.env.PATH}`,
          KUBECACHEDIR: path.join(h.dir, 'cache'),
          // Kept after the run (runAction removes its own), so the manifest-path output can be read.
          RUNNER_TEMP: tempDir('apply-runner-temp-'),
        },
        timeoutMs: 120_000,
      },
    );

  it('applies the stack with ownership labels, runs hooks in order, waits, and writes its outputs', async () => {
    const root = writeProject({ 'services.yaml': withHooks, ...MANIFESTS });
    const res = await run(root, {});
    expect(res.errors).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.outputs.namespace).toBe('shop-dev-2');
    expect(res.outputs['infra-ready']).toBe('true');
    const applied = JSON.parse(res.outputs.applied) as { resource: string }[];
    expect(applied.map((a) => a.resource)).toEqual(
      expect.arrayContaining(['deployment.apps/api', 'statefulset.apps/postgres', 'job.batch/migrate']),
    );
    const api = h.server.store.get('Deployment', 'shop-dev-2', 'api');
    expect(api?.metadata?.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'codex-k8s',
      'codex-k8s.io/slot': '2',
    });
    expect(readFileSync(path.join(root, 'order.log'), 'utf8').trim().split('\n')).toEqual([
      'beforeAll shop-dev-2',
      'pg beforeApply',
      'pg afterApply statefulset.apps/postgres',
      'afterAll',
    ]);
    expect(readFileSync(res.outputs['manifest-path'], 'utf8')).toMatch(/kind: Deployment/);
    expect(res.summary).toMatch(/codex-k8s apply: ai → `shop-dev-2`/);
  });

  it('filters: only-services applies that service and nothing else', async () => {
    const root = writeProject({ 'services.yaml': SERVICES_YAML, ...MANIFESTS });
    const res = await run(root, { 'only-services': 'api' });
    expect(res.code).toBe(0);
    expect(h.server.store.get('Deployment', 'shop-dev-2', 'api')).toBeTruthy();
    expect(h.server.store.get('StatefulSet', 'shop-dev-2', 'postgres')).toBeFalsy();
    expect(h.server.store.get('Job', 'shop-dev-2', 'migrate')).toBeFalsy();
  });

  it('prunes the objects of a removed service on the next apply; prune: false keeps them', async () => {
    const web = MANIFESTS['services/api.yaml'].replace(/\bapi\b/g, 'web');
    const withWeb = `${SERVICES_YAML}  - name: web\n    manifests:\n      - path: services/web.yaml\n`;
    const root = writeProject({ 'services.yaml': withWeb, ...MANIFESTS, 'services/web.yaml': web });
    try {
      expect((await run(root, {})).code).toBe(0);
      expect(h.server.store.get('Deployment', 'shop-dev-2', 'web')).toBeTruthy();
      writeFileSync(path.join(root, 'services.yaml'), SERVICES_YAML);

      const kept = await run(root, { prune: 'false' });
      expect(kept.code).toBe(0);
      expect(h.server.store.get('Deployment', 'shop-dev-2', 'web')).toBeTruthy();

      const pruned = await run(root, {});
      expect(pruned.errors).toEqual([]);
      expect(pruned.code).toBe(0);
      expect(h.server.store.get('Deployment', 'shop-dev-2', 'web')).toBeFalsy();
      expect(h.server.store.get('Service', 'shop-dev-2', 'web')).toBeFalsy();
      expect(h.server.store.get('Deployment', 'shop-dev-2', 'api')).toBeTruthy();
      expect(pruned.summary).toMatch(/pruned Deployment shop-dev-2\/web/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('dry-run writes the stream and applies nothing', async () => {
    const root = writeProject({ 'services.yaml': SERVICES_YAML, ...MANIFESTS });
    const res = await run(root, { 'dry-run': 'true' });
    expect(res.code).toBe(0);
    expect(existsSync(res.outputs['manifest-path'])).toBe(true);
    expect(h.server.store.list('Deployment').length).toBe(0);
    expect(h.server.store.list('Namespace').some((n: any) => n.metadata.name === 'shop-dev-2')).toBe(false);
    expect(res.summary).toMatch(/dry run/);
  });

  it('a template error applies nothing at all', async () => {
    const root = writeProject({
      'services.yaml': SERVICES_YAML,
      ...MANIFESTS,
      'services/migrate.yaml': 'kind: Job\nmetadata:\n  name: {{ .Nope }}\n',
    });
    const res = await run(root, {});
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).toMatch(/services\/migrate\.yaml:3:\d+: .*can't evaluate field Nope/);
    expect(h.server.store.list('Namespace').some((n: any) => n.metadata.name === 'shop-dev-2')).toBe(false);
    expect(h.server.store.list('Deployment').length).toBe(0);
  });

  it('a workload that never becomes ready fails the step with diagnostics; wait-soft-fail reports infra-ready=false', async () => {
    const root = writeProject({ 'services.yaml': SERVICES_YAML, ...MANIFESTS });
    h.server.setBehaviour({ kind: 'Deployment', name: 'api' }, 'never');
    const failed = await run(root, { 'wait-timeout': '2s' });
    expect(failed.code).toBe(1);
    expect(failed.errors.join('\n')).toMatch(/deployment.*api/i);
    expect(failed.summary).toMatch(/Workloads not ready/);
    expect(failed.summary).toMatch(/Events|describe|Name:/i);
    const soft = await run(root, { 'wait-timeout': '2s', 'wait-soft-fail': 'true' });
    expect(soft.code).toBe(0);
    expect(soft.outputs['infra-ready']).toBe('false');
  });

  it('manifest-path is 0600 and never written through a link planted at its name', async () => {
    const root = writeProject({ 'services.yaml': SERVICES_YAML, ...MANIFESTS });
    const temp = mkdtempSync(path.join(os.tmpdir(), 'apply-runner-temp-'));
    try {
      const victim = path.join(temp, 'victim.txt');
      writeFileSync(victim, 'keep me\n');
      symlinkSync(victim, path.join(temp, 'codex-k8s-ai-2.yaml'));
      const res = await runAction(
        actionMain('apply'),
        { config: 'services.yaml', env: 'ai', slot: '2', wait: 'false' },
        {
          cwd: root,
          env: {
            KUBECONFIG: h.kubeconfig,
            PATH: `${TOOLS}:${process.env.PATH}`,
            KUBECACHEDIR: path.join(h.dir, 'cache'),
            RUNNER_TEMP: temp,
          },
          timeoutMs: 120_000,
        },
      );
      expect(res.errors).toEqual([]);
      expect(res.code).toBe(0);
      expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
      const written = res.outputs['manifest-path'];
      expect(written.startsWith(temp + path.sep)).toBe(true);
      expect(written).not.toBe(path.join(temp, 'codex-k8s-ai-2.yaml'));
      expect(statSync(written).mode & 0o777).toBe(0o600);
      expect(readFileSync(written, 'utf8')).toMatch(/kind: Deployment/);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });

  it('a failed wait puts diagnostics in the summary with the secret values of the stack masked, filtered or not', async () => {
    const root = writeProject({
      'services.yaml': SERVICES_YAML,
      ...MANIFESTS,
      'services/api.yaml': MANIFESTS['services/api.yaml'].replace(
        '          image: shop/api:1\n',
        '          image: shop/api:1\n          env:\n            - name: DB_PASSWORD\n              value: do-not-leak-me\n',
      ),
    });
    h.server.setBehaviour({ kind: 'Deployment', name: 'api' }, 'never');
    // The Secret is in the postgres group, which the filter leaves out: its value is still known.
    const res = await run(root, { 'wait-timeout': '2s', 'only-services': 'api' });
    expect(res.code).toBe(1);
    expect(res.summary).toMatch(/DB_PASSWORD:\s+\*\*\*/);
    expect(res.summary).not.toContain('do-not-leak-me');
    // The runner learns the value through add-mask and hides it in the log.
    expect(res.stdout).toContain('::add-mask::do-not-leak-me');
  });

  it('masks the values of Secrets but not the project, env, namespace or names a Secret value equals', async () => {
    const root = writeProject({
      'services.yaml': SERVICES_YAML,
      ...MANIFESTS,
      'deploy/postgres.yaml': MANIFESTS['deploy/postgres.yaml'].replace(
        '  password: do-not-leak-me\n',
        '  password: do-not-leak-me\n  user: shop\n  database: api\n  schema: shop-dev-2\n',
      ),
    });
    const res = await run(root, {});
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('::add-mask::do-not-leak-me');
    for (const shown of ['shop', 'api', 'shop-dev-2']) expect(res.stdout).not.toContain(`::add-mask::${shown}\n`);
  });
});
