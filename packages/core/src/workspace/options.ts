/*
 * Options of a source sync, their defaults and their validation. Validation happens before anything runs (no
 * archive, no kubectl call), and every message names the action input a user would change.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ProcessRunner } from '../kube/runner.js';
import { UserError } from '../util/errors.js';
import type { Logger } from '../util/reporter.js';
import { DEFAULT_EXCLUDES, validateExcludes } from './excludes.js';
import { syncTarget, validateMount } from './target.js';

export interface ResourceList {
  cpu?: string;
  memory?: string;
}

export interface SyncResources {
  requests?: ResourceList;
  limits?: ResourceList;
}

export interface SyncOptions {
  /** The slot's namespace. It must exist already, and so must the PVC: see `syncSources`. */
  namespace: string;
  /** Local directory to copy (the checkout). */
  source: string;
  /** Absolute pod path under `workspaceMount` that holds every env's copy (`/workspace/codex/envs`). */
  codeRootBase: string;
  /** Slot number; > 0 puts the copy at `<codeRootBase>/<slot>/src`, 0 at `<codeRootBase>/<env>/src`. */
  slot: number;
  /** Environment name (used for the target when `slot` is 0, and as a label on the pod). */
  env: string;
  /** Where the PVC is mounted in the sync pod (default `/workspace`); the agent pod mounts it at the same path. */
  workspaceMount?: string;
  /** Name of the workspace PersistentVolumeClaim in `namespace`. */
  pvc: string;
  /**
   * Image of the sync pod (default busybox): needs `sh`, `tar` (with gzip), `base64`, `find`, `wc`, `mv`, `rm`,
   * `sha256sum`, `awk`, `sort`, `xargs`, `diff`.
   */
  image?: string;
  /** Globs left out of the copy, added to `DEFAULT_EXCLUDES` (syntax in excludes.ts). */
  excludes?: readonly string[];
  /**
   * Changes of the agent in the workspace that the new sources do not contain: false (default) stops the sync
   * naming them; true saves them beside the workspace (`<codeRootBase>/<slot>/saved/<time>.patch`) and replaces them.
   */
  discardChanges?: boolean;
  /** Replace `DEFAULT_EXCLUDES` instead of adding to them. */
  replaceDefaultExcludes?: boolean;
  /** Wall-clock limit of the sync (pod start, wait and copy), in ms (default 5 min). Cleanup has its own short limit. */
  timeoutMs?: number;
  resources?: SyncResources;
  /**
   * User and group of the sync pod's container. Unset: the image's user (root for busybox, without any capability).
   * Set it to the agent's uid when the agent writes files the sync must later remove.
   */
  runAsUser?: number;
  runAsGroup?: number;
  /** Pod `fsGroup`: makes a volume that supports ownership management writable for a non-root `runAsUser`. */
  fsGroup?: number;
  /** Runs the local `tar` (default: a ChildProcessRunner). kubectl runs through the `Kubectl` given. */
  runner?: ProcessRunner;
  /** Local tar binary (GNU tar; default `tar`). */
  tarBinary?: string;
  /**
   * Send the checkout's HEAD as a shallow `.git` with the files when `source` is the top of a git work tree
   * (default true), so that git in the pod shows what the agent changed (git-snapshot.ts).
   */
  git?: boolean;
  reporter?: Logger;
  /** Aborting stops the sync like a timeout; the pod is still deleted. */
  signal?: AbortSignal;
}

export const DEFAULT_WORKSPACE_MOUNT = '/workspace';
export const DEFAULT_SYNC_IMAGE = 'busybox:1.37.0';
export const DEFAULT_SYNC_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_SYNC_RESOURCES: Required<SyncResources> = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};

/** Options after defaults and validation. */
export interface ResolvedSyncOptions {
  namespace: string;
  source: string;
  codeRootBase: string;
  slot: number;
  env: string;
  workspaceMount: string;
  pvc: string;
  image: string;
  excludes: string[];
  timeoutMs: number;
  resources: SyncResources;
  runAsUser?: number;
  runAsGroup?: number;
  fsGroup?: number;
  tarBinary: string;
  git: boolean;
  discardChanges: boolean;
  /** Pod path the tree lands in. */
  target: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A quantity such as `50m`, `0.5`, `64Mi`, `1G`, `1e3`. */
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;

export function resolveSyncOptions(o: SyncOptions): ResolvedSyncOptions {
  if (typeof o.namespace !== 'string' || o.namespace.length > 63 || !DNS_LABEL.test(o.namespace))
    throw new UserError(
      `namespace: ${JSON.stringify(o.namespace)} is not a valid namespace name (lowercase letters, digits and '-', at most 63)`,
    );
  if (typeof o.pvc !== 'string' || o.pvc.length > 253 || !DNS_SUBDOMAIN.test(o.pvc))
    throw new UserError(
      `workspace-pvc: ${JSON.stringify(o.pvc)} is not a valid PersistentVolumeClaim name; set workspace-pvc to the claim the agent pod mounts`,
    );
  if (!Number.isInteger(o.slot) || o.slot < 0)
    throw new UserError(`slot: ${JSON.stringify(o.slot)} must be a whole number, 0 for an environment without slots`);
  const image = (o.image ?? DEFAULT_SYNC_IMAGE).trim();
  if (image === '' || /\s/.test(image))
    throw new UserError(
      `sync-image: ${JSON.stringify(o.image)} is not an image reference (for example busybox:1.37.0)`,
    );
  const timeoutMs = o.timeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 1000)
    throw new UserError(`sync timeout must be at least 1s (got ${timeoutMs} ms)`);
  for (const id of [o.runAsUser, o.runAsGroup, o.fsGroup])
    if (id !== undefined && (!Number.isInteger(id) || id < 0))
      throw new UserError(`sync pod user and group must be whole numbers >= 0 (got ${id})`);
  const resources = o.resources ?? DEFAULT_SYNC_RESOURCES;
  for (const [kind, list] of Object.entries(resources))
    for (const [name, value] of Object.entries((list ?? {}) as ResourceList))
      if (typeof value !== 'string' || !QUANTITY.test(value))
        throw new UserError(
          `sync pod resources.${kind}.${name}: ${JSON.stringify(value)} is not a quantity (50m, 64Mi)`,
        );

  const workspaceMount = validateMount(o.workspaceMount ?? DEFAULT_WORKSPACE_MOUNT);
  const target = syncTarget({ codeRootBase: o.codeRootBase, workspaceMount, slot: o.slot, env: o.env });

  if (typeof o.source !== 'string' || o.source.trim() === '')
    throw new UserError('source: empty; set it to the directory to copy (default ".")');
  const source = resolve(o.source);
  if (!existsSync(source) || !statSync(source).isDirectory())
    throw new UserError(`source: ${o.source} is not a directory (resolved to ${source})`);

  const excludes = [...(o.replaceDefaultExcludes ? [] : DEFAULT_EXCLUDES), ...(o.excludes ?? [])];
  validateExcludes(excludes);

  return {
    namespace: o.namespace,
    source,
    codeRootBase: o.codeRootBase,
    slot: o.slot,
    env: o.env,
    workspaceMount,
    pvc: o.pvc,
    image,
    excludes,
    timeoutMs,
    resources,
    ...(o.runAsUser !== undefined ? { runAsUser: o.runAsUser } : {}),
    ...(o.runAsGroup !== undefined ? { runAsGroup: o.runAsGroup } : {}),
    ...(o.fsGroup !== undefined ? { fsGroup: o.fsGroup } : {}),
    tarBinary: o.tarBinary ?? 'tar',
    git: o.git !== false,
    discardChanges: o.discardChanges === true,
    target,
  };
}
