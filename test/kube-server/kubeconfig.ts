/** A kubeconfig for kubectl: cluster `http://127.0.0.1:PORT`, a token user and one current context. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KubeconfigOptions {
  server: string;
  /** Name used for the cluster, user and context (default `kube-test`). */
  name?: string;
  namespace?: string;
  token?: string;
}

export function kubeconfigYaml(o: KubeconfigOptions): string {
  const name = o.name ?? 'kube-test';
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${o.server}`,
    'users:',
    `- name: ${name}`,
    '  user:',
    `    token: ${o.token ?? 'kube-test-token'}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    ...(o.namespace ? [`    namespace: ${o.namespace}`] : []),
    `current-context: ${name}`,
    'preferences: {}',
    '',
  ].join('\n');
}

/** Writes `<dir>/kubeconfig` (dir: a new temp dir by default) and returns its path. */
export function writeKubeconfig(o: KubeconfigOptions, dir?: string): string {
  const target = dir ?? mkdtempSync(join(tmpdir(), 'kube-test-'));
  const path = join(target, 'kubeconfig');
  writeFileSync(path, kubeconfigYaml(o), { mode: 0o600 });
  return path;
}
