import type { WaitResult } from '../kube/wait.js';
import type { Reporter } from '../util/reporter.js';
import { syncSources, type SyncResult } from '../workspace/index.js';
import { applyEnvironment } from './apply-environment.js';
import { planEnsureReady } from './ensure-ready-dry-run.js';
import { ensureSlot, type EnsureSlotOptions, type EnsureSlotResult } from './ensure-slot.js';

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
}

export interface EnsureReadyOptions extends EnsureSlotOptions {
  /** Copy the sources into the slot workspace; unset: no copy. */
  sync?: SourceSyncSettings;
  prepareImages?: boolean;
  apply?: boolean;
  /** Apply also when the environment already existed. */
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
  sync?: SyncResult;
  wait?: WaitResult;
  url?: string;
}

/**
 * The slot, then everything the agent needs in it: a namespace that still exists, the sources in the workspace,
 * the stack applied and ready. The sources are copied after the infra groups (namespace, workspace volume) and
 * before the services, so service pods start on the new code.
 */
export async function ensureReady(o: EnsureReadyOptions): Promise<EnsureReadyResult> {
  if (o.dryRun) return planEnsureReady(o);
  const r: Reporter = o.reporter;
  const slot = await ensureSlot(o);
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
  if (o.prepareImages && newEnv) {
    r.warning(
      'prepare-images: image builds are not part of this version; run the images-build action before ensure-ready',
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
            reporter: { info: (m) => r.info(m), debug: (m) => r.debug(m), warning: (m) => r.warning(m) },
          }),
        );
      }
    : undefined;

  let infraReady = true;
  let wait: WaitResult | undefined;
  const applying = o.apply !== false && (newEnv || !!o.forceApply);
  if (applying) {
    const applied = await applyEnvironment({
      load: { ...o.load, slot: slot.slot, namespace: slot.namespace },
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
  } else {
    r.info(
      o.apply === false
        ? 'apply: false, nothing applied'
        : `environment ${slot.namespace} exists: not applied again (force-apply: true applies it)`,
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
    sync,
    wait,
    url: domain ? `https://${domain}` : undefined,
  };
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
