import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Written to the child's stdin (then closed). Secrets travel here, never in argv. */
  input?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Wall-clock limit; the child is killed (SIGTERM, then SIGKILL) when it passes. */
  timeoutMs?: number;
  /** Called with each chunk of stdout/stderr as it arrives (for streaming logs). */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** True when the child was killed because `timeoutMs` passed. */
  timedOut: boolean;
}

/** Runs programs. The real one spawns processes; unit tests pass a fake. */
export interface ProcessRunner {
  run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
}

/** Spawns the program directly (no shell), so no argument is ever interpreted by a shell. */
export class ChildProcessRunner implements ProcessRunner {
  run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ? { ...process.env, ...options.env } : process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      let killer: NodeJS.Timeout | undefined;
      const timer =
        options.timeoutMs && options.timeoutMs > 0
          ? setTimeout(() => {
              timedOut = true;
              child.kill('SIGTERM');
              killer = setTimeout(() => child.kill('SIGKILL'), 5000);
            }, options.timeoutMs)
          : undefined;
      child.stdout.on('data', (b: Buffer) => {
        out.push(b);
        options.onStdout?.(b.toString('utf8'));
      });
      child.stderr.on('data', (b: Buffer) => {
        err.push(b);
        options.onStderr?.(b.toString('utf8'));
      });
      child.on('error', (e) => {
        if (timer) clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        if (killer) clearTimeout(killer);
        resolve({
          code: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          timedOut,
        });
      });
      child.stdin.on('error', () => {
        /* the child may exit before reading its input; its exit code tells what happened */
      });
      child.stdin.end(options.input ?? '');
    });
  }
}
