/**
 * A `run:` step as the runner runs it on Linux: the script written to a file under RUNNER_TEMP and started with the
 * step's shell (`bash -e {0}` when none is named, `bash --noprofile --norc -eo pipefail {0}` for `shell: bash`,
 * `sh -e {0}` for `sh`, or a custom command with `{0}`), in its working directory, with the step environment.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface RunStepOptions {
  script: string;
  shell?: string;
  cwd: string;
  env: Record<string, string>;
  runnerTemp: string;
  timeoutMs?: number;
  onOutput?: (text: string) => void;
}

export interface RunStepResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The command line of a shell, `{0}` replaced by the script file. */
export function shellCommand(shell: string | undefined, file: string): string[] {
  const known: Record<string, string> = {
    '': 'bash -e {0}',
    bash: 'bash --noprofile --norc -eo pipefail {0}',
    sh: 'sh -e {0}',
  };
  const template = known[shell ?? ''] ?? shell!;
  if (!template.includes('{0}'))
    throw new Error(`shell: ${shell}: not a shell the harness knows (bash, sh, or a command with {0})`);
  return template
    .split(/\s+/)
    .filter(Boolean)
    .map((a) => a.replace('{0}', file));
}

let counter = 0;

export function runScript(o: RunStepOptions): Promise<RunStepResult> {
  const file = path.join(o.runnerTemp, `step-${process.pid}-${++counter}.sh`);
  writeFileSync(file, o.script, { mode: 0o600 });
  const [cmd, ...args] = shellCommand(o.shell, file);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      o.onOutput?.(b.toString('utf8'));
    });
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      o.onOutput?.(b.toString('utf8'));
    });
    let timedOut = false;
    const timer = o.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          // The whole process group: what the script started goes too.
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        }, o.timeoutMs)
      : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
  });
}
