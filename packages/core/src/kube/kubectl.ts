import { KubectlError } from './errors.js';
import type { ProcessRunner, RunResult } from './runner.js';

export interface KubectlOptions {
  /** Path of the kubectl binary. */
  binary: string;
  /** Kubeconfig for this environment; unset means kubectl's own default (KUBECONFIG, ~/.kube/config). */
  kubeconfig?: string;
  context?: string;
  /** Discovery cache directory (per run, so tests and runs do not share stale discovery). */
  cacheDir?: string;
  /** Extra environment for every call. */
  env?: Record<string, string>;
  /** Default wall-clock limit of one call, in ms. */
  timeoutMs?: number;
}

export interface KubectlCall {
  /** Sent on stdin: manifests and anything secret go here, never in argv. */
  input?: string;
  timeoutMs?: number;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Raw stdout chunks, for callers that count bytes. */
  onStdoutData?: (chunk: Buffer) => void;
  /** Aborting kills the call (a hook step's timeout, a cancelled run). */
  signal?: AbortSignal;
}

/**
 * The one way the product talks to a cluster: kubectl as a child process. Global flags (kubeconfig, context,
 * cache dir) are added here, so callers pass only the command. Every call is counted.
 */
export class Kubectl {
  private calls = 0;

  constructor(
    private readonly runner: ProcessRunner,
    readonly options: KubectlOptions,
  ) {}

  /** How many kubectl processes this instance started. */
  get invocations(): number {
    return this.calls;
  }

  globalArgs(): string[] {
    const o = this.options;
    return [
      ...(o.kubeconfig ? ['--kubeconfig', o.kubeconfig] : []),
      ...(o.context ? ['--context', o.context] : []),
      ...(o.cacheDir ? ['--cache-dir', o.cacheDir] : []),
    ];
  }

  /** Runs kubectl and returns its result whatever the exit code. */
  async exec(args: readonly string[], call: KubectlCall = {}): Promise<RunResult> {
    this.calls++;
    return this.runner.run(this.options.binary, [...this.globalArgs(), ...args], {
      input: call.input,
      env: this.options.env,
      timeoutMs: call.timeoutMs ?? this.options.timeoutMs,
      onStdout: call.onStdout,
      onStderr: call.onStderr,
      onStdoutData: call.onStdoutData,
      signal: call.signal,
    });
  }

  /** Runs kubectl; a non-zero exit becomes a KubectlError carrying the server's reason. */
  async run(args: readonly string[], call: KubectlCall = {}): Promise<string> {
    const res = await this.exec(args, call);
    if (res.code !== 0 || res.timedOut || res.aborted)
      throw new KubectlError(args, res.code, res.stderr, res.timedOut || !!res.aborted);
    return res.stdout;
  }
}
