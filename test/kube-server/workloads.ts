/**
 * The controller loop: reacts to store changes, runs the per-kind reconcile functions (deployments.ts, sets.ts,
 * jobs.ts, addons.ts) and the pod lifecycle (Pending -> Running/ready, CrashLoopBackOff, Succeeded/Failed) after a
 * delay chosen by the object's behaviour (API rules, then annotations, then defaults).
 */
import { reconcileCertManager, reconcileIngress } from './addons.js';
import type { KubeApi } from './api.js';
import { annotatedBehaviour, type BehaviourRules } from './behaviour.js';
import { MANAGER, type ControllerKit } from './controller-kit.js';
import { NODE_NAME } from './defaults.js';
import { reconcileDeployment, reconcileReplicaSet } from './deployments.js';
import { ApiError } from './errors.js';
import type { EventRecorder } from './events.js';
import { reconcileJob } from './jobs.js';
import { clone, same } from './json.js';
import { podStatus, stateOf, type PodState } from './pods.js';
import { groupVersion, resolveResource, type ResourceInfo } from './resources.js';
import { reconcileDaemonSet, reconcileStatefulSet } from './sets.js';
import type { Store, StoreEvent } from './store.js';
import type { Behaviour, JsonObject, KubeObject } from './types.js';

export { templateHash } from './controller-kit.js';

export interface WorkloadOptions {
  /** Default time until pods are ready / Jobs complete. */
  readyDelayMs: number;
  /** Adds the kubelet's `terminated.message` to the container statuses of a pod status just computed. */
  terminationMessages?: (pod: KubeObject, status: JsonObject) => void;
}

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

export class Workloads implements ControllerKit {
  readonly ri: Record<string, ResourceInfo>;
  private readonly queue = new Map<string, { ri: ResourceInfo; ns?: string; name: string }>();
  private scheduled = false;
  private closed = false;
  private unsubscribe?: () => void;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Millisecond creation times (creationTimestamp only has seconds). */
  private readonly bornAt = new Map<string, number>();

  constructor(
    readonly store: Store,
    readonly api: KubeApi,
    readonly events: EventRecorder,
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

  wakeAt(key: string, ri: ResourceInfo, o: KubeObject, ms: number): void {
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
        return reconcileDeployment(this, o);
      case 'ReplicaSet':
        return reconcileReplicaSet(this, o);
      case 'StatefulSet':
        return reconcileStatefulSet(this, o);
      case 'DaemonSet':
        return reconcileDaemonSet(this, o);
      case 'Job':
        return reconcileJob(this, o);
      case 'Ingress':
        return reconcileIngress(this, o);
      case 'Certificate':
      case 'Issuer':
      case 'ClusterIssuer':
        return reconcileCertManager(this, ri, o);
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
  remaining(o: KubeObject, b: Behaviour): number {
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
    this.options.terminationMessages?.(p, p.status);
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

  ownedPods(owner: KubeObject): KubeObject[] {
    return this.store
      .list(this.ri.Pod, owner.metadata.namespace)
      .filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid));
  }

  ownerRef(o: KubeObject): JsonObject {
    return {
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name,
      uid: o.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
  }

  createPod(owner: KubeObject, name: string, extraLabels: Record<string, string>, volumes: JsonObject[] = []): void {
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

  deletePod(owner: KubeObject, p: KubeObject): void {
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

  writeStatus(ri: ResourceInfo, o: KubeObject, status: JsonObject): void {
    if (same(o.status, status)) return;
    const fresh = this.store.get(ri, o.metadata.namespace, o.metadata.name!);
    if (!fresh || fresh.metadata.uid !== o.metadata.uid) return;
    fresh.status = status;
    this.store.update(ri, fresh);
  }

  // ------------------------------------------------------------------ deployments

  // ------------------------------------------------------------------ statefulsets, daemonsets

  // ------------------------------------------------------------------ jobs

  // ------------------------------------------------------------------ ingress, cert-manager
}
