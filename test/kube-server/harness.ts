/** Jest harness: a fresh server, kubeconfig and kubectl cache dir for every test. */
import { afterEach, beforeAll, beforeEach } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeServer, type KubeServer, type KubeServerOptions } from './index.js';
import { assertKubectl, kubectlFor, type Kubectl } from './kubectl.js';

export interface Harness {
  server: KubeServer;
  kubectl: Kubectl;
  /** The test's temp dir (kubeconfig, cache). */
  dir: string;
  kubeconfig: string;
}

export function useKubeServer(options: KubeServerOptions = {}): Harness {
  const h = {} as Harness;
  beforeAll(() => assertKubectl());
  beforeEach(async () => {
    h.dir = mkdtempSync(join(tmpdir(), 'kube-test-case-'));
    h.server = await startKubeServer(options);
    h.kubeconfig = h.server.writeKubeconfig(h.dir);
    h.kubectl = kubectlFor(h.kubeconfig, join(h.dir, 'cache'));
  });
  afterEach(async () => {
    await h.server?.close();
    if (h.dir) rmSync(h.dir, { recursive: true, force: true });
  });
  return h;
}

/** YAML documents joined into one stream. */
export const yamlStream = (...docs: string[]): string => docs.map((d) => d.trim()).join('\n---\n') + '\n';
