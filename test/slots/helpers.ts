/** Shared pieces of the slot tests: a real Kubectl/SlotStore bound to the test server, predecessor records, the CLI. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import { ChildProcessRunner } from '../../packages/core/src/kube/runner.js';
import { SlotStore, type SlotStoreOptions } from '../../packages/core/src/slots/store.js';
import type { Harness } from '../kube-server/harness.js';
import { KUBECTL_BIN } from '../kube-server/kubectl.js';
import type { AllocateCliInput, AllocateCliResult } from './allocate-cli.js';

export const STATE_NS = 'codex-state';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = fileURLToPath(new URL('./allocate-cli.ts', import.meta.url));

export function kubectlOf(h: Harness): Kubectl {
  return new Kubectl(new ChildProcessRunner(), {
    binary: KUBECTL_BIN,
    kubeconfig: h.kubeconfig,
    cacheDir: join(h.dir, 'cache'),
    timeoutMs: 30_000,
  });
}

/** A store with short retry pauses (the defaults are for real clusters). */
export function storeOf(h: Harness, options: Partial<SlotStoreOptions> = {}): SlotStore {
  return new SlotStore(kubectlOf(h), {
    namespace: STATE_NS,
    retry: { initialMs: 50, maxMs: 200 },
    ...options,
  });
}

/** A record exactly as codexctl writes it: the seven data keys, no labels, no annotations. */
export function predecessorRecord(slot: number, data: Partial<Record<string, string>> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `codex-env-${slot}`, namespace: STATE_NS },
    data: {
      slot: String(slot),
      env: 'ai',
      namespace: `shop-dev-${slot}`,
      owner: 'manual',
      issue: '0',
      pr: '0',
      createdAt: '2026-02-06T10:00:00Z',
      ...data,
    },
  });
}

export async function createPredecessorRecord(
  h: Harness,
  slot: number,
  data: Partial<Record<string, string>> = {},
): Promise<void> {
  const r = await h.kubectl(['create', '-f', '-'], { stdin: predecessorRecord(slot, data) });
  if (r.code !== 0) throw new Error(`creating the predecessor record failed: ${r.stderr}`);
}

export async function createStateNamespace(h: Harness): Promise<void> {
  const r = await h.kubectl(['create', '-f', '-'], {
    stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: STATE_NS } }),
  });
  if (r.code !== 0) throw new Error(r.stderr);
}

export interface CliRun extends AllocateCliResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export interface CliProcess {
  /** Resolves once the process is loaded and waiting (with `barrier`). */
  ready: Promise<void>;
  /** Lets a process started with `barrier` allocate. */
  go(): void;
  done: Promise<CliRun>;
}

/** Starts test/slots/allocate-cli.ts in its own node process (tsx loader), with its own kubectl cache dir. */
export function startAllocateCli(h: Harness, input: Partial<AllocateCliInput>): CliProcess {
  const full: AllocateCliInput = {
    kubectl: KUBECTL_BIN,
    kubeconfig: h.kubeconfig,
    cacheDir: mkdtempSync(join(h.dir, 'cli-cache-')),
    stateNamespace: STATE_NS,
    env: 'ai',
    maxSlots: 10,
    waitTimeoutMs: 5000,
    ...input,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, JSON.stringify(full)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    if (out.includes('{"ready":true}')) markReady();
  });
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  child.stdin.on('error', () => undefined);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      markReady();
      const line = out
        .trim()
        .split('\n')
        .filter((l) => l && !l.includes('"ready"'))
        .pop();
      const parsed: AllocateCliResult = line ? (JSON.parse(line) as AllocateCliResult) : { ok: false, ms: 0 };
      resolve({ ...parsed, exitCode, signal, stderr: err });
    });
  });
  if (!full.barrier) child.stdin.end();
  return { ready, go: () => child.stdin.end('go\n'), done };
}

export function runAllocateCli(h: Harness, input: Partial<AllocateCliInput>): Promise<CliRun> {
  return startAllocateCli(h, { ...input, barrier: false }).done;
}

/** Starts every process, waits until all are loaded, then lets them allocate at the same moment. */
export async function runTogether(h: Harness, inputs: Partial<AllocateCliInput>[]): Promise<CliRun[]> {
  const procs = inputs.map((input) => startAllocateCli(h, { ...input, barrier: true }));
  await Promise.all(procs.map((p) => p.ready));
  for (const p of procs) p.go();
  return Promise.all(procs.map((p) => p.done));
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
