/**
 * An in-memory stand-in for kubectl + API server, just for the calls the slot store makes, so races can be staged
 * step by step (hooks run before and after chosen calls). The real behaviour is covered by the kubectl tests.
 */
import type { ProcessRunner, RunOptions, RunResult } from '../../packages/core/src/kube/runner.js';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
}

export type Hook = (call: {
  args: string[];
  index: number;
  input?: string;
}) => Promise<Partial<RunResult> | void> | Partial<RunResult> | void;

const fail = (stderr: string): RunResult => ({ code: 1, stdout: '', stderr: stderr + '\n', timedOut: false });
const ok = (stdout: string): RunResult => ({ code: 0, stdout, stderr: '', timedOut: false });

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeState implements ProcessRunner {
  readonly namespaces = new Set<string>(['default']);
  readonly objects = new Map<string, Obj>();
  readonly calls: string[][] = [];
  private rv = 100;
  /** Runs before each call; a returned result replaces the call. */
  before?: Hook;
  /** Runs after each call (the result is already decided). */
  after?: Hook;

  put(ns: string, obj: Obj): Obj {
    const stored = structuredClone(obj);
    stored.metadata.namespace = ns;
    stored.metadata.resourceVersion = String(++this.rv);
    this.objects.set(`${ns}/${obj.metadata.name}`, stored);
    return stored;
  }

  async run(_command: string, argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const args = [...argv];
    const index = this.calls.push(args) - 1;
    const replaced = await this.before?.({ args, index, input: options.input });
    const result = replaced ? { ...ok(''), ...replaced } : this.handle(args, options.input);
    await this.after?.({ args, index, input: options.input });
    return result;
  }

  private flag(args: string[], name: string): string | undefined {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  }

  handle(args: string[], input?: string): RunResult {
    const ns = this.flag(args, '-n') ?? 'default';
    const [verb, what, name] = args;
    if (verb === 'get' && what === 'configmaps') {
      const items = [...this.objects.values()].filter((o) => o.kind === 'ConfigMap' && o.metadata.namespace === ns);
      items.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
      return ok(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    }
    if (verb === 'get' && what === 'configmap') {
      const o = this.objects.get(`${ns}/${name}`);
      return o ? ok(JSON.stringify(o)) : fail(`Error from server (NotFound): configmaps "${name}" not found`);
    }
    if (verb === 'create') {
      const obj = JSON.parse(input ?? '{}') as Obj;
      if (obj.kind === 'Namespace') {
        if (this.namespaces.has(obj.metadata.name))
          return fail(
            `Error from server (AlreadyExists): error when creating "STDIN": namespaces "${obj.metadata.name}" already exists`,
          );
        this.namespaces.add(obj.metadata.name);
        return ok(`namespace/${obj.metadata.name}\n`);
      }
      const target = obj.metadata.namespace ?? 'default';
      if (!this.namespaces.has(target))
        return fail(`Error from server (NotFound): error when creating "STDIN": namespaces "${target}" not found`);
      if (this.objects.has(`${target}/${obj.metadata.name}`))
        return fail(
          `Error from server (AlreadyExists): error when creating "STDIN": configmaps "${obj.metadata.name}" already exists`,
        );
      return ok(JSON.stringify(this.put(target, obj)));
    }
    if (verb === 'patch') {
      const key = `${ns}/${name}`;
      const current = this.objects.get(key);
      if (!current) return fail(`Error from server (NotFound): configmaps "${name}" not found`);
      const patch = JSON.parse(this.flag(args, '-p')!) as { metadata?: { resourceVersion?: string } };
      const want = patch.metadata?.resourceVersion;
      if (want !== undefined && want !== current.metadata.resourceVersion)
        return fail(
          `Error from server (Conflict): Operation cannot be fulfilled on configmaps "${name}": the object has been modified`,
        );
      const next = mergePatch(current, patch) as Obj;
      return ok(JSON.stringify(this.put(ns, next)));
    }
    if (verb === 'delete' && what === '--raw') {
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/.exec(name);
      const key = `${decodeURIComponent(m![1])}/${decodeURIComponent(m![2])}`;
      const current = this.objects.get(key);
      if (!current) return fail(`Error from server (NotFound): configmaps "${m![2]}" not found`);
      const body = JSON.parse(input ?? '{}') as { preconditions?: { resourceVersion?: string } };
      const want = body.preconditions?.resourceVersion;
      if (want !== undefined && want !== current.metadata.resourceVersion)
        return fail(
          `Error from server (Conflict): Operation cannot be fulfilled on configmaps "${m![2]}": Precondition failed`,
        );
      this.objects.delete(key);
      return ok(JSON.stringify(current));
    }
    if (verb === 'delete' && what === 'configmap') {
      const existed = this.objects.delete(`${ns}/${name}`);
      return ok(existed ? `configmap "${name}" deleted\n` : '');
    }
    return fail(`fake kubectl: unsupported call ${args.join(' ')}`);
  }

  /** The verbs called so far, e.g. `get configmaps`, `create`, `patch`. */
  verbs(from = 0): string[] {
    return this.calls
      .slice(from)
      .map((a) => (a[0] === 'get' ? `get ${a[1]}` : a[0] === 'delete' && a[1] === '--raw' ? 'delete --raw' : a[0]));
  }

  records(ns: string): Obj[] {
    return [...this.objects.values()].filter((o) => o.metadata.namespace === ns && o.kind === 'ConfigMap');
  }
}
