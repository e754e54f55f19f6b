/** The kinds the test server serves: group, version, plural, scope, verbs, subresources. */

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** Subresources served (status, scale, log, exec). */
  subresources?: string[];
  /** Built into kubectl's scheme (strategic merge patch allowed); false for custom resources. */
  builtin: boolean;
  /** Only `create` (reviews): not stored. */
  virtual?: boolean;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function r(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<ResourceInfo> = {},
): ResourceInfo {
  return {
    group,
    version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    verbs: CRUD,
    builtin: true,
    ...extra,
  };
}

const NS = true;
const CLUSTER = false;
const ALL = ['all'];

export const RESOURCES: ResourceInfo[] = [
  r('', 'v1', 'Namespace', 'namespaces', CLUSTER, {
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  r('', 'v1', 'ConfigMap', 'configmaps', NS, { shortNames: ['cm'] }),
  r('', 'v1', 'Secret', 'secrets', NS),
  r('', 'v1', 'Service', 'services', NS, { shortNames: ['svc'], categories: ALL, subresources: ['status'] }),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', NS, { shortNames: ['sa'], subresources: ['token'] }),
  r('', 'v1', 'Pod', 'pods', NS, {
    shortNames: ['po'],
    categories: ALL,
    subresources: ['status', 'log', 'exec', 'attach', 'portforward'],
  }),
  r('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', NS, { shortNames: ['pvc'], subresources: ['status'] }),
  r('', 'v1', 'PersistentVolume', 'persistentvolumes', CLUSTER, { shortNames: ['pv'], subresources: ['status'] }),
  r('', 'v1', 'Event', 'events', NS, { shortNames: ['ev'] }),
  r('', 'v1', 'Endpoints', 'endpoints', NS, { shortNames: ['ep'], singular: 'endpoints' }),
  r('', 'v1', 'Node', 'nodes', CLUSTER, { shortNames: ['no'], subresources: ['status'] }),
  r('', 'v1', 'ResourceQuota', 'resourcequotas', NS, { shortNames: ['quota'], subresources: ['status'] }),
  r('', 'v1', 'LimitRange', 'limitranges', NS, { shortNames: ['limits'] }),
  r('apps', 'v1', 'Deployment', 'deployments', NS, {
    shortNames: ['deploy'],
    categories: ALL,
    subresources: ['status', 'scale'],
  }),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', NS, {
    shortNames: ['sts'],
    categories: ALL,
    subresources: ['status', 'scale'],
  }),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', NS, { shortNames: ['ds'], categories: ALL, subresources: ['status'] }),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', NS, {
    shortNames: ['rs'],
    categories: ALL,
    subresources: ['status', 'scale'],
  }),
  r('apps', 'v1', 'ControllerRevision', 'controllerrevisions', NS),
  r('batch', 'v1', 'Job', 'jobs', NS, { categories: ALL, subresources: ['status'] }),
  r('batch', 'v1', 'CronJob', 'cronjobs', NS, { shortNames: ['cj'], categories: ALL, subresources: ['status'] }),
  r('networking.k8s.io', 'v1', 'Ingress', 'ingresses', NS, { shortNames: ['ing'], subresources: ['status'] }),
  r('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', CLUSTER),
  r('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', NS, { shortNames: ['netpol'] }),
  r('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', NS),
  r('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', NS),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', CLUSTER),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', CLUSTER),
  r('coordination.k8s.io', 'v1', 'Lease', 'leases', NS),
  r('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', CLUSTER, { shortNames: ['sc'] }),
  r('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', NS, {
    shortNames: ['pdb'],
    subresources: ['status'],
  }),
  r('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', CLUSTER, { shortNames: ['pc'] }),
  r('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', CLUSTER, {
    verbs: ['create'],
    virtual: true,
  }),
  r('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', CLUSTER, {
    verbs: ['create'],
    virtual: true,
  }),
  r('authorization.k8s.io', 'v1', 'SubjectAccessReview', 'subjectaccessreviews', CLUSTER, {
    verbs: ['create'],
    virtual: true,
  }),
  r('cert-manager.io', 'v1', 'ClusterIssuer', 'clusterissuers', CLUSTER, {
    builtin: false,
    categories: ['cert-manager'],
    subresources: ['status'],
  }),
  r('cert-manager.io', 'v1', 'Issuer', 'issuers', NS, {
    builtin: false,
    categories: ['cert-manager'],
    subresources: ['status'],
  }),
  r('cert-manager.io', 'v1', 'Certificate', 'certificates', NS, {
    builtin: false,
    shortNames: ['cert', 'certs'],
    categories: ['cert-manager'],
    subresources: ['status'],
  }),
  r('cert-manager.io', 'v1', 'CertificateRequest', 'certificaterequests', NS, {
    builtin: false,
    shortNames: ['cr', 'crs'],
    categories: ['cert-manager'],
    subresources: ['status'],
  }),
];

/** `apps/v1` for group apps, `v1` for the core group. */
export const groupVersion = (ri: { group: string; version: string }): string =>
  ri.group ? `${ri.group}/${ri.version}` : ri.version;

/** Storage key of a resource type. */
export const resourceKey = (ri: ResourceInfo): string => `${ri.group}/${ri.plural}`;

/** Groups in discovery order, each with its versions. */
export function apiGroups(): { name: string; versions: string[] }[] {
  const out = new Map<string, Set<string>>();
  for (const ri of RESOURCES) {
    if (!ri.group) continue;
    if (!out.has(ri.group)) out.set(ri.group, new Set());
    out.get(ri.group)!.add(ri.version);
  }
  return [...out].map(([name, versions]) => ({ name, versions: [...versions] }));
}

export function resourcesOf(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((ri) => ri.group === group && ri.version === version);
}

export function findByPlural(group: string, version: string, plural: string): ResourceInfo | undefined {
  return RESOURCES.find((ri) => ri.group === group && ri.version === version && ri.plural === plural);
}

/** The resource of an object's apiVersion and kind. */
export function findByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find((ri) => groupVersion(ri) === apiVersion && ri.kind === kind);
}

/**
 * Resolves what a test writes: `Deployment`, `deployments`, `deploy`, `apps/v1/Deployment`,
 * `deployments.apps` (case-insensitive for kind, plural, singular and short names).
 */
export function resolveResource(ref: string): ResourceInfo {
  const slash = ref.lastIndexOf('/');
  if (slash > 0) {
    const apiVersion = ref.slice(0, slash);
    const kind = ref.slice(slash + 1);
    const found = RESOURCES.find(
      (ri) => groupVersion(ri) === apiVersion && ri.kind.toLowerCase() === kind.toLowerCase(),
    );
    if (found) return found;
  }
  const lower = ref.toLowerCase();
  const dot = lower.indexOf('.');
  const name = dot > 0 ? lower.slice(0, dot) : lower;
  const group = dot > 0 ? lower.slice(dot + 1) : undefined;
  const found = RESOURCES.find(
    (ri) =>
      (group === undefined || ri.group === group) &&
      (ri.kind.toLowerCase() === name ||
        ri.plural === name ||
        ri.singular === name ||
        (ri.shortNames ?? []).includes(name)),
  );
  if (!found) throw new Error(`kube test server: unknown resource ${JSON.stringify(ref)}`);
  return found;
}
