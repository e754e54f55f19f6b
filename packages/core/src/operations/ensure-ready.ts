import { buildImages } from '../images/index.js';
import { ChildProcessRunner } from '../kube/runner.js';
import { checkStackBeforeChanges } from './stack-checks.js';
import { loadStack } from '../config/load.js';
import type { WaitResult } from '../kube/wait.js';
import { renderStack } from '../render/stack.js';
import type { Reporter } from '../util/reporter.js';
import { resolveSyncOptions, syncSources, type SyncResult } from '../workspace/index.js';
import { applyEnvironment } from './apply-environment.js';
import { planEnsureReady } from './ensure-ready-dry-run.js';
import { ensureSlot, requireSlotSelector, type EnsureSlotOptions, type EnsureSlotResult } from './ensure-slot.js';
import { slotStoreFor } from './slot-store.js';
import { decideApply } from './apply-decision.js';
import { stackDigest } from './stack-digest.js';

export interface SourceSyncSettings {
  /** Local directory copied into the slot workspace. */
  source: string;
  /** Absolute base of slot workspaces inside the workspace volume. */
  codeRootBase: string;
  workspaceMount?: string;
  /** Default `<project>-workspace`. */
  pvc?: string;
  image?: string;
  excludes?: readonly string[];
  /** Save the agent's changes the new sources lack and replace them, instead of stopping (see syncSources). */
  discardChanges?: boolean;
}

export interface EnsureReadyOptions extends EnsureSlotOptions {
  /** The `namespace` input: beats every namespace pattern; checked before a slot is claimed. */
  namespace?: string;
  /** Copy the sources into the slot workspace; unset: no copy. */
  sync?: SourceSyncSettings;
  prepareImages?: boolean;
  /** How prepare-images builds (the images-build settings). */
  images?: { builder?: string; insecureRegistries?: readonly string[]; parallel?: number };
  apply?: boolean;
  /** Apply also when the stack is unchanged since its last complete apply. */
  forceApply?: boolean;
  wait?: boolean;
  waitTimeoutMs?: number;
  waitSoftFail?: boolean;
  /** The agent's Deployment, whose availability is `env-ready` (default `codex`). */
  agentDeployment?: string;
}

export interface EnsureReadyResult extends EnsureSlotResult {
  /** The namespace had gone behind our back and was restored. */
  recreated: boolean;
  newEnv: boolean;
  infraReady: boolean;
  envReady: boolean;
  applied: boolean;
  /** Why the stack was applied or not, for logs and the summary. */
  applyReason: string;
  /** Digest of the stack applied completely by this run and recorded in the slot record ('' when none was). */
  appliedDigest: string;
  sync?: SyncResult;
  wait?: WaitResult;
  url?: string;
}

/**
 * The slot, then everything the agent needs in it: a namespace that still exists, the sources in the workspace,
 * the stack applied and ready. The sources are copied after the infra groups (namespace, workspace volume) and
 * before the services, so service pods start on the new code.
 *
 * Converges: the slot record holds the digest of the stack last applied completely (apply, hooks and waits
 * succeeded), written only then and cleared when an apply starts, and the stack is applied whenever the one
 * rendered now differs. A run cut off at any step, or a changed services.yaml, is finished by the next run.
 */
export async function ensureReady(o: EnsureReadyOptions): Promise<EnsureReadyResult> {
  if (o.dryRun) return planEnsureReady(o);
  const r: Reporter = o.reporter;
  requireSlotSelector(o);
  // Nothing is claimed for a run that cannot succeed: every input and the whole stack are checked first.
  await r.group('Check the inputs and render the stack', async () => checkBeforeClaim(o));
  const slot = await ensureSlot(
    o.namespace ? { ...o, load: { ...o.load, namespace: o.namespace } as EnsureSlotOptions['load'] } : o,
  );
  const { kubectl, stack } = slot;
  let recreated = false;
  if (!slot.created) {
    const found = await kubectl.run(['get', 'namespace', slot.namespace, '--ignore-not-found', '-o', 'name']);
    if (!found.trim()) {
      recreated = true;
      r.warning(`namespace ${slot.namespace} of slot ${slot.slot} is gone; recreating the environment`);
    }
  }
  const newEnv = slot.created || recreated;
  if (o.prepareImages) {
    // The registry must have every image before anything starts; tags it has are skipped (one HEAD request each),
    // so a rerun after a failed build, or an image added since, is built too.
    const built = await buildImages({
      stack,
      runner: new ChildProcessRunner(),
      mirror: true,
      build: true,
      builder: o.images?.builder,
      insecureRegistries: o.images?.insecureRegistries,
      parallel: o.images?.parallel,
      reporter: r,
    });
    r.info(
      `prepare-images: ${built.built.length} built, ${built.mirrored.length} mirrored, ${built.skipped.length} already in the registry`,
    );
  }

  let sync: SyncResult | undefined;
  const runSync = o.sync
    ? async () => {
        const s = o.sync!;
        sync = await r.group(`Copy ${s.source} into the slot workspace`, () =>
          syncSources(kubectl, {
            namespace: slot.namespace,
            source: s.source,
            codeRootBase: s.codeRootBase,
            slot: slot.slot,
            env: slot.env,
            workspaceMount: s.workspaceMount,
            pvc: s.pvc || `${stack.project}-workspace`,
            image: s.image,
            excludes: s.excludes,
            discardChanges: s.discardChanges,
            reporter: r,
          }),
        );
      }
    : undefined;

  const load = { ...o.load, slot: slot.slot, namespace: slot.namespace };
  const { recorded, applying, reason: applyReason } = decideApply(o, slot, { newEnv, recreated, load });

  let infraReady = true;
  let wait: WaitResult | undefined;
  let appliedDigest = '';
  if (applying) {
    r.info(`applying the stack to ${slot.namespace}: ${applyReason}`);
    const store = slotStoreFor(stack, kubectl, r);
    // Cleared first: a run cut off from here on must not leave an older complete apply on record.
    if (recorded) await store.recordApplied(slot.slot, '');
    const applied = await applyEnvironment({
      load,
      client: kubectl,
      wait: o.wait,
      waitTimeoutMs: o.waitTimeoutMs,
      waitSoftFail: o.waitSoftFail,
      processEnv: o.processEnv,
      reporter: r,
      maskSecret: o.maskSecret,
      beforeServices: runSync,
    });
    infraReady = applied.infraReady;
    wait = applied.wait;
    if (o.wait === false) {
      // Nothing was waited for, so nothing is known to be complete: the next run that waits applies again.
      infraReady = false;
      r.info('wait: false: the apply is not recorded as complete, the next run applies again');
    } else if (infraReady) {
      appliedDigest = stackDigest(applied.rendered.documents, applied.stack);
      await store.recordApplied(slot.slot, appliedDigest);
    } else r.info('a wait failed (wait-soft-fail): the apply is not recorded as complete, the next run applies again');
  } else {
    r.info(
      o.apply === false
        ? 'apply: false, nothing applied'
        : `stack of ${slot.namespace} ${applyReason}: not applied again (force-apply: true applies it)`,
    );
    await runSync?.();
  }

  const agent = o.agentDeployment ?? 'codex';
  const envReady = await agentAvailable(slot, agent, wait);
  const domain = stack.config.baseDomain?.[stack.env]?.trim();
  return {
    ...slot,
    recreated,
    newEnv,
    infraReady,
    envReady,
    applied: applying,
    applyReason,
    appliedDigest,
    sync,
    wait,
    url: domain ? `https://${domain}` : undefined,
  };
}

/**
 * What can be known before a slot is claimed: the stack renders (with the preferred slot, else slot 1: the slot
 * number only fills names), the namespace is valid, and the sync inputs (`source`, `code-root-base`,
 * `workspace-mount`, `workspace-pvc`, `sync-image`) are sane. Throws a UserError naming the input.
 */
function checkBeforeClaim(o: EnsureReadyOptions): void {
  const probe = o.slot && o.slot > 0 ? o.slot : 1;
  const stack = loadStack({ ...o.load, slot: probe, namespace: o.namespace });
  const rendered = renderStack(stack);
  checkStackBeforeChanges(stack);
  o.reporter.info(`${rendered.documents.length} objects in ${rendered.groups.length} groups for env ${stack.env}`);
  if (!o.sync) return;
  const s = o.sync;
  resolveSyncOptions({
    namespace: stack.namespace,
    source: s.source,
    codeRootBase: s.codeRootBase,
    slot: probe,
    env: stack.env,
    workspaceMount: s.workspaceMount,
    pvc: s.pvc || `${stack.project}-workspace`,
    image: s.image,
    excludes: s.excludes,
  });
}

/** The agent deployment is Available: known from the wait when it was waited for, else asked once. */
async function agentAvailable(slot: EnsureSlotResult, name: string, wait: WaitResult | undefined): Promise<boolean> {
  const waited = wait?.ready.some((ref) => ref.kind === 'Deployment' && ref.name === name);
  if (waited) return true;
  if (wait?.failures.some((f) => f.object.kind === 'Deployment' && f.object.name === name)) return false;
  const res = await slot.kubectl.exec([
    '-n',
    slot.namespace,
    'get',
    'deployment',
    name,
    '--ignore-not-found',
    '-o',
    'json',
  ]);
  if (res.code !== 0 || !res.stdout.trim()) return false;
  const conditions: { type?: string; status?: string }[] = JSON.parse(res.stdout).status?.conditions ?? [];
  return conditions.some((c) => c.type === 'Available' && c.status === 'True');
}

/**
 * The summary's word on infra readiness: true only means something was waited on; otherwise it says why nothing
 * was (`not waited: unchanged since ...`), so a skipped apply is never read as a verified environment.
 */
export function describeInfraReady(result: Pick<EnsureReadyResult, 'wait' | 'applied' | 'applyReason'>): string {
  const w = result.wait;
  if (w) return `${w.ok} (${w.ready.length} of ${w.ready.length + w.failures.length} workloads ready)`;
  if (result.applied) return 'not waited (wait: false)';
  return `not waited (${result.applyReason})`;
}
