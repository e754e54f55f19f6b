import type { LoadedStack } from '../config/load.js';
import { kubectlForStack } from '../kube/client.js';
import { findKubectl } from '../kube/install.js';
import type { Kubectl } from '../kube/kubectl.js';
import type { ProcessRunner } from '../kube/runner.js';

export interface KubectlChoice {
  /** An explicit binary. */
  path?: string;
  /** Install this release through the tool cache when none is given (checksum verified). */
  version?: string;
  /** Discovery cache of this run. */
  cacheDir?: string;
  runner?: ProcessRunner;
}

/** The kubectl of an operation, bound to the environment's kubeconfig. */
export async function kubectlFor(stack: LoadedStack, choice: KubectlChoice = {}): Promise<Kubectl> {
  const install = await findKubectl({ path: choice.path, version: choice.version });
  return kubectlForStack(stack, { binary: install.path, cacheDir: choice.cacheDir, runner: choice.runner });
}
