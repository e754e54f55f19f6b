/**
 * Server-side apply and managedFields.
 *
 * A simple but honest model: every manager owns a set of leaf field paths (`f:spec`, `f:replicas`; keyed list
 * items as `k:{"name":"c"}`; set-list values as `v:"x"`; other lists are atomic leaves). An apply conflicts when
 * another manager owns one of the applied leaf paths and the object's value there differs from the applied one.
 * Fields a manager applied before and no longer applies are removed unless another manager owns them.
 * Non-apply writes (create, update, patch) give the changed leaves to their manager and take them from the others.
 */
import { ApiError } from './errors.js';
import { clone, isObject, same } from './json.js';
import { isPrimitiveMergeList, mergeKeyFor } from './patch.js';
import { groupVersion, type ResourceInfo } from './resources.js';
import { nowIso } from './store.js';
import type { JsonObject, KubeObject, ManagedFieldsEntry } from './types.js';

type Path = string[];

const IGNORED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

function keySegment(item: JsonObject, key: string): string {
  return `k:${JSON.stringify({ [key]: item[key] })}`;
}

function collect(value: unknown, path: Path, field: string, builtin: boolean, out: Map<string, Path>): void {
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== null && value[k] !== undefined);
    if (keys.length === 0) {
      out.set(JSON.stringify(path), path);
      return;
    }
    for (const k of keys) collect(value[k], [...path, `f:${k}`], k, builtin, out);
    return;
  }
  if (Array.isArray(value) && builtin) {
    const key = mergeKeyFor(field, value);
    if (key && value.length > 0 && value.every((i) => isObject(i) && i[key] !== undefined)) {
      for (const item of value as JsonObject[]) collect(item, [...path, keySegment(item, key)], '', builtin, out);
      return;
    }
    if (isPrimitiveMergeList(field) && value.length > 0) {
      for (const v of value)
        out.set(JSON.stringify([...path, `v:${JSON.stringify(v)}`]), [...path, `v:${JSON.stringify(v)}`]);
      return;
    }
  }
  out.set(JSON.stringify(path), path);
}

/** The leaf paths of an object that field management tracks. */
export function fieldSet(obj: KubeObject, ri: ResourceInfo): Map<string, Path> {
  const out = new Map<string, Path>();
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || v === null || v === undefined) continue;
    if (k === 'status' && ri.subresources?.includes('status')) continue;
    if (k === 'metadata' && isObject(v)) {
      for (const [mk, mv] of Object.entries(v)) {
        if (IGNORED_META.has(mk) || mv === null || mv === undefined) continue;
        collect(mv, ['f:metadata', `f:${mk}`], mk, ri.builtin, out);
      }
      continue;
    }
    collect(v, [`f:${k}`], k, ri.builtin, out);
  }
  return out;
}

function step(cur: unknown, seg: string): unknown {
  if (seg.startsWith('f:')) return isObject(cur) ? cur[seg.slice(2)] : undefined;
  if (seg.startsWith('k:')) {
    if (!Array.isArray(cur)) return undefined;
    const want = JSON.parse(seg.slice(2)) as JsonObject;
    const [[k, v]] = Object.entries(want);
    return cur.find((i) => isObject(i) && same(i[k], v));
  }
  if (seg.startsWith('v:')) {
    if (!Array.isArray(cur)) return undefined;
    const want = JSON.parse(seg.slice(2));
    return cur.some((i) => same(i, want)) ? want : undefined;
  }
  return undefined;
}

export function valueAt(obj: unknown, path: Path): unknown {
  let cur = obj;
  for (const seg of path) {
    cur = step(cur, seg);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Removes the value at a path, then removes the maps and keyed list items that became empty because of it. */
export function deleteAt(obj: JsonObject, path: Path): void {
  const chain: unknown[] = [obj];
  let cur: unknown = obj;
  for (const seg of path.slice(0, -1)) {
    cur = step(cur, seg);
    if (cur === undefined || cur === null || typeof cur !== 'object') return;
    chain.push(cur);
  }
  const removeFrom = (container: unknown, seg: string): void => {
    if (seg.startsWith('f:') && isObject(container)) delete container[seg.slice(2)];
    else if ((seg.startsWith('k:') || seg.startsWith('v:')) && Array.isArray(container)) {
      const target = step(container, seg);
      const idx = seg.startsWith('v:') ? container.findIndex((i) => same(i, target)) : container.indexOf(target);
      if (idx >= 0) container.splice(idx, 1);
    }
  };
  removeFrom(chain[chain.length - 1], path[path.length - 1]);
  for (let i = path.length - 2; i >= 1; i--) {
    const node = chain[i + 1];
    const empty = (isObject(node) && Object.keys(node).length === 0) || (Array.isArray(node) && node.length === 0);
    if (!empty) break;
    removeFrom(chain[i], path[i]);
  }
}

/** `.spec.template.spec.containers[name="c"].image` */
export function formatPath(path: Path): string {
  return path
    .map((seg) => {
      if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
      if (seg.startsWith('k:')) {
        const obj = JSON.parse(seg.slice(2)) as JsonObject;
        return `[${Object.entries(obj)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      if (seg.startsWith('v:')) return `[${seg.slice(2)}]`;
      return seg;
    })
    .join('');
}

function toFieldsV1(paths: Iterable<Path>): JsonObject {
  const root: JsonObject = {};
  for (const p of paths) {
    let node = root;
    for (const seg of p) node = node[seg] ??= {};
  }
  return root;
}

function fromFieldsV1(tree: unknown, prefix: Path = [], out = new Map<string, Path>()): Map<string, Path> {
  if (!isObject(tree)) return out;
  const keys = Object.keys(tree);
  if (keys.length === 0 && prefix.length) out.set(JSON.stringify(prefix), prefix);
  for (const k of keys) {
    if (k === '.') continue;
    fromFieldsV1(tree[k], [...prefix, k], out);
  }
  return out;
}

interface Entry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time: string;
  fields: Map<string, Path>;
}

function readEntries(obj: KubeObject | undefined): Entry[] {
  const mf = obj?.metadata?.managedFields;
  if (!Array.isArray(mf)) return [];
  return mf
    .filter((e) => isObject(e) && typeof e.manager === 'string')
    .map((e) => ({
      manager: e.manager,
      operation: e.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: e.apiVersion ?? '',
      subresource: e.subresource,
      time: e.time ?? nowIso(),
      fields: fromFieldsV1(e.fieldsV1),
    }));
}

function writeEntries(obj: KubeObject, entries: Entry[]): void {
  const out: ManagedFieldsEntry[] = entries
    .filter((e) => e.fields.size > 0)
    .map((e) => {
      const m: ManagedFieldsEntry = {
        manager: e.manager,
        operation: e.operation,
        apiVersion: e.apiVersion,
        time: e.time,
        fieldsType: 'FieldsV1',
        fieldsV1: toFieldsV1(e.fields.values()),
      };
      if (e.subresource) m.subresource = e.subresource;
      return m;
    });
  if (out.length) obj.metadata.managedFields = out;
  else delete obj.metadata.managedFields;
}

function entryFor(
  entries: Entry[],
  manager: string,
  operation: 'Apply' | 'Update',
  ri: ResourceInfo,
  sub?: string,
): Entry {
  let e = entries.find((x) => x.manager === manager && x.operation === operation && x.subresource === sub);
  if (!e) {
    e = { manager, operation, apiVersion: groupVersion(ri), subresource: sub, time: nowIso(), fields: new Map() };
    entries.push(e);
  }
  e.time = nowIso();
  e.apiVersion = groupVersion(ri);
  return e;
}

/**
 * Updates `next.metadata.managedFields` after a create/update/patch by `manager`.
 * If the request itself changed managedFields (kubectl's client-side-apply migration does), those are kept as the base.
 */
export function recordUpdate(
  prev: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  ri: ResourceInfo,
  subresource?: string,
): void {
  const requested = next.metadata.managedFields;
  const base = prev && requested !== undefined && !same(requested, prev.metadata.managedFields) ? next : prev;
  const entries = readEntries(base);
  const before = prev ? fieldSet(prev, ri) : new Map<string, Path>();
  const after = fieldSet(next, ri);
  const changed: string[] = [];
  for (const [k, p] of after) if (!before.has(k) || !same(valueAt(prev, p), valueAt(next, p))) changed.push(k);
  for (const k of before.keys()) if (!after.has(k)) changed.push(k);
  if (changed.length > 0) {
    for (const e of entries) for (const k of changed) e.fields.delete(k);
    const mine = entryFor(entries, manager, 'Update', ri, subresource);
    for (const k of changed) if (after.has(k)) mine.fields.set(k, after.get(k)!);
  }
  writeEntries(next, entries);
}

function mergeApplied(base: unknown, applied: unknown, field: string, builtin: boolean): unknown {
  if (isObject(applied)) {
    const out: JsonObject = isObject(base) ? clone(base) : {};
    for (const [k, v] of Object.entries(applied)) {
      if (v === null || v === undefined) continue;
      out[k] = mergeApplied(out[k], v, k, builtin);
    }
    return out;
  }
  if (Array.isArray(applied) && builtin && Array.isArray(base)) {
    const key = mergeKeyFor(field, applied);
    if (key && applied.every((i) => isObject(i) && i[key] !== undefined)) {
      const rest = (base as unknown[]).filter((b) => !(isObject(b) && applied.some((a) => same(a[key], b[key]))));
      const merged = (applied as JsonObject[]).map((a) => {
        const existing = (base as unknown[]).find((b) => isObject(b) && same(b[key], a[key]));
        return mergeApplied(existing, a, '', builtin);
      });
      return [...merged, ...rest];
    }
    if (isPrimitiveMergeList(field)) {
      const out = [...applied];
      for (const b of base) if (!out.some((a) => same(a, b))) out.push(b);
      return out;
    }
  }
  return clone(applied);
}

/**
 * Server-side apply of `applied` by `manager` onto `current` (undefined: the object is created).
 * Throws 409 Conflict (reason `Conflict`, causes `FieldManagerConflict`) unless `force`.
 */
export function serverSideApply(
  current: KubeObject | undefined,
  applied: KubeObject,
  manager: string,
  force: boolean,
  ri: ResourceInfo,
  subresource?: string,
): KubeObject {
  const appliedFields = fieldSet(applied, ri);
  if (!current) {
    const obj = clone(applied);
    delete obj.metadata.managedFields;
    const entries: Entry[] = [];
    const mine = entryFor(entries, manager, 'Apply', ri, subresource);
    for (const [k, p] of appliedFields) mine.fields.set(k, p);
    writeEntries(obj, entries);
    return obj;
  }
  const entries = readEntries(current);
  const mine = entryFor(entries, manager, 'Apply', ri, subresource);
  const conflicts: { manager: string; path: Path }[] = [];
  for (const e of entries) {
    if (e === mine) continue;
    for (const [k, p] of appliedFields) {
      if (!e.fields.has(k)) continue;
      if (same(valueAt(current, p), valueAt(applied, p))) continue;
      conflicts.push({ manager: e.manager, path: p });
      if (force) e.fields.delete(k);
    }
  }
  if (conflicts.length && !force) {
    const gv = groupVersion(ri);
    const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${gv}: ${formatPath(c.path)}`);
    const message =
      conflicts.length === 1
        ? `Apply failed with 1 conflict: ${lines[0]}`
        : `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
    throw new ApiError(409, 'Conflict', message, {
      causes: conflicts.map((c) => ({
        type: 'FieldManagerConflict',
        message: `conflict with "${c.manager}" using ${gv}`,
        field: formatPath(c.path),
      })),
    });
  }
  const result = clone(current);
  for (const [k, p] of mine.fields) {
    if (appliedFields.has(k)) continue;
    if (entries.some((e) => e !== mine && e.fields.has(k))) continue;
    deleteAt(result, p);
  }
  const merged = mergeApplied(result, { ...applied, metadata: { ...applied.metadata } }, '', ri.builtin) as KubeObject;
  for (const k of IGNORED_META)
    if (k in current.metadata) merged.metadata[k] = clone(current.metadata[k]);
    else delete merged.metadata[k];
  if (ri.subresources?.includes('status') && !subresource) {
    if (current.status !== undefined) merged.status = clone(current.status);
    else delete merged.status;
  }
  mine.fields = appliedFields;
  writeEntries(merged, entries);
  return merged;
}
