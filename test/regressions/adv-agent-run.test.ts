/**
 * Adversarial reproductions for runAgentInPod (agent-run/). Each test states the expected behaviour; a failing
 * test is a bug that exists today.
 */
import { describe, expect, it } from '@jest/globals';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAgentInPod, type AgentRunOptions } from '../../packages/core/src/agent-run/index.js';
import { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import { ChildProcessRunner } from '../../packages/core/src/kube/runner.js';
import { useKubeServer } from '../kube-server/harness.js';
import { KUBECTL_BIN } from '../kube-server/kubectl.js';
import { prepareAgentPod } from '../support/fake-codex.js';
import { runningProcesses } from '../support/wait-for.js';

const NS = 'adv-ai-1';
const MARK2 = '3173';
/** Pids of what the stand-in left running. */
const leftovers = (mark: string): number[] =>
  runningProcesses(new RegExp(`\\b${mark}\\b`)).map((l) => Number(l.split(' ')[0]));

describe('adversarial: runAgentInPod', () => {
  const h = useKubeServer({ readyDelayMs: 20 });
  const kubectl = () =>
    new Kubectl(new ChildProcessRunner(), {
      binary: KUBECTL_BIN,
      kubeconfig: h.kubeconfig,
      cacheDir: join(h.dir, 'cache'),
      timeoutMs: 60_000,
    });
  const lines: string[] = [];
  const options = (codex: string, extra: Partial<AgentRunOptions> = {}): AgentRunOptions => ({
    namespace: NS,
    deployment: 'codex',
    container: 'codex',
    config: 'model = "fake"\n',
    prompt: 'do the work\n',
    timeoutMs: 60_000,
    readyTimeoutMs: 30_000,
    codexBinary: codex,
    runId: `run-${Date.now()}`,
    reconnectDelayMs: 200,
    maxReconnects: 3,
    sink: { info: (m) => lines.push(m), warning: (m) => lines.push(`warning: ${m}`), debug: () => undefined },
    ...extra,
  });
  const fakeCodex = (dir: string, body: string): string => {
    const p = join(dir, `codex-${Math.random().toString(36).slice(2)}`);
    writeFileSync(
      p,
      `#!/bin/sh\ncat > /dev/null\necho '{"type":"thread.started","thread_id":"t-1"}'\n${body}\n` +
        `echo '{"type":"item.completed","item":{"type":"agent_message","text":"all done"}}'\n` +
        `echo '{"type":"turn.completed","usage":{"input_tokens":1,"output_tokens":1}}'\n`,
    );
    chmodSync(p, 0o755);
    return p;
  };

  it('an agent that runs `git clean -fdx` (removes .codex-k8s) still gets its result reported', async () => {
    const { binDir } = await prepareAgentPod(kubectl(), h, NS);
    const codex = fakeCodex(binDir, 'sleep 1; git clean -fdxq; sleep 5; echo x >> a.txt');
    const out = await runAgentInPod(kubectl(), options(codex)).catch((e: Error) => e);
    // Observed: "the agent process ... ended without a result (was the pod restarted or evicted?)" after ~3 s,
    // while the agent is still running in the pod, unobserved.
    if (out instanceof Error) console.log(out.message, lines.filter((l) => l.startsWith('warning')).slice(0, 3));
    expect(out).not.toBeInstanceOf(Error);
  });

  it('a timeout above 24.8 days (setTimeout overflow) does not break following the run', async () => {
    const { binDir } = await prepareAgentPod(kubectl(), h, NS);
    const codex = fakeCodex(binDir, 'sleep 3; echo x >> a.txt');
    const out = await runAgentInPod(kubectl(), options(codex, { timeoutMs: 30 * 24 * 3600_000 })).catch(
      (e: Error) => e,
    );
    // Observed: "lost the agent's event stream ... 4 times in a row" (each FOLLOW is killed after 1 ms).
    if (out instanceof Error) console.log(out.message, lines.filter((l) => l.startsWith('warning')).slice(0, 3));
    expect(out).not.toBeInstanceOf(Error);
  });

  it('at the deadline, a daemon the agent started (double fork + setsid) is stopped too', async () => {
    const { binDir } = await prepareAgentPod(kubectl(), h, NS);
    const codex = fakeCodex(binDir, `(setsid sleep ${MARK2} </dev/null >/dev/null 2>&1 &); sleep ${MARK2}`);
    expect(leftovers(MARK2)).toEqual([]);
    const err = await runAgentInPod(kubectl(), options(codex, { timeoutMs: 2000 })).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/past its deadline/);
    const left = leftovers(MARK2);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    // Observed: one `sleep 3173` survives ("nothing it started is left running" in the error is not true).
    expect(left).toEqual([]);
  });
  it('an agent that kills stray `sleep` processes (pkill sleep) is not stopped as past its deadline', async () => {
    const { binDir } = await prepareAgentPod(kubectl(), h, NS);
    // pkill -s 0: only this session (the agent's), so that nothing else on the test machine is touched.
    const codex = fakeCodex(binDir, 'sleep 1; pkill -s 0 -x sleep; sleep 3 || sleep 3; echo x >> a.txt');
    const out = await runAgentInPod(kubectl(), options(codex, { timeoutMs: 600_000 })).catch((e: Error) => e);
    // Observed: "the agent ran past its deadline (timeout 10m ...)" one second after the start.
    if (out instanceof Error) console.log(out.message);
    expect(out).not.toBeInstanceOf(Error);
  });
});
