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
  if ((o.all || o.stale) && selectors) {
    throw new UserError(
      `${o.all ? 'all' : 'stale'}: true cleans every ${o.all ? '' : 'stale '}slot of the env, so an issue, pr or slot given with it would be ignored; pass either the selector or ${o.all ? 'all' : 'stale'}, not both`,
    );
  }
  if (o.all && o.stale) throw new UserError('all: true and stale: true exclude each other; pass one of them');
  if (o.stale && o.ttlMs !== undefined && !(o.ttlMs > 0)) {
    throw new UserError(`ttl must be longer than zero (got ${o.ttlMs} ms): give the age of a stale slot, e.g. 72h`);
  }
  const base = loadStack({ ...o.load, slot: 0, settingsOnly: true });
  const kubectl = o.client ?? (await kubectlFor(base, o.kubectl));
  const store = slotStoreFor(base, kubectl, r);
  const records = (await store.list()).filter((x) => x.env === base.env);
  const now = o.now ?? Date.now();
  const selected: SlotRecord[] = [];
  const problems: string[] = [];
  const isStale = async (rec: SlotRecord): Promise<boolean> => {
    const last = lastActivity(rec);
    if (!!o.ttlMs && last !== undefined && now - last > o.ttlMs) return true;
    return (rec.issue > 0 || rec.pr > 0) && !!(await o.isClosed?.(rec));
  };
  for (const rec of records) {
    if (o.all) selected.push(rec);
    else if (o.stale) {
      // One unanswered question about one slot (a deleted issue, a rate limit) never stops the others.
      try {
        if (await isStale(rec)) selected.push(rec);
      } catch (err) {
        const message = `slot ${rec.slot} (${rec.namespace}): not judged, kept: ${err instanceof Error ? err.message : String(err)}`;
        problems.push(message);
        r.warning(message);
      }
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
  // Slots sharing a namespace (a pattern without .Slot) keep it, and the cluster-scoped objects it marks, while
  // one of them lives. Only a record that vouches for the namespace counts as a user of it.
  // The dry run decides from the listing, in the order the real run goes: a slot selected with this one still uses
  // the namespace until it would itself have been released.
  const sharersOf = (rec: SlotRecord, gone: ReadonlySet<number>) =>
    records.filter(
      (x) =>
        x.slot !== rec.slot && x.namespace === rec.namespace && !gone.has(x.slot) && recordVouches(o.load, x) === true,
    );
  if (o.dryRun) return planCleanup(o, kubectl, selected, sharersOf, ownerOf, problems);

  const released: ReleasedSlot[] = [];
  // Whether a record read again still stands for what was selected: the same namespace and, for a stale run, still
  // stale; for a run by issue or PR, still that issue or PR (its own job's heartbeat does not change that).
  const stillSelected = async (current: SlotRecord, judged: SlotRecord): Promise<boolean> =>
    current.namespace === judged.namespace &&
    (o.stale ? await isStale(current) : (!o.issue || current.issue === o.issue) && (!o.pr || current.pr === o.pr));
  for (const judged of selected) {
    await r.group(`Clean slot ${judged.slot} (${judged.namespace})`, async () => {
      let rec = judged;
      try {
        // Read again right before the teardown: a run may have picked the slot up since the listing.
        const current = await store.get(judged.slot);
        if (!current) {
          r.info(`slot ${judged.slot}: already released`);
          return;
        }
        if (current.resourceVersion !== judged.resourceVersion) {
          if (!(await stillSelected(current, judged))) {
            r.info(
              `slot ${judged.slot}: taken up again since it was selected (issue ${current.issue}, pr ${current.pr}); kept`,
            );
            return;
          }
        }
        rec = current;
        // Users of the namespace as they are now: a slot selected in this run but not (yet) released still uses it.
        const live = (await store.list()).filter((x) => x.env === base.env);
        const sharedBy = live.filter(
          (x) => x.slot !== rec.slot && x.namespace === rec.namespace && recordVouches(o.load, x) === true,
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
        // Before any hook, shared or not: hooks act in the namespace too.
        const ownership = await checkNamespaceOwnership(kubectl, rec.namespace, owner);
        if (!ownership.allowed) throw new NamespaceNotOwnedError(ownership);
        const shared = sharedBy.length > 0;
        const { destroy } = await destroyWithHooks({
          kubectl,
          hooks,
          destroy: {
            namespace: rec.namespace,
            deleteNamespace: !shared,
            releaseClusterObjects: !shared,
            owner,
            clusterObjects: rendered.documents.map((d) => d.object),
          },
        });
        if (!destroy.ok) throw new Error(destroy.problems.map((p) => p.message).join('; '));
        if (shared)
          r.info(
            `namespace ${rec.namespace} and its cluster-scoped objects kept: slot ${sharedBy.map((x) => x.slot).join(', ')} still uses it`,
          );
        if (o.deleteState !== false) {
          let outcome = await store.releaseIfUnchanged(rec);
          if (outcome === 'changed') {
            // Written during the teardown: a heartbeat of the same issue's job is still ours to release; a run
            // that took the slot for something else keeps it, and the step says so.
            const now = await store.get(rec.slot);
            outcome = now && (await stillSelected(now, rec)) ? await store.releaseIfUnchanged(now) : 'changed';
            if (outcome === 'changed')
              throw new UserError(
                `its record was taken up again while the environment was torn down; the record is kept: check the slot (codex-k8s slots list) and run cleanup again`,
              );
          }
        }
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
  selected: readonly SlotRecord[],
  sharersOf: (rec: SlotRecord, gone: ReadonlySet<number>) => SlotRecord[],
  ownerOf: (rec: SlotRecord, project: string) => NamespaceOwnershipRule,
  problems: string[],
): Promise<CleanupResult> {
  const r = o.reporter;
  const released: ReleasedSlot[] = [];
  const dryRun: { slot: number; lines: string[] }[] = [];
  const gone = new Set<number>();
  for (const rec of selected) {
    await r.group(
      `Slot ${rec.slot} (${rec.namespace}): what cleanup would do (dry run: nothing is deleted)`,
      async () => {
        try {
          const sharedBy = sharersOf(rec, gone);
          const shared = sharedBy.length > 0;
          if (o.deleteState !== false) gone.add(rec.slot);
          const stack = loadStack({ ...o.load, slot: rec.slot, namespace: rec.namespace });
          const destroy = await destroySlot(kubectl, {
            namespace: rec.namespace,
            deleteNamespace: !shared,
            releaseClusterObjects: !shared,
            owner: ownerOf(rec, stack.project),
            clusterObjects: renderStack(stack).documents.map((d) => d.object),
            dryRun: true,
          });
          if (!destroy.ok) throw new UserError(destroy.problems.map((p) => p.message).join('; '));
          const lines = [
            ...(shared
              ? [
                  `namespace ${rec.namespace} and its cluster-scoped objects: would be kept, slot ${sharedBy.map((x) => x.slot).join(', ')} still uses it`,
                ]
              : []),
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
