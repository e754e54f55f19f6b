/**
 * The inputs of every action: each one its action.yml declares is read by its input reader (exactly once), each one
 * read is declared, and no input is read anywhere else. Reads are recorded through the environment the runner
 * passes them in (INPUT_<NAME>), the way @actions/core's getInput looks them up.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { actionMain, runnerInputs } from '../support/action.js';
import { REPO_ROOT } from '../support/cli.js';
import { readInputs as applyInputs } from '../../actions/apply/src/inputs.js';
import { readInputs as cleanupInputs } from '../../actions/cleanup/src/inputs.js';
import { readInputs as ensureReadyInputs } from '../../actions/ensure-ready/src/inputs.js';
import { readInputs as ensureSlotInputs } from '../../actions/ensure-slot/src/inputs.js';

const READERS: Record<string, () => unknown> = {
  apply: applyInputs,
  cleanup: cleanupInputs,
  'ensure-ready': ensureReadyInputs,
  'ensure-slot': ensureSlotInputs,
};

const saved = process.env;
afterEach(() => {
  process.env = saved;
});

/** The input names a reader looks up, with how often, while every input is left at its empty value. */
function recordReads(read: () => unknown): Map<string, number> {
  const reads = new Map<string, number>();
  const env = { ...saved };
  for (const k of Object.keys(env)) if (k.startsWith('INPUT_') || k.startsWith('CODEXCTL_')) delete env[k];
  process.env = new Proxy(env, {
    get(target, key, receiver) {
      if (typeof key === 'string' && key.startsWith('INPUT_')) {
        const name = key.slice('INPUT_'.length).toLowerCase();
        reads.set(name, (reads.get(name) ?? 0) + 1);
      }
      return Reflect.get(target, key, receiver);
    },
  });
  try {
    read();
  } finally {
    process.env = saved;
  }
  return reads;
}

const declared = (action: string): string[] =>
  Object.keys(
    (parse(readFileSync(path.join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8')) as { inputs?: object })
      .inputs ?? {},
  ).sort();

describe.each(Object.keys(READERS))('inputs of the %s action', (action) => {
  it('reads every declared input exactly once, and only declared ones', () => {
    const reads = recordReads(READERS[action]);
    expect([...reads.keys()].sort()).toEqual(declared(action));
    for (const [name, count] of reads) expect([name, count]).toEqual([name, 1]);
  });

  it('main.ts reads no input itself', () => {
    const main = readFileSync(path.join(REPO_ROOT, 'actions', action, 'src', 'main.ts'), 'utf8');
    expect(main).not.toMatch(/getInput|Input\(|process\.env\.(INPUT_|CODEXCTL_)/);
  });
});

describe('inputs of features that are not built', () => {
  it.each(Object.keys(READERS))('%s declares no prepare-images or preflight', (action) => {
    expect(declared(action)).toEqual(expect.not.arrayContaining(['prepare-images', 'preflight']));
  });

  it('github-token and lang are declared by the actions that write the status comment, and only those', () => {
    const writers = ['cleanup', 'ensure-ready', 'ensure-slot'];
    expect(Object.keys(READERS).filter((a) => declared(a).includes('github-token'))).toEqual(writers);
    expect(Object.keys(READERS).filter((a) => declared(a).includes('lang'))).toEqual(writers);
  });
});

describe("the predecessor's CODEXCTL_* variables on a real runner", () => {
  // The runner passes every declared input, at its default when the step does not set it: a non-empty default would
  // always win over the variable, which would then never be read.
  it.each(Object.keys(READERS))('%s: an input with a CODEXCTL_* fallback has an empty default', (action) => {
    const source = readFileSync(path.join(REPO_ROOT, 'actions', action, 'src', 'inputs.ts'), 'utf8');
    const spec = parse(readFileSync(path.join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: unknown }>;
    };
    const withFallback = [...source.matchAll(/Input\(\s*'([a-z-]+)'[^)]*?'(CODEXCTL_[A-Z_]+)'\s*\)/g)].map((m) => m[1]);
    expect(withFallback.length).toBeGreaterThan(0);
    for (const name of withFallback) expect([name, String(spec.inputs[name]?.default ?? '')]).toEqual([name, '']);
  });

  it('cleanup reads CODEXCTL_ALL and CODEXCTL_WITH_CONFIGMAP when the step leaves all and delete-state unset', () => {
    const env = { ...saved };
    for (const k of Object.keys(env)) if (k.startsWith('INPUT_') || k.startsWith('CODEXCTL_')) delete env[k];
    for (const [k, v] of Object.entries(runnerInputs(actionMain('cleanup'), {}))) env[`INPUT_${k.toUpperCase()}`] = v;
    process.env = { ...env, CODEXCTL_ALL: 'true', CODEXCTL_WITH_CONFIGMAP: 'false' };
    const read = cleanupInputs() as { all: boolean; deleteState: boolean };
    expect(read.all).toBe(true);
    expect(read.deleteState).toBe(false);
    process.env = env;
    const defaults = cleanupInputs() as { all: boolean; deleteState: boolean };
    expect(defaults.all).toBe(false);
    expect(defaults.deleteState).toBe(true);
  });
});
