/** kubectl apply / create / get / patch / replace against the test server. */
import { describe, expect, it } from '@jest/globals';
import { useKubeServer, yamlStream } from './harness.js';

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: slot-1`;

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: slot-1
  labels: {app: shop, tier: backend}
data:
  mode: ai`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: codex
  namespace: slot-1
  labels: {app: codex}
spec:
  replicas: 1
  selector: {matchLabels: {app: codex}}
  template:
    metadata: {labels: {app: codex}}
    spec:
      containers:
      - name: codex
        image: busybox:1.36
        env: [{name: A, value: "1"}]
        ports: [{containerPort: 8080}]`;

const JOB = `apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: slot-1}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox}]`;

const CLUSTER_ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: codex-reader}
rules:
- apiGroups: [""]
  resources: [pods, pods/log]
  verbs: [get, list, watch]`;

const CLUSTER_ISSUER = `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: letsencrypt}
spec:
  acme:
    server: https://acme.example/directory
    privateKeySecretRef: {name: letsencrypt-key}
    solvers: [{http01: {ingress: {ingressClassName: nginx}}}]`;

const STACK = yamlStream(NAMESPACE, CONFIGMAP, DEPLOYMENT, JOB, CLUSTER_ROLE, CLUSTER_ISSUER);

describe('kubectl apply and friends', () => {
  const h = useKubeServer();

  it('applies a multi-document stream (client-side), then a second apply changes nothing', async () => {
    const first = await h.kubectl(['apply', '-f', '-'], { stdin: STACK });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toEqual([
      'namespace/slot-1 created',
      'configmap/settings created',
      'deployment.apps/codex created',
      'job.batch/migrate created',
      'clusterrole.rbac.authorization.k8s.io/codex-reader created',
      'clusterissuer.cert-manager.io/letsencrypt created',
    ]);
    const deploy = h.server.store.get('Deployment', 'slot-1', 'codex')!;
    expect(deploy.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain('"codex"');
    expect(h.server.store.get('ClusterIssuer', undefined, 'letsencrypt')?.metadata.namespace).toBeUndefined();

    const rv = h.server.store.resourceVersion();
    h.server.clearRequests();
    const second = await h.kubectl(['apply', '-f', '-'], { stdin: STACK });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('deployment.apps/codex unchanged');
    expect(second.stdout).toContain('clusterissuer.cert-manager.io/letsencrypt unchanged');
    expect(h.server.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    // Only the controllers may have written since (pod status, events); the applied objects are untouched.
    expect(h.server.store.get('Deployment', 'slot-1', 'codex')!.metadata.generation).toBe(1);
    expect(Number(rv)).toBeGreaterThan(0);

    // A changed manifest becomes a strategic merge patch (containers merged by name).
    const changed = STACK.replace('busybox:1.36', 'busybox:1.37');
    const third = await h.kubectl(['apply', '-f', '-'], { stdin: changed });
    expect(third.stdout).toContain('deployment.apps/codex configured');
    const patch = h.server.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/codex'));
    expect(patch).toBeDefined();
    const after = h.server.store.get('Deployment', 'slot-1', 'codex')!;
    expect(after.spec.template.spec.containers).toHaveLength(1);
    expect(after.spec.template.spec.containers[0]).toMatchObject({ name: 'codex', image: 'busybox:1.37' });
    expect(after.metadata.generation).toBe(2);
  });

  it('server-side apply with a field manager, force, and a conflict without force', async () => {
    const ssa = await h.kubectl(
      ['apply', '--server-side', '--field-manager=deployer', '--force-conflicts', '-f', '-'],
      {
        stdin: STACK,
      },
    );
    expect(ssa.stderr).toBe('');
    expect(ssa.stdout).toContain('deployment.apps/codex serverside-applied');
    expect(ssa.stdout).toContain('clusterissuer.cert-manager.io/letsencrypt serverside-applied');
    const cm = h.server.store.get('cm', 'slot-1', 'settings')!;
    expect(cm.metadata.managedFields?.map((m) => [m.manager, m.operation])).toEqual([['deployer', 'Apply']]);

    // Same manager again: fine.
    expect(
      (await h.kubectl(['apply', '--server-side', '--field-manager=deployer', '-f', '-'], { stdin: STACK })).code,
    ).toBe(0);

    // Another manager sets a field deployer owns to another value: 409 Conflict.
    const other = CONFIGMAP.replace('mode: ai', 'mode: dev');
    const conflict = await h.kubectl(['apply', '--server-side', '--field-manager=intruder', '-f', '-'], {
      stdin: other,
    });
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "deployer" using v1: .data.mode');
    expect(h.server.store.get('cm', 'slot-1', 'settings')!.data.mode).toBe('ai');

    // Same value: co-ownership, no conflict.
    expect(
      (await h.kubectl(['apply', '--server-side', '--field-manager=intruder', '-f', '-'], { stdin: CONFIGMAP })).code,
    ).toBe(0);

    // With force the field moves to the new manager.
    const forced = await h.kubectl(
      ['apply', '--server-side', '--field-manager=intruder', '--force-conflicts', '-f', '-'],
      {
        stdin: other,
      },
    );
    expect(forced.code).toBe(0);
    const after = h.server.store.get('cm', 'slot-1', 'settings')!;
    expect(after.data.mode).toBe('dev');
    const deployer = after.metadata.managedFields!.find((m) => m.manager === 'deployer')!;
    expect(JSON.stringify(deployer.fieldsV1)).not.toContain('f:mode');

    // A field only this manager applied is removed when it stops applying it (fields others own stay).
    const more = other.replace('mode: dev', 'mode: dev\n  extra: "1"');
    const apply = (stdin: string) =>
      h.kubectl(['apply', '--server-side', '--field-manager=deployer', '-f', '-'], { stdin });
    expect((await apply(more)).code).toBe(0);
    expect(h.server.store.get('cm', 'slot-1', 'settings')!.data).toEqual({ mode: 'dev', extra: '1' });
    expect((await apply(other.replace('labels: {app: shop, tier: backend}', 'labels: {app: shop}'))).code).toBe(0);
    const last = h.server.store.get('cm', 'slot-1', 'settings')!;
    expect(last.data).toEqual({ mode: 'dev' });
    expect(last.metadata.labels).toEqual({ app: 'shop', tier: 'backend' });
  });

  it('gets JSON lists with label selectors', async () => {
    await h.kubectl(['apply', '-f', '-'], { stdin: STACK });
    const more = ['a', 'b', 'c'].map(
      (n, i) => `apiVersion: v1
kind: ConfigMap
metadata: {name: cm-${n}, namespace: slot-1, labels: {app: shop, idx: "${i}"${n === 'c' ? ', legacy: "true"' : ''}}}`,
    );
    expect((await h.kubectl(['apply', '-f', '-'], { stdin: yamlStream(...more) })).code).toBe(0);
    const names = async (selector: string): Promise<string[]> => {
      const r = await h.kubectl(['get', 'configmaps', '-n', 'slot-1', '-l', selector, '-o', 'json']);
      expect(r.code).toBe(0);
      const list = JSON.parse(r.stdout);
      expect(list.kind).toBe('List');
      return list.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort();
    };
    expect(await names('app=shop')).toEqual(['cm-a', 'cm-b', 'cm-c', 'settings']);
    expect(await names('app==shop,tier!=backend')).toEqual(['cm-a', 'cm-b', 'cm-c']);
    expect(await names('idx in (0,2)')).toEqual(['cm-a', 'cm-c']);
    expect(await names('app=shop,idx notin (0,2)')).toEqual(['cm-b', 'settings']);
    expect(await names('legacy')).toEqual(['cm-c']);
    expect(await names('app=shop,!idx')).toEqual(['settings']);
    const byField = await h.kubectl(['get', 'cm', '-A', '--field-selector', 'metadata.name=cm-b', '-o', 'name']);
    expect(byField.stdout.trim()).toBe('configmap/cm-b');
    // limit/continue pagination
    const chunked = await h.kubectl(['get', 'cm', '-n', 'slot-1', '--chunk-size=1', '-o', 'name']);
    expect(chunked.stdout.trim().split('\n')).toEqual([
      'configmap/cm-a',
      'configmap/cm-b',
      'configmap/cm-c',
      'configmap/settings',
    ]);
    expect(h.server.requests.filter((r) => r.query.includes('continue=')).length).toBe(3);
  });

  it('create -f - of an existing object fails with AlreadyExists (exit 1); missing namespace is NotFound', async () => {
    const cm = `apiVersion: v1
kind: ConfigMap
metadata: {name: slot-7, namespace: default}
data: {issue: "42"}`;
    expect((await h.kubectl(['create', '-f', '-'], { stdin: cm })).stdout.trim()).toBe('configmap/slot-7 created');
    const again = await h.kubectl(['create', '-f', '-'], { stdin: cm });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'Error from server (AlreadyExists): error when creating "STDIN": configmaps "slot-7" already exists',
    );
    const missing = await h.kubectl(['create', '-f', '-'], {
      stdin: cm.replace('namespace: default', 'namespace: nope'),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'Error from server (NotFound): error when creating "STDIN": namespaces "nope" not found',
    );
    const get = await h.kubectl(['get', 'cm', 'nothing', '-n', 'default']);
    expect(get.code).toBe(1);
    expect(get.stderr).toContain('Error from server (NotFound): configmaps "nothing" not found');
  });

  it('imperative create (protobuf bodies): configmap, namespace, secret, deployment', async () => {
    const ns = await h.kubectl(['create', 'namespace', 'proto']);
    expect(ns.stdout.trim()).toBe('namespace/proto created');
    const cm = await h.kubectl([
      'create',
      'configmap',
      'slot-1',
      '-n',
      'proto',
      '--from-literal=issue=42',
      '--from-literal=env=ai',
    ]);
    expect(cm.stderr).toBe('');
    expect(cm.stdout.trim()).toBe('configmap/slot-1 created');
    expect(h.server.requests.some((r) => r.method === 'POST' && r.path === '/api/v1/namespaces/proto/configmaps')).toBe(
      true,
    );
    expect(h.server.store.get('cm', 'proto', 'slot-1')!.data).toEqual({ issue: '42', env: 'ai' });
    const dup = await h.kubectl(['create', 'configmap', 'slot-1', '-n', 'proto', '--from-literal=issue=43']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('configmaps "slot-1" already exists');

    const secret = await h.kubectl([
      'create',
      'secret',
      'generic',
      'creds',
      '-n',
      'proto',
      '--from-literal=token=s3cr3t',
    ]);
    expect(secret.code).toBe(0);
    const stored = h.server.store.get('secret', 'proto', 'creds')!;
    expect(Buffer.from(stored.data.token, 'base64').toString()).toBe('s3cr3t');
    expect(stored.type).toBe('Opaque');

    const deploy = await h.kubectl([
      'create',
      'deployment',
      'web',
      '-n',
      'proto',
      '--image=nginx:1.27',
      '--replicas=2',
    ]);
    expect(deploy.code).toBe(0);
    const d = h.server.store.get('deploy', 'proto', 'web')!;
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.spec.containers[0]).toMatchObject({ name: 'nginx', image: 'nginx:1.27' });
    expect((await h.kubectl(['create', 'serviceaccount', 'bot', '-n', 'proto'])).code).toBe(0);
  });

  it('patch (merge, strategic, json), label, replace with a stale resourceVersion', async () => {
    await h.kubectl(['apply', '-f', '-'], { stdin: STACK });
    const merge = await h.kubectl([
      'patch',
      'configmap',
      'settings',
      '-n',
      'slot-1',
      '--type',
      'merge',
      '-p',
      '{"data":{"extra":"yes"}}',
    ]);
    expect(merge.stdout.trim()).toBe('configmap/settings patched');
    expect(h.server.store.get('cm', 'slot-1', 'settings')!.data).toEqual({ mode: 'ai', extra: 'yes' });

    const smp = await h.kubectl([
      'patch',
      'deploy',
      'codex',
      '-n',
      'slot-1',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"codex","env":[{"name":"B","value":"2"}]},{"name":"sidecar","image":"busybox"}]}}}}',
    ]);
    expect(smp.code).toBe(0);
    const containers = h.server.store.get('deploy', 'slot-1', 'codex')!.spec.template.spec.containers;
    expect(containers.map((c: { name: string }) => c.name)).toEqual(['codex', 'sidecar']);
    expect(containers[0].env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    expect(containers[0].image).toBe('busybox:1.36');

    const json = await h.kubectl([
      'patch',
      'cm',
      'settings',
      '-n',
      'slot-1',
      '--type',
      'json',
      '-p',
      '[{"op":"remove","path":"/data/extra"}]',
    ]);
    expect(json.code).toBe(0);
    expect(h.server.store.get('cm', 'slot-1', 'settings')!.data).toEqual({ mode: 'ai' });

    expect((await h.kubectl(['label', 'cm', 'settings', '-n', 'slot-1', 'owner=me'])).code).toBe(0);
    expect(h.server.store.get('cm', 'slot-1', 'settings')!.metadata.labels?.owner).toBe('me');

    const stale = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: slot-1, resourceVersion: "1"}
data: {mode: stale}`;
    const replaced = await h.kubectl(['replace', '-f', '-'], { stdin: stale });
    expect(replaced.code).toBe(1);
    expect(replaced.stderr).toContain(
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "settings": the object has been modified',
    );
  });
});
