/**
 * The slot record's appliedDigest means "applied completely (apply, hooks and waits succeeded)". A run with
 * wait: false records it although nothing was waited for; the next run with wait: true then finds the stack
 * "unchanged", applies and waits for nothing, and outputs infra-ready=true for a Deployment that never became ready.
 */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { actionMain, runAction } from '../support/action.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';

const TOOLS = path.resolve('.tools/bin');
const CONFIG = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai: {}\n',
);

describe('a digest recorded without waiting', () => {
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

  it('wait: true after a wait: false run does not report infra-ready=true for a Deployment that is not ready', async () => {
    h.server.setBehaviour({ kind: 'Deployment', name: 'api' }, 'never');
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const first = await act(root, { issue: '7', wait: 'false' });
    expect(first.errors).toEqual([]);

    const second = await act(root, { issue: '7', wait: 'true', 'wait-timeout': '3s', 'wait-soft-fail': 'true' });
    // The api Deployment never becomes ready: a run asked to wait must not say the infrastructure is ready.
    expect(second.outputs['infra-ready']).toBe('false');
  }, 60_000);
});
