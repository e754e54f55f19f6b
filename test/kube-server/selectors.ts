/** Label selectors (`a=b,c!=d,e in (x,y),f notin (z),g,!h`), LabelSelector objects and field selectors. */
import { badRequest } from './errors.js';
import type { JsonObject, KubeObject } from './types.js';

export type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export type Matcher = (labels: Record<string, string> | undefined) => boolean;

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

export function parseLabelSelector(text: string): Requirement[] {
  const reqs: Requirement[] = [];
  for (const term of splitTerms(text)) {
    let m = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = m[3]
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      reqs.push({ key: m[1], op: m[2] as 'in' | 'notin', values });
      continue;
    }
    m = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(term);
    if (m) {
      reqs.push({ key: m[1], op: m[2] === '!=' ? 'neq' : 'eq', value: m[3] });
      continue;
    }
    m = /^!\s*([^\s!=(),]+)$/.exec(term);
    if (m) {
      reqs.push({ key: m[1], op: 'notexists' });
      continue;
    }
    m = /^([^\s!=(),]+)$/.exec(term);
    if (m) {
      reqs.push({ key: m[1], op: 'exists' });
      continue;
    }
    throw badRequest(`unable to parse requirement: found '${term}', expected a label selector term`);
  }
  return reqs;
}

export function matchRequirements(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of reqs) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'eq':
        if (!has || l[r.key] !== r.value) return false;
        break;
      case 'neq':
        if (has && l[r.key] === r.value) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(l[r.key])) return false;
        break;
      case 'notin':
        if (has && r.values.includes(l[r.key])) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
    }
  }
  return true;
}

export function labelMatcher(text: string | null | undefined): Matcher {
  if (!text) return () => true;
  const reqs = parseLabelSelector(text);
  return (labels) => matchRequirements(reqs, labels);
}

/** A `metav1.LabelSelector` (matchLabels + matchExpressions). An empty selector matches everything. */
export function labelSelectorMatcher(sel: JsonObject | undefined): Matcher {
  return (labels) => matchesLabelSelector(sel, labels);
}

export function matchesLabelSelector(sel: JsonObject | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries((sel.matchLabels ?? {}) as Record<string, string>))
    reqs.push({ key, op: 'eq', value });
  for (const e of (sel.matchExpressions ?? []) as JsonObject[]) {
    const op = String(e.operator);
    if (op === 'In') reqs.push({ key: e.key, op: 'in', values: e.values ?? [] });
    else if (op === 'NotIn') reqs.push({ key: e.key, op: 'notin', values: e.values ?? [] });
    else if (op === 'Exists') reqs.push({ key: e.key, op: 'exists' });
    else if (op === 'DoesNotExist') reqs.push({ key: e.key, op: 'notexists' });
  }
  return matchRequirements(reqs, labels);
}

/** The string form of a LabelSelector (for Scale.status.selector and logs). */
export function labelSelectorString(sel: JsonObject | undefined): string {
  if (!sel) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries((sel.matchLabels ?? {}) as Record<string, string>)) parts.push(`${k}=${v}`);
  for (const e of (sel.matchExpressions ?? []) as JsonObject[]) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export type ObjectMatcher = (obj: KubeObject) => boolean;

/** Reads a dotted field path (`metadata.name`, `status.phase`, `involvedObject.uid`) as a string. */
function fieldValue(obj: KubeObject, path: string): string {
  let cur: any = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = cur[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

/**
 * Field selectors: `=`, `==` and `!=` on any dotted path. The real server only allows a few fields per kind
 * (metadata.name, metadata.namespace, status.phase, spec.nodeName, involvedObject.*, type, reason ...);
 * this server accepts any path.
 */
export function fieldMatcher(text: string | null | undefined): ObjectMatcher {
  if (!text) return () => true;
  const terms = splitTerms(text).map((term) => {
    const m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid field selector: '${term}'`);
    return { path: m[1], neg: m[2] === '!=', value: m[3].trim() };
  });
  return (obj) => terms.every((t) => (fieldValue(obj, t.path) === t.value) !== t.neg);
}
