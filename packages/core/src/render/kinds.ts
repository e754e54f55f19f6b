import { CLUSTER_SCOPED_KINDS } from './overlays.js';

/** Namespaced kinds of core Kubernetes and common add-ons: a `dropKinds` entry outside these is likely a typo. */
const NAMESPACED_KINDS = [
  'ConfigMap',
  'Secret',
  'Service',
  'ServiceAccount',
  'Pod',
  'PodTemplate',
  'PersistentVolumeClaim',
  'Endpoints',
  'EndpointSlice',
  'Event',
  'LimitRange',
  'ResourceQuota',
  'ReplicationController',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ControllerRevision',
  'Job',
  'CronJob',
  'Ingress',
  'NetworkPolicy',
  'Role',
  'RoleBinding',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Lease',
  'CSIStorageCapacity',
  'Certificate',
  'Issuer',
  'CertificateRequest',
  'ServiceMonitor',
  'PodMonitor',
  'PrometheusRule',
  'Gateway',
  'HTTPRoute',
  'GRPCRoute',
  'ExternalSecret',
  'SecretStore',
  'VerticalPodAutoscaler',
];

const KNOWN = new Set([...NAMESPACED_KINDS, ...CLUSTER_SCOPED_KINDS].map((k) => k.toLowerCase()));

export function isKnownKind(kind: string): boolean {
  return KNOWN.has(kind.trim().toLowerCase());
}
