/**
 * Temp directories for tests that are removed after the test file: `tempDir(prefix)` anywhere in a test (module
 * level, hooks, the test body), and test/setup/remove-temp-dirs.ts removes them all in an afterAll of each file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
