/*
 * The predecessor's CODEXCTL_* variables, read in one place by the CLI and the actions: a flag or an input beats
 * its variable, which beats the default. A variable set to blanks counts as unset.
 */

/** The variables behind the options every command and action shares. */
export const LEGACY_ENV = {
  config: 'CODEXCTL_CONFIG',
  env: 'CODEXCTL_ENV',
  slot: 'CODEXCTL_SLOT',
  namespace: 'CODEXCTL_NAMESPACE',
  issue: 'CODEXCTL_ISSUE_NUMBER',
  pr: 'CODEXCTL_PR_NUMBER',
  vars: 'CODEXCTL_VARS',
  varFile: 'CODEXCTL_VAR_FILE',
} as const;

type Env = Record<string, string | undefined>;

/** The trimmed value of a CODEXCTL_* variable, or undefined when it is unset or blank. */
export function legacyValue(name: string, env: Env = process.env): string | undefined {
  const v = env[name];
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * CODEXCTL_VARS, as the predecessor reads it: `KEY=VALUE` entries separated by commas (so a value cannot hold a
 * comma), each trimmed, empty ones skipped. Inline vars given as a flag or input come after these entries and win.
 */
export function legacyVars(env: Env = process.env): string[] {
  return (legacyValue(LEGACY_ENV.vars, env) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The shared options as the CODEXCTL_* variables give them (raw text; the caller validates). */
export interface LegacyStackEnv {
  config?: string;
  env?: string;
  slot?: string;
  namespace?: string;
  issue?: string;
  pr?: string;
  vars: string[];
  varFile?: string;
}

export function readLegacyEnv(env: Env = process.env): LegacyStackEnv {
  return {
    config: legacyValue(LEGACY_ENV.config, env),
    env: legacyValue(LEGACY_ENV.env, env),
    slot: legacyValue(LEGACY_ENV.slot, env),
    namespace: legacyValue(LEGACY_ENV.namespace, env),
    issue: legacyValue(LEGACY_ENV.issue, env),
    pr: legacyValue(LEGACY_ENV.pr, env),
    vars: legacyVars(env),
    varFile: legacyValue(LEGACY_ENV.varFile, env),
  };
}
