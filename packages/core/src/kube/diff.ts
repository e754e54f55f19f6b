/*
 * The preview of a dry run: `kubectl diff --server-side` of the whole stack in one call, summarised per object.
 * The server computes the merged object exactly as the apply would (same field manager, same force flag).
 * A namespace that does not exist yet makes the server refuse every object in it, so it is checked first (one
 * `get`) and everything in a missing namespace is reported as "created" without asking the server.
 */
import type { KubeObject } from '../objects/object.js';
import { KubectlError } from './errors.js';
import type { Kubectl } from './kubectl.js';
import { applyArgs, type ApplyGroup } from './apply.js';
import { formatRef, groupOf, refOf, type ObjectRef } from '../objects/refs.js';
import { withRetry, type RetryOptions } from '../util/retry.js';
import { stackToYaml } from '../objects/yaml.js';

export interface DiffOptions {
  namespace?: string;
  fieldManager?: string;
  forceConflicts?: boolean;
  retry?: RetryOptions<KubectlError>;
  timeoutMs?: number;
}

export interface DiffSummary {
  /** The slot namespace and whether it exists now. */
  namespace?: { name: string; exists: boolean };
  created: ObjectRef[];
  changed: ObjectRef[];
  unchanged: ObjectRef[];
  /** kubectl's unified diff (empty when nothing changes or nothing was diffed). */
  diff: string;
}

/** `diff --server-side --field-manager=codex-k8s [--force-conflicts] -f -` */
export function diffArgs(options: DiffOptions = {}): string[] {
  const apply = applyArgs({ fieldManager: options.fieldManager, forceConflicts: options.forceConflicts });
  return ['diff', ...apply.slice(1)];
}

/**
 * Whether a file of kubectl diff (`[<group>.]<version>.<Kind>.<namespace>.<name>`) is this object's: same group, kind,
 * namespace and name, in any version of the group (the server may diff in another one); for an object written
 * without a namespace, in whatever namespace kubectl put it. Never one of another group: a CRD may reuse a built-in
 * kind name.
 */
function sameObjectFile(file: string, ref: ObjectRef): boolean {
  if (!file.endsWith(`.${ref.name}`)) return false;
  // Namespace names have no dots; object names may.
  const head = file.slice(0, file.length - ref.name.length - 1);
  const dot = head.lastIndexOf('.');
  if (dot < 0) return false;
  if (ref.namespace !== undefined && head.slice(dot + 1) !== ref.namespace) return false;
  const groupVersionKind = head.slice(0, dot);
  if (!groupVersionKind.endsWith(`.${ref.kind}`)) return false;
  const groupVersion = groupVersionKind.slice(0, groupVersionKind.length - ref.kind.length - 1);
  const versionDot = groupVersion.lastIndexOf('.');
  return (versionDot < 0 ? '' : groupVersion.slice(0, versionDot)) === groupOf(ref.apiVersion);
}

/** The objects a unified diff from kubectl touches, and whether each is new (`@@ -0,0`). */
export function parseDiffFiles(diff: string): Map<string, 'created' | 'changed'> {
  const files = new Map<string, 'created' | 'changed'>();
  let current: string | undefined;
  for (const line of diff.split('\n')) {
    const header = /^diff -u -N (\S+) (\S+)$/.exec(line);
    if (header) {
      current = header[1].split('/').pop()!;
      files.set(current, 'changed');
    } else if (current && line.startsWith('@@ -0,0 ')) {
      files.set(current, 'created');
    }
  }
  return files;
}

export async function diffStack(
  kubectl: Kubectl,
  groups: readonly ApplyGroup[],
  options: DiffOptions = {},
): Promise<DiffSummary> {
  const objects: KubeObject[] = groups.flatMap((g) => g.documents.map((d) => d.object));
  const summary: DiffSummary = { created: [], changed: [], unchanged: [], diff: '' };
  const ns = options.namespace?.trim() || undefined;
  let toDiff = objects;
  if (ns) {
    const found = await withRetry(
      () => kubectl.run(['get', 'namespace', ns, '--ignore-not-found', '-o', 'name'], { timeoutMs: options.timeoutMs }),
      options.retry,
    );
    const exists = found.trim() !== '';
    summary.namespace = { name: ns, exists };
    if (!exists) {
      const inMissing = (o: KubeObject) =>
        o.metadata?.namespace === ns || (o.kind === 'Namespace' && o.metadata?.name === ns);
      summary.created.push(...objects.filter(inMissing).map(refOf));
      toDiff = objects.filter((o) => !inMissing(o));
    }
  }
  if (toDiff.length === 0) return summary;

  const input = stackToYaml(toDiff.map((object) => ({ object })));
  const res = await withRetry(async () => {
    const r = await kubectl.exec(diffArgs(options), { input, timeoutMs: options.timeoutMs });
    // 0: no differences, 1: differences, anything else: kubectl or the server failed.
    if (r.code > 1 || r.timedOut) throw new KubectlError(diffArgs(options), r.code, r.stderr, r.timedOut);
    return r;
  }, options.retry);
  summary.diff = res.stdout;
  const files = parseDiffFiles(res.stdout);
  for (const obj of toDiff) {
    const ref = refOf(obj);
    const state = [...files.entries()].find(([f]) => sameObjectFile(f, ref))?.[1];
    if (state === 'created') summary.created.push(ref);
    else if (state === 'changed') summary.changed.push(ref);
    else summary.unchanged.push(ref);
  }
  return summary;
}

/** A short summary: counts and object names, then (Markdown) the diff in a collapsed block. */
export function formatDiffSummary(summary: DiffSummary, format: 'text' | 'markdown' = 'text'): string {
  const lines: string[] = [];
  const list = (title: string, refs: ObjectRef[]) => {
    if (!refs.length) return;
    lines.push(format === 'markdown' ? `**${title}** (${refs.length})` : `${title} (${refs.length}):`);
    for (const r of refs) lines.push(format === 'markdown' ? `- \`${formatRef(r)}\`` : `  ${formatRef(r)}`);
  };
  if (summary.namespace && !summary.namespace.exists)
    lines.push(`namespace ${summary.namespace.name} does not exist yet: everything in it would be created`);
  list('would be created', summary.created);
  list('would change', summary.changed);
  list('unchanged', summary.unchanged);
  if (!summary.created.length && !summary.changed.length) lines.push('no changes');
  if (format === 'markdown' && summary.diff.trim())
    lines.push(
      '',
      '<details><summary>kubectl diff</summary>',
      '',
      '```diff',
      summary.diff.trimEnd(),
      '```',
      '',
      '</details>',
    );
  return lines.join('\n');
}
