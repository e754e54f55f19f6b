import type { Kubectl } from '../kube/kubectl.js';
import type { Logger } from '../util/reporter.js';
import { StepFailure, type HookStack, type HookStepInfo } from './types.js';

export interface BuiltinContext {
  stack: HookStack;
  kubectl?: Kubectl;
  /** `with:` values; strings already rendered as templates. */
  with: Record<string, unknown>;
  step: HookStepInfo;
  /** Aborted when the step's timeout fires. */
  signal: AbortSignal;
  /** Milliseconds left before the step's timeout. */
  remainingMs(): number;
  log: Logger;
  /** Where secrets are read from (never from envFiles). */
  processEnv: Record<string, string | undefined>;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Told about each secret value read, so the caller can mask it in logs. */
  maskSecret?: (value: string) => void;
  /** How `codex.reuse-dev-tls-secret` polls for the issued secret (default 120 × 2 s). */
  tlsSecretPoll?: { attempts: number; intervalMs: number };
}

export type BuiltinStep = (ctx: BuiltinContext) => Promise<void>;

/** A `with:` string value; non-strings count as missing (as in the predecessor). */
export function withString(ctx: BuiltinContext, key: string): string | undefined {
  const v = ctx.with[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

export function required(ctx: BuiltinContext, key: string): string {
  const v = withString(ctx, key);
  if (v === undefined) throw new StepFailure(`with.${key} is required (a string)`);
  return v;
}

export function needKubectl(ctx: BuiltinContext): Kubectl {
  if (!ctx.kubectl) throw new StepFailure('this step needs kubectl, and the run has none');
  return ctx.kubectl;
}
