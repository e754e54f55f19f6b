/*
 * The settings of kaniko builds, checked before anything runs (also in a dry run, which makes no cluster call):
 * the namespace the Jobs run in, the executor image and deadline, where the slot's sources lie on the workspace
 * volume, and the registry Secret. Every message names the input (and CLI flag) to change.
 */
import { existsSync, statSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import type { LoadedStack } from '../config/load.js';
import type { Kubectl } from '../kube/kubectl.js';
// kube's index re-exports our labels (objects/ lies below kube/).
import { LABEL_ENV, LABEL_MANAGED_BY, LABEL_PROJECT, LABEL_SLOT, MANAGER_NAME } from '../kube/index.js';
import { UserError } from '../util/errors.js';
import { DEFAULT_KANIKO_IMAGE, DEFAULT_KANIKO_TIMEOUT_MS, ROLE_IMAGE_BUILD } from './kaniko-job.js';

export interface KanikoOptions {
  /** The cluster; a function is only called when a build runs (a dry run needs no kubectl). */
  kubectl: Kubectl | (() => Promise<Kubectl>);
  /** Default: the environment's namespace (the slot's, for a slotted env). */
  namespace?: string;
  /** The executor image (default DEFAULT_KANIKO_IMAGE). */
  image?: string;
  /** Limit of one build (the Job's activeDeadlineSeconds); default 30 minutes. */
  timeoutMs?: number;
  /** An existing `kubernetes.io/dockerconfigjson` Secret in the namespace; default: the runner's auth file entry. */
  registrySecret?: string;
  /** The local directory whose copy the workspace holds (default the working directory). */
  source?: string;
  /**
   * The slot's sources in the workspace volume as the agent pod sees them, and where that pod mounts the volume:
   * `syncTarget()` of the code-root-base (`/workspace/codex/envs/3/src`, mount `/workspace`). The caller works it
   * out with the workspace layer, so the build reads exactly where the source sync writes.
   */
  sources?: { mount: string; dir: string };
  /** The workspace claim (default `<project>-workspace`). */
  workspacePvc?: string;
}

export interface KanikoPlan {
  namespace: string;
  image: string;
  timeoutMs: number;
  registrySecret?: string;
  source: string;
  pvc: string;
  /** The slot's source directory, relative to the volume's root. */
  subPath: string;
  labels: Record<string, string>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const name = (value: string, what: string, fix: string): string => {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value))
    throw new UserError(`${what}: ${JSON.stringify(value)} is not a valid name; ${fix}`);
  return value;
};

export function resolveKanikoPlan(stack: LoadedStack, o: KanikoOptions | undefined): KanikoPlan {
  if (!o)
    throw new UserError(
      'builder kaniko runs each build as a Job in the cluster; this caller gave it no cluster settings (use the images-build action or codex-k8s images build)',
    );
  const namespace = o.namespace?.trim() || stack.namespace;
  if (stack.slotted && stack.slot === 0 && !o.namespace?.trim())
    throw new UserError(
      `builder kaniko: env "${stack.env}" has a namespace per slot; give slot (--slot) so the build runs in that slot's namespace and reads its workspace`,
    );
  if (!DNS_LABEL.test(namespace) || namespace.length > 63)
    throw new UserError(`builder kaniko: namespace ${JSON.stringify(namespace)} is not a valid namespace name`);
  const image = (o.image ?? '').trim() || DEFAULT_KANIKO_IMAGE;
  if (/\s/.test(image) || image.startsWith('-'))
    throw new UserError(
      `kaniko-image (--kaniko-image): ${JSON.stringify(o.image)} is not an image reference (e.g. ${DEFAULT_KANIKO_IMAGE})`,
    );
  const timeoutMs = o.timeoutMs ?? DEFAULT_KANIKO_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 1000)
    throw new UserError(`kaniko-timeout (--kaniko-timeout): must be at least 1s (got ${timeoutMs} ms); write e.g. 30m`);
  if (!o.sources)
    throw new UserError(
      'builder kaniko builds from the sources in the slot workspace: set code-root-base (--code-root-base, or ' +
        'CODEXCTL_CODE_ROOT_BASE) to the one ensure-ready copies the sources under, e.g. /workspace/codex/envs',
    );
  const subPath = posix.relative(o.sources.mount, o.sources.dir);
  if (!subPath || subPath === '..' || subPath.startsWith('../') || posix.isAbsolute(subPath))
    throw new UserError(`code-root-base: ${o.sources.dir} is not inside workspace-mount ${o.sources.mount}`);
  const pvc = name(
    o.workspacePvc?.trim() || `${stack.project}-workspace`,
    'workspace-pvc (--workspace-pvc)',
    'set it to the claim the agent pod mounts',
  );
  const registrySecret = o.registrySecret?.trim()
    ? name(o.registrySecret.trim(), 'registry-secret (--registry-secret)', 'give the name of a docker-registry Secret')
    : undefined;
  const source = resolve(o.source?.trim() || '.');
  if (!existsSync(source) || !statSync(source).isDirectory())
    throw new UserError(`source (--source): ${o.source ?? '.'} is not a directory (resolved to ${source})`);
  const labels: Record<string, string> = {
    [LABEL_MANAGED_BY]: MANAGER_NAME,
    [LABEL_PROJECT]: stack.project,
    'codex-k8s.io/role': ROLE_IMAGE_BUILD,
  };
  if (LABEL_VALUE.test(stack.env) && stack.env.length <= 63) labels[LABEL_ENV] = stack.env;
  if (stack.slot > 0) labels[LABEL_SLOT] = String(stack.slot);
  return {
    namespace,
    image,
    timeoutMs,
    registrySecret,
    source,
    pvc,
    subPath,
    labels,
  };
}

/**
 * What the Jobs rely on, checked once before the first one is created: the namespace and the workspace claim exist
 * (ensure-ready creates them), and a named registry Secret exists with a docker config. Only its type is printed.
 */
export async function checkKanikoCluster(kubectl: Kubectl, plan: KanikoPlan): Promise<void> {
  const ns = await kubectl.exec(['get', 'namespace', plan.namespace, '--ignore-not-found', '-o', 'name']);
  if (ns.code !== 0)
    throw new UserError(`builder kaniko: cannot read namespace ${plan.namespace}: ${ns.stderr.trim()}`);
  if (!ns.stdout.trim())
    throw new UserError(
      `builder kaniko: namespace ${plan.namespace} does not exist; the builds run there, next to the workspace volume: run ensure-ready first`,
    );
  // A claim that is not there would leave the build pod Pending until its deadline.
  const pvc = await kubectl.exec(['get', 'pvc', plan.pvc, '-n', plan.namespace, '--ignore-not-found', '-o', 'name']);
  if (pvc.code !== 0) throw new UserError(`workspace-pvc: cannot read claim ${plan.pvc}: ${pvc.stderr.trim()}`);
  if (!pvc.stdout.trim())
    throw new UserError(
      `workspace-pvc: PersistentVolumeClaim ${plan.pvc} is not in namespace ${plan.namespace}; set workspace-pvc to the claim the agent pod mounts`,
    );
  if (!plan.registrySecret) return;
  const res = await kubectl.exec([
    'get',
    'secret',
    plan.registrySecret,
    '-n',
    plan.namespace,
    '--ignore-not-found',
    '-o',
    'jsonpath={.type}',
  ]);
  if (res.code !== 0)
    throw new UserError(`registry-secret: cannot read Secret ${plan.registrySecret}: ${res.stderr.trim()}`);
  const type = res.stdout.trim();
  if (!type)
    throw new UserError(
      `registry-secret: Secret ${plan.registrySecret} is not in namespace ${plan.namespace}; create it with ` +
        `kubectl create secret docker-registry ${plan.registrySecret} -n ${plan.namespace} ...`,
    );
  if (type !== 'kubernetes.io/dockerconfigjson')
    throw new UserError(
      `registry-secret: Secret ${plan.registrySecret} has type ${type}; kaniko needs a docker config: a Secret of type kubernetes.io/dockerconfigjson (kubectl create secret docker-registry)`,
    );
}
