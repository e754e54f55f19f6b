/** Pod status as the kubelet would report it: Pending, Running (ready or not), CrashLoopBackOff, Succeeded, Failed. */
import { createHash } from 'node:crypto';
import { nowIso } from './store.js';
import type { JsonObject, KubeObject } from './types.js';

export type PodState = 'pending' | 'ready' | 'unready' | 'crashloop' | 'succeeded' | 'failed';

const hex = (s: string, n = 64): string => createHash('sha256').update(s).digest('hex').slice(0, n);

function podIp(uid: string): string {
  const h = parseInt(hex(uid, 4), 16);
  return `10.244.${Math.floor(h / 250) % 250}.${(h % 250) + 2}`;
}

const condition = (type: string, status: boolean, at: string, reason?: string, message?: string): JsonObject => ({
  type,
  status: status ? 'True' : 'False',
  lastProbeTime: null,
  lastTransitionTime: at,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

function imageRef(image: string): string {
  const ref = image.includes('/') ? image : `docker.io/library/${image}`;
  return `${ref.replace(/:[^/:]+$/, '')}@sha256:${hex(image)}`;
}

/** The status a pod has in a state (keeps startTime and transition times of the previous status when they still hold). */
export function podStatus(pod: KubeObject, state: PodState): JsonObject {
  const prev: JsonObject = pod.status ?? {};
  const now = nowIso();
  const started: string = prev.startTime ?? now;
  const uid = pod.metadata.uid ?? pod.metadata.name ?? '';
  const containers = (pod.spec?.containers ?? []) as JsonObject[];
  const prevConditions = (prev.conditions ?? []) as JsonObject[];
  const at = (type: string, status: boolean): string => {
    const p = prevConditions.find((c) => c.type === type);
    return p && p.status === (status ? 'True' : 'False') ? p.lastTransitionTime : now;
  };
  const running = state !== 'pending';
  const ready = state === 'ready';
  const notReadyNames = containers.map((c) => c.name).join(' ');
  const phase =
    state === 'pending' ? 'Pending' : state === 'succeeded' ? 'Succeeded' : state === 'failed' ? 'Failed' : 'Running';
  const conditions = [
    condition('PodReadyToStartContainers', running, at('PodReadyToStartContainers', running)),
    condition('Initialized', true, at('Initialized', true)),
    state === 'succeeded'
      ? condition('Ready', false, at('Ready', false), 'PodCompleted')
      : condition(
          'Ready',
          ready,
          at('Ready', ready),
          ready ? undefined : 'ContainersNotReady',
          ready ? undefined : `containers with unready status: [${notReadyNames}]`,
        ),
    state === 'succeeded'
      ? condition('ContainersReady', false, at('ContainersReady', false), 'PodCompleted')
      : condition(
          'ContainersReady',
          ready,
          at('ContainersReady', ready),
          ready ? undefined : 'ContainersNotReady',
          ready ? undefined : `containers with unready status: [${notReadyNames}]`,
        ),
    condition('PodScheduled', true, at('PodScheduled', true)),
  ];
  const prevStatuses = (prev.containerStatuses ?? []) as JsonObject[];
  const containerStatuses = containers.map((c) => {
    const p = prevStatuses.find((s) => s.name === c.name);
    const startedAt: string = p?.state?.running?.startedAt ?? started;
    const base: JsonObject = {
      name: c.name,
      image: c.image,
      imageID: running ? imageRef(String(c.image)) : '',
      containerID: running ? `containerd://${hex(`${uid}/${c.name}`)}` : undefined,
      ready: ready,
      started: running && state !== 'crashloop' && state !== 'succeeded' && state !== 'failed',
      restartCount: 0,
      lastState: {},
      volumeMounts: ((c.volumeMounts ?? []) as JsonObject[]).map((m) => ({ name: m.name, mountPath: m.mountPath })),
    };
    if (!running) base.state = { waiting: { reason: 'ContainerCreating' } };
    else if (state === 'crashloop') {
      const restarts = Math.max(1, Number(p?.restartCount ?? 0));
      base.restartCount = restarts;
      base.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off 10s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${uid})`,
        },
      };
      base.lastState = {
        terminated: { exitCode: 1, reason: 'Error', startedAt, finishedAt: now, containerID: base.containerID },
      };
    } else if (state === 'succeeded' || state === 'failed')
      base.state = {
        terminated: {
          exitCode: state === 'succeeded' ? 0 : 1,
          reason: state === 'succeeded' ? 'Completed' : 'Error',
          startedAt,
          finishedAt: p?.state?.terminated?.finishedAt ?? now,
          containerID: base.containerID,
        },
      };
    else base.state = { running: { startedAt } };
    if (base.containerID === undefined) delete base.containerID;
    return base;
  });
  const out: JsonObject = {
    phase,
    conditions,
    hostIP: '10.0.0.10',
    hostIPs: [{ ip: '10.0.0.10' }],
    startTime: started,
    containerStatuses,
    qosClass: 'BestEffort',
  };
  if (running) {
    out.podIP = podIp(uid);
    out.podIPs = [{ ip: out.podIP }];
  }
  return out;
}

/** The state a pod status shows (for comparisons and the workload status). */
export function stateOf(pod: KubeObject): PodState {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded') return 'succeeded';
  if (phase === 'Failed') return 'failed';
  if (phase !== 'Running') return 'pending';
  const statuses = (pod.status?.containerStatuses ?? []) as JsonObject[];
  if (statuses.some((s) => s.state?.waiting?.reason === 'CrashLoopBackOff')) return 'crashloop';
  const ready = ((pod.status?.conditions ?? []) as JsonObject[]).some((c) => c.type === 'Ready' && c.status === 'True');
  return ready ? 'ready' : 'unready';
}

export const isPodReady = (pod: KubeObject): boolean => stateOf(pod) === 'ready';

export const isActive = (pod: KubeObject): boolean =>
  !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
