/*
 * Apply and destroy with their hooks, in the predecessor's order so existing hooks keep working:
 *
 *   apply:   namespace → hooks.beforeAll → beforeApply of each infra item, then of each service
 *            → one apply per group → afterApply (infra, then services) → hooks.afterAll → waits
 *   destroy: hooks.beforeDestroy → beforeDestroy (infra, then services) → namespace + shared objects
 *            → afterDestroy (infra, then services) → hooks.afterDestroy
 *
 * All afterApply hooks run after every group is applied (not right after their own group): hooks like
 * `codex.reuse-dev-tls-secret` wait for objects that later groups create. The namespace exists before the first
 * hook, since hooks such as `codex.ensure-codex-secrets` write into it. A failing step or apply stops the sequence;
 * after-hooks do not run after a failure. Waits come last and their result is returned, not thrown. A dry run
 * runs no hooks (they are side effects) and no destroy hooks either.
 */
import {
  applyStack,
  type NamespaceOutcome,
  ensureNamespace,
  hoistNamespace,
  type ApplyGroup,
  type ApplyOptions,
  type ApplyResult,
} from '../kube/apply.js';
import { destroySlot, type DestroyOptions, type DestroyResult } from '../kube/destroy.js';
import type { Kubectl } from '../kube/kubectl.js';
import { waitForStack, type WaitOptions, type WaitResult } from '../kube/wait.js';
import type { HookRunner } from './runner.js';
import type { StepResult } from './types.js';

export type LifecyclePhase =
  | 'namespace'
  | 'beforeAll'
  | 'beforeApply'
  | 'apply'
  | 'afterApply'
  | 'afterAll'
  | 'wait'
  | 'beforeDestroy'
  | 'destroy'
  | 'afterDestroy';

export interface ApplyLifecycleOptions {
  kubectl: Kubectl;
  hooks: HookRunner;
  /** The rendered stack's groups (hooks run for exactly these items when the runner was built from them). */
  groups: readonly ApplyGroup[];
  apply?: ApplyOptions;
  /** Wait for the applied workloads (default: no waiting). */
  wait?: WaitOptions | false;
  /** Told when each phase starts (for log groups). */
  onPhase?: (phase: LifecyclePhase) => void;
}

export interface ApplyLifecycleResult {
  apply: ApplyResult;
  hooks: StepResult[];
  wait?: WaitResult;
}

export async function applyWithHooks(o: ApplyLifecycleOptions): Promise<ApplyLifecycleResult> {
  const { kubectl, hooks } = o;
  const applyOptions: ApplyOptions = { ...o.apply };
  const steps: StepResult[] = [];
  const phase = (p: LifecyclePhase) => o.onPhase?.(p);
  const ns = applyOptions.namespace?.trim();
  // A dry run changes nothing, and hooks are side effects: none run.
  if (applyOptions.dryRun) return { apply: await applyStack(kubectl, o.groups, applyOptions), hooks: [] };

  // Hooks may write into the namespace, so it must exist before them; without before-hooks applyStack creates it
  // within its first call when the stack itself holds the Namespace.
  const beforeHooks = hooks.hasSteps('beforeAll') || hooks.hasSteps('beforeApply', 'items');
  let early: NamespaceOutcome | undefined;
  if (ns && beforeHooks && applyOptions.ensureNamespace !== false) {
    phase('namespace');
    const { manifest } = hoistNamespace(o.groups, ns);
    early = await ensureNamespace(kubectl, ns, {
      manifest,
      labels: applyOptions.namespaceLabels,
      fieldManager: applyOptions.fieldManager,
      retry: applyOptions.retry,
      timeoutMs: applyOptions.timeoutMs,
    });
    applyOptions.onEvent?.({ type: 'namespace', name: ns, outcome: early });
    applyOptions.ensureNamespace = false;
    // applyStack would report the namespace again ("in-stack"/"skipped"); the outcome that counts is this one.
    const onEvent = applyOptions.onEvent;
    applyOptions.onEvent = onEvent && ((e) => e.type !== 'namespace' && onEvent(e));
  }

  phase('beforeAll');
  steps.push(...(await hooks.runGlobal('beforeAll')));
  phase('beforeApply');
  steps.push(...(await hooks.runItems('beforeApply')));
  phase('apply');
  const apply = await applyStack(kubectl, o.groups, applyOptions);
  if (ns && early) apply.namespace = { name: ns, outcome: early };
  phase('afterApply');
  steps.push(...(await hooks.runItems('afterApply')));
  phase('afterAll');
  steps.push(...(await hooks.runGlobal('afterAll')));

  let wait: WaitResult | undefined;
  if (o.wait) {
    phase('wait');
    wait = await waitForStack(kubectl, o.groups, o.wait);
  }
  return { apply, hooks: steps, wait };
}

export interface DestroyLifecycleOptions {
  kubectl: Kubectl;
  hooks: HookRunner;
  destroy: DestroyOptions;
  onPhase?: (phase: LifecyclePhase) => void;
}

export interface DestroyLifecycleResult {
  destroy: DestroyResult;
  hooks: StepResult[];
}

/** Destroy with hooks; a partly failed destroy is returned (`destroy.ok` false) and its after-hooks are skipped. */
export async function destroyWithHooks(o: DestroyLifecycleOptions): Promise<DestroyLifecycleResult> {
  const steps: StepResult[] = [];
  const phase = (p: LifecyclePhase) => o.onPhase?.(p);
  const dry = !!o.destroy.dryRun;
  if (!dry) {
    phase('beforeDestroy');
    steps.push(...(await o.hooks.runGlobal('beforeDestroy')));
    steps.push(...(await o.hooks.runItems('beforeDestroy')));
  }
  phase('destroy');
  const destroy = await destroySlot(o.kubectl, o.destroy);
  if (destroy.ok && !dry) {
    phase('afterDestroy');
    steps.push(...(await o.hooks.runItems('afterDestroy')));
    steps.push(...(await o.hooks.runGlobal('afterDestroy')));
  }
  return { destroy, hooks: steps };
}
