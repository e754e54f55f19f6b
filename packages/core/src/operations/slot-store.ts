import type { LoadedStack } from '../config/load.js';
import type { Kubectl } from '../kube/kubectl.js';
import { SlotStore } from '../slots/store.js';
import { UserError } from '../util/errors.js';
import type { Reporter } from '../util/reporter.js';

/** The slot state store a services.yaml configures (`state:`), with a clear error when it configures none. */
export function slotStoreFor(stack: LoadedStack, kubectl: Kubectl, reporter: Reporter): SlotStore {
  const state = stack.config.state ?? {};
  const backend = state.backend?.trim().toLowerCase() ?? '';
  if (backend !== '' && backend !== 'configmap') {
    throw new UserError(
      `${stack.displayFile}: state.backend: "${state.backend}" is not supported; use configmap (or leave it out)`,
    );
  }
  const namespace = state.configmapNamespace?.trim();
  if (!namespace) {
    throw new UserError(
      `${stack.displayFile}: state.configmapNamespace is required for slots: name the namespace that holds the slot records, e.g. codex-system`,
    );
  }
  return new SlotStore(kubectl, {
    namespace,
    prefix: state.configmapPrefix?.trim() || undefined,
    logger: reporter,
  });
}

/** The slot limit: `maxSlots` of services.yaml, else CODEXCTL_DEV_SLOTS_MAX, else unlimited (0). */
export function maxSlotsOf(stack: LoadedStack, processEnv: Record<string, string | undefined> = process.env): number {
  if (stack.config.maxSlots !== undefined) return stack.config.maxSlots;
  const fromEnv = processEnv.CODEXCTL_DEV_SLOTS_MAX?.trim();
  if (!fromEnv) return 0;
  const n = Number(fromEnv);
  if (!Number.isInteger(n) || n < 0)
    throw new UserError(`CODEXCTL_DEV_SLOTS_MAX: "${fromEnv}" is not a whole number >= 0`);
  return n;
}
