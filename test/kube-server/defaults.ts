/** Defaulting and the little validation kube-apiserver does that tests can notice. */
import { invalid } from './errors.js';
import { isObject } from './json.js';
import type { ResourceInfo } from './resources.js';
import { matchesLabelSelector } from './selectors.js';
import type { JsonObject, KubeObject } from './types.js';

export const NODE_NAME = 'kube-test-node';

const setDefault = (o: JsonObject, key: string, value: unknown): void => {
  if (o[key] === undefined || o[key] === null) o[key] = value;
};

function defaultContainers(list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const c of list) {
    if (!isObject(c)) continue;
    setDefault(c, 'terminationMessagePath', '/dev/termination-log');
    setDefault(c, 'terminationMessagePolicy', 'File');
    const image = String(c.image ?? '');
    setDefault(c, 'imagePullPolicy', image.endsWith(':latest') || !/:[^/]+$/.test(image) ? 'Always' : 'IfNotPresent');
    setDefault(c, 'resources', {});
    if (Array.isArray(c.ports)) for (const p of c.ports) if (isObject(p)) setDefault(p, 'protocol', 'TCP');
  }
}

export function defaultPodSpec(spec: unknown): void {
  if (!isObject(spec)) return;
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  defaultContainers(spec.containers);
  defaultContainers(spec.initContainers);
}

function defaultTemplate(spec: JsonObject): void {
  if (isObject(spec.template)) {
    spec.template.metadata ??= {};
    defaultPodSpec(spec.template.spec);
  }
}

let nextClusterIp = 10;
const allocateClusterIp = (): string => {
  const n = nextClusterIp++;
  return `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
};

/** Applies defaults in place. `create` also fills status fields that only exist from creation on. */
export function applyDefaults(ri: ResourceInfo, obj: KubeObject, create: boolean): void {
  const spec: JsonObject = isObject(obj.spec) ? obj.spec : {};
  switch (`${ri.group}/${ri.kind}`) {
    case '/Namespace': {
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name! };
      obj.spec = spec;
      setDefault(spec, 'finalizers', ['kubernetes']);
      if (create) obj.status = { phase: 'Active' };
      break;
    }
    case '/Secret': {
      if (isObject(obj.stringData)) {
        obj.data = { ...(obj.data ?? {}) };
        for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v)).toString('base64');
        delete obj.stringData;
      }
      setDefault(obj, 'type', 'Opaque');
      break;
    }
    case '/Service': {
      obj.spec = spec;
      setDefault(spec, 'type', 'ClusterIP');
      if (spec.type !== 'ExternalName') {
        if (!spec.clusterIP) spec.clusterIP = allocateClusterIp();
        setDefault(spec, 'clusterIPs', [spec.clusterIP]);
        setDefault(spec, 'ipFamilies', ['IPv4']);
        setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
        setDefault(spec, 'internalTrafficPolicy', 'Cluster');
      }
      setDefault(spec, 'sessionAffinity', 'None');
      if (Array.isArray(spec.ports))
        for (const p of spec.ports)
          if (isObject(p)) {
            setDefault(p, 'protocol', 'TCP');
            setDefault(p, 'targetPort', p.port);
          }
      if (create) setDefault(obj, 'status', { loadBalancer: {} });
      break;
    }
    case '/Pod': {
      obj.spec = spec;
      defaultPodSpec(spec);
      setDefault(spec, 'serviceAccountName', 'default');
      setDefault(spec, 'enableServiceLinks', true);
      setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
      setDefault(spec, 'priority', 0);
      if (create) {
        setDefault(spec, 'nodeName', NODE_NAME);
        setDefault(obj, 'status', { phase: 'Pending', qosClass: 'BestEffort' });
      }
      break;
    }
    case '/PersistentVolumeClaim': {
      obj.spec = spec;
      setDefault(spec, 'volumeMode', 'Filesystem');
      setDefault(spec, 'storageClassName', 'standard');
      if (create) {
        setDefault(spec, 'volumeName', `pvc-${obj.metadata.uid}`);
        setDefault(obj, 'status', {
          phase: 'Bound',
          accessModes: spec.accessModes ?? ['ReadWriteOnce'],
          capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
        });
      }
      break;
    }
    case 'apps/Deployment': {
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'strategy', {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
      });
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'progressDeadlineSeconds', 600);
      defaultTemplate(spec);
      break;
    }
    case 'apps/ReplicaSet': {
      setDefault(spec, 'replicas', 1);
      defaultTemplate(spec);
      break;
    }
    case 'apps/StatefulSet': {
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
      setDefault(spec, 'podManagementPolicy', 'OrderedReady');
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
      defaultTemplate(spec);
      break;
    }
    case 'apps/DaemonSet': {
      setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
      setDefault(spec, 'revisionHistoryLimit', 10);
      defaultTemplate(spec);
      break;
    }
    case 'batch/Job': {
      if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
      setDefault(spec, 'parallelism', 1);
      setDefault(spec, 'backoffLimit', 6);
      setDefault(spec, 'completionMode', 'NonIndexed');
      setDefault(spec, 'suspend', false);
      setDefault(spec, 'podReplacementPolicy', 'TerminatedOrFailed');
      if (create && !spec.manualSelector) {
        const uid = obj.metadata.uid!;
        spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
        if (isObject(spec.template)) {
          spec.template.metadata ??= {};
          spec.template.metadata.labels = {
            ...(spec.template.metadata.labels ?? {}),
            'batch.kubernetes.io/controller-uid': uid,
            'batch.kubernetes.io/job-name': obj.metadata.name!,
            'controller-uid': uid,
            'job-name': obj.metadata.name!,
          };
        }
      }
      if (isObject(spec.template)) {
        defaultPodSpec(spec.template.spec);
        if (isObject(spec.template.spec) && spec.template.spec.restartPolicy === 'Always')
          spec.template.spec.restartPolicy = 'Never';
      }
      break;
    }
    case 'batch/CronJob': {
      setDefault(spec, 'concurrencyPolicy', 'Allow');
      setDefault(spec, 'suspend', false);
      setDefault(spec, 'successfulJobsHistoryLimit', 3);
      setDefault(spec, 'failedJobsHistoryLimit', 1);
      break;
    }
  }
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Validates the name and, for workloads, that the selector matches the template labels (422 Invalid). */
export function validate(ri: ResourceInfo, obj: KubeObject): void {
  const name = obj.metadata.name ?? '';
  const kind = ri.kind;
  if (ri.kind === 'Namespace' && (!LABEL.test(name) || name.length > 63))
    throw invalid(kind, ri.group, name, [
      {
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      },
    ]);
  if (ri.kind === 'Service' && (!LABEL_1035.test(name) || name.length > 63))
    throw invalid(kind, ri.group, name, [
      {
        field: 'metadata.name',
        message: `Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character`,
      },
    ]);
  if (
    !['Namespace', 'Service', 'Event'].includes(ri.kind) &&
    ri.builtin &&
    (!SUBDOMAIN.test(name) || name.length > 253)
  )
    throw invalid(kind, ri.group, name, [
      {
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      },
    ]);
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(ri.kind) && ri.group === 'apps') {
    const spec = isObject(obj.spec) ? obj.spec : {};
    if (!isObject(spec.selector))
      throw invalid(kind, ri.group, name, [{ field: 'spec.selector', message: 'Required value' }]);
    const labels = spec.template?.metadata?.labels;
    if (!matchesLabelSelector(spec.selector, labels))
      throw invalid(kind, ri.group, name, [
        {
          field: 'spec.template.metadata.labels',
          message: `Invalid value: ${JSON.stringify(labels ?? {})}: \`selector\` does not match template \`labels\``,
        },
      ]);
    if (!Array.isArray(spec.template?.spec?.containers) || spec.template.spec.containers.length === 0)
      throw invalid(kind, ri.group, name, [{ field: 'spec.template.spec.containers', message: 'Required value' }]);
  }
  if (ri.kind === 'Pod' && ri.group === '') {
    const spec = isObject(obj.spec) ? obj.spec : {};
    if (!Array.isArray(spec.containers) || spec.containers.length === 0)
      throw invalid(kind, ri.group, name, [{ field: 'spec.containers', message: 'Required value' }]);
  }
}
