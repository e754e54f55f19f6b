import * as core from '@actions/core';
import { LEGACY_ENV, legacyValue, legacyVars } from '../config/legacy-env.js';
import { parseGoDuration } from '../kube/duration.js';
import { UserError } from '../util/errors.js';
import { parseDecimalInt } from '../util/decimal.js';

/*
 * Every action reads its inputs through here: an input beats the predecessor's CODEXCTL_* variable, which beats
 * the default. Values are validated, and a bad one fails the step with a message naming the input.
 */

function fromEnv(name: string | undefined): string | undefined {
  return name ? legacyValue(name) : undefined;
}

/** The raw text of an input: the input, else its CODEXCTL_* fallback, else ''. */
export function inputText(name: string, envFallback?: string): string {
  const v = core.getInput(name);
  return v !== '' ? v : (fromEnv(envFallback) ?? '');
}

export function stringInput(name: string, fallback = '', envFallback?: string): string {
  return inputText(name, envFallback) || fallback;
}

export function boolInput(name: string, fallback: boolean, envFallback?: string): boolean {
  const v = inputText(name, envFallback).trim();
  if (v === '') return fallback;
  if (/^(true|1|yes|on)$/i.test(v)) return true;
  if (/^(false|0|no|off)$/i.test(v)) return false;
  throw new UserError(`input ${name}: "${v}" is not a boolean; use true or false`);
}

export function intInput(name: string, fallback: number, envFallback?: string, min = 0): number {
  const v = inputText(name, envFallback).trim();
  if (v === '') return fallback;
  const n = parseDecimalInt(v);
  if (n === undefined || n < min) {
    throw new UserError(`input ${name}: "${v}" is not a whole number >= ${min} in decimal digits`);
  }
  return n;
}

/** Comma- or newline-separated names. */
export function listInput(name: string, envFallback?: string): string[] {
  return inputText(name, envFallback)
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `90s`, `5m`, `1h30m`, or a bare number of seconds. */
export function durationInput(name: string, fallbackMs: number, envFallback?: string): number {
  const v = inputText(name, envFallback).trim();
  if (v === '') return fallbackMs;
  const ms = parseDurationMs(v);
  if (ms === undefined) throw new UserError(`input ${name}: "${v}" is not a duration; write e.g. 90s, 10m or 1h30m`);
  return ms;
}

/** A Go duration (`90s`, `5m`, `1h30m`), or a bare number of seconds. */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  try {
    return parseGoDuration(t);
  } catch {
    return undefined;
  }
}

/** The stack inputs every action has (each action reads them once, in its own inputs.ts). */
export interface StackInputs {
  config: string;
  env: string;
  /** Inline `KEY=VALUE` entries: CODEXCTL_VARS's first, then the vars input (one per line), which wins. */
  vars: string[];
  varFile?: string;
}

export function readStackInputs(defaultEnv = 'ai'): StackInputs {
  const inline = core.getInput('vars');
  return {
    config: stringInput('config', 'services.yaml', LEGACY_ENV.config),
    env: stringInput('env', defaultEnv, LEGACY_ENV.env),
    vars: [...legacyVars(), ...(inline ? [inline] : [])],
    varFile: stringInput('var-file', '', LEGACY_ENV.varFile) || undefined,
  };
}

/** The slot selectors: an issue, a pull request, a slot number (0 = not given). */
export function readSlotSelector(): { issue: number; pr: number; slot: number } {
  return {
    issue: intInput('issue', 0, LEGACY_ENV.issue),
    pr: intInput('pr', 0, LEGACY_ENV.pr),
    slot: intInput('slot', 0, LEGACY_ENV.slot),
  };
}

/** The token for the GitHub API (input, else CODEXCTL_GH_PAT, else GITHUB_TOKEN), masked in the log. */
export function githubTokenInput(): string {
  const token = stringInput('github-token', '', 'CODEXCTL_GH_PAT') || fromEnv('GITHUB_TOKEN') || '';
  if (token) core.setSecret(token);
  return token;
}

export function dryRunInput(): boolean {
  return boolInput('dry-run', false);
}

export function kubectlVersionInput(): string | undefined {
  return stringInput('kubectl-version', '') || undefined;
}

/** A duration input that must be longer than zero (a TTL, a timeout). */
export function positiveDurationInput(name: string, fallbackMs: number, envFallback?: string): number {
  const ms = durationInput(name, fallbackMs, envFallback);
  if (ms <= 0)
    throw new UserError(
      `input ${name}: "${inputText(name, envFallback).trim()}" must be longer than zero; write e.g. 72h`,
    );
  return ms;
}

/** A duration input left unset (undefined) when neither the input nor its variable is given. */
export function optionalDurationInput(name: string, envFallback?: string): number | undefined {
  return inputText(name, envFallback).trim() ? durationInput(name, 0, envFallback) : undefined;
}

/** Like optionalDurationInput, for a limit: zero or less is an error naming the input. */
export function optionalPositiveDurationInput(name: string, envFallback?: string): number | undefined {
  return inputText(name, envFallback).trim() ? positiveDurationInput(name, 0, envFallback) : undefined;
}

/** A duration where 0 means "not at all" (don't wait); a negative one is an error naming the input. */
export function nonNegativeDurationInput(name: string, fallbackMs: number, envFallback?: string): number {
  const ms = durationInput(name, fallbackMs, envFallback);
  if (ms < 0)
    throw new UserError(
      `input ${name}: "${inputText(name, envFallback).trim()}" is negative; write 0 for "do not wait" or a duration such as 10m`,
    );
  return ms;
}
