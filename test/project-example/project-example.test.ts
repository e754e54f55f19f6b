import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { deepDiff, formatPathParts, parseStream, type LeafDiff } from '../support/yaml-diff.js';

/*
 * The real project that drove the predecessor, with the predecessor's own output. `config --raw` must match it
 * byte for byte. `render` must match it document by document, where every difference is one of the documented
 * improvements (README, "Differences from codexctl"), each recognised by its own rule below.
 */
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/project-example');
const CONFIG = path.join(FIXTURE, 'input/services.yaml');
const ENV = { CODEXCTL_CODE_ROOT_BASE: '/workspace/codex/envs' };
const CASES = [
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

const expectedFile = (name: string) => readFileSync(path.join(FIXTURE, 'expected', name), 'utf8');
const args = (env: string, slot: number) => ['-c', CONFIG, '--env', env, ...(slot ? ['--slot', String(slot)] : [])];

type Category = 'ownership labels' | 'pull policy' | 'generalised workload overlays';

function classify(diff: LeafDiff, doc: any, c: (typeof CASES)[number]): Category | undefined {
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

describe('project-example, the predecessor’s real project', () => {
  for (const c of CASES) {
    it(`config --raw for ${c.env}${c.slot ? ` slot ${c.slot}` : ''} equals the predecessor’s template output byte for byte`, async () => {
      const res = await runCli(['config', ...args(c.env, c.slot), '--raw'], { env: ENV });
      expect(res.stderr).not.toMatch(/^error/m);
      expect(res.code).toBe(0);
      expect(res.stdout).toBe(expectedFile(`services-rendered-${c.env}.yaml`));
    });

    it(`render for ${c.env}${c.slot ? ` slot ${c.slot}` : ''} equals the predecessor’s stack up to documented improvements`, async () => {
      const res = await runCli(['render', ...args(c.env, c.slot)], { env: ENV });
      expect(res.stderr).not.toMatch(/^error/m);
      expect(res.code).toBe(0);
      const expected = parseStream(expectedFile(`stack-${c.env}.yaml`));
      const actual = parseStream(res.stdout);
      const ident = (d: any) => `${d.kind}/${d.metadata?.namespace ?? ''}/${d.metadata?.name}`;
      expect(actual.map(ident)).toEqual(expected.map(ident));
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
      process.stdout.write(
        `project-example ${c.env}: ${actual.length} documents, differences ${JSON.stringify(counts)}\n`,
      );
      expect(unexplained).toEqual([]);
      // Every object carries the ownership labels, so the comparison really saw them.
      expect(counts['ownership labels']).toBeGreaterThanOrEqual(actual.length);
    });
  }

  it('warns about what the project gets wrong, naming file, line and field', async () => {
    const res = await runCli(['render', ...args('ai', 3)], { env: ENV });
    expect(res.code).toBe(0);
    // The preamble's trim markers swallow `project:`; the name as written is used and the user is told why.
    expect(res.stderr).toMatch(/services\.yaml:12:1: project: is lost after templating/);
    // `service.host` is not a field of the model.
    expect(res.stderr).toMatch(/services\.yaml:\d+:\d+: codex\.mcp\.servers\[1\]\.service\.host: unknown key/);
    // Service images that the images: block never builds.
    expect(res.stderr).toMatch(
      /services\[2\]\.image\.repository: ".*\/project-example\/users" is not built or mirrored by any images: entry.*\/project-example\/internal\/users/,
    );
  });
});
