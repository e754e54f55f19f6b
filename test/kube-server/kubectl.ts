/** Runs the real kubectl against a test server (no shell; per-test kubeconfig and cache dir). */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface KubectlRunOptions {
  stdin?: string | Buffer;
  /** Kill after this long (default 20 s); the result then has code -1. */
  timeoutMs?: number;
  env?: Record<string, string>;
}

/** `$KUBECTL`, or the kubectl 1.35 that `bash test/setup/install-tools.sh` puts in `.tools/bin`. */
export const KUBECTL_BIN = process.env.KUBECTL ?? fileURLToPath(new URL('../../.tools/bin/kubectl', import.meta.url));

export function assertKubectl(): void {
  if (!existsSync(KUBECTL_BIN))
    throw new Error(`kubectl not found at ${KUBECTL_BIN}: run \`bash test/setup/install-tools.sh\` (or set KUBECTL)`);
}

export type Kubectl = (args: string[], options?: KubectlRunOptions) => Promise<KubectlResult>;

/** A kubectl runner bound to a kubeconfig and its own --cache-dir (a new temp dir unless given). */
export function kubectlFor(kubeconfig: string, cacheDir = mkdtempSync(join(tmpdir(), 'kube-test-cache-'))): Kubectl {
  return (args, options = {}) =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const child = spawn(KUBECTL_BIN, ['--cache-dir', cacheDir, ...args], {
        env: { ...process.env, KUBECONFIG: kubeconfig, ...(options.env ?? {}) },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs ?? 20_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({
          code: timedOut ? -1 : (code ?? -1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          durationMs: Date.now() - started,
        });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin ?? '');
    });
}
