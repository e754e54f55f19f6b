/*
 * One image built by kaniko in the cluster: the Secret (when needed) and the Job are created from stdin, the Job is
 * waited for with the workload wait (its failure diagnostics included), and the digest is read from the
 * termination message of its pod.
 *
 * What is left behind: the Secret is always deleted at the end (credentials do not outlive the build; its owner
 * reference to the Job lets the garbage collector remove it too if this process dies first). The Job is deleted
 * when it succeeded or was given up (timeout, an error here); a Job that failed is kept for `kubectl logs` and
 * removed by Kubernetes after ttlSecondsAfterFinished.
 */
import { formatDiagnostics, type WaitFailure } from '../kube/diagnostics.js';
import { formatDuration } from '../kube/duration.js';
import type { Kubectl } from '../kube/kubectl.js';
import { waitFor } from '../kube/wait.js';
// kube's index re-exports objects/ (below kube/ in the layers).
import { componentLabelValue, manifestStream } from '../kube/index.js';
import { UserError } from '../util/errors.js';
import type { Logger } from '../util/reporter.js';
import {
  DOCKER_CONFIG_KEY,
  KANIKO_CONTAINER,
  KANIKO_JOB_TTL_SECONDS,
  LABEL_IMAGE,
  digestFromMessage,
  kanikoJobManifest,
  kanikoJobName,
  kanikoSecretManifest,
  podPath,
} from './kaniko-job.js';
import type { KanikoPlan } from './kaniko-plan.js';
import type { ImageJob } from './plan.js';
import { parseRef, registryCredentials } from './registry.js';

export interface KanikoBuildContext {
  kubectl: Kubectl;
  plan: KanikoPlan;
  insecureRegistries: readonly string[];
  /** services.yaml, for messages about the image's paths. */
  where: string;
  /** The auth file the registry check uses (default REGISTRY_AUTH_FILE, then the docker config). */
  authFile?: string;
  log: Logger;
}

/** The pod paths of a build job's context and Dockerfile (throws, naming the field, when not on the volume). */
export function kanikoPaths(plan: KanikoPlan, job: ImageJob, where: string) {
  return {
    contextPath: podPath(plan.source, job.context!, `images.${job.name}.context`, where),
    dockerfilePath: podPath(plan.source, job.dockerfile!, `images.${job.name}.dockerfile`, where),
  };
}

/** Builds and pushes one image with a kaniko Job; returns the digest ('' when the Job did not report one). */
export async function buildWithKaniko(c: KanikoBuildContext, job: ImageJob, nonce?: string): Promise<string> {
  const { kubectl, plan, log } = c;
  const ns = plan.namespace;
  const name = kanikoJobName(job.name, job.target, nonce);
  const labels = { ...plan.labels, [LABEL_IMAGE]: componentLabelValue(job.name) };
  const creds = plan.registrySecret ? undefined : registryCredentials(parseRef(job.target).registry, c.authFile);
  const argNames = Object.keys(job.buildArgs);
  const secret =
    creds || argNames.length
      ? kanikoSecretManifest({ name, namespace: ns, labels, dockerConfig: creds, buildArgs: job.buildArgs })
      : undefined;
  const manifest = kanikoJobManifest({
    name,
    namespace: ns,
    image: plan.image,
    target: job.target,
    ...kanikoPaths(plan, job, c.where),
    buildArgNames: argNames,
    insecureRegistries: c.insecureRegistries,
    pvc: plan.pvc,
    subPath: plan.subPath,
    dockerConfig: plan.registrySecret
      ? { secret: plan.registrySecret, key: '.dockerconfigjson' }
      : creds
        ? { secret: name, key: DOCKER_CONFIG_KEY }
        : undefined,
    timeoutSeconds: Math.ceil(plan.timeoutMs / 1000),
    labels,
  });
  const mask = [...Object.values(job.buildArgs), ...(creds ? [creds.auth, decodedPassword(creds.auth)] : [])];
  let keep = false;
  try {
    if (secret) await kubectl.run(['create', '-f', '-'], { input: manifestStream([secret]) });
    const uid = (
      await kubectl.run(['create', '-f', '-', '-o', 'jsonpath={.metadata.uid}'], { input: manifestStream([manifest]) })
    ).trim();
    if (secret && uid) {
      const owner = { apiVersion: 'batch/v1', kind: 'Job', name, uid };
      await kubectl.run([
        'patch',
        'secret',
        name,
        '-n',
        ns,
        '--type=merge',
        '-p',
        JSON.stringify({ metadata: { ownerReferences: [owner] } }),
      ]);
    }
    log.info(`kaniko Job ${ns}/${name} builds ${job.target} (${plan.image})`);
    const ref = { apiVersion: 'batch/v1', kind: 'Job', name, namespace: ns };
    // A minute beyond the Job's own deadline, so Kubernetes ends a build that runs too long and says so.
    const res = await waitFor(kubectl, [{ ref, mode: 'complete', selector: `job-name=${name}` }], {
      timeoutMs: plan.timeoutMs + 60_000,
      diagnostics: { logTail: 50, mask: mask.filter((m) => m.length >= 4) },
    });
    if (!res.ok) {
      const f = res.failures[0];
      keep = f.reason === 'failed';
      log.info(formatDiagnostics(res.failures));
      throw new UserError(failureMessage(ns, name, f, plan.timeoutMs, keep));
    }
    return await readDigest(kubectl, ns, name, log);
  } finally {
    await cleanUp(kubectl, ns, name, { secret: !!secret, job: !keep }, log);
  }
}

/** The password part of a base64 `user:password`, so diagnostics that print it decoded hide it too. */
function decodedPassword(auth: string): string {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon >= 0 ? text.slice(colon + 1) : text;
}

const LOG_PREFIX = /^\[pod\/[^\]]+\]\s?/;

/** One message naming the Job, why it failed, the last lines of its log and its warning events. */
export function failureMessage(ns: string, name: string, f: WaitFailure, timeoutMs: number, kept: boolean): string {
  const why =
    f.reason === 'timeout'
      ? `did not finish within ${formatDuration(timeoutMs)} (kaniko-timeout)`
      : f.reason === 'failed'
        ? f.message
        : `${f.reason}: ${f.message}`;
  const logLines = f.logs
    .split('\n')
    .map((l) => l.replace(LOG_PREFIX, ''))
    .filter((l) => l.trim())
    .slice(-10);
  const warnings = f.events.split('\n').filter((l) => /\sWarning\s/.test(l));
  return [
    `kaniko Job ${ns}/${name} ${why}${kept ? ` (kept for ${KANIKO_JOB_TTL_SECONDS / 3600}h: kubectl logs -n ${ns} job/${name})` : ''}`,
    ...(logLines.length ? ['last lines of its log:', ...logLines.map((l) => `  ${l}`)] : []),
    ...(warnings.length ? ['warning events:', ...warnings.map((l) => `  ${l.trim()}`)] : []),
  ].join('\n');
}

interface PodList {
  items?: {
    status?: { containerStatuses?: { name?: string; state?: { terminated?: { message?: string } } }[] };
  }[];
}

async function readDigest(kubectl: Kubectl, ns: string, name: string, log: Logger): Promise<string> {
  const out = await kubectl.run(['get', 'pods', '-n', ns, '-l', `job-name=${name}`, '-o', 'json']);
  for (const pod of (JSON.parse(out) as PodList).items ?? [])
    for (const s of pod.status?.containerStatuses ?? []) {
      const digest = s.name === KANIKO_CONTAINER ? digestFromMessage(s.state?.terminated?.message) : undefined;
      if (digest) return digest;
    }
  log.warning(`kaniko Job ${ns}/${name} left no digest in its termination message; asking the registry`);
  return '';
}

async function cleanUp(
  kubectl: Kubectl,
  ns: string,
  name: string,
  what: { secret: boolean; job: boolean },
  log: Logger,
): Promise<void> {
  const del = async (kind: string) => {
    const res = await kubectl
      .exec(['delete', kind, name, '-n', ns, '--ignore-not-found', '--wait=false'], { timeoutMs: 30_000 })
      .catch((err: Error) => ({ code: 1, stderr: err.message }));
    if (res.code !== 0) log.warning(`could not delete ${kind} ${ns}/${name}: ${res.stderr.trim()}`);
  };
  if (what.secret) await del('secret');
  // Background propagation (kubectl's default) removes the Job's pods with it.
  if (what.job) await del('job');
}
