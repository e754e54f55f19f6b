import { checkStackBeforeChanges } from './stack-checks.js';
import { loadStack, type LoadedStack, type LoadOptions } from '../config/load.js';
import { HookRunner } from '../hooks/runner.js';
import { applyWithHooks } from '../hooks/lifecycle.js';
import { namespaceLabels, type ApplyResult, type NamespaceOutcome } from '../kube/apply.js';
import { formatDiagnostics } from '../kube/diagnostics.js';
import { diffStack, formatDiffSummary } from '../kube/diff.js';
import type { Kubectl } from '../kube/kubectl.js';
import { secretValues } from '../kube/secrets.js';
import type { KubeObject } from '../objects/object.js';
import { formatRef } from '../objects/refs.js';
import {
  describePrune,
  pruneStack,
  readApplySet,
  recordApplied,
  type ApplySetRecord,
  type Component,
  type PruneResult,
} from '../kube/prune.js';
import type { WaitResult } from '../kube/wait.js';
import { makeSelector, parseNameList, type StackFilters } from '../render/filters.js';
import { renderStack, stackToYaml, type RenderedStack } from '../render/stack.js';
import { UserError } from '../util/errors.js';
import { writeNewPrivateFile, writeUserPrivateFile } from '../util/private-file.js';
import type { Reporter } from '../util/reporter.js';
import { kubectlFor, type KubectlChoice } from './kubectl-setup.js';
import { resolveWaitTimeout } from './timeouts.js';
import { plural } from '../util/plural.js';

/** How each outcome of the namespace step reads in the log. */
const NAMESPACE_OUTCOME: Record<NamespaceOutcome, string> = {
  created: 'created',
  exists: 'already exists',
  applied: 'applied',
  'in-stack': 'applied with the stack (services.yaml defines it)',
  skipped: 'skipped',
};

export interface ApplyEnvironmentOptions {
  load: LoadOptions;
  filters?: StackFilters;
  kubectl?: KubectlChoice;
  /** An already set-up kubectl (ensure-ready reuses its own). */
  client?: Kubectl;
  /** Where the rendered stream is written (the `manifest-path` output); 0600, never through a symbolic link. */
  manifestPath?: string;
  /** We chose `manifestPath` (not the user): it is created exclusively, under another directory when taken. */
  manifestPathChosen?: boolean;
  dryRun?: boolean;
  wait?: boolean;
  waitTimeoutMs?: number;
  /** A failed wait becomes `infraReady: false` instead of an error. */
  waitSoftFail?: boolean;
  forceConflicts?: boolean;
  /**
   * Delete what an earlier apply created for this env and slot but the stack no longer renders (default true);
   * with dryRun, list it. A filtered apply prunes only inside the infra groups and services it selected.
   */
  prune?: boolean;
  processEnv?: Record<string, string | undefined>;
  reporter: Reporter;
  maskSecret?: (value: string) => void;
  /** Runs after the infra groups, before the services (see ApplyOptions.beforeServices). */
  beforeServices?: () => Promise<void>;
}

export interface ApplyEnvironmentResult {
  stack: LoadedStack;
  rendered: RenderedStack;
  manifestPath?: string;
  apply?: ApplyResult;
  wait?: WaitResult;
  /** What was pruned (with dryRun: would be); unset when prune was off or had nothing recorded to look at. */
  prune?: PruneResult;
  /** False when a wait failed and soft failure was asked for. */
  infraReady: boolean;
  kubectlInvocations: number;
}

export function renderForApply(
  load: LoadOptions,
  filters: StackFilters | undefined,
  reporter: Reporter,
): { stack: LoadedStack; rendered: RenderedStack } {
  const stack = loadStack(load);
  const rendered = renderStack(stack, filters);
  for (const w of [...stack.warnings, ...rendered.warnings]) reporter.warning(w.message, w);
  return { stack, rendered };
}

/** The components a filtered apply selected (prune stays inside them); undefined when nothing is filtered. */
export function pruneScope(stack: LoadedStack, filters: StackFilters | undefined): Component[] | undefined {
  const f = filters ?? {};
  const filtered = [f.onlyInfra, f.onlyServices, f.skipInfra, f.skipServices].some((l) => parseNameList(l).length);
  if (!filtered) return undefined;
  const infra = (stack.config.infrastructure ?? []).map((i) => i.name);
  const services = (stack.config.services ?? []).map((s) => s.name);
  const select = makeSelector(f, infra, services);
  return [
    ...infra.filter((n) => select.infra(n)).map((name) => ({ type: 'infra' as const, name })),
    ...services.filter((n) => select.service(n)).map((name) => ({ type: 'service' as const, name })),
  ];
}

/**
 * Render, hooks, server-side apply, waits: the whole stack is rendered and validated before the first call to the
 * cluster, so a bad template or manifest never leaves a half-applied environment.
 */
export async function applyEnvironment(o: ApplyEnvironmentOptions): Promise<ApplyEnvironmentResult> {
  const r = o.reporter;
  const { stack, rendered } = await r.group('Render the stack', async () => {
    const out = renderForApply(o.load, o.filters, r);
    r.info(
      `${plural(out.rendered.documents.length, 'object')} in ${plural(out.rendered.groups.length, 'group')} for env ${out.stack.env}, namespace ${out.stack.namespace}`,
    );
    return out;
  });
  const manifestPath = !o.manifestPath
    ? undefined
    : o.manifestPathChosen
      ? writeNewPrivateFile(o.manifestPath, stackToYaml(rendered.documents))
      : writeUserPrivateFile(o.manifestPath, stackToYaml(rendered.documents));
  for (const value of maskableSecretValues(stack, rendered.documents)) o.maskSecret?.(value);
  // Filters leave objects out, not their values: a filtered-out Secret still reaches the pods a failed wait
  // describes. So diagnostics mask the Secrets of the whole stack, rendered again only when a wait failed.
  const secrets = () => {
    let all = rendered.documents;
    try {
      if (o.filters) all = renderStack(stack).documents;
    } catch {
      // The filtered stack rendered; the rest may not (a template only some services use): mask what is known.
    }
    const values = maskableSecretValues(stack, all);
    for (const value of values) o.maskSecret?.(value);
    return values;
  };
  if (rendered.documents.length === 0) {
    throw new UserError('nothing to apply: the filters and when conditions left no object in the stack');
  }
  checkStackBeforeChanges(stack);
  const kubectl = o.client ?? (await kubectlFor(stack, o.kubectl));
  const before = kubectl.invocations;
  const groups = rendered.groups.filter((g) => g.documents.length > 0);
  const ownLabels = namespaceLabels(stack.project, stack.env, stack.slot);
  const prune = (record: ApplySetRecord, dryRun: boolean) =>
    r.group(dryRun ? 'Prune (dry run: nothing is deleted)' : 'Prune what the stack no longer renders', async () => {
      if (!record.exists) {
        r.info('nothing recorded by an earlier apply: nothing to prune');
        return undefined;
      }
      const state = stack.config.state?.configmapNamespace?.trim();
      const result = await pruneStack(kubectl, {
        namespace: stack.namespace,
        project: stack.project,
        env: stack.env,
        slot: stack.slot,
        groups: rendered.groups,
        record,
        scope: pruneScope(stack, o.filters),
        protectedNamespaces: state ? [state] : [],
        dryRun,
      });
      const lines = describePrune(result);
      for (const line of lines) {
        if (line.startsWith('prune:')) r.warning(line);
        else r.info(line);
      }
      if (!lines.length) r.info('nothing to prune');
      return result;
    });

  if (o.dryRun) {
    const diff = await r.group('Diff against the cluster (dry run: nothing is applied)', async () => {
      const d = await diffStack(kubectl, groups, {
        namespace: stack.namespace,
        forceConflicts: o.forceConflicts ?? true,
      });
      r.info(formatDiffSummary(d, 'text'));
      return d;
    });
    r.info('dry run: hooks are not run');
    const pruned = o.prune === false ? undefined : await prune(await readApplySet(kubectl, stack.namespace), true);
    r.summary(
      `### codex-k8s apply (dry run): ${stack.env} → \`${stack.namespace}\`\n\n${formatDiffSummary(diff, 'markdown')}\n` +
        pruneSummary(pruned),
    );
    return {
      stack,
      rendered,
      manifestPath,
      prune: pruned,
      infraReady: true,
      kubectlInvocations: kubectl.invocations - before,
    };
  }

  const hooks = new HookRunner({
    stack,
    kubectl,
    filters: o.filters,
    processEnv: o.processEnv,
    maskSecret: o.maskSecret,
    log: r,
  });
  const waitTimeoutMs = resolveWaitTimeout(stack, o.waitTimeoutMs);
  // The kinds this apply sends are recorded before it when the record (and so its namespace) exists, else right
  // after it, even after a failure: what was applied stays known to the next prune.
  let record: ApplySetRecord | undefined;
  if (o.prune !== false) {
    record = await readApplySet(kubectl, stack.namespace);
    if (record.exists) record = await recordApplied(kubectl, stack.namespace, groups, ownLabels, { current: record });
  }
  const recordAfter = async () => {
    if (record && !record.exists) await recordApplied(kubectl, stack.namespace, groups, ownLabels, { current: record });
  };
  const tracked = async <T>(applying: Promise<T>): Promise<T> => {
    try {
      return await applying;
    } catch (err) {
      await recordAfter().catch(() => undefined);
      throw err;
    }
  };
  const applying = r.group(`Apply ${plural(groups.length, 'group')} to ${stack.namespace}`, () =>
    applyWithHooks({
      kubectl,
      hooks,
      groups,
      apply: {
        namespace: stack.namespace,
        namespaceLabels: ownLabels,
        forceConflicts: o.forceConflicts ?? true,
        beforeServices: o.beforeServices,
        onEvent: (e) => {
          if (e.type === 'group')
            r.info(
              `${e.group.type} ${e.group.name}: ${e.group.objects.map((x) => `${x.resource} ${x.action}`).join(', ') || e.group.skipped || 'nothing'}`,
            );
          if (e.type === 'namespace') r.info(`namespace ${e.name}: ${NAMESPACE_OUTCOME[e.outcome]}`);
          if (e.type === 'retry')
            r.warning(`${e.what}: attempt ${e.attempt} failed (${e.error.message}); retrying in ${e.delayMs} ms`);
        },
      },
      wait:
        o.wait === false
          ? false
          : {
              timeoutMs: waitTimeoutMs,
              diagnostics: { mask: secrets },
              onEvent: (e) => e.type === 'ready' && r.info(`ready: ${formatRef(e.target.ref)} in ${e.durationMs} ms`),
            },
      onPhase: (p) => r.debug(`phase ${p}`),
    }),
  );
  const result = await tracked(applying);
  await recordAfter();
  // Only after a successful apply (and its hooks): deleting after a failure halfway would lose more.
  const pruned = record ? await prune(record, false) : undefined;

  let infraReady = true;
  if (result.wait && !result.wait.ok) {
    infraReady = false;
    await r.group('Diagnostics of the workloads that did not become ready', async () =>
      r.info(formatDiagnostics(result.wait!.failures, 'text')),
    );
    r.summary(
      `### Workloads not ready in \`${stack.namespace}\`\n\n${formatDiagnostics(result.wait.failures, 'markdown')}\n`,
    );
    if (!o.waitSoftFail) throw new UserError(result.wait.message);
    r.warning(result.wait.message);
  }
  const applied = result.apply.groups.flatMap((g) => g.objects);
  r.summary(
    `### codex-k8s apply: ${stack.env} → \`${stack.namespace}\`\n\n| group | objects |\n|---|---|\n` +
      result.apply.groups.map((g) => `| ${g.type} ${g.name} | ${g.objects.length} |`).join('\n') +
      `\n\n${plural(applied.length, 'object')} applied${result.wait ? `, ${plural(result.wait.ready.length, 'workload')} ready` : ''}.\n` +
      pruneSummary(pruned),
  );
  return {
    stack,
    rendered,
    manifestPath,
    apply: result.apply,
    wait: result.wait,
    prune: pruned,
    infraReady,
    kubectlInvocations: kubectl.invocations - before,
  };
}

function pruneSummary(p: PruneResult | undefined): string {
  const lines = p ? describePrune(p) : [];
  return lines.length ? `\n${lines.map((l) => `- ${l}`).join('\n')}\n` : '';
}

/**
 * Values of the stack's Secrets for the runner to mask, except the names the run shows anyway (project, env,
 * namespace, infra groups, services): a database user named after the project would otherwise turn every mention
 * of the project in the log into `***` while hiding nothing.
 */
function maskableSecretValues(stack: LoadedStack, documents: readonly { object: KubeObject }[]): string[] {
  const shown = new Set(
    [
      stack.project,
      stack.env,
      stack.namespace,
      ...(stack.config.infrastructure ?? []).map((i) => i.name),
      ...(stack.config.services ?? []).map((s) => s.name),
    ].map((n) => n.trim()),
  );
  return secretValues(documents.map((d) => d.object)).filter((v) => !shown.has(v));
}
