import type { HostMountSpec, Overlay, PVCMountSpec } from '../config/schema.js';
import { isClusterScoped } from '../objects/kinds.js';
import {
  LABEL_ENV,
  LABEL_INFRA,
  LABEL_MANAGED_BY,
  LABEL_PROJECT,
  LABEL_SERVICE,
  LABEL_SLOT,
  MANAGER_NAME,
  componentLabelValue,
} from '../objects/labels.js';
import type { KubeObject } from '../objects/object.js';
import { containersOf, isWorkload, mainContainer, podSpecOf } from './workloads.js';

export function injectNamespace(obj: KubeObject, namespace: string): void {
  if (!namespace || typeof obj.kind !== 'string' || isClusterScoped(obj)) return;
  const meta = (obj.metadata ??= {});
  if (typeof meta.namespace !== 'string' || meta.namespace.trim() === '') meta.namespace = namespace;
}

/** Does `dropKinds` remove this document? Kinds compare case-insensitively. */
export function droppedKind(obj: KubeObject, dropKinds: readonly string[] | undefined): string | undefined {
  const kind = typeof obj.kind === 'string' ? obj.kind.toLowerCase() : '';
  return dropKinds?.find((k) => k.trim().toLowerCase() === kind && kind !== '');
}

/** Is this the service's own workload (any workload kind named like the service)? */
export function isServiceWorkload(obj: KubeObject, serviceName: string): boolean {
  return isWorkload(obj) && obj.metadata?.name === serviceName;
}

/**
 * Points the service's workload at its built image: the main container, and init containers that ran the same
 * image as the main container (or none).
 */
export function overrideImage(obj: KubeObject, serviceName: string, image: string): void {
  const spec = podSpecOf(obj);
  const main = spec && mainContainer(spec, serviceName);
  if (!spec || !main) return;
  const old = main.image;
  main.image = image;
  for (const init of containersOf(spec, 'initContainers')) {
    if (!init.image || init.image === old) init.image = image;
  }
}

function replaceVolumes(spec: Record<string, any>, names: Set<string>, volumes: Record<string, any>[]): void {
  const existing: any[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  spec.volumes = [...existing.filter((v) => !names.has(v?.name)), ...volumes];
}

function replaceMounts(
  spec: Record<string, any>,
  serviceName: string,
  names: Set<string>,
  mounts: Record<string, any>[],
): void {
  const main = mainContainer(spec, serviceName);
  const targets = [...(main ? [main] : []), ...containersOf(spec, 'initContainers')];
  for (const c of targets) {
    const existing: any[] = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
    c.volumeMounts = [...existing.filter((m) => !names.has(m?.name)), ...mounts.map((m) => ({ ...m }))];
  }
}

function mountEntry(m: PVCMountSpec | HostMountSpec): Record<string, any> {
  const entry: Record<string, any> = { name: m.name, mountPath: m.mountPath };
  if (m.subPath) entry.subPath = m.subPath;
  if (m.readOnly) entry.readOnly = true;
  return entry;
}

/** Mounts the overlay's PVCs and host paths into the service's workload (main container and init containers). */
export function applyMounts(obj: KubeObject, serviceName: string, overlay: Overlay): void {
  const pvc = overlay.pvcMounts ?? [];
  const host = overlay.hostMounts ?? [];
  if (pvc.length + host.length === 0) return;
  const spec = podSpecOf(obj);
  if (!spec || containersOf(spec, 'containers').length === 0) return;
  const names = new Set([...pvc, ...host].map((m) => m.name));
  replaceVolumes(spec, names, [
    ...pvc.map((m) => ({ name: m.name, persistentVolumeClaim: { claimName: m.claimName } })),
    ...host.map((m) => ({ name: m.name, hostPath: { path: m.hostPath, type: m.hostPathType ?? 'Directory' } })),
  ]);
  replaceMounts(spec, serviceName, names, [...pvc, ...host].map(mountEntry));
}

/** The environment's imagePullPolicy for every container that does not set its own. */
export function applyPullPolicy(obj: KubeObject, policy: string | undefined): void {
  if (!policy || !isWorkload(obj)) return;
  const spec = podSpecOf(obj);
  if (!spec) return;
  for (const c of [...containersOf(spec, 'initContainers'), ...containersOf(spec, 'containers')]) {
    if (!c.imagePullPolicy) c.imagePullPolicy = policy;
  }
}

/**
 * Ownership labels on the object's own metadata only: selectors and pod templates stay as written, so adopting
 * the tool never restarts a workload.
 */
export function addOwnershipLabels(obj: KubeObject, project: string, env: string, slot: number): void {
  const meta = (obj.metadata ??= {});
  const labels = (meta.labels && typeof meta.labels === 'object' ? meta.labels : (meta.labels = {})) as Record<
    string,
    string
  >;
  labels[LABEL_MANAGED_BY] = MANAGER_NAME;
  labels[LABEL_PROJECT] = project;
  labels[LABEL_ENV] = env;
  if (slot > 0) labels[LABEL_SLOT] = String(slot);
}

/** `codex-k8s.io/infra: <group>` or `codex-k8s.io/service: <service>`, on the object's own labels only. */
export function addComponentLabel(obj: KubeObject, type: 'infra' | 'service', name: string): void {
  const meta = (obj.metadata ??= {});
  const labels = (meta.labels && typeof meta.labels === 'object' ? meta.labels : (meta.labels = {})) as Record<
    string,
    string
  >;
  labels[type === 'infra' ? LABEL_INFRA : LABEL_SERVICE] = componentLabelValue(name);
}
