import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Written to the child's stdin (then closed). Secrets travel here, never in argv. */
  input?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Wall-clock limit; the child is killed (SIGTERM, then SIGKILL) when it passes. */
  timeoutMs?: number;
  /**
   * Run the child in its own process group and signal the whole group on timeout. Needed for shell scripts: killing
   * only `bash` leaves its children running and holding the output pipes open, so the call would not return.
   */
  killTree?: boolean;
  /** Aborting kills the child like a timeout does (the result then has `aborted: true`). */
  signal?: AbortSignal;
  /** Called with each chunk of stdout/stderr as it arrives (for streaming logs). */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Called with each raw chunk of stdout (byte offsets: a chunk may end inside a UTF-8 character). */
  onStdoutData?: (chunk: Buffer) => void;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** True when the child was killed because `timeoutMs` passed. */
  timedOut: boolean;
  /** True when the child was killed because `signal` aborted. */
  aborted?: boolean;
}

/** Runs programs. The real one spawns processes; unit tests pass a fake. */
export interface ProcessRunner {
  run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
}

/** Spawns the program directly (no shell), so no argument is ever interpreted by a shell. */
export class ChildProcessRunner implements ProcessRunner {
  run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const group = options.killTree === true && process.platform !== 'win32';
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ? { ...process.env, ...options.env } : process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: group,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      let aborted = false;
      let killer: NodeJS.Timeout | undefined;
      const signalChild = (sig: NodeJS.Signals) => {
        try {
          if (group && child.pid) process.kill(-child.pid, sig);
          else child.kill(sig);
        } catch {
          /* already gone */
        }
      };
      const stop = () => {
        signalChild('SIGTERM');
        killer = setTimeout(() => signalChild('SIGKILL'), 5000);
      };
      const timer =
        options.timeoutMs && options.timeoutMs > 0
          ? setTimeout(
              () => {
                timedOut = true;
                stop();
              },
              // Node fires a longer timer at once (2^31-1 ms is about 24.8 days).
              Math.min(options.timeoutMs, 2_147_483_647),
            )
          : undefined;
      const onAbort = () => {
        aborted = true;
        stop();
      };
      if (options.signal?.aborted) queueMicrotask(onAbort);
      else options.signal?.addEventListener('abort', onAbort, { once: true });
      // A group leader left running when this process exits would outlive it; take the group down with us.
      const onExit = () => signalChild('SIGKILL');
      if (group) process.once('exit', onExit);
      child.stdout.on('data', (b: Buffer) => {
        out.push(b);
        options.onStdoutData?.(b);
        options.onStdout?.(b.toString('utf8'));
      });
      child.stderr.on('data', (b: Buffer) => {
        err.push(b);
        options.onStderr?.(b.toString('utf8'));
      });
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        if (killer) clearTimeout(killer);
        options.signal?.removeEventListener('abort', onAbort);
        if (group) process.removeListener('exit', onExit);
      };
      child.on('error', (e) => {
        cleanup();
        reject(e);
      });
      child.on('close', (code, signal) => {
        cleanup();
        resolve({
          code: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          timedOut,
          ...(aborted ? { aborted } : {}),
        });
      });
      child.stdin.on('error', () => {
        /* the child may exit before reading its input; its exit code tells what happened */
      });
      child.stdin.end(options.input ?? '');
    });
  }
}
