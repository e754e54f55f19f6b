/** Server-side `Table` output for `kubectl get` (columns like the real printers for the common kinds). */
import type { JsonObject, KubeObject } from './types.js';

interface Column {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
  cell: (o: KubeObject) => string | number;
}

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

/** Like k8s.io/apimachinery's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 192) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  return d < 365 * 2 ? `${d}d` : `${Math.floor(d / 365)}y`;
}

const since = (t: unknown): string =>
  typeof t === 'string' && t ? humanDuration(Date.now() - Date.parse(t)) : '<unknown>';
const age = (o: KubeObject): string => since(o.metadata.creationTimestamp);
const count = (v: unknown): number => (v && typeof v === 'object' ? Object.keys(v).length : 0);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

function podStatus(o: KubeObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  let reason: string = o.status?.reason ?? o.status?.phase ?? 'Unknown';
  for (const cs of (o.status?.containerStatuses ?? []) as JsonObject[]) {
    if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state?.terminated?.reason) reason = cs.state.terminated.reason;
  }
  return reason;
}

function podReady(o: KubeObject): string {
  const total = (o.spec?.containers ?? []).length;
  const ready = ((o.status?.containerStatuses ?? []) as JsonObject[]).filter((c) => c.ready).length;
  return `${ready}/${total}`;
}

function condition(o: KubeObject, type: string): string {
  const c = ((o.status?.conditions ?? []) as JsonObject[]).find((x) => x.type === type);
  return c ? String(c.status) : 'Unknown';
}

function jobStatus(o: KubeObject): string {
  const conds = (o.status?.conditions ?? []) as JsonObject[];
  if (conds.some((c) => c.type === 'Complete' && c.status === 'True')) return 'Complete';
  if (conds.some((c) => c.type === 'Failed' && c.status === 'True')) return 'Failed';
  return o.spec?.suspend ? 'Suspended' : 'Running';
}

function servicePorts(o: KubeObject): string {
  const ports = (o.spec?.ports ?? []) as JsonObject[];
  if (!ports.length) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? ':' + p.nodePort : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

const NAME: Column = { name: 'Name', format: 'name', cell: (o) => o.metadata.name ?? '' };
const AGE: Column = { name: 'Age', cell: age };

const COLUMNS: Record<string, Column[]> = {
  Pod: [
    NAME,
    { name: 'Ready', cell: podReady },
    { name: 'Status', cell: podStatus },
    {
      name: 'Restarts',
      type: 'integer',
      cell: (o) => ((o.status?.containerStatuses ?? []) as JsonObject[]).reduce((n, c) => n + num(c.restartCount), 0),
    },
    AGE,
    { name: 'IP', priority: 1, cell: (o) => o.status?.podIP ?? '<none>' },
    { name: 'Node', priority: 1, cell: (o) => o.spec?.nodeName ?? '<none>' },
  ],
  Deployment: [
    NAME,
    { name: 'Ready', cell: (o) => `${num(o.status?.readyReplicas)}/${o.spec?.replicas ?? 1}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => num(o.status?.updatedReplicas) },
    { name: 'Available', type: 'integer', cell: (o) => num(o.status?.availableReplicas) },
    AGE,
  ],
  ReplicaSet: [
    NAME,
    { name: 'Desired', type: 'integer', cell: (o) => o.spec?.replicas ?? 1 },
    { name: 'Current', type: 'integer', cell: (o) => num(o.status?.replicas) },
    { name: 'Ready', type: 'integer', cell: (o) => num(o.status?.readyReplicas) },
    AGE,
  ],
  StatefulSet: [NAME, { name: 'Ready', cell: (o) => `${num(o.status?.readyReplicas)}/${o.spec?.replicas ?? 1}` }, AGE],
  DaemonSet: [
    NAME,
    { name: 'Desired', type: 'integer', cell: (o) => num(o.status?.desiredNumberScheduled) },
    { name: 'Current', type: 'integer', cell: (o) => num(o.status?.currentNumberScheduled) },
    { name: 'Ready', type: 'integer', cell: (o) => num(o.status?.numberReady) },
    { name: 'Up-to-date', type: 'integer', cell: (o) => num(o.status?.updatedNumberScheduled) },
    { name: 'Available', type: 'integer', cell: (o) => num(o.status?.numberAvailable) },
    AGE,
  ],
  Job: [
    NAME,
    { name: 'Status', cell: jobStatus },
    { name: 'Completions', cell: (o) => `${num(o.status?.succeeded)}/${o.spec?.completions ?? 1}` },
    {
      name: 'Duration',
      cell: (o) =>
        o.status?.startTime
          ? humanDuration(
              (o.status.completionTime ? Date.parse(o.status.completionTime) : Date.now()) -
                Date.parse(o.status.startTime),
            )
          : '',
    },
    AGE,
  ],
  CronJob: [
    NAME,
    { name: 'Schedule', cell: (o) => o.spec?.schedule ?? '' },
    { name: 'Suspend', cell: (o) => String(!!o.spec?.suspend) },
    { name: 'Active', type: 'integer', cell: (o) => (o.status?.active ?? []).length },
    { name: 'Last Schedule', cell: (o) => (o.status?.lastScheduleTime ? since(o.status.lastScheduleTime) : '<none>') },
    AGE,
  ],
  Service: [
    NAME,
    { name: 'Type', cell: (o) => o.spec?.type ?? 'ClusterIP' },
    { name: 'Cluster-IP', cell: (o) => o.spec?.clusterIP ?? '<none>' },
    { name: 'External-IP', cell: (o) => (o.spec?.externalIPs ?? []).join(',') || '<none>' },
    { name: 'Port(s)', cell: servicePorts },
    AGE,
  ],
  ConfigMap: [NAME, { name: 'Data', type: 'integer', cell: (o) => count(o.data) + count(o.binaryData) }, AGE],
  Secret: [
    NAME,
    { name: 'Type', cell: (o) => o.type ?? 'Opaque' },
    { name: 'Data', type: 'integer', cell: (o) => count(o.data) },
    AGE,
  ],
  Namespace: [NAME, { name: 'Status', cell: (o) => o.status?.phase ?? 'Active' }, AGE],
  PersistentVolumeClaim: [
    NAME,
    { name: 'Status', cell: (o) => o.status?.phase ?? 'Pending' },
    { name: 'Volume', cell: (o) => o.spec?.volumeName ?? '' },
    { name: 'Capacity', cell: (o) => o.status?.capacity?.storage ?? '' },
    {
      name: 'Access Modes',
      cell: (o) => (o.status?.accessModes ?? []).map((m: string) => m.replace(/[a-z]/g, '')).join(','),
    },
    { name: 'StorageClass', cell: (o) => o.spec?.storageClassName ?? '' },
    AGE,
  ],
  Event: [
    { name: 'Last Seen', cell: (o) => since(o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp) },
    { name: 'Type', cell: (o) => o.type ?? '' },
    { name: 'Reason', cell: (o) => o.reason ?? '' },
    {
      name: 'Object',
      cell: (o) => `${String(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}`,
    },
    { name: 'Message', cell: (o) => o.message ?? '' },
  ],
  Ingress: [
    NAME,
    { name: 'Class', cell: (o) => o.spec?.ingressClassName ?? '<none>' },
    { name: 'Hosts', cell: (o) => ((o.spec?.rules ?? []) as JsonObject[]).map((r) => r.host ?? '*').join(',') || '*' },
    {
      name: 'Address',
      cell: (o) =>
        ((o.status?.loadBalancer?.ingress ?? []) as JsonObject[]).map((i) => i.ip ?? i.hostname).join(',') || '',
    },
    { name: 'Ports', cell: (o) => ((o.spec?.tls ?? []).length ? '80, 443' : '80') },
    AGE,
  ],
  Certificate: [
    NAME,
    { name: 'Ready', cell: (o) => condition(o, 'Ready') },
    { name: 'Secret', cell: (o) => o.spec?.secretName ?? '' },
    AGE,
  ],
  ClusterIssuer: [NAME, { name: 'Ready', cell: (o) => condition(o, 'Ready') }, AGE],
  Issuer: [NAME, { name: 'Ready', cell: (o) => condition(o, 'Ready') }, AGE],
};

function columnsFor(kind: string): Column[] {
  return COLUMNS[kind] ?? [NAME, AGE];
}

function rowObject(o: KubeObject, includeObject: string): JsonObject {
  if (includeObject === 'Object') return o;
  if (includeObject === 'None') return {};
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

/** A Table of objects of one kind. `withColumns` false leaves columnDefinitions out (watch events after the first). */
export function toTable(
  kind: string,
  objects: KubeObject[],
  listMeta: JsonObject,
  includeObject = 'Metadata',
  withColumns = true,
): JsonObject {
  const cols = columnsFor(kind);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withColumns
      ? cols.map((c) => ({
          name: c.name,
          type: c.type ?? 'string',
          format: c.format ?? '',
          description: '',
          priority: c.priority ?? 0,
        }))
      : null,
    rows: objects.map((o) => ({ cells: cols.map((c) => c.cell(o)), object: rowObject(o, includeObject) })),
  };
}
