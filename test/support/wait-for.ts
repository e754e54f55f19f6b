/** Waiting for a condition in tests, instead of sleeping a fixed time and hoping it has happened by then. */
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';

export interface WaitForOptions {
  /** Give up after this long (default 10 s): the error names `what`. */
  timeoutMs?: number;
  /** Time between checks (default 20 ms). */
  intervalMs?: number;
  /** What is being waited for, for the timeout message. */
  what?: string;
}

/** Resolves with the condition's first truthy value; rejects when it stays falsy past the timeout. */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitForOptions = {}): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 20, what = 'the condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`waitFor: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Ids of the live processes whose working directory is `dir` (Linux /proc); a test's own temp dir makes it unique. */
export function processesIn(dir: string): number[] {
  const target = realpathSync(dir);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === target) pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

/**
 * Processes still running (zombies left out: they have ended) whose command line matches, as `pid command line`
 * strings: what a test checks is left over after an agent was stopped.
 */
export function runningProcesses(match: RegExp): string[] {
  const out: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '')[0];
      if (state !== 'Z' && match.test(cmd)) out.push(`${entry} ${cmd}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return out;
}
