/** A small project on disk for the kube tests, and a real Kubectl bound to the test server of a harness. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import { ChildProcessRunner } from '../../packages/core/src/kube/runner.js';
import { loadStack, type LoadedStack } from '../../packages/core/src/config/load.js';
import { renderStack, type RenderedStack } from '../../packages/core/src/render/stack.js';
import type { StackFilters } from '../../packages/core/src/render/filters.js';
import { KUBECTL_BIN } from '../kube-server/kubectl.js';
import type { Harness } from '../kube-server/harness.js';
import { tempDir } from '../support/temp-dir.js';

export function writeProject(files: Record<string, string>): string {
  const root = tempDir('kube-project-');
  for (const [name, text] of Object.entries(files)) {
    const file = join(root, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return root;
}

export function kubectlOf(h: Harness): Kubectl {
  return new Kubectl(new ChildProcessRunner(), {
    binary: KUBECTL_BIN,
    kubeconfig: h.kubeconfig,
    cacheDir: join(h.dir, 'cache'),
    timeoutMs: 60_000,
  });
}

export function load(
  root: string,
  slot: number,
  processEnv: Record<string, string | undefined> = {},
  env = 'ai',
): LoadedStack {
  return loadStack({
    config: join(root, 'services.yaml'),
    env,
    slot,
    cwd: root,
    processEnv: { PATH: process.env.PATH, ...processEnv },
  });
}

export function render(stack: LoadedStack, filters: StackFilters = {}): RenderedStack {
  return renderStack(stack, filters);
}

export const SERVICES_YAML = `project: shop
namespace:
  patterns:
    ai: "{{ .Project }}-dev-{{ .Slot }}"
environments:
  ai: {}
infrastructure:
  - name: namespace
    manifests:
      - path: deploy/namespace.yaml
  - name: postgres
    manifests:
      - path: deploy/postgres.yaml
  - name: rbac
    manifests:
      - path: deploy/rbac.yaml
services:
  - name: api
    manifests:
      - path: services/api.yaml
  - name: migrate
    manifests:
      - path: services/migrate.yaml
`;

export const MANIFESTS: Record<string, string> = {
  'deploy/namespace.yaml': `apiVersion: v1
kind: Namespace
metadata:
  name: {{ .Namespace }}
`,
  'deploy/postgres.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: postgres
  namespace: {{ .Namespace }}
stringData:
  password: do-not-leak-me
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: postgres
  namespace: {{ .Namespace }}
spec:
  serviceName: postgres
  replicas: 1
  selector:
    matchLabels: {app: postgres}
  template:
    metadata:
      labels: {app: postgres}
    spec:
      containers:
        - name: postgres
          image: postgres:16
---
apiVersion: v1
kind: Service
metadata:
  name: postgres
  namespace: {{ .Namespace }}
spec:
  selector: {app: postgres}
  ports: [{port: 5432}]
`,
  'deploy/rbac.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: shop-reader
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .Namespace }}-only
rules: []
`,
  'services/api.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: shop/api:1
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports: [{port: 80}]
`,
  'services/migrate.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: shop/api:1
`,
};

export const shopProject = (extra: Record<string, string> = {}): string =>
  writeProject({ 'services.yaml': SERVICES_YAML, ...MANIFESTS, ...extra });
