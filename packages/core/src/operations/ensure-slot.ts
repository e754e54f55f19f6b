import { loadStack, type LoadedStack, type LoadOptions } from '../config/load.js';
import type { Kubectl } from '../kube/kubectl.js';
import { allocateSlot } from '../slots/allocate.js';
import type { SlotRecord } from '../slots/types.js';
import { UserError } from '../util/errors.js';
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
}

/**
 * Finds the slot of an issue/PR or claims a free one. When the bootstrap of a fresh slot fails, the slot is
 * released again, so a re-run starts from a clean claim instead of finding a half-made environment.
 */
export async function ensureSlot(o: EnsureSlotOptions): Promise<EnsureSlotResult> {
  const r = o.reporter;
  if (o.issue <= 0 && o.pr <= 0 && !(o.slot && o.slot > 0)) {
    throw new UserError('give an issue, a pr or a slot: at least one of them must be a number > 0');
  }
  const base = loadStack({ ...o.load, slot: 0, settingsOnly: true });
  const kubectl = o.client ?? (await kubectlFor(base, o.kubectl));
  const store = slotStoreFor(base, kubectl, r);
  const namespaces = new Map<number, string>();
  const namespaceFor = (slot: number) => {
    if (!namespaces.has(slot)) namespaces.set(slot, loadStack({ ...o.load, slot }).namespace);
    return namespaces.get(slot)!;
  };
  const outcome = await r.group(`Find or claim the slot of ${describe(o)}`, () =>
    allocateSlot(store, {
      env: base.env,
      issue: o.issue || undefined,
      pr: o.pr || undefined,
      owner: o.owner,
      maxSlots: maxSlotsOf(base, o.processEnv),
      preferredSlot: o.slot || undefined,
      namespaceFor,
      waitTimeoutMs: o.slotWaitTimeoutMs,
      onEvent: (e) => {
        if (e.type === 'reused') r.info(`reusing slot ${e.record.slot} (${e.record.namespace})`);
        if (e.type === 'claimed') r.info(`claimed slot ${e.record.slot} (${e.record.namespace})`);
        if (e.type === 'waiting') r.info(`no free slot; waiting ${Math.round(e.delayMs / 1000)} s`);
      },
    }),
  );
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
      await store.release(outcome.slot).catch(() => undefined);
      const reason = err instanceof Error ? err.message : String(err);
      throw new UserError(
        `bootstrap of slot ${outcome.slot} (slotBootstrapInfra: ${bootstrap.join(', ')}) failed, so the slot was released: ${reason}`,
      );
    }
  }
  return {
    slot: outcome.slot,
    namespace: outcome.namespace,
    env: stack.env,
    created: outcome.created,
    record: outcome.record,
    stack,
    kubectl,
    bootstrapped,
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
