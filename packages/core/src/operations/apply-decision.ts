import { loadStack, type LoadOptions } from '../config/load.js';
import { renderStack } from '../render/stack.js';
import type { EnsureSlotResult } from './ensure-slot.js';
import { stackDigest } from './stack-digest.js';

/**
 * Whether the stack is applied, and why: a new or restored environment, `force-apply`, or a stack that differs
 * from the one last applied completely to the slot (or none recorded). The dry run asks the same question.
 */
export function decideApply(
  o: { apply?: boolean; forceApply?: boolean },
  slot: EnsureSlotResult,
  env: { newEnv: boolean; recreated: boolean; load: LoadOptions },
): { recorded: string; applying: boolean; reason: string } {
  const recorded = slot.record.appliedDigest ?? '';
  const stack = loadStack(env.load);
  const current = stackDigest(renderStack(stack).documents, stack);
  let reason: string;
  if (o.apply === false) reason = 'apply: false';
  else if (env.newEnv) reason = env.recreated ? 'the namespace was gone' : 'new slot';
  else if (o.forceApply) reason = 'force-apply: true';
  else if (!recorded) reason = 'no complete apply recorded for this slot';
  else if (recorded !== current) reason = 'the stack changed since its last complete apply';
  else reason = `unchanged since its last complete apply (${slot.record.appliedAt || 'time unknown'})`;
  const applying = o.apply !== false && (env.newEnv || !!o.forceApply || recorded !== current);
  return { recorded, applying, reason };
}
