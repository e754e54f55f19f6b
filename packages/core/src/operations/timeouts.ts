import { parseGoDuration } from '../kube/duration.js';
import type { LoadedStack } from '../config/load.js';
import { UserError } from '../util/errors.js';

export const DEFAULT_WAIT_TIMEOUT_MS = 10 * 60_000;

/** The deploy wait limit: the input, else `codex.timeouts.deployWait`, else 10 minutes. Never cut by anything else. */
export function resolveWaitTimeout(stack: LoadedStack, inputMs: number | undefined): number {
  if (inputMs !== undefined) return inputMs;
  const configured = stack.config.codex?.timeouts?.deployWait?.trim();
  if (!configured) return DEFAULT_WAIT_TIMEOUT_MS;
  try {
    return parseGoDuration(configured);
  } catch {
    throw new UserError(
      `${stack.displayFile}: codex.timeouts.deployWait: "${configured}" is not a duration; write e.g. 5m or 90s`,
      stack.displayFile,
    );
  }
}
