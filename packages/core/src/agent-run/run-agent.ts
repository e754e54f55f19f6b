/*
 * One agent run in the slot's agent pod, over `kubectl exec` only:
 *
 *   rollout status, get deployment, get pods   the pod and its workspace (agent-pod.ts)
 *   exec START     config and prompt on stdin; starts `codex exec --json` detached, or finds the one still running
 *   exec FOLLOW    the events file from the last byte received, until the run has an exit; after a dropped
 *                  stream (kubectl killed, connection reset, API server restarted) it is started again from there
 *   exec STOP      only when the deadline passed without the pod's watchdog ending the run, or on cancel
 *   exec CHANGES   git status of the workspace
 *
 * The deadline is enforced twice, both outside the agent: by a watchdog in the pod (which also works when nobody
 * follows the run any more) and, a grace period later, by this process.
 */
import { posix } from 'node:path';
import { formatDuration } from '../kube/duration.js';
import type { Kubectl } from '../kube/kubectl.js';
import { UserError } from '../util/errors.js';
import { findAgentPod, pickAgentPod, type AgentPod } from './agent-pod.js';
import { CodexEventReader, type AgentResult, type ProgressSink } from './events.js';
import {
  AGENT_SCRIPT,
  CHANGES_SCRIPT,
  DEADLINE_EXIT,
  FOLLOW_SCRIPT,
  KILL_TREE_SCRIPT,
  START_SCRIPT,
  STOPPED_EXIT,
  STOP_SCRIPT,
  WATCHDOG_SCRIPT,
} from './scripts.js';

/** Directory of the runner's files inside the workspace; the workspace's git ignores it. */
export const RUN_DIR = '.codex-k8s';

export interface AgentRunOptions {
  namespace: string;
  deployment: string;
  container: string;
  /** Codex's config.toml. */
  config: string;
  prompt: string;
  /** The agent's wall-clock limit. */
  timeoutMs: number;
  /** How long to wait for the agent deployment. */
  readyTimeoutMs: number;
  /** Continue this Codex session (its id, from an earlier run's `session-id`). */
  resumeSession?: string;
  /** The Codex CLI in the pod (default `codex` on the pod's PATH: the version the agent image pins). */
  codexBinary?: string;
  /** Names this run's directory in the pod. */
  runId: string;
  /** What the run is for (the prompt kind): a run still going for another kind is not attached to. */
  kind?: string;
  sink: ProgressSink;
  /** Aborting stops the agent in the pod. */
  signal?: AbortSignal;
  /** Added to the deadline before this process stops the run itself (default 60 s). */
  graceMs?: number;
  /** First pause before following again after a dropped stream (default 1 s, doubling up to 15 s). */
  reconnectDelayMs?: number;
  /** Consecutive failed follows without a byte of progress before giving up (default 20). */
  maxReconnects?: number;
}

export interface AgentRunOutcome extends AgentResult {
  pod: string;
  workdir: string;
  /** The run that was followed (a new one, or the one still running that this call attached to). */
  runId: string;
  attached: boolean;
  exitCode: number;
  /** Paths git reports as changed in the workspace (empty without git). */
  changedFiles: string[];
  /** False when the workspace is not a git repository (changes unknown). */
  gitAvailable: boolean;
  durationMs: number;
  kubectlCalls: number;
  reconnects: number;
}

const EXIT_LINE = /^codex-k8s-exit (\d+) (\S+)$/m;

export async function runAgentInPod(kubectl: Kubectl, o: AgentRunOptions): Promise<AgentRunOutcome> {
  const started = Date.now();
  const callsBefore = kubectl.invocations;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(o.runId)) throw new UserError(`run id ${JSON.stringify(o.runId)}`);
  const seconds = Math.ceil(o.timeoutMs / 1000);
  if (!(seconds >= 1)) throw new UserError('timeout: must be at least 1s');
  const query = {
    namespace: o.namespace,
    deployment: o.deployment,
    container: o.container,
    timeoutMs: o.readyTimeoutMs,
    signal: o.signal,
  };
  let pod = await findAgentPod(kubectl, query);
  const exec = (p: AgentPod) => ['exec', '-i', '-n', o.namespace, p.name, '-c', p.container, '--'];
  const kind = o.kind ?? '-';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(kind)) throw new UserError(`kind ${JSON.stringify(kind)}`);

  const stop = async (runId: string, reason: string, code: number): Promise<void> => {
    const r = await kubectl.exec(
      [...exec(pod), 'sh', '-c', STOP_SCRIPT, 'sh', runId, reason, String(code), KILL_TREE_SCRIPT],
      { timeoutMs: 60_000 },
    );
    if (r.code !== 0) o.sink.warning(`stopping the agent in ${pod.name} failed: ${r.stderr.trim()}`);
  };

  // Start, or attach to the agent an earlier start left running.
  const configBytes = Buffer.byteLength(o.config, 'utf8');
  let startOut: string;
  try {
    startOut = await kubectl.run(
      [
        ...exec(pod),
        'sh',
        '-c',
        START_SCRIPT,
        'sh',
        pod.workdir,
        o.runId,
        String(seconds),
        o.resumeSession ?? '',
        o.codexBinary ?? 'codex',
        kind,
        AGENT_SCRIPT,
        WATCHDOG_SCRIPT,
        KILL_TREE_SCRIPT,
      ],
      { input: `${configBytes}\n${o.config}${o.prompt}`, timeoutMs: 120_000, signal: o.signal },
    );
  } catch (err) {
    // Cancelled or cut off while starting: the agent may have started all the same.
    await stop(o.runId, o.signal?.aborted ? 'cancelled' : 'start-failed', STOPPED_EXIT);
    if (o.signal?.aborted) throw new UserError(`cancelled: the agent in ${o.namespace}/${pod.name} was stopped`);
    throw err;
  }
  const m = /^(started|attach) (\S+) (-?\d+) (\S+)$/m.exec(startOut);
  if (!m) throw new UserError(`the agent could not be started in ${o.namespace}/${pod.name}: ${startOut.trim()}`);
  const attached = m[1] === 'attach';
  const runId = m[2];
  if (attached && m[4] !== kind)
    throw new UserError(
      `another agent run (${m[4]}, run ${runId}) is still running in ${o.namespace}/${pod.name}: this ${kind} run ` +
        'was not started. Wait for it to finish, or cancel its workflow run',
    );
  const run = posix.join(pod.workdir, RUN_DIR, 'runs', runId);
  if (attached)
    o.sink.info(`An agent run (${runId}) is still running in ${pod.name}: following it instead of starting another`);
  else
    o.sink.info(`Agent started in ${o.namespace}/${pod.name} (run ${runId}, deadline ${formatDuration(o.timeoutMs)})`);
  // The seconds left by the pod's own clock, so a skew between runner and pod does not matter.
  const deadline = Date.now() + Number(m[3]) * 1000;
  const hardDeadline = deadline + (o.graceMs ?? 60_000);

  const reader = new CodexEventReader(o.sink);
  let offset = 0;
  let reconnects = 0;
  let failures = 0;
  let exit: { code: number; killed: string } | undefined;
  let gone = false;
  let stderrTail: string[] = [];
  let stoppedHere = false;
  let delay = o.reconnectDelayMs ?? 1000;

  while (!exit && !gone) {
    if (o.signal?.aborted) {
      await stop(runId, 'cancelled', STOPPED_EXIT);
      throw new UserError(`cancelled: the agent in ${o.namespace}/${pod.name} was stopped`);
    }
    if (Date.now() >= hardDeadline && !stoppedHere) {
      o.sink.warning(`the agent's deadline passed and the pod did not end the run: stopping it from here`);
      await stop(runId, 'deadline', DEADLINE_EXIT);
      stoppedHere = true;
    }
    const before = offset;
    let stderr = '';
    // setTimeout holds at most 2^31-1 ms (24.8 days); a longer wait is followed again when it ends.
    const left = stoppedHere ? 60_000 : Math.min(MAX_TIMER_MS, Math.max(5_000, hardDeadline - Date.now()));
    const res = await kubectl.exec([...exec(pod), 'sh', '-c', FOLLOW_SCRIPT, 'sh', runId, String(offset)], {
      timeoutMs: left,
      signal: o.signal,
      onStdoutData: (chunk) => {
        offset += chunk.length;
        reader.push(chunk);
      },
      onStderr: (s) => (stderr += s),
    });
    const em = EXIT_LINE.exec(stderr);
    if (em) {
      exit = { code: Number(em[1]), killed: em[2] };
      stderrTail = stderr
        .split('\n')
        .filter((l) => l.startsWith('codex-k8s-stderr '))
        .map((l) => l.slice('codex-k8s-stderr '.length));
      break;
    }
    if (/^codex-k8s-gone$/m.test(stderr)) {
      gone = true;
      break;
    }
    if (o.signal?.aborted) continue;
    if (res.timedOut && !stoppedHere && (Date.now() >= hardDeadline || left === MAX_TIMER_MS)) continue;
    // The stream dropped: follow again from the last byte received.
    reconnects++;
    failures = offset > before ? 0 : failures + 1;
    if (failures > (o.maxReconnects ?? 20))
      throw new UserError(
        `lost the agent's event stream in ${o.namespace}/${pod.name} ${failures} times in a row: ` +
          `${stderr.trim().split('\n').slice(-2).join('; ') || `kubectl exit ${res.code}`}. The agent may still be ` +
          'running in the pod; run prompt-run again to follow it',
      );
    o.sink.warning(
      `the agent's event stream dropped after ${offset} bytes (${stderr.trim().split('\n').pop() || `kubectl exit ${res.code}`}); following it again`,
    );
    await sleep(delay);
    delay = Math.min(delay * 2, 15_000);
    if (/not ?found/i.test(stderr)) pod = await pickAgentPod(kubectl, query).catch(() => pod);
  }
  reader.end();

  if (gone)
    throw new UserError(
      `the agent process of run ${runId} is no longer running in ${o.namespace}/${pod.name} and left no result ` +
        `(was the pod restarted or evicted?); a copy of its events is in ${run}/events.jsonl`,
    );
  if (exit!.killed === 'deadline')
    throw new UserError(
      `the agent ran past its deadline (timeout ${formatDuration(o.timeoutMs)}, the prompt-run input timeout) and ` +
        `was stopped with everything it started in ${o.namespace}/${pod.name}. Raise timeout or narrow the task`,
    );
  if (exit!.killed === 'cancelled') throw new UserError(`the agent run was cancelled`);
  if (exit!.code !== 0) {
    const why = [...reader.result.errors, ...stderrTail.filter((l) => /error/i.test(l))].slice(-3).join('; ');
    throw new UserError(
      `codex exec failed with exit code ${exit!.code}${why ? `: ${why}` : ''} (in ${o.namespace}/${pod.name}, ` +
        `log ${run}/stderr.log)`,
    );
  }

  const changes = await kubectl.exec([...exec(pod), 'sh', '-c', CHANGES_SCRIPT, 'sh', pod.workdir, runId], {
    timeoutMs: 120_000,
  });
  const gitAvailable = changes.code === 0;
  if (!gitAvailable)
    o.sink.warning(
      `git in ${pod.workdir} failed (${changes.stderr.trim().split('\n').slice(-3).join('; ')}): the workspace is not a ` +
        'git repository, so what the agent changed is unknown',
    );
  const changedFiles = gitAvailable ? changes.stdout.split('\0').filter(Boolean) : [];

  return {
    ...reader.result,
    pod: pod.name,
    workdir: pod.workdir,
    runId,
    attached,
    exitCode: exit!.code,
    changedFiles,
    gitAvailable,
    durationMs: Date.now() - started,
    kubectlCalls: kubectl.invocations - callsBefore,
    reconnects,
  };
}

/** The longest timer Node keeps (2^31-1 ms); a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
