/** StatefulSet -> `<name>-<i>` pods (+ PVCs from volumeClaimTemplates) and DaemonSet -> one pod on the one node. */
import { randomSuffix } from './api.js';
import { MANAGER, templateHash, type ControllerKit } from './controller-kit.js';
import { clone } from './json.js';
import { isActive, isPodReady } from './pods.js';
import type { JsonObject, KubeObject } from './types.js';

export function reconcileStatefulSet(k: ControllerKit, s: KubeObject): void {
  const ns = s.metadata.namespace;
  const name = s.metadata.name!;
  const desired = Number(s.spec?.replicas ?? 1);
  const hash = templateHash(s.spec?.template);
  const revision = `${name}-${hash}`;
  const pods = k.ownedPods(s);
  for (const p of pods) {
    const idx = Number(p.metadata.labels?.['apps.kubernetes.io/pod-index'] ?? -1);
    if (idx >= desired || p.metadata.labels?.['controller-revision-hash'] !== revision) k.deletePod(s, p);
  }
  for (let i = 0; i < desired; i++) {
    const podName = `${name}-${i}`;
    if (k.store.has(k.ri.Pod, ns, podName)) continue;
    const volumes: JsonObject[] = [];
    for (const tpl of (s.spec?.volumeClaimTemplates ?? []) as JsonObject[]) {
      const claim = `${tpl.metadata?.name}-${name}-${i}`;
      if (!k.store.has(k.ri.PersistentVolumeClaim, ns, claim))
        k.api.create(
          k.ri.PersistentVolumeClaim,
          ns,
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: claim, namespace: ns, labels: { ...(s.spec?.selector?.matchLabels ?? {}) } },
            spec: clone(tpl.spec ?? {}),
          },
          MANAGER,
        );
      volumes.push({ name: tpl.metadata?.name, persistentVolumeClaim: { claimName: claim } });
    }
    k.createPod(
      s,
      podName,
      {
        'controller-revision-hash': revision,
        'statefulset.kubernetes.io/pod-name': podName,
        'apps.kubernetes.io/pod-index': String(i),
      },
      volumes,
    );
  }
  const active = k.ownedPods(s).filter(isActive);
  const current = active.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision);
  const ready = current.filter(isPodReady).length;
  const status: JsonObject = {
    observedGeneration: s.metadata.generation,
    replicas: active.length,
    readyReplicas: ready,
    currentReplicas: current.length,
    updatedReplicas: current.length,
    availableReplicas: ready,
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: 0,
  };
  for (const k of ['readyReplicas', 'availableReplicas']) if (status[k] === 0) delete status[k];
  k.writeStatus(k.ri.StatefulSet, s, status);
}

export function reconcileDaemonSet(k: ControllerKit, ds: KubeObject): void {
  const hash = templateHash(ds.spec?.template);
  const pods = k.ownedPods(ds).filter(isActive);
  for (const p of pods) if (p.metadata.labels?.['controller-revision-hash'] !== hash) k.deletePod(ds, p);
  if (!pods.some((p) => p.metadata.labels?.['controller-revision-hash'] === hash))
    k.createPod(ds, `${ds.metadata.name}-${randomSuffix()}`, {
      'controller-revision-hash': hash,
      'pod-template-generation': String(ds.metadata.generation ?? 1),
    });
  const current = k.ownedPods(ds).filter(isActive);
  const ready = current.filter(isPodReady).length;
  const status: JsonObject = {
    currentNumberScheduled: current.length,
    desiredNumberScheduled: 1,
    numberMisscheduled: 0,
    numberReady: ready,
    observedGeneration: ds.metadata.generation,
    updatedNumberScheduled: current.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash).length,
    numberAvailable: ready,
  };
  if (ready < 1) {
    status.numberUnavailable = 1 - ready;
    delete status.numberAvailable;
  }
  k.writeStatus(k.ri.DaemonSet, ds, status);
}
