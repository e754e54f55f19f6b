import { UserError } from '../util/errors.js';

/**
 * The allowed-actor gate: with an `allowed-users` list, only those logins may start the agent. (Without a list the
 * workflow's own trigger conditions decide.)
 */
export function checkAllowedActor(allowed: readonly string[], actor = process.env.GITHUB_ACTOR ?? ''): void {
  if (allowed.length === 0) return;
  const ok = allowed.some((u) => u.trim().toLowerCase() === actor.trim().toLowerCase());
  if (!ok) {
    throw new UserError(
      `${actor || 'the triggering user'} is not in allowed-users (${allowed.join(', ')}): the agent was not started. Add the login to allowed-users to let them trigger it.`,
    );
  }
}
