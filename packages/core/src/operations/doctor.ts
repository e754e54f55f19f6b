import { loadStack, type LoadOptions } from '../config/load.js';
import { KubectlError } from '../kube/errors.js';
import { findKubectl } from '../kube/install.js';
import { kubectlForStack } from '../kube/client.js';
import type { ProcessRunner } from '../kube/runner.js';
import { plural } from '../util/plural.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DoctorOptions {
  load: LoadOptions;
  kubectlPath?: string;
  runner?: ProcessRunner;
}

/** What `apply`, the slots and the agent need, checked before anything is changed. */
const PERMISSIONS: { verb: string; resource: string; where: 'target' | 'state' | 'cluster' }[] = [
  { verb: 'create', resource: 'namespaces', where: 'cluster' },
  { verb: 'delete', resource: 'namespaces', where: 'cluster' },
  { verb: 'patch', resource: 'deployments.apps', where: 'target' },
  { verb: 'create', resource: 'pods/exec', where: 'target' },
  { verb: 'create', resource: 'configmaps', where: 'state' },
  { verb: 'delete', resource: 'configmaps', where: 'state' },
];

/** kubectl present and its version, cluster reachable, permissions in the namespaces the env touches. */
export async function runDoctor(o: DoctorOptions): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const stack = loadStack(o.load);
  checks.push({
    name: 'services.yaml',
    ok: true,
    detail: `${stack.displayFile}: env ${stack.env}, namespace ${stack.namespace}, ${plural(stack.warnings.length, 'warning')}`,
  });
  let binary: string;
  try {
    const found = await findKubectl({ path: o.kubectlPath });
    binary = found.path;
  } catch (err) {
    checks.push({ name: 'kubectl', ok: false, detail: (err as Error).message });
    return checks;
  }
  const kubectl = kubectlForStack(stack, { binary, runner: o.runner, timeoutMs: 20_000 });
  try {
    const out = JSON.parse(await kubectl.run(['version', '-o', 'json']));
    checks.push({ name: 'kubectl', ok: true, detail: `${binary} (client ${out.clientVersion?.gitVersion ?? '?'})` });
    checks.push({ name: 'cluster', ok: true, detail: `reachable, server ${out.serverVersion?.gitVersion ?? '?'}` });
  } catch (err) {
    const msg = err instanceof KubectlError ? err.stderr.trim().split('\n').pop() : (err as Error).message;
    checks.push({
      name: 'cluster',
      ok: false,
      detail: `not reachable: ${msg}; check KUBECONFIG or environments.${stack.env}.kubeconfig`,
    });
    return checks;
  }
  const stateNs = stack.config.state?.configmapNamespace?.trim();
  for (const p of PERMISSIONS) {
    if (p.where === 'state' && !stateNs) continue;
    const ns = p.where === 'target' ? stack.namespace : p.where === 'state' ? stateNs : undefined;
    const res = await kubectl.exec(['auth', 'can-i', p.verb, p.resource, ...(ns ? ['-n', ns] : [])]);
    const allowed = res.stdout.trim() === 'yes';
    checks.push({
      name: `can ${p.verb} ${p.resource}${ns ? ` in ${ns}` : ''}`,
      ok: allowed,
      detail: allowed ? 'yes' : `no${res.stderr.trim() ? ` (${res.stderr.trim()})` : ''}`,
    });
  }
  return checks;
}
