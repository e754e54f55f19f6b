import type { KubeObject } from './object.js';

/*
 * Kinds that live outside namespaces. A namespace is never injected into these. The list covers the built-in
 * cluster-scoped kinds and the common add-ons' ones.
 */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'IngressClass',
  'PriorityClass',
  'RuntimeClass',
  'CustomResourceDefinition',
  'APIService',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'ComponentStatus',
  'ClusterIssuer',
  'ClusterSecretStore',
  'ClusterPolicy',
  'GatewayClass',
  'ClusterTriggerBinding',
  'ClusterTask',
]);

export function isClusterScoped(obj: KubeObject): boolean {
  return typeof obj.kind === 'string' && CLUSTER_SCOPED_KINDS.has(obj.kind);
}

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
