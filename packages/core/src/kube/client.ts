import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { Kubectl, type KubectlOptions } from './kubectl.js';
import { ChildProcessRunner, type ProcessRunner } from './runner.js';

/** What the kubeconfig lookup needs of a loaded services.yaml (kept structural: kube/ sits below config/). */
export interface KubeconfigSource {
  environment: { name: string; kubeconfig?: string };
  projectRoot: string;
  displayFile: string;
}

/**
 * The kubeconfig of an environment: `environments.<env>.kubeconfig` (`~` expanded, relative to the project root),
 * else none, so kubectl applies its own rules (`$KUBECONFIG`, which may be a list, then ~/.kube/config).
 */
export function resolveKubeconfig(stack: KubeconfigSource, home = os.homedir()): string | undefined {
  const configured = stack.environment.kubeconfig?.trim();
  if (!configured) return undefined;
  const expanded =
    configured === '~' ? home : configured.startsWith('~/') ? path.join(home, configured.slice(2)) : configured;
  const file = path.resolve(stack.projectRoot, expanded);
  if (!existsSync(file))
    throw new UserError(
      `${stack.displayFile}: environments.${stack.environment.name}.kubeconfig: ${file} does not exist; fix the path or remove it to use KUBECONFIG`,
      stack.displayFile,
    );
  return file;
}

export interface KubectlSetup extends Omit<KubectlOptions, 'binary'> {
  binary: string;
  runner?: ProcessRunner;
}

export function createKubectl(setup: KubectlSetup): Kubectl {
  const { runner, ...options } = setup;
  return new Kubectl(runner ?? new ChildProcessRunner(), options);
}

/** A kubectl bound to the stack's environment (its kubeconfig, when it names one). */
export function kubectlForStack(stack: KubeconfigSource, setup: KubectlSetup): Kubectl {
  return createKubectl({ ...setup, kubeconfig: setup.kubeconfig ?? resolveKubeconfig(stack) });
}
