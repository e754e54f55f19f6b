/** JSON merge patch (RFC 7386), strategic merge patch (the common Kubernetes list keys) and JSON patch (RFC 6902). */
import { badRequest, ApiError } from './errors.js';
import { clone, isObject, same } from './json.js';
import type { JsonObject } from './types.js';

/**
 * The merge key of a list field of a built-in kind, by field name, or undefined for lists that are replaced whole.
 * `ports` is keyed by `containerPort` in containers and by `port` in Services.
 */
export function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
    case 'resourceClaims':
    case 'schedulingGates':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    case 'ownerReferences':
      return 'uid';
    case 'conditions':
      return 'type';
    case 'ports': {
      const first = items.find(isObject);
      if (first && 'containerPort' in first) return 'containerPort';
      if (first && 'port' in first) return 'port';
      return 'containerPort';
    }
    default:
      return undefined;
  }
}

/** Lists of scalars that are merged as sets by a strategic merge patch. */
export const isPrimitiveMergeList = (field: string): boolean => field === 'finalizers';

// ---------------------------------------------------------------- JSON merge patch

export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k], v);
  }
  return out;
}

// ---------------------------------------------------------------- strategic merge patch

const DIRECTIVE = '$patch';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';
const RETAIN_KEYS = '$retainKeys';

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((i) => !(isObject(i) && i[DIRECTIVE] === 'delete')).map(stripDirectives);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(v)) {
    if (k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(SET_ORDER) || k.startsWith(DELETE_PRIMITIVE)) continue;
    if (val === null) continue;
    out[k] = stripDirectives(val);
  }
  return out;
}

function mergeList(current: unknown, patch: unknown[], field: string): unknown[] {
  if (patch.some((i) => isObject(i) && i[DIRECTIVE] === 'replace'))
    return stripDirectives(patch.filter((i) => !(isObject(i) && i[DIRECTIVE] === 'replace'))) as unknown[];
  const cur = Array.isArray(current) ? clone(current) : [];
  if (isPrimitiveMergeList(field)) {
    for (const v of patch) if (!cur.some((c) => same(c, v))) cur.push(clone(v));
    return cur;
  }
  const key = mergeKeyFor(field, [...patch, ...cur]);
  if (!key || !patch.every(isObject)) return stripDirectives(patch) as unknown[];
  for (const item of patch as JsonObject[]) {
    const idx = cur.findIndex((c) => isObject(c) && c[key] === item[key]);
    if (item[DIRECTIVE] === 'delete') {
      if (idx >= 0) cur.splice(idx, 1);
      continue;
    }
    if (idx >= 0) cur[idx] = strategicMergePatch(cur[idx], item);
    else cur.push(stripDirectives(item));
  }
  return cur;
}

function applyOrder(list: unknown, order: unknown[], field: string): unknown {
  if (!Array.isArray(list)) return list;
  const key = isPrimitiveMergeList(field) ? undefined : mergeKeyFor(field, list);
  const id = (v: unknown): string => JSON.stringify(key && isObject(v) ? v[key] : v);
  const rank = new Map(order.map((o, i) => [id(o), i]));
  const indexed = list.map((v, i) => ({ v, i, r: rank.has(id(v)) ? rank.get(id(v))! : order.length + i }));
  indexed.sort((a, b) => a.r - b.r || a.i - b.i);
  return indexed.map((x) => x.v);
}

/** Strategic merge patch with the directives kubectl sends ($patch, $setElementOrder, $retainKeys, $deleteFromPrimitiveList). */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch[DIRECTIVE] === 'replace') return stripDirectives(patch);
  if (patch[DIRECTIVE] === 'delete') return undefined;
  const out: JsonObject = isObject(target) ? clone(target) : {};
  const orders: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === DIRECTIVE || k === RETAIN_KEYS) continue;
    if (k.startsWith(SET_ORDER)) {
      if (Array.isArray(v)) orders.push([k.slice(SET_ORDER.length), v]);
      continue;
    }
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const field = k.slice(DELETE_PRIMITIVE.length);
      if (Array.isArray(out[field]) && Array.isArray(v)) {
        const drop = new Set(v.map((x) => JSON.stringify(x)));
        out[field] = (out[field] as unknown[]).filter((x) => !drop.has(JSON.stringify(x)));
      }
      continue;
    }
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(out[k], v, k);
    else if (isObject(v)) {
      const merged = strategicMergePatch(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  if (Array.isArray(patch[RETAIN_KEYS])) {
    const keep = new Set(patch[RETAIN_KEYS] as string[]);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  for (const [field, order] of orders) if (field in out) out[field] = applyOrder(out[field], order, field);
  return out;
}

// ---------------------------------------------------------------- JSON patch

function unescape(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

function splitPointer(ptr: string): string[] {
  if (ptr === '') return [];
  if (!ptr.startsWith('/')) throw badRequest(`invalid JSON pointer ${JSON.stringify(ptr)}`);
  return ptr.slice(1).split('/').map(unescape);
}

function parentOf(doc: unknown, segs: string[]): { parent: any; last: string } {
  let cur: any = doc;
  for (const s of segs.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object' || !(s in cur))
      throw new ApiError(422, 'Invalid', `jsonpatch: path segment ${JSON.stringify(s)} not found`);
    cur = cur[s];
  }
  return { parent: cur, last: segs[segs.length - 1] };
}

function getAt(doc: unknown, ptr: string): unknown {
  let cur: any = doc;
  for (const s of splitPointer(ptr)) {
    if (cur === null || typeof cur !== 'object' || !(s in cur))
      throw new ApiError(422, 'Invalid', `jsonpatch: value at ${ptr} not found`);
    cur = cur[s];
  }
  return cur;
}

function removeAt(doc: unknown, ptr: string): unknown {
  const { parent, last } = parentOf(doc, splitPointer(ptr));
  if (Array.isArray(parent)) return parent.splice(Number(last), 1)[0];
  if (parent === null || typeof parent !== 'object' || !(last in parent))
    throw new ApiError(422, 'Invalid', `jsonpatch remove operation does not apply: doc is missing key: ${ptr}`);
  const v = parent[last];
  delete parent[last];
  return v;
}

function addAt(doc: unknown, ptr: string, value: unknown, replace: boolean): unknown {
  const segs = splitPointer(ptr);
  if (segs.length === 0) return clone(value);
  const { parent, last } = parentOf(doc, segs);
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : Number(last);
    if (replace) parent[idx] = clone(value);
    else parent.splice(idx, 0, clone(value));
  } else if (parent !== null && typeof parent === 'object') {
    if (replace && !(last in parent))
      throw new ApiError(422, 'Invalid', `jsonpatch replace operation does not apply: doc is missing key: ${ptr}`);
    parent[last] = clone(value);
  } else throw new ApiError(422, 'Invalid', `jsonpatch: cannot add at ${ptr}`);
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  let doc = clone(target);
  for (const op of ops as JsonObject[]) {
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, op.value, false);
        break;
      case 'replace':
        doc = addAt(doc, op.path, op.value, true);
        break;
      case 'remove':
        removeAt(doc, op.path);
        break;
      case 'move': {
        const v = removeAt(doc, op.from);
        doc = addAt(doc, op.path, v, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, op.path, getAt(doc, op.from), false);
        break;
      case 'test':
        if (!same(getAt(doc, op.path), op.value)) throw new ApiError(422, 'Invalid', `testing value ${op.path} failed`);
        break;
      default:
        throw badRequest(`unexpected JSON patch operation ${JSON.stringify(op.op)}`);
    }
  }
  return doc;
}
