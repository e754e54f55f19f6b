/*
 * The short-lived pod a sync copies through. Compared with the predecessor's (bug #44) it is bounded in time twice
 * (`sleep` and `activeDeadlineSeconds` both end with the sync's timeout, so a pod whose deletion failed dies by
 * itself), bounded in resources, has no capabilities and no API token, and is labelled so it can be found.
 */
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../objects/object.js';
import { LABEL_ENV, LABEL_MANAGED_BY, LABEL_SLOT, MANAGER_NAME } from '../objects/labels.js';
import type { SyncResources } from './options.js';

export const SYNC_POD_PREFIX = 'codex-k8s-sync-';
export const LABEL_ROLE = 'codex-k8s.io/role';
export const ROLE_SOURCE_SYNC = 'source-sync';
export const SYNC_CONTAINER = 'sync';
export const WORKSPACE_VOLUME = 'workspace';

/** 10 hex characters: unique enough among a namespace's sync pods, and a valid DNS label part. */
export function syncId(): string {
  return randomBytes(5).toString('hex');
}

export interface SyncPodSpec {
  name: string;
  namespace: string;
  image: string;
  pvc: string;
  workspaceMount: string;
  /** The sync's timeout in whole seconds (>= 1): how long the pod may live. */
  lifetimeSeconds: number;
  resources: SyncResources;
  env: string;
  slot: number;
  runAsUser?: number;
  runAsGroup?: number;
  fsGroup?: number;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const isLabelValue = (v: string): boolean => v !== '' && v.length <= 63 && LABEL_VALUE.test(v);

export function syncPodManifest(s: SyncPodSpec): KubeObject {
  const root = s.runAsUser === undefined || s.runAsUser === 0;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: {
        [LABEL_MANAGED_BY]: MANAGER_NAME,
        [LABEL_ROLE]: ROLE_SOURCE_SYNC,
        ...(isLabelValue(s.env) ? { [LABEL_ENV]: s.env } : {}),
        ...(s.slot > 0 ? { [LABEL_SLOT]: String(s.slot) } : {}),
      },
    },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: s.lifetimeSeconds,
      // `sleep` as PID 1 ignores SIGTERM, so any grace period is spent waiting; a short one frees the volume soon.
      terminationGracePeriodSeconds: 1,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: {
        seccompProfile: { type: 'RuntimeDefault' },
        ...(s.fsGroup !== undefined ? { fsGroup: s.fsGroup } : {}),
      },
      containers: [
        {
          name: SYNC_CONTAINER,
          image: s.image,
          imagePullPolicy: 'IfNotPresent',
          // Never longer than the sync may take: the predecessor's `sleep 3600` outlived failed deletions.
          command: ['sleep', String(s.lifetimeSeconds)],
          securityContext: {
            // busybox runs as root; without capabilities that root can only touch files it owns.
            runAsNonRoot: !root,
            ...(s.runAsUser !== undefined ? { runAsUser: s.runAsUser } : {}),
            ...(s.runAsGroup !== undefined ? { runAsGroup: s.runAsGroup } : {}),
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
          resources: s.resources,
          volumeMounts: [{ name: WORKSPACE_VOLUME, mountPath: s.workspaceMount }],
        },
      ],
      volumes: [{ name: WORKSPACE_VOLUME, persistentVolumeClaim: { claimName: s.pvc } }],
    },
  };
}
