/**
 * Tiny controllers: Deployment -> ReplicaSet -> Pods, StatefulSet -> Pods (+ PVCs from volumeClaimTemplates),
 * DaemonSet -> one Pod, Job -> Pods, pod lifecycle (Pending -> Running/ready, CrashLoopBackOff, Succeeded/Failed)
 * after a delay chosen by the object's behaviour, workload status (what `kubectl rollout status` and `kubectl wait`
 * read), events, and Ready conditions for cert-manager objects and Ingress addresses.
 */
import { createHash } from 'node:crypto';
import { randomSuffix, type KubeApi } from './api.js';
import { annotatedBehaviour, type BehaviourRules } from './behaviour.js';
import { NODE_NAME } from './defaults.js';
import { ApiError } from './errors.js';
import { clone, same, stableStringify } from './json.js';
import type { EventRecorder } from './events.js';
import { isActive, isPodReady, podStatus, stateOf, type PodState } from './pods.js';
import { groupVersion, resolveResource, type ResourceInfo } from './resources.js';
import { matchesLabelSelector } from './selectors.js';
import { nowIso, type Store, type StoreEvent } from './store.js';
import type { Behaviour, JsonObject, KubeObject } from './types.js';

export interface WorkloadOptions {
  /** Default time until pods are ready / Jobs complete. */
  readyDelayMs: number;
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
const MANAGER = { manager: 'kube-controller-manager' };
const HANDLED = new Set([
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'Ingress',
  'Certificate',
  'Issuer',
  'ClusterIssuer',
]);

/** Like the pod-template-hash: FNV-1a of the template, rendered with Kubernetes' "safe" alphabet. */
export function templateHash(template: unknown): string {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(stableStringify(template ?? {}))) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return [...String(h)].map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join('');
}

function cond(
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

/** Parses maxUnavailable (`25%` or a number) against a replica count, rounding down like the real controller. */
function maxUnavailable(d: KubeObject, replicas: number): number {
  if (d.spec?.strategy?.type === 'Recreate') return replicas;
  const v = d.spec?.strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v));
  return m ? Math.floor((replicas * Number(m[1])) / 100) : Number(v) || 0;
}

export class Workloads {
  private readonly ri: Record<string, ResourceInfo>;
  private readonly queue = new Map<string, { ri: ResourceInfo; ns?: string; name: string }>();
  private scheduled = false;
  private closed = false;
  private unsubscribe?: () => void;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Millisecond creation times (creationTimestamp only has seconds). */
  private readonly bornAt = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly api: KubeApi,
    private readonly events: EventRecorder,
    private readonly rules: BehaviourRules,
    private readonly options: WorkloadOptions,
  ) {
    this.ri = Object.fromEntries(
      [
        'v1/Pod',
        'apps/v1/Deployment',
        'apps/v1/ReplicaSet',
        'apps/v1/StatefulSet',
        'apps/v1/DaemonSet',
        'batch/v1/Job',
        'v1/PersistentVolumeClaim',
        'v1/Secret',
        'networking.k8s.io/v1/Ingress',
        'cert-manager.io/v1/Certificate',
        'cert-manager.io/v1/Issuer',
        'cert-manager.io/v1/ClusterIssuer',
      ].map((ref) => [ref.split('/').pop()!, resolveResource(ref)]),
    );
  }

  start(): void {
    this.unsubscribe = this.store.subscribe((ev) => this.onEvent(ev));
  }

  stop(): void {
    this.closed = true;
    this.unsubscribe?.();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Re-evaluates every workload and pod (after a behaviour change). */
  resyncAll(): void {
    for (const kind of [
      'Pod',
      'Deployment',
      'StatefulSet',
      'DaemonSet',
      'Job',
      'Certificate',
      'Issuer',
      'ClusterIssuer',
    ])
      for (const o of this.store.list(this.ri[kind])) this.enqueue(this.ri[kind], o);
  }

  private onEvent(ev: StoreEvent): void {
    if (this.closed) return;
    const o = ev.object;
    const kind = ev.ri.kind;
    if (!HANDLED.has(kind) || ev.ri.group !== this.ri[kind].group) return;
    if (ev.type === 'ADDED' && o.metadata.uid && !this.bornAt.has(o.metadata.uid))
      this.bornAt.set(o.metadata.uid, Date.now());
    if (ev.type === 'DELETED' && o.metadata.uid) {
      this.bornAt.delete(o.metadata.uid);
      const t = this.timers.get(o.metadata.uid);
      if (t) clearTimeout(t);
      this.timers.delete(o.metadata.uid);
    }
    if (ev.type !== 'DELETED') this.enqueue(ev.ri, o);
    this.enqueueOwners(o, 2);
  }

  /** Enqueues the owners of an object (and theirs, up to `depth` levels: pod -> ReplicaSet -> Deployment). */
  private enqueueOwners(o: KubeObject, depth: number): void {
    for (const ref of o.metadata.ownerReferences ?? []) {
      const ownerRi = this.ri[ref.kind];
      if (!ownerRi || groupVersion(ownerRi) !== ref.apiVersion) continue;
      this.enqueue(ownerRi, { ...o, metadata: { name: ref.name, namespace: o.metadata.namespace } } as KubeObject);
      if (depth > 1) {
        const owner = this.store.get(ownerRi, o.metadata.namespace, ref.name);
        if (owner) this.enqueueOwners(owner, depth - 1);
      }
    }
  }

  private enqueue(ri: ResourceInfo, o: KubeObject): void {
    const ns = ri.namespaced ? o.metadata.namespace : undefined;
    this.queue.set(`${ri.group}/${ri.kind}/${ns ?? ''}/${o.metadata.name}`, { ri, ns, name: o.metadata.name! });
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    for (let round = 0; round < 50 && this.queue.size && !this.closed; round++) {
      const items = [...this.queue.values()];
      this.queue.clear();
      for (const item of items) {
        try {
          this.reconcile(item.ri, item.ns, item.name);
        } catch (err) {
          if (!(err instanceof ApiError))
            console.error('kube test server: controller failed', item.ri.kind, item.name, err);
        }
      }
    }
    if (this.queue.size && !this.scheduled && !this.closed) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private wakeAt(key: string, ri: ResourceInfo, o: KubeObject, ms: number): void {
    if (this.timers.has(key) || this.closed) return;
    const t = setTimeout(
      () => {
        this.timers.delete(key);
        this.enqueue(ri, o);
      },
      Math.max(0, ms),
    );
    this.timers.set(key, t);
  }

  private reconcile(ri: ResourceInfo, ns: string | undefined, name: string): void {
    const o = this.store.get(ri, ns, name);
    if (!o || o.metadata.deletionTimestamp) return;
    switch (ri.kind) {
      case 'Pod':
        return this.pod(o);
      case 'Deployment':
        return this.deployment(o);
      case 'ReplicaSet':
        return this.replicaSet(o);
      case 'StatefulSet':
        return this.statefulSet(o);
      case 'DaemonSet':
        return this.daemonSet(o);
      case 'Job':
        return this.job(o);
      case 'Ingress':
        return this.ingress(o);
      case 'Certificate':
      case 'Issuer':
      case 'ClusterIssuer':
        return this.certManager(ri, o);
    }
  }

  // ------------------------------------------------------------------ behaviour

  private owner(o: KubeObject): KubeObject | undefined {
    const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller) ?? o.metadata.ownerReferences?.[0];
    const ri = ref && this.ri[ref.kind];
    if (!ref || !ri) return undefined;
    const owner = this.store.get(ri, o.metadata.namespace, ref.name);
    return owner && owner.metadata.uid === ref.uid ? owner : undefined;
  }

  /** Named rules (API) first, then annotations, then kind/namespace-wide rules, along pod -> owners. */
  behaviourOf(o: KubeObject): Behaviour {
    const chain: KubeObject[] = [];
    for (let cur: KubeObject | undefined = o; cur && chain.length < 5; cur = this.owner(cur)) chain.push(cur);
    for (const x of chain) {
      const b = this.rules.find(x, true);
      if (b) return b;
    }
    for (const x of chain) {
      const b = annotatedBehaviour(x);
      if (b) return b;
    }
    for (const x of chain) {
      const b = this.rules.find(x, false);
      if (b) return b;
    }
    return { mode: 'ready' };
  }

  /** ms until the behaviour's outcome for this object (<= 0: reached). */
  private remaining(o: KubeObject, b: Behaviour): number {
    const uid = o.metadata.uid!;
    if (!this.bornAt.has(uid)) this.bornAt.set(uid, Date.now());
    return this.bornAt.get(uid)! + (b.afterMs ?? this.options.readyDelayMs) - Date.now();
  }

  // ------------------------------------------------------------------ pods

  private pod(p: KubeObject): void {
    const b = this.behaviourOf(p);
    const left = this.remaining(p, b);
    const isJobPod = (p.metadata.ownerReferences ?? []).some((r) => r.kind === 'Job');
    let want: PodState;
    if (left > 0) {
      want = 'pending';
      this.wakeAt(p.metadata.uid!, this.ri.Pod, p, left);
    } else if (b.mode === 'ready') want = isJobPod ? 'succeeded' : 'ready';
    else if (b.mode === 'never') want = isJobPod ? 'ready' : 'unready';
    else want = isJobPod || p.spec?.restartPolicy === 'Never' ? 'failed' : 'crashloop';
    const have = p.status?.containerStatuses ? stateOf(p) : undefined;
    if (have === want) return;
    const from = have;
    p.status = podStatus(p, want);
    if (!p.spec?.nodeName) p.spec = { ...p.spec, nodeName: NODE_NAME };
    this.store.update(this.ri.Pod, p);
    this.podEvents(p, from, want);
  }

  private podEvents(p: KubeObject, from: PodState | undefined, to: PodState): void {
    const containers = (p.spec?.containers ?? []) as JsonObject[];
    const name = `${p.metadata.namespace}/${p.metadata.name}`;
    if (from === undefined && to === 'pending')
      this.events.record(
        p,
        'Normal',
        'Scheduled',
        `Successfully assigned ${name} to ${NODE_NAME}`,
        'default-scheduler',
      );
    if (to === 'pending') return;
    if (from === undefined || from === 'pending') {
      if (from === undefined)
        this.events.record(
          p,
          'Normal',
          'Scheduled',
          `Successfully assigned ${name} to ${NODE_NAME}`,
          'default-scheduler',
        );
      for (const c of containers) {
        this.events.record(p, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, 'kubelet');
        this.events.record(p, 'Normal', 'Created', `Created container: ${c.name}`, 'kubelet');
        this.events.record(p, 'Normal', 'Started', `Started container ${c.name}`, 'kubelet');
      }
    }
    for (const c of containers) {
      if (to === 'crashloop')
        this.events.record(
          p,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${c.name} in pod ${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})`,
          'kubelet',
        );
      if (to === 'unready')
        this.events.record(
          p,
          'Warning',
          'Unhealthy',
          'Readiness probe failed: the kube test server keeps this pod unready (behaviour never)',
          'kubelet',
        );
    }
  }

  private ownedPods(owner: KubeObject): KubeObject[] {
    return this.store
      .list(this.ri.Pod, owner.metadata.namespace)
      .filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid));
  }

  private ownerRef(o: KubeObject): JsonObject {
    return {
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name,
      uid: o.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
  }

  private createPod(
    owner: KubeObject,
    name: string,
    extraLabels: Record<string, string>,
    volumes: JsonObject[] = [],
  ): void {
    const template = clone(owner.spec?.template ?? {});
    const spec = { ...(template.spec ?? {}), nodeName: NODE_NAME };
    if (volumes.length) spec.volumes = [...(spec.volumes ?? []), ...volumes];
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: owner.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}), ...extraLabels },
        ownerReferences: [this.ownerRef(owner) as never],
      },
      spec,
    };
    if (template.metadata?.annotations) pod.metadata.annotations = { ...template.metadata.annotations };
    this.api.create(this.ri.Pod, owner.metadata.namespace, pod, MANAGER);
    this.events.record(
      owner,
      'Normal',
      'SuccessfulCreate',
      `Created pod: ${name}`,
      `${owner.kind.toLowerCase()}-controller`,
    );
  }

  private deletePod(owner: KubeObject, p: KubeObject): void {
    try {
      this.api.delete(this.ri.Pod, p.metadata.namespace, p.metadata.name!);
      this.events.record(
        owner,
        'Normal',
        'SuccessfulDelete',
        `Deleted pod: ${p.metadata.name}`,
        `${owner.kind.toLowerCase()}-controller`,
      );
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }

  private writeStatus(ri: ResourceInfo, o: KubeObject, status: JsonObject): void {
    if (same(o.status, status)) return;
    const fresh = this.store.get(ri, o.metadata.namespace, o.metadata.name!);
    if (!fresh || fresh.metadata.uid !== o.metadata.uid) return;
    fresh.status = status;
    this.store.update(ri, fresh);
  }

  // ------------------------------------------------------------------ deployments

  private deployment(d: KubeObject): void {
    const ns = d.metadata.namespace;
    const desired = Number(d.spec?.replicas ?? 1);
    const hash = templateHash(d.spec?.template);
    const owned = this.store
      .list(this.ri.ReplicaSet, ns)
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
      newRs = this.api.create(
        this.ri.ReplicaSet,
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
            ownerReferences: [this.ownerRef(d) as never],
          },
          spec: { replicas: desired, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
        },
        MANAGER,
      );
      this.events.record(
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
      newRs = this.store.update(this.ri.ReplicaSet, newRs);
      if (from !== desired)
        this.events.record(
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
      this.store.update(this.ri.ReplicaSet, rs);
      this.events.record(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled down replica set ${rs.metadata.name} from ${from} to 0`,
        'deployment-controller',
      );
    }
    const revision = String(Math.max(revisionOf(newRs), 1));
    const fresh = this.store.get(this.ri.Deployment, ns, d.metadata.name!);
    if (!fresh) return;
    if (fresh.metadata.annotations?.['deployment.kubernetes.io/revision'] !== revision) {
      fresh.metadata.annotations = {
        ...(fresh.metadata.annotations ?? {}),
        'deployment.kubernetes.io/revision': revision,
      };
      d = this.store.update(this.ri.Deployment, fresh);
    } else d = fresh;

    const pods = owned
      .flatMap((rs) => this.ownedPods(rs))
      .concat(owned.some((rs) => rs.metadata.uid === newRs!.metadata.uid) ? [] : this.ownedPods(newRs));
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
        : cond(
            prev,
            'Available',
            false,
            'MinimumReplicasUnavailable',
            'Deployment does not have minimum availability.',
          );
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
    this.writeStatus(this.ri.Deployment, d, status);
  }

  private replicaSet(rs: KubeObject): void {
    const desired = Number(rs.spec?.replicas ?? 1);
    const pods = this.ownedPods(rs).filter(isActive);
    for (let i = pods.length; i < desired; i++) this.createPod(rs, `${rs.metadata.name}-${randomSuffix()}`, {});
    if (pods.length > desired) {
      const extra = [...pods]
        .sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)))
        .slice(0, pods.length - desired);
      for (const p of extra) this.deletePod(rs, p);
    }
    const now = this.ownedPods(rs).filter(isActive);
    const ready = now.filter(isPodReady).length;
    const status: JsonObject = {
      replicas: now.length,
      fullyLabeledReplicas: now.filter((p) => matchesLabelSelector(rs.spec?.selector, p.metadata.labels)).length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation,
    };
    for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'])
      if (status[k] === 0) delete status[k];
    this.writeStatus(this.ri.ReplicaSet, rs, status);
  }

  // ------------------------------------------------------------------ statefulsets, daemonsets

  private statefulSet(s: KubeObject): void {
    const ns = s.metadata.namespace;
    const name = s.metadata.name!;
    const desired = Number(s.spec?.replicas ?? 1);
    const hash = templateHash(s.spec?.template);
    const revision = `${name}-${hash}`;
    const pods = this.ownedPods(s);
    for (const p of pods) {
      const idx = Number(p.metadata.labels?.['apps.kubernetes.io/pod-index'] ?? -1);
      if (idx >= desired || p.metadata.labels?.['controller-revision-hash'] !== revision) this.deletePod(s, p);
    }
    for (let i = 0; i < desired; i++) {
      const podName = `${name}-${i}`;
      if (this.store.has(this.ri.Pod, ns, podName)) continue;
      const volumes: JsonObject[] = [];
      for (const tpl of (s.spec?.volumeClaimTemplates ?? []) as JsonObject[]) {
        const claim = `${tpl.metadata?.name}-${name}-${i}`;
        if (!this.store.has(this.ri.PersistentVolumeClaim, ns, claim))
          this.api.create(
            this.ri.PersistentVolumeClaim,
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
      this.createPod(
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
    const active = this.ownedPods(s).filter(isActive);
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
    this.writeStatus(this.ri.StatefulSet, s, status);
  }

  private daemonSet(ds: KubeObject): void {
    const hash = templateHash(ds.spec?.template);
    const pods = this.ownedPods(ds).filter(isActive);
    for (const p of pods) if (p.metadata.labels?.['controller-revision-hash'] !== hash) this.deletePod(ds, p);
    if (!pods.some((p) => p.metadata.labels?.['controller-revision-hash'] === hash))
      this.createPod(ds, `${ds.metadata.name}-${randomSuffix()}`, {
        'controller-revision-hash': hash,
        'pod-template-generation': String(ds.metadata.generation ?? 1),
      });
    const current = this.ownedPods(ds).filter(isActive);
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
    this.writeStatus(this.ri.DaemonSet, ds, status);
  }

  // ------------------------------------------------------------------ jobs

  private job(j: KubeObject): void {
    const conditions = (j.status?.conditions ?? []) as JsonObject[];
    if (conditions.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')) return;
    if (j.spec?.suspend) return;
    const completions = Number(j.spec?.completions ?? 1);
    const parallelism = Number(j.spec?.parallelism ?? 1);
    let pods = this.ownedPods(j);
    const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
    const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
    const now = nowIso();
    const status: JsonObject = { ...(j.status ?? {}), startTime: j.status?.startTime ?? now };
    if (succeeded >= completions) {
      status.conditions = [
        cond(conditions, 'SuccessCriteriaMet', true, 'CompletionsReached', 'Reached expected number of succeeded pods'),
        cond(conditions, 'Complete', true, 'CompletionsReached', 'Reached expected number of succeeded pods'),
      ].map(({ lastUpdateTime: _u, ...c }) => ({ ...c, lastProbeTime: now }));
      status.completionTime = now;
      this.events.record(j, 'Normal', 'Completed', 'Job completed', 'job-controller');
    } else if (failed > 0) {
      status.conditions = [
        cond(conditions, 'FailureTarget', true, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
        cond(conditions, 'Failed', true, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
      ].map(({ lastUpdateTime: _u, ...c }) => ({ ...c, lastProbeTime: now }));
      this.events.record(
        j,
        'Warning',
        'BackoffLimitExceeded',
        'Job has reached the specified backoff limit',
        'job-controller',
      );
    } else {
      const active = pods.filter(isActive).length;
      const want = Math.min(parallelism, completions - succeeded) - active;
      for (let i = 0; i < want; i++) this.createPod(j, `${j.metadata.name}-${randomSuffix()}`, {});
      pods = this.ownedPods(j);
    }
    const active = pods.filter(isActive);
    status.active = active.length;
    status.ready = active.filter(isPodReady).length;
    status.succeeded = succeeded;
    status.failed = failed;
    status.terminating = 0;
    status.uncountedTerminatedPods = {};
    for (const k of ['active', 'succeeded', 'failed']) if (status[k] === 0) delete status[k];
    this.writeStatus(this.ri.Job, j, status);
  }

  // ------------------------------------------------------------------ ingress, cert-manager

  private ingress(ing: KubeObject): void {
    const status = { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } };
    this.writeStatus(this.ri.Ingress, ing, status);
  }

  private certManager(ri: ResourceInfo, o: KubeObject): void {
    const b = this.behaviourOf(o);
    const left = this.remaining(o, b);
    const prev = o.status?.conditions as JsonObject[] | undefined;
    let ready: JsonObject;
    if (left > 0) {
      this.wakeAt(o.metadata.uid!, ri, o, left);
      ready = cond(prev, 'Ready', false, 'Pending', 'kube test server: not ready yet');
    } else if (b.mode === 'ready') ready = cond(prev, 'Ready', true, 'Ready', 'kube test server: ready');
    else if (b.mode === 'fail')
      ready = cond(prev, 'Ready', false, 'Failed', 'kube test server: failed (behaviour fail)');
    else ready = cond(prev, 'Ready', false, 'Pending', 'kube test server: never ready (behaviour never)');
    const { lastUpdateTime: _u, ...condition } = ready;
    const status: JsonObject = {
      ...(o.status ?? {}),
      conditions: [{ ...condition, observedGeneration: o.metadata.generation }],
    };
    if (ri.kind === 'Certificate' && ready.status === 'True') {
      const notBefore = o.status?.notBefore ?? nowIso();
      status.notBefore = notBefore;
      status.notAfter = new Date(Date.parse(notBefore) + 90 * 86400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      status.renewalTime = new Date(Date.parse(notBefore) + 60 * 86400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      status.revision = 1;
      this.certificateSecret(o);
    }
    this.writeStatus(ri, o, status);
  }

  private certificateSecret(cert: KubeObject): void {
    const name = cert.spec?.secretName;
    const ns = cert.metadata.namespace;
    if (typeof name !== 'string' || this.store.has(this.ri.Secret, ns, name)) return;
    const pem = (label: string): string =>
      Buffer.from(
        `-----BEGIN ${label}-----\n${createHash('sha256').update(`${ns}/${name}/${label}`).digest('base64')}\n-----END ${label}-----\n`,
      ).toString('base64');
    this.api.create(
      this.ri.Secret,
      ns,
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name,
          namespace: ns,
          annotations: {
            'cert-manager.io/certificate-name': cert.metadata.name!,
            'cert-manager.io/issuer-name': cert.spec?.issuerRef?.name ?? '',
            'cert-manager.io/issuer-kind': cert.spec?.issuerRef?.kind ?? 'Issuer',
          },
        },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': pem('CERTIFICATE'), 'tls.key': pem('PRIVATE KEY'), 'ca.crt': pem('CERTIFICATE') },
      },
      { manager: 'cert-manager-certificates-issuing' },
    );
  }
}
