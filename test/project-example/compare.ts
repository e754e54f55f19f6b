/**
 * The comparison of a render of the predecessor's real project with the predecessor's own output, shared by the
 * test through the built CLI (project-example.test.ts) and the one in process (in-process.test.ts), which mutation
 * testing runs against the sources.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/cli.js';
import { deepDiff, formatPathParts, parseStream, type LeafDiff } from '../support/yaml-diff.js';

export const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/project-example');
export const CONFIG = path.join(FIXTURE, 'input/services.yaml');
export const ENV = { CODEXCTL_CODE_ROOT_BASE: '/workspace/codex/envs' };
export const CASES = [
  { env: 'ai', slot: 3, pullPolicy: 'IfNotPresent' },
  { env: 'dev', slot: 0, pullPolicy: 'IfNotPresent' },
  { env: 'ai-staging', slot: 0, pullPolicy: 'Always' },
  { env: 'ai-repair', slot: 0, pullPolicy: 'IfNotPresent' },
];
const SERVICES = new Set(['chat-web', 'chat-gateway', 'users', 'messages', 'messages-cleaner', 'codex']);
const OUR_LABELS = [
  'app.kubernetes.io/managed-by',
  'codex-k8s.io/project',
  'codex-k8s.io/env',
  'codex-k8s.io/slot',
  'codex-k8s.io/infra',
  'codex-k8s.io/service',
];
/** Names of the infra groups and of the services, as the component labels carry them. */
const COMPONENTS = (() => {
  const text = readFileSync(CONFIG, 'utf8');
  const names = (part: string) => new Set([...part.matchAll(/^ {2}- name: (\S+)$/gm)].map((m) => m[1].toLowerCase()));
  const at = text.indexOf('\nservices:\n');
  return { infra: names(text.slice(0, at)), service: names(text.slice(at)) };
})();

export const expectedFile = (name: string) => readFileSync(path.join(FIXTURE, 'expected', name), 'utf8');
export const args = (env: string, slot: number) => [
  '-c',
  CONFIG,
  '--env',
  env,
  ...(slot ? ['--slot', String(slot)] : []),
];

type Category = 'ownership labels' | 'pull policy' | 'generalised workload overlays';

function classify(diff: LeafDiff, doc: any, c: Case): Category | undefined {
  const p = diff.path;
  const labelsAdded = (labels: unknown, slot: number) =>
    !!labels &&
    typeof labels === 'object' &&
    Object.entries(labels).every(([k, v]) => OUR_LABELS.includes(k) && v === expectedLabel(k, c.env, slot, v));
  if (p.length === 3 && p[0] === 'metadata' && p[1] === 'labels' && diff.expected === undefined) {
    if (OUR_LABELS.includes(String(p[2])) && diff.actual === expectedLabel(String(p[2]), c.env, c.slot, diff.actual))
      return 'ownership labels';
  }
  if (
    p.length === 2 &&
    p[0] === 'metadata' &&
    p[1] === 'labels' &&
    diff.expected === undefined &&
    labelsAdded(diff.actual, c.slot)
  ) {
    return 'ownership labels';
  }
  const containerField = p.length >= 3 && ['containers', 'initContainers'].includes(String(p[p.length - 3]));
  if (
    containerField &&
    p[p.length - 1] === 'imagePullPolicy' &&
    diff.expected === undefined &&
    diff.actual === c.pullPolicy
  ) {
    return 'pull policy';
  }
  // The predecessor only touched a Deployment named like the service; other workload kinds now get the same
  // image override and mounts.
  const generalised = doc.kind !== 'Deployment' && SERVICES.has(doc.metadata?.name) && p.includes('spec');
  const tail = p.map(String);
  if (generalised && (tail.includes('image') || tail.includes('volumeMounts') || tail.includes('volumes'))) {
    return 'generalised workload overlays';
  }
  return undefined;
}

function expectedLabel(key: string, env: string, slot: number, actual?: unknown): string | undefined {
  if (key === 'codex-k8s.io/infra' || key === 'codex-k8s.io/service') {
    const names = key === 'codex-k8s.io/infra' ? COMPONENTS.infra : COMPONENTS.service;
    return typeof actual === 'string' && names.has(actual) ? actual : undefined;
  }
  return {
    'app.kubernetes.io/managed-by': 'codex-k8s',
    'codex-k8s.io/project': 'project-example',
    'codex-k8s.io/env': env,
    'codex-k8s.io/slot': slot ? String(slot) : undefined,
  }[key];
}

export type Case = (typeof CASES)[number];

/** Differences of a rendered stream from the predecessor's, by documented category, and those no rule explains. */
export function compareStack(
  actualText: string,
  c: Case,
): { documents: number; counts: Record<string, number>; unexplained: string[]; identities: [string[], string[]] } {
  const expected = parseStream(expectedFile(`stack-${c.env}.yaml`));
  const actual = parseStream(actualText);
  const ident = (d: any) => `${d.kind}/${d.metadata?.namespace ?? ''}/${d.metadata?.name}`;
  const counts: Record<string, number> = {};
  const unexplained: string[] = [];
  expected.forEach((exp, i) => {
    for (const diff of deepDiff(exp, actual[i])) {
      const category = classify(diff, actual[i], c);
      if (category) counts[category] = (counts[category] ?? 0) + 1;
      else
        unexplained.push(
          `${ident(exp)}${formatPathParts(diff.path)}: expected ${JSON.stringify(diff.expected)}, got ${JSON.stringify(diff.actual)}`,
        );
    }
  });
  return { documents: actual.length, counts, unexplained, identities: [actual.map(ident), expected.map(ident)] };
}
