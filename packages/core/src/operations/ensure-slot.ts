import { loadStack, type LoadedStack, type LoadOptions } from '../config/load.js';
import type { Kubectl } from '../kube/kubectl.js';
import { allocateSlot, planSlot, type AllocateRequest } from '../slots/allocate.js';
import { NoFreeSlotError } from '../slots/errors.js';
import { renderStack } from '../render/stack.js';
import { formatRef, refOf } from '../objects/refs.js';
import { formatDuration } from '../kube/duration.js';
import type { SlotRecord } from '../slots/types.js';
import { UserError } from '../util/errors.js';
import { plural } from '../util/plural.js';
import type { Reporter } from '../util/reporter.js';
import { applyEnvironment } from './apply-environment.js';
import { kubectlFor, type KubectlChoice } from './kubectl-setup.js';
import { maxSlotsOf, slotStoreFor } from './slot-store.js';

export interface EnsureSlotOptions {
  /** services.yaml and variables; slot and namespace come from the allocation. */
  load: Omit<LoadOptions, 'slot' | 'namespace'>;
  issue: number;
  pr: number;
  /** A preferred slot number (the `slot` input). */
  slot?: number;
  /** Stored as the record's owner: the workflow run id, or `manual`. */
  owner: string;
  /** How long to wait for a free slot. */
  slotWaitTimeoutMs: number;
  /** Apply the environment's slotBootstrapInfra when this run creates the slot. */
  bootstrap?: boolean;
  kubectl?: KubectlChoice;
  client?: Kubectl;
  processEnv?: Record<string, string | undefined>;
  reporter: Reporter;
  maskSecret?: (value: string) => void;
  /** Find the slot that would be used and what would be applied; write nothing, run no hook. */
  dryRun?: boolean;
}

export interface EnsureSlotResult {
  slot: number;
  namespace: string;
  env: string;
  created: boolean;
  record: SlotRecord;
  /** services.yaml loaded for the slot. */
  stack: LoadedStack;
  kubectl: Kubectl;
  /** Infra groups applied by the bootstrap. */
  bootstrapped: string[];
  /** Set by a dry run: nothing was written; `created` says whether the slot would be claimed. */
  dryRun?: {
    /** The objects the bootstrap would apply (`Kind namespace/name`). */
    wouldApply: string[];
  };
}

/**
 * Finds the slot of an issue/PR or claims a free one. When the bootstrap of a fresh slot fails, the slot is
 * released again, so a re-run starts from a clean claim instead of finding a half-made environment.
 */
export async function ensureSlot(o: EnsureSlotOptions): Promise<EnsureSlotResult> {
  const r = o.reporter;
  requireSlotSelector(o);
  const base = loadStack({ ...o.load, slot: 0, settingsOnly: true });
  const kubectl = o.client ?? (await kubectlFor(base, o.kubectl));
  const store = slotStoreFor(base, kubectl, r);
  const namespaces = new Map<number, string>();
  const namespaceFor = (slot: number) => {
    if (!namespaces.has(slot)) namespaces.set(slot, loadStack({ ...o.load, slot }).namespace);
    return namespaces.get(slot)!;
  };
  const request: AllocateRequest = {
    env: base.env,
    issue: o.issue || undefined,
    pr: o.pr || undefined,
    owner: o.owner,
    maxSlots: maxSlotsOf(base, o.processEnv),
    preferredSlot: o.slot || undefined,
    namespaceFor,
    waitTimeoutMs: o.slotWaitTimeoutMs,
    // The allocation logs its own progress (reuse, claim, waits) through the store's logger.
  };
  if (o.dryRun) return planEnsureSlot(o, request, store, kubectl);
  const outcome = await r.group(`Find or claim the slot of ${describe(o)}`, () => allocateSlot(store, request));
  const stack = loadStack({ ...o.load, slot: outcome.slot, namespace: outcome.namespace });
  for (const w of stack.warnings) r.warning(w.message, w);

  const bootstrap = stack.environment.slotBootstrapInfra ?? [];
  let bootstrapped: string[] = [];
  if (outcome.created && o.bootstrap !== false && bootstrap.length > 0) {
    try {
      await applyEnvironment({
        load: { ...o.load, slot: outcome.slot, namespace: outcome.namespace },
        filters: { onlyInfra: bootstrap },
        client: kubectl,
        wait: false,
        processEnv: o.processEnv,
        reporter: r,
        maskSecret: o.maskSecret,
      });
      bootstrapped = bootstrap;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const what = `bootstrap of slot ${outcome.slot} (slotBootstrapInfra: ${bootstrap.join(', ')}) failed`;
      try {
        await store.release(outcome.slot);
      } catch (releaseErr) {
        throw new UserError(
          `${what}, and the slot could not be released either (${(releaseErr as Error).message}); it stays claimed: release it with the cleanup action (slot: ${outcome.slot}) or codex-k8s slots release ${outcome.slot}. The bootstrap failed with: ${reason}`,
        );
      }
      throw new UserError(`${what}, so the slot was released: ${reason}`);
    }
  }
  // The run reports the slot now: the record stops being a pending claim that a concurrent run could drop.
  const record = outcome.record.pending ? await store.update(outcome.record) : outcome.record;
  return {
    slot: outcome.slot,
    namespace: outcome.namespace,
    env: stack.env,
    created: outcome.created,
    record,
    stack,
    kubectl,
    bootstrapped,
  };
}

/** The dry run of ensureSlot: one listing of the records, the stack rendered, nothing written, no hook run. */
async function planEnsureSlot(
  o: EnsureSlotOptions,
  request: AllocateRequest,
  store: ReturnType<typeof slotStoreFor>,
  kubectl: Kubectl,
): Promise<EnsureSlotResult> {
  const r = o.reporter;
  const plan = await r.group(`Find the slot of ${describe(o)} (dry run: nothing is claimed)`, async () => {
    try {
      return await planSlot(store, request);
    } catch (err) {
      if (!(err instanceof NoFreeSlotError)) throw err;
      throw new UserError(
        `dry run: no slot is free now; a real run would wait up to ${formatDuration(o.slotWaitTimeoutMs)} for one.\n${err.message}`,
      );
    }
  });
  const stack = loadStack({ ...o.load, slot: plan.slot, namespace: plan.namespace });
  for (const w of stack.warnings) r.warning(w.message, w);
  r.info(
    plan.created
      ? `dry run: would claim slot ${plan.slot} (namespace ${plan.namespace}) for ${describe(o)}`
      : `dry run: would reuse slot ${plan.slot} (namespace ${plan.namespace}) held for ${describe(o)}`,
  );
  const bootstrap = stack.environment.slotBootstrapInfra ?? [];
  let wouldApply: string[] = [];
  if (plan.created && o.bootstrap !== false && bootstrap.length > 0) {
    const rendered = renderStack(stack, { onlyInfra: bootstrap });
    for (const w of rendered.warnings) r.warning(w.message, w);
    wouldApply = rendered.documents.map((d) => formatRef(refOf(d.object)));
    r.info(
      `dry run: the bootstrap (slotBootstrapInfra: ${bootstrap.join(', ')}) would apply ${plural(wouldApply.length, 'object')}:\n${wouldApply.map((x) => `  ${x}`).join('\n')}`,
    );
  }
  r.info('dry run: hooks are not run');
  const record = plan.record ?? {
    slot: plan.slot,
    env: stack.env,
    namespace: plan.namespace,
    owner: o.owner,
    issue: o.issue,
    pr: o.pr,
    createdAt: '',
    updatedAt: '',
    name: '',
    resourceVersion: '',
    labelled: false,
    pending: true,
    appliedDigest: '',
    appliedAt: '',
  };
  return {
    slot: plan.slot,
    namespace: plan.namespace,
    env: stack.env,
    created: plan.created,
    record,
    stack,
    kubectl,
    bootstrapped: [],
    dryRun: { wouldApply },
  };
}

function describe(o: { issue: number; pr: number; slot?: number }): string {
  return [
    o.issue > 0 ? `issue #${o.issue}` : '',
    o.pr > 0 ? `PR #${o.pr}` : '',
    !o.issue && !o.pr && o.slot ? `slot ${o.slot}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
}

/** A slot is found by an issue, a PR or its number: without one of them there is nothing to find or claim. */
export function requireSlotSelector(o: { issue: number; pr: number; slot?: number }): void {
  if (o.issue <= 0 && o.pr <= 0 && !(o.slot && o.slot > 0)) {
    throw new UserError('give an issue, a pr or a slot: at least one of them must be a number > 0');
  }
}
