/**
 * Destroy and cleanup delete only namespaces that are ours: labelled for the project, or named by one of its slot
 * records (the predecessor's slots). Real kubectl against the test server.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { applyStack, namespaceLabels } from '../../packages/core/src/kube/apply.js';
import { destroySlot } from '../../packages/core/src/kube/destroy.js';
import { cleanupSlots } from '../../packages/core/src/operations/cleanup.js';
import { destroyEnvironment } from '../../packages/core/src/operations/destroy-environment.js';
import type { Reporter } from '../../packages/core/src/util/reporter.js';
import { UserError } from '../../packages/core/src/util/errors.js';
import { useKubeServer, yamlStream } from '../kube-server/harness.js';
import { MANIFESTS, SERVICES_YAML, kubectlOf, load, render, writeProject } from './project.js';

const fast = { initialDelayMs: 50 };
const CONFIG = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai: {}\n',
);

function recorder(): Reporter & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    info: () => undefined,
    warning: (m) => warnings.push(m),
    debug: () => undefined,
    group: (_t, body) => body(),
    summary: () => undefined,
  };
}

const namespaceDoc = (name: string, labels: Record<string, string> = {}) =>
  yamlStream(
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels:\n` +
      (Object.keys(labels).length
        ? Object.entries(labels)
            .map(([k, v]) => `    ${k}: "${v}"`)
            .join('\n')
        : '    team: someone-else'),
  );

/** A slot record as the predecessor wrote it: its data keys only, no labels of ours. */
const predecessorRecord = (slot: number, namespace: string) =>
  yamlStream(`apiVersion: v1
kind: ConfigMap
metadata:
  name: codex-env-${slot}
  namespace: codex-system
data:
  slot: "${slot}"
  env: ai
  namespace: ${namespace}
  owner: manual
  issue: "0"
  pr: "0"
  createdAt: "2026-01-01T00:00:00Z"`);

describe('namespace ownership of destroy and cleanup', () => {
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 50 });
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
  const project = () => {
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    roots.push(root);
    return root;
  };
  const loadOf = (root: string, namespace?: string, slot = 1) => ({
    config: join(root, 'services.yaml'),
    env: 'ai',
    slot,
    namespace,
    cwd: root,
    processEnv: { PATH: process.env.PATH },
  });
  const exists = (ns: string) => h.server.store.get('Namespace', undefined, ns) !== undefined;
  const destroyNs = (root: string, namespace: string, extra: { dryRun?: boolean; force?: boolean } = {}) =>
    destroyEnvironment({
      load: loadOf(root, namespace),
      client: kubectlOf(h),
      reporter: recorder(),
      forceHint: 'pass --force to delete it anyway',
      ...extra,
    });

  it('refuses a namespace without our labels, with or without dry-run, naming what is missing', async () => {
    const root = project();
    await h.kubectl(['apply', '-f', '-'], { stdin: namespaceDoc('foreign-prod') });
    await h.kubectl(['create', 'configmap', 'keep-me', '-n', 'foreign-prod', '--from-literal=a=b']);
    const message =
      'namespace foreign-prod is not managed by codex-k8s for project shop: it has no label ' +
      'app.kubernetes.io/managed-by=codex-k8s and no slot record names it; pass --force to delete it anyway';
    for (const dryRun of [false, true]) {
      const err = await destroyNs(root, 'foreign-prod', { dryRun }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toBe(message);
    }
    expect(exists('foreign-prod')).toBe(true);
    expect(h.server.store.get('ConfigMap', 'foreign-prod', 'keep-me')).toBeDefined();
    expect(h.server.kubectlInvocations().map((i) => i.command)).not.toContain('kubectl delete');
  });

  it('refuses kube-*, default and the state namespace even with force, without asking the cluster', async () => {
    const root = project();
    await h.kubectl(['create', 'namespace', 'codex-system']);
    h.server.clearRequests();
    for (const ns of ['kube-system', 'kube-public', 'default', 'codex-system'])
      for (const extra of [{ force: true }, { force: true, dryRun: true }, {}]) {
        const err = await destroyNs(root, ns, extra).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UserError);
        expect((err as Error).message).toMatch(new RegExp(`^namespace ${ns} .*never deletes it, even with --force$`));
        expect(exists(ns)).toBe(true);
      }
    expect(h.server.kubectlInvocations()).toEqual([]);
  });

  it('refuses a namespace labelled for another project, even when a slot record names it', async () => {
    const root = project();
    await h.kubectl(['apply', '-f', '-'], {
      stdin: namespaceDoc('other-dev-1', namespaceLabels('other', 'ai', 1)),
    });
    const err = await destroyNs(root, 'other-dev-1').catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'namespace other-dev-1 is not managed by codex-k8s for project shop: it belongs to project other ' +
        '(label codex-k8s.io/project=other); pass --force to delete it anyway',
    );
    // The same through destroySlot with a record vouching for it: the label wins.
    const r = await destroySlot(kubectlOf(h), {
      namespace: 'other-dev-1',
      owner: { project: 'shop', namedByRecord: true },
      retry: fast,
    });
    expect(r.ok).toBe(false);
    expect(r.namespace.refused).toBe(true);
    expect(exists('other-dev-1')).toBe(true);
  });

  it('deletes our own namespace; --force deletes a foreign one and says what it overrode', async () => {
    const root = project();
    const stack = load(root, 1);
    const kubectl = kubectlOf(h);
    await applyStack(kubectl, render(stack).groups, {
      namespace: stack.namespace,
      namespaceLabels: namespaceLabels('shop', 'ai', 1),
      retry: fast,
    });
    const dry = await destroyNs(root, 'shop-dev-1', { dryRun: true });
    expect(dry.namespace).toMatchObject({ name: 'shop-dev-1', existed: true });
    expect(exists('shop-dev-1')).toBe(true);
    const done = await destroyNs(root, 'shop-dev-1');
    expect(done.ok).toBe(true);
    expect(done.namespace.ownership?.basis).toBe('labels');
    expect(exists('shop-dev-1')).toBe(false);

    await h.kubectl(['apply', '-f', '-'], { stdin: namespaceDoc('scratch') });
    const reporter = recorder();
    const forced = await destroyEnvironment({
      load: loadOf(root, 'scratch'),
      client: kubectl,
      reporter,
      force: true,
    });
    expect(forced.ok).toBe(true);
    expect(exists('scratch')).toBe(false);
    expect(reporter.warnings).toEqual([
      '--force overrides: namespace scratch is not managed by codex-k8s for project shop: it has no label app.kubernetes.io/managed-by=codex-k8s and no slot record names it',
    ]);
  });

  it("destroy accepts a predecessor's unlabelled namespace that a slot record names", async () => {
    const root = project();
    await h.kubectl(['create', 'namespace', 'codex-system']);
    await h.kubectl(['apply', '-f', '-'], { stdin: namespaceDoc('shop-dev-7') });
    await h.kubectl(['apply', '-f', '-'], { stdin: predecessorRecord(7, 'shop-dev-7') });
    const r = await destroyNs(root, 'shop-dev-7');
    expect(r.namespace.ownership?.basis).toBe('record');
    expect(exists('shop-dev-7')).toBe(false);
  });

  it('a record naming a namespace its slot does not render vouches for nothing: destroy and cleanup refuse it', async () => {
    const root = project();
    await h.kubectl(['create', 'namespace', 'codex-system']);
    await h.kubectl(['apply', '-f', '-'], { stdin: namespaceDoc('team-prod') });
    await h.kubectl(['create', 'configmap', 'keep-me', '-n', 'team-prod', '--from-literal=a=b']);
    // A hand-edited record: slot 8 of shop renders shop-dev-8, not team-prod.
    await h.kubectl(['apply', '-f', '-'], { stdin: predecessorRecord(8, 'team-prod') });
    const why =
      'namespace team-prod is not managed by codex-k8s for project shop: it has no label ' +
      'app.kubernetes.io/managed-by=codex-k8s and the record of slot 8 names it, but services.yaml gives slot 8 the namespace shop-dev-8';
    for (const dryRun of [true, false]) {
      const err = await destroyNs(root, 'team-prod', { dryRun }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toBe(`${why}; pass --force to delete it anyway`);
    }
    for (const dryRun of [true, false]) {
      const result = await cleanupSlots({
        load: { config: join(root, 'services.yaml'), env: 'ai', cwd: root, processEnv: { PATH: process.env.PATH } },
        slot: 8,
        client: kubectlOf(h),
        reporter: recorder(),
        dryRun,
      });
      expect(result.released).toEqual([]);
      expect(result.problems).toEqual([`slot 8 (team-prod): ${why}`]);
    }
    expect(exists('team-prod')).toBe(true);
    expect(h.server.store.get('ConfigMap', 'team-prod', 'keep-me')).toBeDefined();
    expect(h.server.store.get('ConfigMap', 'codex-system', 'codex-env-8')).toBeDefined();
  });

  it("cleanup removes a predecessor's slot (record, no labels) and refuses records naming protected or foreign namespaces", async () => {
    const root = project();
    await h.kubectl(['create', 'namespace', 'codex-system']);
    await h.kubectl(['apply', '-f', '-'], { stdin: namespaceDoc('shop-dev-3') });
    await h.kubectl(['apply', '-f', '-'], {
      stdin: namespaceDoc('other-dev-4', namespaceLabels('other', 'ai', 4)),
    });
    await h.kubectl(['apply', '-f', '-'], {
      stdin: [
        predecessorRecord(3, 'shop-dev-3'),
        predecessorRecord(4, 'other-dev-4'),
        predecessorRecord(5, 'kube-system'),
        predecessorRecord(6, 'codex-system'),
      ].join('---\n'),
    });
    const result = await cleanupSlots({
      load: { config: join(root, 'services.yaml'), env: 'ai', cwd: root, processEnv: { PATH: process.env.PATH } },
      all: true,
      client: kubectlOf(h),
      reporter: recorder(),
    });
    expect(result.released.map((s) => [s.slot, s.namespace])).toEqual([[3, 'shop-dev-3']]);
    expect(result.problems).toEqual([
      'slot 4 (other-dev-4): namespace other-dev-4 is not managed by codex-k8s for project shop: it belongs to project other (label codex-k8s.io/project=other)',
      'slot 5 (kube-system): namespace kube-system is a Kubernetes system namespace (kube-*): codex-k8s never deletes it, even with --force',
      'slot 6 (codex-system): namespace codex-system holds the slot records (state.configmapNamespace): codex-k8s never deletes it, even with --force',
    ]);
    expect(exists('shop-dev-3')).toBe(false);
    for (const ns of ['other-dev-4', 'kube-system', 'codex-system']) expect(exists(ns)).toBe(true);
    // Refused slots keep their records.
    expect(h.server.store.get('ConfigMap', 'codex-system', 'codex-env-3')).toBeUndefined();
    for (const n of [4, 5, 6]) expect(h.server.store.get('ConfigMap', 'codex-system', `codex-env-${n}`)).toBeDefined();
  });

  it('destroySlot refuses in dry-run too and then deletes nothing, cluster-scoped objects included', async () => {
    const root = project();
    const stack = load(root, 2);
    const kubectl = kubectlOf(h);
    await applyStack(kubectl, render(stack).groups, { namespace: stack.namespace, retry: fast });
    // Applied without our namespace labels (the stack's Namespace carries them; strip them as a foreign tool would).
    await h.kubectl(['label', 'namespace', 'shop-dev-2', 'app.kubernetes.io/managed-by-', 'codex-k8s.io/project-']);
    for (const dryRun of [true, false]) {
      const r = await destroySlot(kubectl, {
        namespace: 'shop-dev-2',
        owner: { project: 'shop' },
        clusterObjects: render(stack).documents.map((d) => d.object),
        dryRun,
        retry: fast,
      });
      expect(r.ok).toBe(false);
      expect(r.problems.map((p) => p.message)).toEqual([
        'namespace shop-dev-2 is not managed by codex-k8s for project shop: it has no label app.kubernetes.io/managed-by=codex-k8s and no slot record names it',
      ]);
      expect(r.cluster.deleted).toEqual([]);
    }
    expect(exists('shop-dev-2')).toBe(true);
    expect(h.server.store.get('clusterrole', undefined, 'shop-dev-2-only')).toBeDefined();
  });

  it('cluster-scoped objects of the stack are deleted only when they carry our labels for the project', async () => {
    const root = project();
    const stack = load(root, 8);
    const kubectl = kubectlOf(h);
    // rbac is not applied: shop-reader comes from someone else, shop-dev-8-only is ours.
    await applyStack(kubectl, render(stack, { skipInfra: ['rbac'] }).groups, {
      namespace: stack.namespace,
      retry: fast,
    });
    await h.kubectl(['create', 'clusterrole', 'shop-reader', '--verb=get', '--resource=pods']);
    await applyStack(
      kubectl,
      render(stack, { onlyInfra: ['rbac'], onlyServices: [] })
        .groups.filter((g) => g.name === 'rbac')
        .map((g) => ({
          ...g,
          documents: g.documents.filter((d) => d.object.metadata?.name !== 'shop-reader'),
        })),
      { namespace: stack.namespace, retry: fast },
    );
    expect(h.server.store.get('clusterrole', undefined, 'shop-dev-8-only')).toBeDefined();
    const r = await destroyEnvironment({ load: loadOf(root, undefined, 8), client: kubectl, reporter: recorder() });
    expect(r.ok).toBe(true);
    expect(r.cluster.deleted.map((d) => d.name)).toEqual(['shop-dev-8-only']);
    expect(r.cluster.foreign).toEqual([
      {
        ref: expect.objectContaining({ kind: 'ClusterRole', name: 'shop-reader' }),
        reason: 'it has no label app.kubernetes.io/managed-by=codex-k8s',
      },
    ]);
    expect(h.server.store.get('clusterrole', undefined, 'shop-reader')).toBeDefined();
    expect(h.server.store.get('clusterrole', undefined, 'shop-dev-8-only')).toBeUndefined();
  });
});
