/**
 * ensure-ready re-applies "whenever the stack it renders differs" and promises that "a changed services.yaml is
 * finished by the next run". The digest covers only the rendered manifests: a services.yaml whose hooks changed
 * (or whose hooks read a rotated value from the process environment, like codex.ensure-codex-secrets) renders the
 * same documents, so the rerun reports "unchanged since its last complete apply" and runs neither the new hook nor
 * the old one again.
 */
import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { actionMain, runAction } from '../support/action.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';

const TOOLS = path.resolve('.tools/bin');
const config = (marker: string) =>
  SERVICES_YAML.replace(
    'environments:\n  ai: {}\n',
    'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai: {}\n',
  ).replace(
    'services:\n',
    `hooks:\n  afterAll:\n    - name: seed\n      run: kubectl -n "$CODEX_K8S_NAMESPACE" create configmap ${marker}\nservices:\n`,
  );

describe('the applied-stack digest and hooks', () => {
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 50 });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
  });
  const act = (root: string, inputs: Record<string, string>) =>
    runAction(
      actionMain('ensure-ready'),
      { config: 'services.yaml', ...inputs },
      { cwd: root, env: env(), timeoutMs: 120_000 },
    );

  it('a changed hook in services.yaml is run by the next ensure-ready', async () => {
    const root = writeProject({ 'services.yaml': config('seed-v1'), ...MANIFESTS });
    const first = await act(root, { issue: '7' });
    expect(first.errors).toEqual([]);
    expect(h.server.store.get('ConfigMap', 'shop-dev-1', 'seed-v1')).toBeTruthy();

    writeFileSync(path.join(root, 'services.yaml'), config('seed-v2'));
    const second = await act(root, { issue: '7' });
    expect(second.errors).toEqual([]);
    expect(second.stdout).not.toMatch(/unchanged since its last complete apply/);
    expect(h.server.store.get('ConfigMap', 'shop-dev-1', 'seed-v2')).toBeTruthy();
  });
});
