// The test run's own temp directory: globalSetup points TMPDIR at a fresh directory, so everything the tests (and
// the processes they start) put in the temp directory lands there; globalTeardown lists what is left, fails the run
// when a test left something, and removes the directory either way.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const RUN_DIR_VARIABLE = 'CODEX_K8S_TEST_TMPDIR';

/**
 * Temp files the product itself leaves (not the tests), reported without failing the run while they are fixed in
 * the product: delete a pattern once its leak is gone, so that it fails again if it comes back.
 */
const PRODUCT_LEFTOVERS = [/^codex-k8s-apply-\d+\.yaml$/];

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
  const product = left.filter((name) => PRODUCT_LEFTOVERS.some((p) => p.test(name)));
  const tests = left.filter((name) => !product.includes(name));
  if (product.length > 0)
    console.warn(`\nThe product left ${product.length} temp file(s) (known, being fixed): ${product.join(', ')}`);
  if (tests.length > 0)
    throw new Error(
      `The tests left ${tests.length} entries in the temp directory (remove what a test creates in afterAll/finally):\n  ` +
        tests.join('\n  '),
    );
}
