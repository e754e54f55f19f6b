/**
 * runAgentInPod against the Kubernetes API test server with the real kubectl: the pod-side scripts run as real
 * processes (sh, setsid, the events file), with a stand-in `codex` whose behaviour the prompt picks, so the
 * mechanics (start, attach, follow across a dropped stream, deadline, nothing left running) are tested quickly.
 * The real Codex CLI runs in prompt-run.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAgentInPod, type AgentRunOptions } from '../../packages/core/src/agent-run/index.js';
import { FOLLOW_SCRIPT } from '../../packages/core/src/agent-run/scripts.js';
import { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import { ChildProcessRunner, type ProcessRunner, type RunOptions } from '../../packages/core/src/kube/runner.js';
import { UserError } from '../../packages/core/src/util/errors.js';
import { useKubeServer } from '../kube-server/harness.js';
import { runningProcesses } from '../support/wait-for.js';
import { MARK, prepareAgentPod } from '../support/fake-codex.js';
import { KUBECTL_BIN } from '../kube-server/kubectl.js';

const NS = 'shop-ai-1';
/** What the stand-in started and left running. */
const leftovers = () => runningProcesses(new RegExp(`\\b${MARK}\\b`));

/** Drops the first FOLLOW stream after `afterMs` by killing its kubectl process. */
class DroppingRunner implements ProcessRunner {
  dropped = 0;
  constructor(
    private readonly inner: ProcessRunner,
    private readonly afterMs: number,
    private readonly times = 1,
  ) {}
  run(command: string, args: readonly string[], options: RunOptions = {}) {
    const follow = args.includes(FOLLOW_SCRIPT);
    if (!follow || this.dropped >= this.times) return this.inner.run(command, args, options);
    this.dropped++;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.afterMs);
    return this.inner.run(command, args, { ...options, signal: ac.signal }).finally(() => clearTimeout(timer));
  }
}

describe('runAgentInPod (stand-in codex, real kubectl and pod-side scripts)', () => {
  const h = useKubeServer({ readyDelayMs: 20 });

  function kubectlWith(runner: ProcessRunner = new ChildProcessRunner()): Kubectl {
    return new Kubectl(runner, {
      binary: KUBECTL_BIN,
      kubeconfig: h.kubeconfig,
      cacheDir: join(h.dir, 'cache'),
      timeoutMs: 60_000,
    });
  }

  async function prepare() {
    return prepareAgentPod(kubectlWith(), h, NS);
  }

  const options = (codex: string, extra: Partial<AgentRunOptions> = {}): AgentRunOptions => {
    const lines: string[] = [];
    return {
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
      sink: { info: (m) => lines.push(m), warning: (m) => lines.push(`warning: ${m}`), debug: () => undefined },
      ...extra,
      // keep the lines reachable for assertions
      ...({ lines } as object),
    } as AgentRunOptions;
  };
  const linesOf = (o: AgentRunOptions) => (o as unknown as { lines: string[] }).lines;

  it('runs the agent detached, streams its events and reports the result and the changed files', async () => {
    const { workspace, codex, calls } = await prepare();
    const o = options(codex);
    const out = await runAgentInPod(kubectlWith(), o);
    expect(out).toMatchObject({
      sessionId: 'thread-42',
      finalMessage: 'all done',
      tokensIn: 120,
      tokensOut: 30,
      exitCode: 0,
      attached: false,
      changedFiles: ['a.txt'],
      gitAvailable: true,
      reconnects: 0,
    });
    expect(readFileSync(join(workspace, 'a.txt'), 'utf8')).toBe('original\nedited by the agent\n');
    // The prompt and config arrived over stdin, byte for byte; nothing of them is in any argv.
    const run = join(workspace, '.codex-k8s', 'runs', out.runId);
    expect(readFileSync(join(run, 'prompt.md'), 'utf8')).toBe('do the work\n');
    expect(readFileSync(join(workspace, '.codex-k8s', 'codex-home', 'config.toml'), 'utf8')).toBe('model = "fake"\n');
    for (const e of h.server.execs) expect(e.command.join(' ')).not.toContain('do the work');
    expect(calls()).toEqual(['exec --json --skip-git-repo-check -']);
    expect(linesOf(o)).toEqual(expect.arrayContaining(['agent session thread-42', 'agent: all done']));
    // rollout status, get deployment, get pods, start, follow, git status
    expect(out.kubectlCalls).toBe(6);
  });

  it('changed lists only what this run changed: changes already in the workspace are not counted', async () => {
    const { workspace, codex } = await prepareAgentPod(kubectlWith(), h, NS);
    writeFileSync(join(workspace, 'before.txt'), 'left by an earlier run\n');
    mkdirSync(join(workspace, 'sub', '.codex-k8s'), { recursive: true });
    writeFileSync(join(workspace, 'sub', '.codex-k8s', 'x'), 'runner files below the top are not the agent work\n');
    const none = await runAgentInPod(kubectlWith(), options(codex, { prompt: 'NOCHANGE', runId: 'r1' }));
    expect(none.changedFiles).toEqual([]);
    const some = await runAgentInPod(kubectlWith(), options(codex, { runId: 'r2' }));
    expect(some.changedFiles).toEqual(['a.txt']);
  });

  it('a run of another kind still going is not attached to', async () => {
    const { codex, calls } = await prepareAgentPod(kubectlWith(), h, NS);
    const first = runAgentInPod(kubectlWith(), options(codex, { prompt: 'SLOW', runId: 'dev', kind: 'dev_issue' }));
    await new Promise((r) => setTimeout(r, 1500));
    const err = await runAgentInPod(kubectlWith(), options(codex, { runId: 'rev', kind: 'dev_review' })).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/another agent run \(dev_issue, run dev\) is still running/);
    expect((await first).finalMessage).toBe('all done');
    expect(calls()).toHaveLength(1);
  });

  it("agent-deployment and agent-container name what is exec'd into; a wrong one is named with what exists", async () => {
    const { codex } = await prepare();
    const noContainer = await runAgentInPod(kubectlWith(), options(codex, { container: 'agent' })).catch((e) => e);
    expect((noContainer as Error).message).toMatch(/has no container "agent" \(it has: codex\); set agent-container/);
    const noDeployment = await runAgentInPod(
      kubectlWith(),
      options(codex, { deployment: 'missing', readyTimeoutMs: 2000 }),
    ).catch((e) => e);
    expect((noDeployment as Error).message).toMatch(/agent deployment shop-ai-1\/missing is not ready/);
  });

  it('resume passes the session to `codex exec resume`', async () => {
    const { codex, calls } = await prepare();
    await runAgentInPod(kubectlWith(), options(codex, { resumeSession: 'thread-41', prompt: 'NOCHANGE' }));
    expect(calls()).toEqual(['exec resume --json --skip-git-repo-check thread-41 -']);
  });

  it('a stream dropped mid-run (kubectl killed) is followed again from the last byte: same outputs', async () => {
    const { codex } = await prepare();
    const dropping = new DroppingRunner(new ChildProcessRunner(), 1500);
    const o = options(codex, { prompt: 'SLOW' });
    const out = await runAgentInPod(kubectlWith(dropping), o);
    expect(dropping.dropped).toBe(1);
    expect(out.reconnects).toBe(1);
    expect(out).toMatchObject({
      finalMessage: 'all done',
      tokensIn: 120,
      changedFiles: ['a.txt'],
      sessionId: 'thread-42',
    });
    // Every event exactly once, across the reconnect (multi-byte text split anywhere survives).
    const steps = linesOf(o).filter((l) => l.startsWith('agent runs: step'));
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `agent runs: step ${i} éé`));
    expect(linesOf(o).some((l) => l.includes('event stream dropped'))).toBe(true);
  });

  it('a second run started while the first is running attaches to it: one agent, the same result', async () => {
    const { codex, calls } = await prepare();
    const first = runAgentInPod(kubectlWith(), options(codex, { prompt: 'SLOW', runId: 'first' }));
    await new Promise((r) => setTimeout(r, 1500));
    const second = await runAgentInPod(kubectlWith(), options(codex, { prompt: 'SLOW', runId: 'second' }));
    const one = await first;
    expect(second).toMatchObject({ attached: true, runId: 'first', finalMessage: 'all done', tokensIn: 120 });
    expect(one).toMatchObject({ attached: false, runId: 'first' });
    expect(calls()).toHaveLength(1);
  });

  it('the deadline stops the agent and everything it started, and the error names it', async () => {
    const { codex } = await prepare();
    const before = leftovers();
    expect(before).toEqual([]);
    const err = await runAgentInPod(kubectlWith(), options(codex, { prompt: 'STALL', timeoutMs: 3000 })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/ran past its deadline \(timeout 3s, the prompt-run input timeout\)/);
    expect(leftovers()).toEqual([]);
  });

  it('a failing codex fails the run with its exit code and error line', async () => {
    const { codex } = await prepare();
    const err = await runAgentInPod(kubectlWith(), options(codex, { prompt: 'FAIL' })).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/codex exec failed with exit code 3: ERROR: the model said no/);
  });

  it('cancelling stops the agent in the pod', async () => {
    const { codex } = await prepare();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 2000);
    const err = await runAgentInPod(kubectlWith(), options(codex, { prompt: 'STALL', signal: ac.signal })).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/cancelled/);
    expect(leftovers()).toEqual([]);
  });
});
