/**
 * "Every input and the whole stack are checked before a slot is claimed" / "nothing half-applied": two mistakes in
 * services.yaml that can be found by reading it are only found after ensure-ready has claimed a slot (and after
 * apply has created the namespace):
 * - codex.timeouts.deployWait that is not a duration (checked by resolveWaitTimeout inside applyEnvironment);
 * - a hook step `use:` naming no built-in (checked only when the step runs).
 */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { useKubeServer } from '../kube-server/harness.js';
import { actionMain, runAction } from '../support/action.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';

const TOOLS = path.resolve('.tools/bin');
const BASE = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai: {}\n',
);
const BAD_WAIT = BASE.replace('services:\n', 'codex:\n  timeouts:\n    deployWait: ten minutes\nservices:\n');
const BAD_USE = BASE.replace(
  'services:\n',
  'hooks:\n  beforeAll:\n    - name: typo\n      use: codex.ensure-codex-secret\nservices:\n',
);

describe('config mistakes found only after a claim / a namespace', () => {
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 50 });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
  });
  const act = (name: string, root: string, inputs: Record<string, string>) =>
    runAction(actionMain(name), { config: 'services.yaml', ...inputs }, { cwd: root, env: env(), timeoutMs: 120_000 });
  const records = () =>
    h.server.store.list('ConfigMap', 'codex-system').filter((c: any) => c.metadata.name.startsWith('codex-env-'));

  it('ensure-ready with a bad codex.timeouts.deployWait claims no slot', async () => {
    const root = writeProject({ 'services.yaml': BAD_WAIT, ...MANIFESTS });
    const res = await act('ensure-ready', root, { issue: '7' });
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).toMatch(/deployWait/);
    expect(records()).toEqual([]);
    expect(h.server.store.get('Namespace', '', 'shop-dev-1')).toBeFalsy();
  });

  it('ensure-ready with a hook using an unknown built-in claims no slot and creates no namespace', async () => {
    const root = writeProject({ 'services.yaml': BAD_USE, ...MANIFESTS });
    const res = await act('ensure-ready', root, { issue: '7' });
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).toMatch(/codex.ensure-codex-secret/);
    expect(records()).toEqual([]);
    expect(h.server.store.get('Namespace', '', 'shop-dev-1')).toBeFalsy();
  });

  it('apply with a hook using an unknown built-in changes nothing in the cluster', async () => {
    const root = writeProject({ 'services.yaml': BAD_USE, ...MANIFESTS });
    const res = await act('apply', root, { slot: '3' });
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).toMatch(/unknown use/);
    expect(h.server.store.get('Namespace', '', 'shop-dev-3')).toBeFalsy();
  });
});
