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
  const base = posix.join(pod.workdir, RUN_DIR);
  const exec = (p: AgentPod) => ['exec', '-i', '-n', o.namespace, p.name, '-c', p.container, '--'];

  // Start, or attach to the agent an earlier start left running.
  const configBytes = Buffer.byteLength(o.config, 'utf8');
  const startOut = await kubectl.run(
    [
      ...exec(pod),
      'sh',
      '-c',
      START_SCRIPT,
      'sh',
      base,
      o.runId,
      String(seconds),
      o.resumeSession ?? '',
      o.codexBinary ?? 'codex',
      pod.workdir,
      AGENT_SCRIPT,
      WATCHDOG_SCRIPT,
      KILL_TREE_SCRIPT,
    ],
    { input: `${configBytes}\n${o.config}${o.prompt}`, timeoutMs: 60_000, signal: o.signal },
  );
  const m = /^(started|attach) (\S+) (\d+)$/m.exec(startOut);
  if (!m) throw new UserError(`the agent could not be started in ${o.namespace}/${pod.name}: ${startOut.trim()}`);
  const attached = m[1] === 'attach';
  const runId = m[2];
  const run = posix.join(base, 'runs', runId);
  if (attached)
    o.sink.info(`An agent run (${runId}) is still running in ${pod.name}: following it instead of starting another`);
  else
    o.sink.info(`Agent started in ${o.namespace}/${pod.name} (run ${runId}, deadline ${formatDuration(o.timeoutMs)})`);
  const deadline = attached ? Number(m[3]) * 1000 : started + o.timeoutMs;
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

  const stop = async (reason: string, code: number): Promise<void> => {
    await kubectl
      .exec([...exec(pod), 'sh', '-c', STOP_SCRIPT, 'sh', run, reason, String(code), KILL_TREE_SCRIPT], {
        timeoutMs: 60_000,
      })
      .then((r) => {
        if (r.code !== 0) o.sink.warning(`stopping the agent in ${pod.name} failed: ${r.stderr.trim()}`);
      });
  };

  while (!exit && !gone) {
    if (o.signal?.aborted) {
      await stop('cancelled', STOPPED_EXIT);
      throw new UserError(`cancelled: the agent in ${o.namespace}/${pod.name} was stopped`);
    }
    if (Date.now() >= hardDeadline && !stoppedHere) {
      o.sink.warning(`the agent's deadline passed and the pod did not end the run: stopping it from here`);
      await stop('deadline', DEADLINE_EXIT);
      stoppedHere = true;
    }
    const before = offset;
    let stderr = '';
    const left = stoppedHere ? 60_000 : Math.max(5_000, hardDeadline - Date.now());
    const res = await kubectl.exec([...exec(pod), 'sh', '-c', FOLLOW_SCRIPT, 'sh', run, String(offset)], {
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
    if (o.signal?.aborted || (res.timedOut && Date.now() >= hardDeadline)) continue;
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
      `the agent process in ${o.namespace}/${pod.name} ended without a result (was the pod restarted or evicted?); ` +
        `its events are in ${run}/events.jsonl`,
    );
  if (exit!.killed === 'deadline')
    throw new UserError(
      `the agent ran past its deadline (timeout ${formatDuration(o.timeoutMs)}, the prompt-run input timeout) and ` +
        `was stopped; nothing it started is left running in ${o.namespace}/${pod.name}. Raise timeout or narrow the task`,
    );
  if (exit!.killed === 'cancelled') throw new UserError(`the agent run was cancelled`);
  if (exit!.code !== 0) {
    const why = [...reader.result.errors, ...stderrTail.filter((l) => /error/i.test(l))].slice(-3).join('; ');
    throw new UserError(
      `codex exec failed with exit code ${exit!.code}${why ? `: ${why}` : ''} (in ${o.namespace}/${pod.name}, ` +
        `log ${run}/stderr.log)`,
    );
  }

  const changes = await kubectl.exec([...exec(pod), 'sh', '-c', CHANGES_SCRIPT, 'sh', pod.workdir], {
    timeoutMs: 60_000,
  });
  const gitAvailable = changes.code === 0;
  if (!gitAvailable)
    o.sink.warning(
      `git status in ${pod.workdir} failed (${changes.stderr.trim().split('\n').pop()}): the workspace is not a ` +
        'git repository, so what the agent changed is unknown',
    );
  const changedFiles = gitAvailable ? parsePorcelain(changes.stdout) : [];

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

/** Paths of `git status --porcelain=v1 -z`; a rename's source entry is skipped, the runner's own directory too. */
export function parsePorcelain(out: string): string[] {
  const entries = out.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.length < 4) continue;
    if (e[0] === 'R' || e[0] === 'C') i++;
    const path = e.slice(3);
    if (path !== `${RUN_DIR}/` && !path.startsWith(`${RUN_DIR}/`)) paths.push(path);
  }
  return paths;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
