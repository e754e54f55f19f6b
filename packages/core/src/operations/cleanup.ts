import { loadStack, type LoadOptions } from '../config/load.js';
import { HookRunner } from '../hooks/runner.js';
import { destroyWithHooks } from '../hooks/lifecycle.js';
import { describeDestroy, destroySlot } from '../kube/destroy.js';
import type { Kubectl } from '../kube/kubectl.js';
import { checkNamespaceOwnership, NamespaceNotOwnedError, type NamespaceOwnershipRule } from '../kube/ownership.js';
import { renderStack } from '../render/stack.js';
import { lastActivity } from '../slots/record.js';
import type { SlotRecord } from '../slots/types.js';
import { UserError } from '../util/errors.js';
import type { Reporter } from '../util/reporter.js';
import { kubectlFor, type KubectlChoice } from './kubectl-setup.js';
import { recordVouches } from './record-vouch.js';
import { slotStoreFor } from './slot-store.js';

export interface CleanupOptions {
  load: Omit<LoadOptions, 'slot' | 'namespace'>;
  issue?: number;
  pr?: number;
  slot?: number;
  /** Every slot of the env. */
  all?: boolean;
  /** Slots whose issue/PR is closed or whose last heartbeat is older than `ttlMs`. */
  stale?: boolean;
  ttlMs?: number;
  /** Asked for stale selection; without it only the age counts. */
  isClosed?: (record: SlotRecord) => Promise<boolean>;
  /** Delete the state record after the environment is gone (default true). */
  deleteState?: boolean;
  now?: number;
  kubectl?: KubectlChoice;
  client?: Kubectl;
  processEnv?: Record<string, string | undefined>;
  reporter: Reporter;
  /** Report what would be deleted and released; delete nothing, run no hook. */
  dryRun?: boolean;
}

export interface ReleasedSlot {
  slot: number;
  namespace: string;
  issue: number;
  pr: number;
  /** The namespace was kept because another record of a live slot uses it. */
  namespaceKept?: boolean;
}

export interface CleanupResult {
  released: ReleasedSlot[];
  /** One entry per slot that could not be cleaned; the others were still cleaned. */
  problems: string[];
  /** Set by a dry run: `released` lists the slots that would be released, and this what would be deleted. */
  dryRun?: { slot: number; lines: string[] }[];
}

/**
 * Tears down the selected slots one by one: hooks, the namespace, the slot's own cluster-scoped objects (shared
 * ones stay while another slot uses them), then the record. One failing slot never stops the others; every
 * problem is reported at the end. Cleaning what is already gone is a successful no-op.
 */
export async function cleanupSlots(o: CleanupOptions): Promise<CleanupResult> {
  const r = o.reporter;
  const selectors = [o.issue, o.pr, o.slot].some((n) => (n ?? 0) > 0);
  if (!o.all && !o.stale && !selectors) {
    throw new UserError('say what to clean: an issue, a pr, a slot, all: true or stale: true');
  }
  if (o.stale && o.ttlMs !== undefined && !(o.ttlMs > 0)) {
    throw new UserError(`ttl must be longer than zero (got ${o.ttlMs} ms): give the age of a stale slot, e.g. 72h`);
  }
  const base = loadStack({ ...o.load, slot: 0, settingsOnly: true });
  const kubectl = o.client ?? (await kubectlFor(base, o.kubectl));
  const store = slotStoreFor(base, kubectl, r);
  const records = (await store.list()).filter((x) => x.env === base.env);
  const now = o.now ?? Date.now();
  const selected: SlotRecord[] = [];
  for (const rec of records) {
    if (o.all) selected.push(rec);
    else if (o.stale) {
      const last = lastActivity(rec);
      const old = !!o.ttlMs && last !== undefined && now - last > o.ttlMs;
      if (old || ((rec.issue > 0 || rec.pr > 0) && (await o.isClosed?.(rec)))) selected.push(rec);
    } else if ((!o.issue || rec.issue === o.issue) && (!o.pr || rec.pr === o.pr) && (!o.slot || rec.slot === o.slot)) {
      selected.push(rec);
    }
  }
  if (selected.length === 0) r.info('no slot matches: nothing to clean');
  // The record names the namespace, which makes a predecessor's unlabelled namespace ours when services.yaml
  // renders that name for the slot; kube-*, default, the state namespace and a namespace labelled for another
  // project are still refused, before any hook, and a dry run reports the same refusals.
  const ownerOf = (rec: SlotRecord, project: string): NamespaceOwnershipRule => ({
    project,
    stateNamespace: base.config.state?.configmapNamespace,
    namedByRecord: () => Promise.resolve(recordVouches(o.load, rec)),
  });
  if (o.dryRun) return planCleanup(o, kubectl, records, selected, ownerOf);

  const released: ReleasedSlot[] = [];
  const problems: string[] = [];
  for (const rec of selected) {
    await r.group(`Clean slot ${rec.slot} (${rec.namespace})`, async () => {
      try {
        const sharedBy = records.filter(
          (x) => x.slot !== rec.slot && x.namespace === rec.namespace && !selected.includes(x),
        );
        const stack = loadStack({ ...o.load, slot: rec.slot, namespace: rec.namespace });
        const rendered = renderStack(stack);
        const hooks = new HookRunner({
          stack,
          kubectl,
          processEnv: o.processEnv,
          log: r,
        });
        const owner = ownerOf(rec, stack.project);
        if (sharedBy.length === 0) {
          const ownership = await checkNamespaceOwnership(kubectl, rec.namespace, owner);
          if (!ownership.allowed) throw new NamespaceNotOwnedError(ownership);
        }
        const { destroy } = await destroyWithHooks({
          kubectl,
          hooks,
          destroy: {
            namespace: rec.namespace,
            deleteNamespace: sharedBy.length === 0,
            owner,
            clusterObjects: rendered.documents.map((d) => d.object),
          },
        });
        if (!destroy.ok) throw new Error(destroy.problems.map((p) => p.message).join('; '));
        if (sharedBy.length)
          r.info(`namespace ${rec.namespace} kept: slot ${sharedBy.map((x) => x.slot).join(', ')} still uses it`);
        if (o.deleteState !== false) await store.release(rec.slot);
        released.push({
          slot: rec.slot,
          namespace: rec.namespace,
          issue: rec.issue,
          pr: rec.pr,
          namespaceKept: sharedBy.length > 0 || undefined,
        });
        r.info(`slot ${rec.slot} released`);
      } catch (err) {
        const message = `slot ${rec.slot} (${rec.namespace}): ${err instanceof Error ? err.message : String(err)}`;
        problems.push(message);
        r.warning(message);
      }
    });
  }
  return { released, problems };
}

/** The dry run of cleanupSlots: what each selected slot's teardown would delete, from reads only; no hook runs. */
async function planCleanup(
  o: CleanupOptions,
  kubectl: Kubectl,
  records: readonly SlotRecord[],
  selected: readonly SlotRecord[],
  ownerOf: (rec: SlotRecord, project: string) => NamespaceOwnershipRule,
): Promise<CleanupResult> {
  const r = o.reporter;
  const released: ReleasedSlot[] = [];
  const problems: string[] = [];
  const dryRun: { slot: number; lines: string[] }[] = [];
  for (const rec of selected) {
    await r.group(
      `Slot ${rec.slot} (${rec.namespace}): what cleanup would do (dry run: nothing is deleted)`,
      async () => {
        try {
          const sharedBy = records.filter(
            (x) => x.slot !== rec.slot && x.namespace === rec.namespace && !selected.includes(x),
          );
          const stack = loadStack({ ...o.load, slot: rec.slot, namespace: rec.namespace });
          const destroy = await destroySlot(kubectl, {
            namespace: rec.namespace,
            deleteNamespace: sharedBy.length === 0,
            owner: ownerOf(rec, stack.project),
            clusterObjects: renderStack(stack).documents.map((d) => d.object),
            dryRun: true,
          });
          if (!destroy.ok) throw new UserError(destroy.problems.map((p) => p.message).join('; '));
          const lines = [
            ...describeDestroy(destroy),
            o.deleteState !== false
              ? `record ${rec.name}: would be deleted`
              : `record ${rec.name}: kept (delete-state: false)`,
          ];
          for (const line of lines) r.info(`dry run: ${line}`);
          dryRun.push({ slot: rec.slot, lines });
          released.push({ slot: rec.slot, namespace: rec.namespace, issue: rec.issue, pr: rec.pr });
        } catch (err) {
          const message = `slot ${rec.slot} (${rec.namespace}): ${err instanceof Error ? err.message : String(err)}`;
          problems.push(message);
          r.warning(message);
        }
      },
    );
  }
  if (selected.length) r.info('dry run: hooks are not run');
  return { released, problems, dryRun };
}
