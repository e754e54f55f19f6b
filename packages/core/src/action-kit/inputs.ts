import * as core from '@actions/core';
import { z } from 'zod';
import { parseGoDuration } from '../kube/duration.js';
import { UserError } from '../util/errors.js';
import { parseDecimalInt } from '../util/decimal.js';

/*
 * Every action reads its inputs through here: an input beats the predecessor's CODEXCTL_* variable, which beats
 * the default. Values are validated, and a bad one fails the step with a message naming the input.
 */

function fromEnv(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const v = process.env[name];
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
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

const Lang = z.enum(['en', 'ru']);

export interface CommonInputs {
  config: string;
  env: string;
  slot: number;
  namespace?: string;
  issue: number;
  pr: number;
  /** Inline `KEY=VALUE` entries (the vars input holds one per line). */
  vars: string[];
  varFile?: string;
  kubectlVersion?: string;
  githubToken: string;
  lang: 'en' | 'ru';
  dryRun: boolean;
}

/** The inputs every action has. `defaultEnv` is the env the action uses when neither input nor variable names one. */
export function readCommonInputs(defaultEnv = 'ai'): CommonInputs {
  const token = stringInput('github-token', '', 'CODEXCTL_GH_PAT') || fromEnv('GITHUB_TOKEN') || '';
  if (token) core.setSecret(token);
  const lang = stringInput('lang', 'en', 'CODEXCTL_LANG').toLowerCase();
  const parsedLang = Lang.safeParse(lang);
  if (!parsedLang.success) throw new UserError(`input lang: "${lang}" is not supported; use en or ru`);
  const legacyVars = (fromEnv('CODEXCTL_VARS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const inlineVars = core.getInput('vars');
  return {
    config: stringInput('config', 'services.yaml', 'CODEXCTL_CONFIG'),
    env: stringInput('env', defaultEnv, 'CODEXCTL_ENV'),
    slot: intInput('slot', 0, 'CODEXCTL_SLOT'),
    namespace: stringInput('namespace', '', 'CODEXCTL_NAMESPACE') || undefined,
    issue: intInput('issue', 0, 'CODEXCTL_ISSUE_NUMBER'),
    pr: intInput('pr', 0, 'CODEXCTL_PR_NUMBER'),
    vars: inlineVars ? [inlineVars] : legacyVars,
    varFile: stringInput('var-file', '', 'CODEXCTL_VAR_FILE') || undefined,
    kubectlVersion: stringInput('kubectl-version', '') || undefined,
    githubToken: token,
    lang: parsedLang.data,
    dryRun: boolInput('dry-run', false),
  };
}

/** services.yaml and its variables, as every action that loads it passes them to core. */
export function stackInputs(common: CommonInputs): { config: string; env: string; vars: string[]; varFile?: string } {
  return { config: common.config, env: common.env, vars: common.vars, varFile: common.varFile };
}
