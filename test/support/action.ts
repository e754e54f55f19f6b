import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './cli.js';

/**
 * The inputs the runner passes for a step: every input of the action.yml beside the bundle, at its default, with
 * the step's `with:` values over them. `${{ github.token }}` stands for the job's token (GITHUB_TOKEN given).
 */
export function runnerInputs(
  main: string,
  given: Record<string, string | number | boolean>,
  env: Record<string, string | undefined> = {},
): Record<string, string> {
  const file = path.join(path.dirname(main), '..', 'action.yml');
  const declared = existsSync(file)
    ? ((parse(readFileSync(file, 'utf8')) as { inputs?: Record<string, { default?: unknown }> }).inputs ?? {})
    : {};
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const d = spec?.default;
    if (d === undefined || d === null) continue;
    out[name] = String(d).replace(/\$\{\{\s*github\.token\s*\}\}/g, env.GITHUB_TOKEN ?? '');
  }
  for (const [k, v] of Object.entries(given)) out[k] = String(v);
  return out;
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** `::error::` and `::warning::` annotations the step printed. */
  errors: string[];
  warnings: string[];
}

/** Reads a GITHUB_OUTPUT file written with the heredoc format (`name<<DELIM` ... `DELIM`). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (m) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== m[2]; i++) body.push(lines[i]);
      out[m[1]] = body.join('\n');
    } else if (lines[i].includes('=')) {
      const eq = lines[i].indexOf('=');
      out[lines[i].slice(0, eq)] = lines[i].slice(eq + 1);
    }
  }
  return out;
}

/**
 * Runs a bundled action the way the runner does: `node <main>` with `INPUT_<NAME>` variables (upper-cased, spaces
 * as underscores, dashes kept), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and the rest of the environment given.
 */
export function runAction(
  main: string,
  inputs: Record<string, string | number | boolean>,
  options: {
    env?: Record<string, string>;
    cwd?: string;
    timeoutMs?: number;
    onSpawn?: (pid: number) => void;
    /** The node binary (default: this process's), e.g. Node 24 for `runs.using: node24`. */
    node?: string;
    /** Called with each chunk of stdout as it comes (a live log). */
    onStdout?: (text: string) => void;
  } = {},
): Promise<ActionRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-action-'));
  const outputFile = path.join(dir, 'output');
  const summaryFile = path.join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    RUNNER_TEMP: dir,
    // The run's temp directory, so that what the action leaves there is seen (test/setup/temp-dir.mjs).
    TMPDIR: os.tmpdir(),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: options.cwd ?? REPO_ROOT,
    GITHUB_REPOSITORY: 'octo/shop',
    GITHUB_RUN_ID: '1001',
    ...options.env,
  };
  for (const [k, v] of Object.entries(runnerInputs(main, inputs, options.env)))
    env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [main], {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid) options.onSpawn?.(child.pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      options.onStdout?.(b.toString('utf8'));
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
      const summary = readFileSync(summaryFile, 'utf8');
      rmSync(dir, { recursive: true, force: true });
      resolve({
        code: code ?? -1,
        stdout,
        stderr: Buffer.concat(err).toString('utf8'),
        outputs,
        summary,
        errors: [...stdout.matchAll(/^::error(?: [^:]*)?::(.*)$/gm)].map((m) =>
          m[1].replace(/%0A/g, '\n').replace(/%25/g, '%'),
        ),
        warnings: [...stdout.matchAll(/^::warning(?: [^:]*)?::(.*)$/gm)].map((m) =>
          m[1].replace(/%0A/g, '\n').replace(/%25/g, '%'),
        ),
      });
    });
  });
}

export const actionMain = (name: string) => path.join(REPO_ROOT, 'actions', name, 'dist', 'index.js');
