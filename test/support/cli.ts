import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO_ROOT, 'packages/cli/bin/codex-k8s.js');

/**
 * Set by mutation testing (stryker.config.mjs): runCli then runs the CLI's sources in this process, so that the
 * CLI tests judge the mutated core; everywhere else they run the built bundle in a process of its own.
 */
export const IN_PROCESS = 'CODEX_K8S_TEST_CLI_IN_PROCESS';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `codex-k8s` CLI as its own process, the way a user or the agent pod runs it. The environment is
 * exactly `env` plus PATH and TMPDIR (the run's, so what the CLI leaves there is seen), so nothing from the test
 * runner leaks into templates.
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string } = {},
): Promise<RunResult> {
  if (process.env[IN_PROCESS] === '1') return runCliInProcess(args, options);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: os.tmpdir(), ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.end(options.input ?? '');
  });
}

/** Written out, not built from the name, so that jest (and mutation testing) sees which sources the tests use. */
const COMMAND_SOURCES: Record<string, () => Promise<{ run(argv: string[]): Promise<number>; help: string }>> = {
  render: () => import('../../packages/cli/src/commands/render.js'),
  config: () => import('../../packages/cli/src/commands/config.js'),
  template: () => import('../../packages/cli/src/commands/template.js'),
  validate: () => import('../../packages/cli/src/commands/validate.js'),
  apply: () => import('../../packages/cli/src/commands/apply.js'),
  destroy: () => import('../../packages/cli/src/commands/destroy.js'),
  slots: () => import('../../packages/cli/src/commands/slots.js'),
  doctor: () => import('../../packages/cli/src/commands/doctor.js'),
  plan: () => import('../../packages/cli/src/commands/plan.js'),
  prompt: () => import('../../packages/cli/src/commands/prompt.js'),
  images: () => import('../../packages/cli/src/commands/images.js'),
};

/**
 * The CLI's `main` with the sources' commands, in this process: the same environment, working directory and
 * arguments a process would get, stdin from `input`, stdout and stderr captured.
 */
async function runCliInProcess(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string },
): Promise<RunResult> {
  const { main } = await import('../../packages/cli/src/main.js');
  const { resetLog } = await import('../../packages/cli/src/output.js');
  const saved = {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout.write,
    stderr: process.stderr.write,
    exitCode: process.exitCode,
    stdin: Object.getOwnPropertyDescriptor(process, 'stdin')!,
  };
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) =>
    ((chunk: string | Uint8Array) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
  resetLog();
  process.env = { PATH: saved.env.PATH ?? '/usr/bin:/bin', TMPDIR: os.tmpdir(), ...options.env };
  process.chdir(options.cwd ?? REPO_ROOT);
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  Object.defineProperty(process, 'stdin', {
    configurable: true,
    value: Readable.from([Buffer.from(options.input ?? '')]),
  });
  let code: number;
  try {
    code = await main(args, (name) => COMMAND_SOURCES[name]!());
  } catch (e) {
    err.push(`internal error (please report it): ${(e as Error)?.stack ?? String(e)}\n`);
    code = 2;
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
    Object.defineProperty(process, 'stdin', saved.stdin);
    process.chdir(saved.cwd);
    process.env = saved.env;
    process.exitCode = saved.exitCode;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}
