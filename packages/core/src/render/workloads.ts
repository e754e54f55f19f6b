import type { KubeObject } from './manifests.js';

/** Where the pod spec sits in each workload kind. */
const POD_SPEC_PATH: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

export function isWorkload(obj: KubeObject): boolean {
  return typeof obj.kind === 'string' && Object.hasOwn(POD_SPEC_PATH, obj.kind);
}

/** The pod spec of a workload, or undefined when the object is not a workload or has none. */
export function podSpecOf(obj: KubeObject): Record<string, any> | undefined {
  const p = typeof obj.kind === 'string' ? POD_SPEC_PATH[obj.kind] : undefined;
  if (!p) return undefined;
  let node: any = obj;
  for (const key of p) {
    if (!node || typeof node !== 'object') return undefined;
    node = node[key];
  }
  return node && typeof node === 'object' && !Array.isArray(node) ? node : undefined;
}

export type Container = Record<string, any> & { name?: string; image?: string };

export function containersOf(spec: Record<string, any>, field: 'containers' | 'initContainers'): Container[] {
  const list = spec[field];
  return Array.isArray(list) ? list.filter((c): c is Container => !!c && typeof c === 'object') : [];
}

/** The service's own container: the one named like the service, else the first. */
export function mainContainer(spec: Record<string, any>, serviceName: string): Container | undefined {
  const containers = containersOf(spec, 'containers');
  return containers.find((c) => c.name === serviceName) ?? containers[0];
}
