/**
 * The kubectl calls on the state namespace, nothing else: one call per method (plus retries of transient failures,
 * and the namespace's creation the first time a write finds it missing). Objects are created only from JSON piped
 * on stdin: `kubectl create configmap --from-literal` would put the values in argv and send protobuf.
 */
import { KubectlError, isRetryable } from '../kube/errors.js';
import type { Kubectl } from '../kube/kubectl.js';
import { withRetry } from '../util/retry.js';
import type { ConfigMap } from './record.js';
import type { Logger } from '../util/reporter.js';
import type { Clock } from './types.js';

export interface StateClientOptions {
  /** The state namespace (`state.configmapNamespace`); dedicated to records, so listing all of it is cheap. */
  namespace: string;
  /** Wall-clock limit of one kubectl call. */
  timeoutMs: number;
  /** Calls in total for a transiently failing request, and the backoff between them. */
  retry: { attempts: number; initialMs: number; maxMs: number };
  clock: Clock;
  random?: () => number;
  logger: Logger;
}

export type ConditionalDelete = 'deleted' | 'gone' | 'changed';

export class StateClient {
  constructor(
    readonly kubectl: Kubectl,
    readonly options: StateClientOptions,
  ) {}

  get namespace(): string {
    return this.options.namespace;
  }

  /**
   * Every ConfigMap of the state namespace in one call: records we labelled and the predecessor's unlabelled ones
   * alike (a label selector would miss the latter, and a second call for them would double the cost of every read).
   * A namespace that does not exist lists as empty, so reads never need to create it.
   */
  async list(): Promise<ConfigMap[]> {
    const out = await this.call(['get', 'configmaps', '-n', this.namespace, '-o', 'json']);
    const parsed = JSON.parse(out) as { items?: ConfigMap[] };
    return parsed.items ?? [];
  }

  /** One ConfigMap, or undefined when it does not exist. */
  async get(name: string): Promise<ConfigMap | undefined> {
    try {
      return JSON.parse(await this.call(['get', 'configmap', name, '-n', this.namespace, '-o', 'json'])) as ConfigMap;
    } catch (err) {
      if (err instanceof KubectlError && err.reason === 'NotFound') return undefined;
      throw err;
    }
  }

  /**
   * Creates the object; throws KubectlError (AlreadyExists when the name is taken). The state namespace is created
   * only when the create says it is missing, so the usual path costs no extra call.
   */
  async create(manifest: ConfigMap): Promise<ConfigMap> {
    // --validate=false: the object is ours and well-formed; validation would fetch the OpenAPI documents first,
    // two more requests on every claim.
    const args = ['create', '--validate=false', '-f', '-', '-o', 'json'];
    const input = JSON.stringify(manifest);
    try {
      return JSON.parse(await this.call(args, input)) as ConfigMap;
    } catch (err) {
      if (!this.namespaceMissing(err)) throw err;
      this.options.logger.info(`state namespace ${this.namespace} does not exist; creating it`);
      await this.ensureNamespace();
      return JSON.parse(await this.call(args, input)) as ConfigMap;
    }
  }

  /**
   * JSON merge patch (`null` removes a key). With `metadata.resourceVersion` in the body the server refuses it
   * (Conflict) when the object changed since it was read.
   */
  async patch(name: string, body: object): Promise<ConfigMap> {
    const args = [
      'patch',
      'configmap',
      name,
      '-n',
      this.namespace,
      '--type',
      'merge',
      '-p',
      JSON.stringify(body),
      '-o',
      'json',
    ];
    return JSON.parse(await this.call(args)) as ConfigMap;
  }

  /** Deletes the object; false when it was already gone. */
  async delete(name: string): Promise<boolean> {
    const out = await this.call([
      'delete',
      'configmap',
      name,
      '-n',
      this.namespace,
      '--ignore-not-found',
      '--wait=false',
    ]);
    return out.trim() !== '';
  }

  /**
   * Deletes the object only if it is still at `resourceVersion` (a delete precondition). `kubectl delete` has no
   * flag for preconditions, so the DeleteOptions body goes on stdin to `delete --raw`.
   */
  async deleteIfUnchanged(name: string, resourceVersion: string): Promise<ConditionalDelete> {
    const path = `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/configmaps/${encodeURIComponent(name)}`;
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion } };
    try {
      await this.call(['delete', '--raw', path, '-f', '-'], JSON.stringify(body));
      return 'deleted';
    } catch (err) {
      if (err instanceof KubectlError && err.reason === 'NotFound') return 'gone';
      if (err instanceof KubectlError && err.reason === 'Conflict') return 'changed';
      throw err;
    }
  }

  /** Creates the state namespace from a manifest on stdin; an existing one is fine (a concurrent run made it). */
  async ensureNamespace(): Promise<void> {
    const manifest = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespace } };
    try {
      await this.call(['create', '--validate=false', '-f', '-', '-o', 'name'], JSON.stringify(manifest));
    } catch (err) {
      if (err instanceof KubectlError && err.reason === 'AlreadyExists') return;
      throw err;
    }
  }

  /** NotFound naming the namespace (not the object): `namespaces "state" not found`. */
  private namespaceMissing(err: unknown): boolean {
    return (
      err instanceof KubectlError &&
      err.reason === 'NotFound' &&
      err.stderr.includes(`namespaces "${this.namespace}" not found`)
    );
  }

  private call(args: string[], input?: string): Promise<string> {
    const o = this.options;
    return withRetry(() => this.kubectl.run(args, { input, timeoutMs: o.timeoutMs }), {
      attempts: o.retry.attempts,
      initialDelayMs: o.retry.initialMs,
      maxDelayMs: o.retry.maxMs,
      jitter: true,
      random: o.random,
      retryable: isRetryable,
      sleep: (ms) => o.clock.sleep(ms),
      onRetry: (err: KubectlError, retry, delay) =>
        o.logger.debug(
          `kubectl ${args[0]} failed (${err.reason ?? 'network'}), retry ${retry} in ${delay} ms: ${err.message}`,
        ),
    });
  }
}
