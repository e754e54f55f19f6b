import * as core from '@actions/core';
import { isUserError } from '../util/errors.js';

/**
 * Runs an action's body: a user error fails the step with its message alone; anything else also logs the stack
 * at debug level, so a bug report has it without scaring every user.
 */
export async function runAction(
  body: () => Promise<void>,
  options: { onFailure?: (message: string) => Promise<unknown> | undefined } = {},
): Promise<void> {
  let message: string;
  try {
    await body();
    return;
  } catch (err) {
    if (isUserError(err)) message = err.message;
    else {
      const e = err as Error;
      core.debug(e?.stack ?? String(err));
      message = e?.message ?? String(err);
    }
  }
  core.setFailed(message);
  // Telling the issue is a courtesy: it never changes the step's outcome.
  try {
    await options.onFailure?.(message);
  } catch (err) {
    core.warning(`could not report the failure on the issue: ${(err as Error).message}`);
  }
}

/** Writes several outputs at once; objects and arrays as JSON. */
export function setOutputs(outputs: Record<string, string | number | boolean | object | undefined>): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (value === undefined) continue;
    core.setOutput(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
}
