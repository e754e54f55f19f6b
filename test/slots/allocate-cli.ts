/**
 * One allocation in its own OS process, as a CI job would run it: its own Kubectl, its own kubectl cache dir.
 * Usage: node --import tsx test/slots/allocate-cli.ts '<json AllocateCliInput>'
 * Prints one JSON line (AllocateCliResult) and exits 0 on success, 1 on failure. With `crashAfterClaim` the
 * process kills itself with SIGKILL right after its create succeeded, before anything else happens.
 */
import { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import { ChildProcessRunner } from '../../packages/core/src/kube/runner.js';
import { SlotStore } from '../../packages/core/src/slots/store.js';

export interface AllocateCliInput {
  kubectl: string;
  kubeconfig: string;
  cacheDir: string;
  stateNamespace: string;
  env: string;
  issue?: number;
  pr?: number;
  maxSlots: number;
  waitTimeoutMs: number;
  owner?: string;
  crashAfterClaim?: boolean;
  /** First pause while waiting for a free slot. */
  waitInitialMs?: number;
  /**
   * Print `{"ready":true}` once loaded, then wait for a line on stdin before allocating: the test starts all
   * processes together after their start-up, so the timings measure allocation under contention.
   */
  barrier?: boolean;
}

export interface AllocateCliResult {
  ok: boolean;
  slot?: number;
  namespace?: string;
  created?: boolean;
  kubectlCalls?: number;
  waitedMs?: number;
  /** Wall time of allocate() alone (process start-up excluded). */
  ms: number;
  error?: string;
  errorName?: string;
}

const input = JSON.parse(process.argv[2] ?? '{}') as AllocateCliInput;
const kubectl = new Kubectl(new ChildProcessRunner(), {
  binary: input.kubectl,
  kubeconfig: input.kubeconfig,
  cacheDir: input.cacheDir,
  timeoutMs: 30_000,
});
const store = new SlotStore(kubectl, { namespace: input.stateNamespace });
if (input.barrier) {
  process.stdout.write('{"ready":true}\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  process.stdin.pause();
}
const started = Date.now();
let result: AllocateCliResult;
try {
  const out = await store.allocate({
    env: input.env,
    issue: input.issue,
    pr: input.pr,
    owner: input.owner ?? `run-${process.pid}`,
    maxSlots: input.maxSlots,
    namespaceFor: (slot) => `shop-dev-${slot}`,
    waitTimeoutMs: input.waitTimeoutMs,
    // The production defaults unless a test asks for faster polling.
    waitBackoff: input.waitInitialMs ? { initialMs: input.waitInitialMs } : undefined,
    onEvent: (e) => {
      if (e.type === 'claimed' && input.crashAfterClaim) process.kill(process.pid, 'SIGKILL');
    },
  });
  result = {
    ok: true,
    slot: out.slot,
    namespace: out.namespace,
    created: out.created,
    kubectlCalls: out.kubectlCalls,
    waitedMs: out.waitedMs,
    ms: Date.now() - started,
  };
} catch (err) {
  const e = err as Error;
  result = {
    ok: false,
    error: e.message,
    errorName: e.name,
    kubectlCalls: store.invocations,
    ms: Date.now() - started,
  };
}
process.stdout.write(JSON.stringify(result) + '\n');
process.exitCode = result.ok ? 0 : 1;
