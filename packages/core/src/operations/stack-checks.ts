import type { LoadedStack } from '../config/load.js';
import { BUILTIN_STEPS } from '../hooks/builtins.js';
import { parseTimeout } from '../kube/duration.js';
import { UserError } from '../util/errors.js';
import { resolveWaitTimeout } from './timeouts.js';

interface StepLike {
  use?: string;
  timeout?: string;
}
type HookMap = Partial<Record<string, StepLike[] | undefined>>;

/**
 * Mistakes in services.yaml that would otherwise surface only when the step that reads them runs, after a slot
 * was claimed or a namespace created: a `codex.timeouts.deployWait` or hook `timeout` that is not a duration, and a
 * hook `use:` that names no built-in step. Called before anything changes, so a bad file changes nothing.
 */
export function checkStackBeforeChanges(stack: LoadedStack): void {
  resolveWaitTimeout(stack, undefined);
  const c = stack.config;
  const places: [string, HookMap | undefined][] = [
    ['hooks', c.hooks as HookMap | undefined],
    ...(c.infrastructure ?? []).map((item, i): [string, HookMap | undefined] => [
      `infrastructure[${i}].hooks`,
      item.hooks as HookMap | undefined,
    ]),
    ...(c.services ?? []).map((item, i): [string, HookMap | undefined] => [
      `services[${i}].hooks`,
      item.hooks as HookMap | undefined,
    ]),
  ];
  const problems: string[] = [];
  for (const [where, hooks] of places)
    for (const [point, steps] of Object.entries(hooks ?? {}))
      (steps ?? []).forEach((step, i) => {
        const path = `${where}.${point}[${i}]`;
        const use = step.use?.trim();
        if (use && !Object.hasOwn(BUILTIN_STEPS, use))
          problems.push(
            `${path}.use: unknown use: "${use}"; the built-in steps are ${Object.keys(BUILTIN_STEPS).sort().join(', ')}`,
          );
        const timeout = step.timeout?.trim();
        if (timeout) {
          try {
            parseTimeout(timeout, `${path}.timeout`);
          } catch (err) {
            problems.push(err instanceof Error ? err.message : String(err));
          }
        }
      });
  if (problems.length) throw new UserError(`${stack.displayFile}: ${problems.join('; ')}`, stack.displayFile);
}
