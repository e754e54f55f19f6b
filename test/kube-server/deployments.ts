/** Deployment -> ReplicaSet -> Pods, and the Deployment status `kubectl rollout status` / `wait` read. */
import { randomSuffix } from './api.js';
import { cond, MANAGER, templateHash, type ControllerKit } from './controller-kit.js';
import { clone } from './json.js';
import { isActive, isPodReady, stateOf } from './pods.js';
import { matchesLabelSelector } from './selectors.js';
import type { JsonObject, KubeObject } from './types.js';

/** Parses maxUnavailable (`25%` or a number) against a replica count, rounding down like the real controller. */
function maxUnavailable(d: KubeObject, replicas: number): number {
  if (d.spec?.strategy?.type === 'Recreate') return replicas;
  const v = d.spec?.strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v));
  return m ? Math.floor((replicas * Number(m[1])) / 100) : Number(v) || 0;
}

/**
 * A new ReplicaSet per pod template (named by its hash, revision annotation), older ones scaled to 0 at once;
 * status from the pods: Available (minimum availability), Progressing (ProgressDeadlineExceeded when pods crash).
 */
export function reconcileDeployment(k: ControllerKit, d: KubeObject): void {
  const ns = d.metadata.namespace;
  const desired = Number(d.spec?.replicas ?? 1);
  const hash = templateHash(d.spec?.template);
  const owned = k.store
    .list(k.ri.ReplicaSet, ns)
    .filter((rs) => (rs.metadata.ownerReferences ?? []).some((r) => r.uid === d.metadata.uid));
  const revisionOf = (rs: KubeObject): number =>
    Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  const maxRevision = owned.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
  let newRs = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
  const rsName = `${d.metadata.name}-${hash}`;
  if (!newRs) {
    const template = clone(d.spec?.template ?? {});
    template.metadata = { ...(template.metadata ?? {}) };
    template.metadata.labels = { ...(template.metadata.labels ?? {}), 'pod-template-hash': hash };
    const selector = clone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), 'pod-template-hash': hash };
    newRs = k.api.create(
      k.ri.ReplicaSet,
      ns,
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: rsName,
          namespace: ns,
          labels: template.metadata.labels,
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(desired),
            'deployment.kubernetes.io/max-replicas': String(desired + 1),
            'deployment.kubernetes.io/revision': String(maxRevision + 1),
          },
          ownerReferences: [k.ownerRef(d) as never],
        },
        spec: { replicas: desired, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
      },
      MANAGER,
    );
    k.events.record(
      d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled up replica set ${rsName} from 0 to ${desired}`,
      'deployment-controller',
    );
  } else if (Number(newRs.spec?.replicas ?? 1) !== desired || (revisionOf(newRs) < maxRevision && owned.length > 1)) {
    const from = Number(newRs.spec?.replicas ?? 1);
    newRs.spec = { ...newRs.spec, replicas: desired };
    newRs.metadata.annotations = {
      ...(newRs.metadata.annotations ?? {}),
      'deployment.kubernetes.io/desired-replicas': String(desired),
      ...(revisionOf(newRs) < maxRevision ? { 'deployment.kubernetes.io/revision': String(maxRevision + 1) } : {}),
    };
    newRs = k.store.update(k.ri.ReplicaSet, newRs);
    if (from !== desired)
      k.events.record(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${desired > from ? 'up' : 'down'} replica set ${newRs.metadata.name} from ${from} to ${desired}`,
        'deployment-controller',
      );
  }
  for (const rs of owned) {
    if (rs.metadata.uid === newRs.metadata.uid || Number(rs.spec?.replicas ?? 0) === 0) continue;
    const from = Number(rs.spec?.replicas ?? 0);
    rs.spec = { ...rs.spec, replicas: 0 };
    k.store.update(k.ri.ReplicaSet, rs);
    k.events.record(
      d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled down replica set ${rs.metadata.name} from ${from} to 0`,
      'deployment-controller',
    );
  }
  const revision = String(Math.max(revisionOf(newRs), 1));
  const fresh = k.store.get(k.ri.Deployment, ns, d.metadata.name!);
  if (!fresh) return;
  if (fresh.metadata.annotations?.['deployment.kubernetes.io/revision'] !== revision) {
    fresh.metadata.annotations = {
      ...(fresh.metadata.annotations ?? {}),
      'deployment.kubernetes.io/revision': revision,
    };
    d = k.store.update(k.ri.Deployment, fresh);
  } else d = fresh;

  const pods = owned
    .flatMap((rs) => k.ownedPods(rs))
    .concat(owned.some((rs) => rs.metadata.uid === newRs!.metadata.uid) ? [] : k.ownedPods(newRs));
  const active = pods.filter(isActive);
  const updated = active.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash);
  const ready = active.filter(isPodReady);
  const failing = updated.some((p) => stateOf(p) === 'crashloop');
  const minAvailable = Math.max(0, desired - maxUnavailable(d, desired));
  const prev = d.status?.conditions as JsonObject[] | undefined;
  const progressing = failing
    ? cond(
        prev,
        'Progressing',
        false,
        'ProgressDeadlineExceeded',
        `ReplicaSet "${newRs.metadata.name}" has timed out progressing.`,
      )
    : updated.length === desired && ready.length >= desired && active.length === desired
      ? cond(
          prev,
          'Progressing',
          true,
          'NewReplicaSetAvailable',
          `ReplicaSet "${newRs.metadata.name}" has successfully progressed.`,
        )
      : cond(prev, 'Progressing', true, 'ReplicaSetUpdated', `ReplicaSet "${newRs.metadata.name}" is progressing.`);
  const available =
    ready.length >= minAvailable
      ? cond(prev, 'Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
      : cond(prev, 'Available', false, 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.');
  const status: JsonObject = {
    observedGeneration: d.metadata.generation,
    replicas: active.length,
    updatedReplicas: updated.length,
    readyReplicas: ready.length,
    availableReplicas: ready.length,
    conditions: [available, progressing],
  };
  if (active.length - ready.length > 0) status.unavailableReplicas = active.length - ready.length;
  for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'])
    if (status[k] === 0) delete status[k];
  k.writeStatus(k.ri.Deployment, d, status);
}

export function reconcileReplicaSet(k: ControllerKit, rs: KubeObject): void {
  const desired = Number(rs.spec?.replicas ?? 1);
  const pods = k.ownedPods(rs).filter(isActive);
  for (let i = pods.length; i < desired; i++) k.createPod(rs, `${rs.metadata.name}-${randomSuffix()}`, {});
  if (pods.length > desired) {
    const extra = [...pods]
      .sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)))
      .slice(0, pods.length - desired);
    for (const p of extra) k.deletePod(rs, p);
  }
  const now = k.ownedPods(rs).filter(isActive);
  const ready = now.filter(isPodReady).length;
  const status: JsonObject = {
    replicas: now.length,
    fullyLabeledReplicas: now.filter((p) => matchesLabelSelector(rs.spec?.selector, p.metadata.labels)).length,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: rs.metadata.generation,
  };
  for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) if (status[k] === 0) delete status[k];
  k.writeStatus(k.ri.ReplicaSet, rs, status);
}
