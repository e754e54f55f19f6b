/*
 * Copies the checkout into a slot's workspace volume through a short-lived pod, in four kubectl calls:
 *
 *   create -f -   the pod (manifest on stdin)
 *   wait          for it to be Ready
 *   exec -i       `sh -c COPY_SCRIPT` with the base64 of a gzipped tar on stdin (unpack aside, check, update in place)
 *   delete        the pod, always (`finally`), without waiting for it to go
 *
 * plus, only when something fails, one `get` of the pod (why it is not Ready) or one `exec` removing what a cut-off
 * copy left. The archive is packed before the pod exists, so a local failure costs no cluster call at all.
 *
 * The caller ensures the namespace and the PVC first. The predecessor synced before the slot's namespace was
 * guaranteed to exist (bug #30); here a missing namespace or claim is reported as such, with the step to take.
 */
import { posix } from 'node:path';
import { KubectlError } from '../kube/errors.js';
import type { Kubectl } from '../kube/kubectl.js';
import { manifestStream } from '../objects/refs.js';
import { ChildProcessRunner } from '../kube/runner.js';
import { formatDuration } from '../kube/duration.js';
import { MANAGER_NAME } from '../objects/labels.js';
import { packSources } from './archive.js';
import { snapshotGit } from './git-snapshot.js';
import { SyncError, WorkspaceChangedError, type SyncStep } from './errors.js';
import { compileExcludes } from './excludes.js';
import { resolveSyncOptions, type ResolvedSyncOptions, type SyncOptions } from './options.js';
import { SYNC_CONTAINER, SYNC_POD_PREFIX, syncId, syncPodManifest } from './pod.js';
import { describePodProblem } from './problem.js';
import { CLEANUP_SCRIPT, CONFLICT_EXIT, COPY_SCRIPT, SAVED_DIR } from './script.js';
import { silentLogger, type Logger } from '../util/reporter.js';
import { listSources } from './walk.js';

export interface SyncResult {
  /** Pod path the sources were copied to. */
  target: string;
  /** Regular files copied. */
  files: number;
  /** Their total size (uncompressed). */
  bytes: number;
  /** Size of the gzipped archive that was sent. */
  archiveBytes: number;
  durationMs: number;
  podName: string;
  /** kubectl processes this sync started (4 when all goes well). */
  kubectlCalls: number;
  /** The commit the workspace's git is on, when the source is a git work tree. */
  commit?: string;
  /** Pod path of the patch holding the agent's changes this sync replaced (`discardChanges`), if any. */
  saved?: string;
}

/**
 * After the sync's deadline the pod must live a little longer, so that a cut-off copy can still be cleaned up and
 * the pod deleted; it is the only time the pod may outlive the sync's timeout.
 */
export const CLEANUP_MARGIN_SECONDS = 15;
/** Limit of each cleanup call (delete, cleanup exec, diagnostics), which run after a failure or the deadline. */
const CLEANUP_CALL_MS = 20_000;

/**
 * Copies `options.source` into `<codeRootBase>/<slot|env>/src` on the PVC, updating it in place once the new tree
 * has arrived completely, and refusing to overwrite changes of the agent (see COPY_SCRIPT). Requires the namespace and the PVC to exist (the caller creates them first).
 * Throws a `UserError` for invalid options (before any kubectl call) and a `SyncError` naming the failed step.
 */
export async function syncSources(kubectl: Kubectl, options: SyncOptions): Promise<SyncResult> {
  const o = resolveSyncOptions(options);
  const reporter: Logger = options.reporter ?? silentLogger;
  const warn = (m: string): void => reporter.warning(m);
  const signal = options.signal;
  const started = Date.now();
  const deadline = started + o.timeoutMs;
  const callsBefore = kubectl.invocations;

  /** What is left of the sync's time for a step; a step that has none fails as timed out before it starts. */
  const budget = (step: SyncStep): number => {
    if (signal?.aborted) throw new SyncError(step, `source sync cancelled before step "${step}"`);
    const left = deadline - Date.now();
    if (left <= 0) throw timeoutError(step, o);
    return left;
  };

  const list = await listSources(o.source, compileExcludes(o.excludes));
  for (const p of list.skipped) reporter.debug(`source sync: skipping ${p} (not a file, directory or symlink)`);
  const runner = options.runner ?? new ChildProcessRunner();
  const synced = new Set(list.entries);
  // A source that syncs its own .git (no default excludes) keeps it as it is.
  const snapshot =
    o.git && !synced.has('.git')
      ? await snapshotGit(runner, { source: o.source, synced, timeoutMs: budget('archive'), signal })
      : undefined;
  let archive: Buffer;
  try {
    archive = await packSources(runner, {
      source: o.source,
      entries: list.entries,
      tarBinary: o.tarBinary,
      timeoutMs: budget('archive'),
      signal,
      ...(snapshot ? { extra: { dir: snapshot.dir, entries: snapshot.entries } } : {}),
    });
  } finally {
    await snapshot?.dispose();
  }
  reporter.info(
    `Syncing ${o.source} to ${o.namespace}/${o.pvc}:${o.target}: ${list.files} files, ${mib(list.bytes)} ` +
      `(${mib(archive.length)} packed), ${list.excluded} excluded by ${o.excludes.join(', ')}` +
      (snapshot ? `; git: commit ${snapshot.commit.slice(0, 12)}` : '; git: none (not the top of a git work tree)'),
  );
  if (snapshot && snapshot.skipWorktree > 0)
    reporter.debug(
      `source sync: ${snapshot.skipWorktree} tracked file(s) excluded from the copy, marked skip-worktree`,
    );
  const payload = archive.toString('base64');

  const id = syncId();
  const podName = `${SYNC_POD_PREFIX}${id}`;
  const ns = ['-n', o.namespace];
  const manifest = syncPodManifest({
    name: podName,
    namespace: o.namespace,
    image: o.image,
    pvc: o.pvc,
    workspaceMount: o.workspaceMount,
    lifetimeSeconds: Math.ceil(o.timeoutMs / 1000) + CLEANUP_MARGIN_SECONDS,
    resources: o.resources,
    env: o.env,
    slot: o.slot,
    runAsUser: o.runAsUser,
    runAsGroup: o.runAsGroup,
    fsGroup: o.fsGroup,
  });

  let step: SyncStep = 'create';
  let copyStarted = false;
  let saved: string | undefined;
  const stamp = formatStamp(started);
  try {
    reporter.debug(`source sync: creating pod ${o.namespace}/${podName}`);
    await kubectl.run(['create', `--field-manager=${MANAGER_NAME}`, ...ns, '-f', '-'], {
      input: manifestStream([manifest]),
      timeoutMs: budget(step),
      signal,
    });

    step = 'wait';
    const waitMs = budget(step);
    // kubectl's own limit ends first (whole seconds, rounded down) so its message, not a kill, reports the timeout.
    const waitSeconds = Math.max(1, Math.floor(waitMs / 1000));
    reporter.debug(`source sync: waiting up to ${waitSeconds}s for pod ${podName} to be Ready`);
    await kubectl.run(['wait', ...ns, '--for=condition=Ready', `pod/${podName}`, `--timeout=${waitSeconds}s`], {
      timeoutMs: waitMs,
      signal,
    });

    step = 'copy';
    const copyMs = budget(step);
    copyStarted = true;
    reporter.debug(`source sync: copying ${archive.length} bytes into ${o.target}`);
    // A refusal (changes of the agent) wrote nothing, so it needs no cleanup of a cut-off copy.
    let stderr = '';
    const out = await kubectl.run(
      [
        'exec',
        '-i',
        ...ns,
        podName,
        '-c',
        SYNC_CONTAINER,
        '--',
        'sh',
        '-c',
        COPY_SCRIPT,
        'sh', // $0
        o.target, // $1: never part of the script text
        id,
        String(list.findLines + (snapshot?.files ?? 0)),
        o.discardChanges ? '1' : '0',
        stamp,
        ...(snapshot ? [snapshot.commit] : []),
      ],
      { input: payload, timeoutMs: copyMs, signal, onStderr: (chunk) => (stderr += chunk) },
    );
    for (const line of out.split('\n').filter(Boolean)) {
      if (line.startsWith('saved: ')) {
        // The pod path, not the script's (a test server maps $1 to a local directory).
        saved = posix.join(posix.dirname(o.target), SAVED_DIR, `${stamp}.patch`);
        warn(
          `source sync: changes in ${o.target} that the new sources do not contain were saved to ${saved} ` +
            `(and ${saved.replace(/\.patch$/, '.tar.gz')}) and replaced (discard-changes: true)`,
        );
      } else reporter.debug(`source sync: ${line}`);
    }
    // The copy succeeded; what the script still had to say (an old tree it could not remove) is worth a warning.
    for (const line of stderr.split('\n').filter((l) => l.startsWith('warning: ')))
      warn(`source sync: ${line.slice('warning: '.length)}`);
  } catch (err) {
    const conflict = conflictError(err, o);
    if (conflict) throw conflict;
    if (copyStarted) await cleanupCopy(kubectl, o, podName, id, reporter);
    const problem =
      step === 'wait' && err instanceof KubectlError && !signal?.aborted
        ? await describePodProblem(kubectl, o.namespace, podName, CLEANUP_CALL_MS)
        : '';
    throw stepError(step, err, o, podName, problem, signal);
  } finally {
    await deletePod(kubectl, o, podName, warn);
  }

  const durationMs = Date.now() - started;
  reporter.info(`Synced ${list.files} files to ${o.target} in ${formatDuration(durationMs)}`);
  return {
    target: o.target,
    files: list.files,
    bytes: list.bytes,
    archiveBytes: archive.length,
    durationMs,
    podName,
    kubectlCalls: kubectl.invocations - callsBefore,
    ...(saved ? { saved } : {}),
    ...(snapshot ? { commit: snapshot.commit } : {}),
  };
}

/** `20261203T201500Z`: names the saved changes, sorts by time, no characters a file name or shell minds. */
export function formatStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** The script's refusal to overwrite changes of the agent, as an error naming the files and the ways out. */
function conflictError(err: unknown, o: ResolvedSyncOptions): WorkspaceChangedError | undefined {
  if (!(err instanceof KubectlError) || err.code !== CONFLICT_EXIT) return undefined;
  const files = err.stderr
    .split('\n')
    .filter((l) => l.startsWith('conflict: '))
    .map((l) => l.slice('conflict: '.length));
  if (files.length === 0) return undefined;
  const shown = files.slice(0, 20).join(', ') + (files.length > 20 ? ` and ${files.length - 20} more` : '');
  return new WorkspaceChangedError(
    files,
    `the workspace ${o.target} has changes the new sources do not contain, so the sync stopped and changed ` +
      `nothing: ${shown}. Take the agent's work back first (review-apply), or set discard-changes: true to save ` +
      `them beside the workspace (${posix.join(posix.dirname(o.target), SAVED_DIR)}/) and replace them`,
  );
}

/** Best effort: remove what a cut-off copy left (the script's own trap may not have run). */
async function cleanupCopy(
  kubectl: Kubectl,
  o: ResolvedSyncOptions,
  podName: string,
  id: string,
  reporter: Logger,
): Promise<void> {
  try {
    await kubectl.run(
      ['exec', '-n', o.namespace, podName, '-c', SYNC_CONTAINER, '--', 'sh', '-c', CLEANUP_SCRIPT, 'sh', o.target, id],
      { timeoutMs: CLEANUP_CALL_MS },
    );
  } catch (err) {
    // The pod may be gone already; the next sync removes leftovers before it copies.
    reporter.debug(`source sync: cleanup of ${o.target}.incoming-${id} failed: ${(err as Error).message}`);
  }
}

/** Always, and without the caller's signal: a cancelled sync must still take its pod down. */
async function deletePod(
  kubectl: Kubectl,
  o: ResolvedSyncOptions,
  podName: string,
  warn: (m: string) => void,
): Promise<void> {
  try {
    await kubectl.run(['delete', 'pod', podName, '-n', o.namespace, '--ignore-not-found', '--wait=false'], {
      timeoutMs: CLEANUP_CALL_MS,
    });
  } catch (err) {
    warn(
      `could not delete the sync pod ${o.namespace}/${podName}: ${(err as Error).message}. It stops by itself ` +
        `within ${Math.ceil(o.timeoutMs / 1000) + CLEANUP_MARGIN_SECONDS}s (activeDeadlineSeconds); delete it with ` +
        `kubectl delete pod -n ${o.namespace} ${podName}`,
    );
  }
}

function timeoutError(step: SyncStep, o: ResolvedSyncOptions): SyncError {
  return new SyncError(
    step,
    `source sync timed out after ${formatDuration(o.timeoutMs)} (the sync timeout) during step "${step}"; ` +
      `${keeps(o)}. Raise the sync timeout or exclude large directories`,
    true,
  );
}

const keeps = (o: ResolvedSyncOptions): string =>
  `${o.target} keeps its previous content, or the part the copy had updated (the next sync finishes it)`;

function stepError(
  step: SyncStep,
  err: unknown,
  o: ResolvedSyncOptions,
  podName: string,
  problem: string,
  signal?: AbortSignal,
): Error {
  if (err instanceof SyncError) return err;
  if (!(err instanceof KubectlError)) return err as Error;
  if (signal?.aborted)
    return new SyncError(step, `source sync cancelled during step "${step}"; ${keeps(o)}`, false, { cause: err });
  const pod = `${o.namespace}/${podName}`;
  const timedOut = err.timedOut || /timed out waiting for the condition/i.test(err.stderr);
  if (timedOut && step !== 'wait') return Object.assign(timeoutError(step, o), { cause: err });
  const detail = err.message;
  switch (step) {
    case 'create': {
      let hint = 'check that the token may create pods in the namespace';
      if (err.reason === 'NotFound')
        hint = `namespace ${o.namespace} does not exist: create the slot's namespace and PVC ${o.pvc} before syncing`;
      else if (err.reason === 'Forbidden')
        hint =
          `the token may not create pods in ${o.namespace}, or the namespace's Pod Security level refuses a root ` +
          'container (give the sync pod a non-root user matching the agent)';
      return new SyncError(step, `could not create the sync pod ${pod}: ${detail}; ${hint}`, false, { cause: err });
    }
    case 'wait':
      return new SyncError(
        step,
        `the sync pod ${pod} was not Ready${timedOut ? ` within the sync timeout (${formatDuration(o.timeoutMs)})` : ''}` +
          `: ${problem || detail}. Check that the image ${o.image} (sync-image) can be pulled and that PVC ${o.pvc} ` +
          `(workspace-pvc) exists in ${o.namespace} and can be mounted; ${keeps(o)}`,
        timedOut,
        { cause: err },
      );
    default:
      return new SyncError(
        step,
        `copying ${o.source} into ${pod}:${o.target} failed: ${lastLines(err.stderr) || detail}; ${keeps(o)} ` +
          `(the unpacked tree next to it, ${posix.basename(o.target)}.incoming-*, is removed now or by the next sync)`,
        false,
        { cause: err },
      );
  }
}

/** The script's own words, without kubectl's "command terminated with exit code" trailer. */
function lastLines(stderr: string): string {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^command terminated with exit code/.test(l))
    .slice(-3)
    .join('; ');
}

const mib = (n: number): string => (n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`);
