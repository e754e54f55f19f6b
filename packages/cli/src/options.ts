import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '@codex-k8s/core/errors';
import { parseDecimalInt } from '@codex-k8s/core/decimal';
import { LEGACY_ENV, readLegacyEnv } from '@codex-k8s/core/legacy-env';

/** Flags shared by every command that loads services.yaml. Env fallbacks: flag > CODEXCTL_* > default. */
export const STACK_FLAGS = {
  config: { type: 'string', short: 'c' },
  env: { type: 'string', short: 'e' },
  slot: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  vars: { type: 'string', multiple: true },
  'var-file': { type: 'string' },
  output: { type: 'string', short: 'o' },
  'log-level': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const FILTER_FLAGS = {
  'only-services': { type: 'string', multiple: true },
  'skip-services': { type: 'string', multiple: true },
  'only-infra': { type: 'string', multiple: true },
  'skip-infra': { type: 'string', multiple: true },
} as const satisfies ParseArgsConfig['options'];

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UserError(
      `${command}: ${(err as Error).message.replace(/\. To specify.*$/s, '')} (see codex-k8s ${command} --help)`,
    );
  }
}

export interface StackArgs {
  config: string;
  env: string;
  slot: number;
  namespace?: string;
  vars: string[];
  varFile?: string;
}

/** A slot number: decimal digits only (no `1e3`, `0x10`, blanks or values past 2^53); absent is slot 0. */
export function parseSlot(value: string | undefined, source: string): number {
  if (value === undefined) return 0;
  const n = parseDecimalInt(value);
  if (n === undefined) {
    throw new UserError(`${source}: slot must be a whole number >= 0 in decimal digits, got "${value}"`);
  }
  return n;
}

export function stackArgs(
  values: { config?: string; env?: string; slot?: string; namespace?: string; vars?: string[]; 'var-file'?: string },
  requireEnv = true,
): StackArgs {
  const legacy = readLegacyEnv();
  const env = values.env ?? legacy.env ?? '';
  if (requireEnv && !env)
    throw new UserError('--env is required (or set CODEXCTL_ENV): the environment to render, e.g. --env dev');
  const slotFlag = values.slot !== undefined;
  return {
    config: values.config ?? legacy.config ?? 'services.yaml',
    env,
    slot: parseSlot(slotFlag ? values.slot : legacy.slot, slotFlag ? '--slot' : LEGACY_ENV.slot),
    namespace: values.namespace ?? legacy.namespace,
    // CODEXCTL_VARS first, so a --vars entry for the same key wins.
    vars: [...legacy.vars, ...(values.vars ?? [])],
    varFile: values['var-file'] ?? legacy.varFile,
  };
}
