import { type LoadOptions } from '../config/load.js';
import { HookRunner } from '../hooks/runner.js';
import { destroyWithHooks } from '../hooks/lifecycle.js';
import type { DestroyResult } from '../kube/destroy.js';
import type { Kubectl } from '../kube/kubectl.js';
import {
  checkNamespaceOwnership,
  NamespaceNotOwnedError,
  type NamespaceOwnershipRule,
  type RecordVouch,
} from '../kube/ownership.js';
import { UserError } from '../util/errors.js';
import type { Reporter } from '../util/reporter.js';
import { renderForApply } from './apply-environment.js';
import { kubectlFor, type KubectlChoice } from './kubectl-setup.js';
import { recordVouches } from './record-vouch.js';
import { slotStoreFor } from './slot-store.js';

export interface DestroyEnvironmentOptions {
  load: LoadOptions;
  kubectl?: KubectlChoice;
  client?: Kubectl;
  dryRun?: boolean;
  /** Delete the namespace even when it is not ours (never kube-*, default or the state namespace). */
  force?: boolean;
  /** How a refusal tells the user to override it (the CLI names its --force flag). */
  forceHint?: string;
  processEnv?: Record<string, string | undefined>;
  reporter: Reporter;
}

/**
 * Destroys an environment's namespace and its own cluster-scoped objects (shared ones stay while another slot uses
 * them), with the destroy hooks. Slot records are left alone: `slots release` / cleanup handle those.
 */
export async function destroyEnvironment(o: DestroyEnvironmentOptions): Promise<DestroyResult> {
  const r = o.reporter;
  const { stack, rendered } = renderForApply(o.load, {}, r);
  const kubectl = o.client ?? (await kubectlFor(stack, o.kubectl));
  const stateNamespace = stack.config.state?.configmapNamespace?.trim() || undefined;
  const owner: NamespaceOwnershipRule = {
    project: stack.project,
    stateNamespace,
    force: o.force,
    forceHint: o.forceHint,
    namedByRecord: async () => {
      if (!stateNamespace) return false;
      const naming = (await slotStoreFor(stack, kubectl, r).list()).filter((rec) => rec.namespace === stack.namespace);
      let vouch: RecordVouch = false;
      for (const rec of naming) {
        vouch = recordVouches(o.load, rec);
        if (vouch === true) break;
      }
      return vouch;
    },
  };
  // Refused before any hook runs: a destroy of a namespace that is not ours must change nothing.
  const ownership = await checkNamespaceOwnership(kubectl, stack.namespace, owner);
  if (!ownership.allowed) throw new NamespaceNotOwnedError(ownership);
  if (ownership.basis === 'force') r.warning(`--force overrides: ${ownership.reason}`);
  const hooks = new HookRunner({
    stack,
    kubectl,
    processEnv: o.processEnv,
    log: r,
  });
  const { destroy } = await r.group(`Destroy ${stack.namespace}`, () =>
    destroyWithHooks({
      kubectl,
      hooks,
      destroy: {
        namespace: stack.namespace,
        owner: { ...owner, namedByRecord: ownership.basis === 'record' },
        clusterObjects: rendered.documents.map((d) => d.object),
        dryRun: o.dryRun,
      },
    }),
  );
  if (!destroy.ok) {
    throw new UserError(
      `destroy of ${stack.namespace} left problems: ${destroy.problems.map((p) => `${p.object}: ${p.message}`).join('; ')}`,
    );
  }
  return destroy;
}
