// The test run's own temp directory: globalSetup points TMPDIR at a fresh directory, so everything the tests (and
// the processes they start) put in the temp directory lands there; globalTeardown lists what is left, fails the run
// when a test left something, and removes the directory either way.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const RUN_DIR_VARIABLE = 'CODEX_K8S_TEST_TMPDIR';

/** Caches of the tools the tests start (tsx for the standalone test server), kept on purpose and not reported. */
const TOOL_CACHES = [/^tsx-\d+$/, /^jest_/];

export function setUp() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'codex-k8s-test-run-'));
  process.env[RUN_DIR_VARIABLE] = dir;
  process.env.TMPDIR = dir;
}

export function tearDown() {
  const dir = process.env[RUN_DIR_VARIABLE];
  if (!dir) return;
  const left = readdirSync(dir)
    .filter((name) => !TOOL_CACHES.some((p) => p.test(name)))
    .sort();
  rmSync(dir, { recursive: true, force: true });
  if (left.length > 0)
    throw new Error(
      `The tests or the product left ${left.length} entries in the temp directory (remove what a test creates in afterAll/finally):\n  ` +
        left.join('\n  '),
    );
}
