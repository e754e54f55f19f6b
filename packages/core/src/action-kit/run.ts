import * as core from '@actions/core';
import { isUserError } from '../util/errors.js';

/**
 * Runs an action's body: a user error fails the step with its message alone; anything else also logs the stack
 * at debug level, so a bug report has it without scaring every user.
 */
export async function runAction(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (isUserError(err)) {
      core.setFailed(err.message);
      return;
    }
    const e = err as Error;
    core.debug(e?.stack ?? String(err));
    core.setFailed(e?.message ?? String(err));
  }
}

/** Writes several outputs at once; objects and arrays as JSON. */
export function setOutputs(outputs: Record<string, string | number | boolean | object | undefined>): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (value === undefined) continue;
    core.setOutput(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
}
