/** What the per-kind reconcile functions get from the controller loop (workloads.ts). */
import type { KubeApi } from './api.js';
import type { EventRecorder } from './events.js';
import { stableStringify } from './json.js';
import type { ResourceInfo } from './resources.js';
import { nowIso, type Store } from './store.js';
import type { Behaviour, JsonObject, KubeObject } from './types.js';

export interface ControllerKit {
  readonly store: Store;
  readonly api: KubeApi;
  readonly events: EventRecorder;
  /** Resource infos by kind (Pod, Deployment, ReplicaSet, ...). */
  readonly ri: Record<string, ResourceInfo>;
  ownedPods(owner: KubeObject): KubeObject[];
  ownerRef(o: KubeObject): JsonObject;
  createPod(owner: KubeObject, name: string, extraLabels: Record<string, string>, volumes?: JsonObject[]): void;
  deletePod(owner: KubeObject, pod: KubeObject): void;
  /** Writes `status` when it differs from the object's. */
  writeStatus(ri: ResourceInfo, o: KubeObject, status: JsonObject): void;
  behaviourOf(o: KubeObject): Behaviour;
  /** ms until the behaviour's outcome for this object (<= 0: reached). */
  remaining(o: KubeObject, b: Behaviour): number;
  /** Reconciles the object again after `ms`. */
  wakeAt(key: string, ri: ResourceInfo, o: KubeObject, ms: number): void;
}

/** The field manager of controller writes. */
export const MANAGER = { manager: 'kube-controller-manager' };

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** Like the pod-template-hash: FNV-1a of the template, rendered with Kubernetes' "safe" alphabet. */
export function templateHash(template: unknown): string {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(stableStringify(template ?? {}))) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return [...String(h)].map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join('');
}

/** A status condition that keeps its transition (and update) time while nothing changes. */
export function cond(
  prev: JsonObject[] | undefined,
  type: string,
  status: boolean,
  reason: string,
  message: string,
): JsonObject {
  const p = (prev ?? []).find((c) => c.type === type);
  const s = status ? 'True' : 'False';
  const now = nowIso();
  const transition = p && p.status === s ? p.lastTransitionTime : now;
  const update = p && p.status === s && p.reason === reason && p.message === message ? (p.lastUpdateTime ?? now) : now;
  return { type, status: s, lastUpdateTime: update, lastTransitionTime: transition, reason, message };
}
