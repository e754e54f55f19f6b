/**
 * A Kubernetes API test server for the real kubectl: `startKubeServer()` listens on 127.0.0.1 over plain HTTP.
 * See README.md for what it covers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleAdmin } from './admin.js';
import { KubeApi } from './api.js';
import { BehaviourRules, parseBehaviour, type BehaviourTarget } from './behaviour.js';
import { applyDefaults } from './defaults.js';
import { EventRecorder } from './events.js';
import { same } from './json.js';
import { Exec, type ExecRecord, type ExecSandbox } from './exec.js';
import { Faults, RequestLog, type FailSpec } from './faults.js';
import { writeKubeconfig } from './kubeconfig.js';
import { Logs, type LogSource } from './logs.js';
import { podDir, pvcDir } from './paths.js';
import { findByKind, resolveResource } from './resources.js';
import { Authorizer, type DenyRule } from './reviews.js';
import { labelMatcher } from './selectors.js';
import { Front } from './server.js';
import { Store } from './store.js';
import { TerminationMessages, type TerminationSource } from './termination.js';
import type { Behaviour, KubeObject, RequestLogEntry } from './types.js';
import { Watches } from './watch.js';
import { Workloads } from './workloads.js';

export type { Behaviour, KubeObject, RequestLogEntry } from './types.js';
export type { BehaviourTarget } from './behaviour.js';
export type { DenyRule } from './reviews.js';
export type { ExecRecord, ExecSandbox, SandboxBind } from './exec.js';
export type { FailSpec } from './faults.js';
export { BEHAVIOUR_ANNOTATION, LOGS_ANNOTATION, parseBehaviour } from './behaviour.js';
export { TERMINATION_MESSAGE_ANNOTATION, type TerminationSource } from './termination.js';
export { mapPath, mountEnvName, pathMapFromEnv, rewriteMountPaths } from './paths.js';

export interface KubeServerOptions {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  host?: string;
  /** Directory for pod and PVC directories (default: a new temp dir, removed by close()). */
  root?: string;
  /** Time until workload pods are ready / Jobs complete (default 200 ms). */
  readyDelayMs?: number;
  /** How long a deleted namespace stays Terminating (default 100 ms). */
  namespaceTerminationDelayMs?: number;
  /** Namespaces created at start besides default, kube-system, kube-public, kube-node-lease. */
  namespaces?: string[];
  /** Create a `default` ServiceAccount in each namespace (default true). */
  defaultServiceAccount?: boolean;
  /** Default `kubectl logs` text (string or function of pod and container). */
  logs?: LogSource;
  /** Map pod mount paths inside exec argv to local directories (default true; false: argv byte for byte). */
  execRewritePaths?: boolean;
  /** Extra environment for exec'd processes. */
  execEnv?: Record<string, string>;
  /**
   * Run exec'd commands under bubblewrap (/usr/bin/bwrap) with every volume mount at its real mountPath, plus
   * `binds` (host path -> pod path), cwd = workingDir or `/`, env = the container's plus `env`, HOME=/root.
   * No argv rewriting in this mode. Processes the command starts (also with setsid) keep running after it exits.
   */
  execSandbox?: ExecSandbox;
  /** Serve aggregated discovery (2 requests instead of one per group; default true). */
  aggregatedDiscovery?: boolean;
  /** listen() backlog (default 511). */
  backlog?: number;
  /** Accesses `kubectl auth can-i` answers "no" for. */
  denyList?: DenyRule[];
}

/** Object access for tests: `ref` is a kind, plural, short name or `apiVersion/Kind` (`Deployment`, `apps/v1/Deployment`, `deploy`). */
export interface ObjectAccess {
  get(ref: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(ref: string, namespace?: string, labelSelector?: string): KubeObject[];
  /** Creates or replaces (status included; uid and creationTimestamp kept); the namespace must exist. */
  put(obj: KubeObject): KubeObject;
  delete(ref: string, namespace: string | undefined, name: string): KubeObject | undefined;
  resourceVersion(): string;
}

export interface KubeServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Root of the local pod/PVC directories. */
  readonly root: string;
  readonly store: ObjectAccess;
  close(): Promise<void>;
  /** Writes a kubeconfig (cluster, token user, current context) into `dir` (default: a new temp dir); returns its path. */
  writeKubeconfig(dir?: string, options?: { namespace?: string; name?: string }): string;
  /** Behaviour of matching workloads and pods (newest rule wins; named rules beat annotations, annotations beat wildcards). */
  setBehaviour(target: BehaviourTarget | string, behaviour: Behaviour | string): void;
  /** `kubectl logs` text for pods (by pod name or owning workload name). */
  setLogs(target: { namespace?: string; name?: string; container?: string }, text: LogSource): void;
  /**
   * What containers of matching pods (by pod name or owning workload name) leave at their terminationMessagePath;
   * it becomes `state.terminated.message` when they end (see termination.ts).
   */
  setTerminationMessage(
    target: { namespace?: string; name?: string; container?: string },
    text: TerminationSource,
  ): void;
  /** Fails the next `count` requests (optionally only matching method/path) with a Status of `status` (default 500). */
  failNext(count: number, status?: number, reason?: string, options?: Partial<FailSpec>): void;
  /** Delays requests by `ms` (all until cleared, or the next `count`); `delay(0)` clears delays. */
  delay(ms: number, options?: { count?: number; method?: string; path?: string }): void;
  clearFaults(): void;
  /** Accesses `kubectl auth can-i` (SelfSubjectAccessReview) answers "no" for. */
  setDenyList(rules: DenyRule[]): void;
  /** Every request (admin `/_test` requests excluded). */
  readonly requests: RequestLogEntry[];
  /** Counts by `METHOD path`. */
  requestCounts(): Record<string, number>;
  /** One entry per kubectl process seen (Kubectl-Session header). */
  kubectlInvocations(): { session: string; command: string; requests: number }[];
  clearRequests(): void;
  /** Local directory of a PVC (what a pod mount of that claim maps to). */
  pvcDir(namespace: string, claim: string): string;
  /** Local per-pod directory (the exec cwd unless the container has a workingDir). */
  podDir(namespace: string, pod: string): string;
  /** Execs run so far. */
  readonly execs: ExecRecord[];
  /** Cuts every open exec connection (an API server restart); returns how many. */
  dropExecConnections(): number;
  /** Resolves when `predicate` holds for the object (polling the store), or rejects after `timeoutMs` (default 5 s). */
  waitFor(
    ref: string,
    namespace: string | undefined,
    name: string,
    predicate: (o: KubeObject | undefined) => boolean,
    timeoutMs?: number,
  ): Promise<KubeObject | undefined>;
}

const BUILTIN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startKubeServer(options: KubeServerOptions = {}): Promise<KubeServer> {
  const ownRoot = !options.root;
  const root = options.root ?? mkdtempSync(join(tmpdir(), 'kube-test-root-'));
  const store = new Store();
  const api = new KubeApi(store, {
    namespaceTerminationDelayMs: options.namespaceTerminationDelayMs ?? 100,
    defaultServiceAccount: options.defaultServiceAccount ?? true,
  });
  const events = new EventRecorder(store);
  const rules = new BehaviourRules();
  const logs = new Logs(options.logs ?? ((pod, c) => `kube test server: logs of ${pod.metadata.name}/${c}\n`));
  const termination = new TerminationMessages(logs);
  const workloads = new Workloads(store, api, events, rules, {
    readyDelayMs: options.readyDelayMs ?? 200,
    terminationMessages: (pod, status) => termination.fill(pod, status),
  });
  const watches = new Watches(store);
  const authorizer = new Authorizer();
  authorizer.setDenyList(options.denyList ?? []);
  const faults = new Faults();
  const requestLog = new RequestLog();
  const exec = new Exec(store, {
    root,
    rewritePaths: options.execRewritePaths ?? true,
    env: options.execEnv,
    sandbox: options.execSandbox,
  });

  const manager = { manager: 'kube-test-server' };
  for (const ns of [...BUILTIN_NAMESPACES, ...(options.namespaces ?? [])])
    if (!store.has(resolveResource('v1/Namespace'), undefined, ns))
      api.create(resolveResource('v1/Namespace'), undefined, { metadata: { name: ns } }, manager);
  store.create(resolveResource('v1/Node'), {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'kube-test-node',
      labels: { 'kubernetes.io/hostname': 'kube-test-node', 'kubernetes.io/os': 'linux' },
    },
    spec: {},
    status: {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      addresses: [{ type: 'InternalIP', address: '10.0.0.10' }],
      nodeInfo: {
        kubeletVersion: 'v1.35.0',
        osImage: 'kube test server',
        architecture: 'amd64',
        operatingSystem: 'linux',
      },
    },
  });
  workloads.start();

  // eslint-disable-next-line prefer-const
  let server: KubeServer;
  const front = new Front({
    api,
    watches,
    logs,
    authorizer,
    faults,
    requestLog,
    aggregatedDiscovery: options.aggregatedDiscovery ?? true,
    admin: (req, res, url) => handleAdmin(server, req, res, url),
    upgrade: (req, socket, head, url) => exec.handleUpgrade(req, socket, head, url),
  });
  const port = await front.listen(options.port ?? 0, options.host ?? '127.0.0.1', options.backlog ?? 511);
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  const objects: ObjectAccess = {
    get: (ref, ns, name) => store.get(resolveResource(ref), ns, name),
    list: (ref, ns, labelSelector) => {
      const m = labelMatcher(labelSelector);
      return store.list(resolveResource(ref), ns).filter((o) => m(o.metadata.labels));
    },
    put: (obj) => {
      const ri = findByKind(obj.apiVersion, obj.kind);
      if (!ri) throw new Error(`kube test server: unknown kind ${obj.apiVersion}/${obj.kind}`);
      const current = store.get(ri, obj.metadata.namespace, obj.metadata.name!);
      if (!current) {
        const { status } = obj;
        const created = api.create(ri, obj.metadata.namespace, obj, manager);
        if (status === undefined) return created;
        return store.update(ri, { ...created, status });
      }
      const next = structuredClone(obj);
      next.metadata = {
        ...next.metadata,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
      };
      if (current.metadata.generation !== undefined) {
        const changed = !same({ ...current, metadata: 0, status: 0 }, { ...next, metadata: 0, status: 0 });
        next.metadata.generation = current.metadata.generation + (changed ? 1 : 0);
      }
      applyDefaults(ri, next, false);
      return store.update(ri, next);
    },
    delete: (ref, ns, name) => {
      const ri = resolveResource(ref);
      if (!store.has(ri, ns, name)) return undefined;
      return api.delete(ri, ns, name);
    },
    resourceVersion: () => store.currentRV(),
  };

  let closed = false;
  server = {
    url,
    port,
    root,
    store: objects,
    async close() {
      if (closed) return;
      closed = true;
      workloads.stop();
      api.close();
      watches.closeAll();
      exec.close();
      await front.close();
      if (ownRoot) rmSync(root, { recursive: true, force: true });
    },
    writeKubeconfig: (dir, o) => writeKubeconfig({ server: url, ...o }, dir),
    dropExecConnections: () => exec.dropConnections(),
    setBehaviour(target, behaviour) {
      const t: BehaviourTarget = typeof target === 'string' ? parseTarget(target) : target;
      rules.add(t, parseBehaviour(behaviour));
      workloads.resyncAll();
    },
    setLogs: (target, text) => logs.set({ ...target, source: text }),
    setTerminationMessage: (target, text) => termination.set({ ...target, source: text }),
    failNext: (count, status, reason, o = {}) =>
      faults.failNext({ ...o, count, status: status ?? o.status, reason: reason ?? o.reason }),
    delay: (ms, o = {}) => faults.delay({ ms, ...o }),
    clearFaults: () => faults.clear(),
    setDenyList: (r) => authorizer.setDenyList(r),
    get requests() {
      return requestLog.entries;
    },
    requestCounts: () => requestLog.counts(),
    kubectlInvocations: () => requestLog.kubectlInvocations(),
    clearRequests: () => requestLog.clear(),
    pvcDir: (ns, claim) => pvcDir(root, ns, claim),
    podDir: (ns, pod) => podDir(root, ns, pod),
    get execs() {
      return exec.history;
    },
    async waitFor(ref, ns, name, predicate, timeoutMs = 5000) {
      const ri = resolveResource(ref);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const o = store.get(ri, ns, name);
        if (predicate(o)) return o;
        if (Date.now() > deadline)
          throw new Error(`kube test server: timed out waiting for ${ref} ${ns ?? ''}/${name}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  return server;
}

/** `deployment/ns/name`, `deployment/name` or `name` -> target. */
function parseTarget(text: string): BehaviourTarget {
  const parts = text.split('/');
  if (parts.length === 3) return { kind: resolveResource(parts[0]).kind, namespace: parts[1], name: parts[2] };
  if (parts.length === 2) return { kind: resolveResource(parts[0]).kind, name: parts[1] };
  return { name: text };
}
