/**
 * ensure-ready cut off at each step, as a cancelled runner or an OOM-killed job cuts it off (SIGKILL of the whole
 * process group, kubectl children included), then run again: the rerun must finish the job.
 */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadStack, renderStack } from '../../packages/core/src/index.js';
import { useKubeServer } from '../kube-server/harness.js';
import { actionMain, runAction } from '../support/action.js';
import { REPO_ROOT } from '../support/cli.js';

const TOOLS = path.resolve('.tools/bin');
const CONFIG = 'examples/shop/services.yaml';

/** Runs the bundled action in its own process group and SIGKILLs the group once its stdout matches `at`. */
function runUntil(
  inputs: Record<string, string>,
  env: Record<string, string>,
  at: RegExp,
): Promise<{ killed: boolean; stdout: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-kill-'));
  const full: Record<string, string> = {
    PATH: env.PATH,
    HOME: process.env.HOME ?? dir,
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_RUN_ID: '2002',
    ...env,
  };
  for (const f of ['output', 'summary']) writeFileSync(path.join(dir, f), '');
  for (const [k, v] of Object.entries(inputs)) full[`INPUT_${k.toUpperCase()}`] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [actionMain('ensure-ready')], {
      cwd: REPO_ROOT,
      env: full,
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    let killed = false;
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString('utf8');
      if (!killed && at.test(stdout)) {
        killed = true;
        process.kill(-child.pid!, 'SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ killed, stdout });
    });
  });
}

describe('ensure-ready killed at each step, then run again', () => {
  const h = useKubeServer({ readyDelayMs: 400 });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
  });

  it.each([
    ['after the claim', /claimed slot 1/],
    ['during the apply of the infra groups', /^infra data: /m],
    ['after the source sync', /Synced \d+ files/m],
    ['during the apply of the services', /^service web: /m],
    ['during the waits', /^ready: /m],
  ])('%s: the rerun applies, waits and records the stack', async (_step, at) => {
    const src = mkdtempSync(path.join(os.tmpdir(), 'ck8s-kill-src-'));
    try {
      mkdirSync(path.join(src, 'services/web'), { recursive: true });
      writeFileSync(path.join(src, 'services/web/index.js'), 'v1\n');
      const inputs = { config: CONFIG, env: 'ai', issue: '9', source: src, 'code-root-base': '/workspace/slots' };

      const cut = await runUntil(inputs, env(), at);
      expect(cut.killed).toBe(true);
      const record = () => h.server.store.get('ConfigMap', 'codex-system', 'shop-slot-1');
      expect(record()?.data?.appliedDigest).toBeUndefined();

      writeFileSync(path.join(src, 'services/web/index.js'), 'v2\n');
      const rerun = await runAction(actionMain('ensure-ready'), inputs, {
        cwd: REPO_ROOT,
        env: env(),
        timeoutMs: 180_000,
      });
      expect(rerun.errors).toEqual([]);
      expect(rerun.outputs).toMatchObject({ slot: '1', 'infra-ready': 'true', 'env-ready': 'true' });
      const stack = renderStack(
        loadStack({ config: path.join(REPO_ROOT, CONFIG), env: 'ai', slot: 1, processEnv: { PATH: process.env.PATH } }),
      );
      const missing = stack.documents
        .map((d) => d.object)
        .filter(
          (o) => !h.server.store.get(o.kind as string, o.kind === 'Namespace' ? '' : 'shop-ai-1', o.metadata!.name),
        )
        .map((o) => `${o.kind}/${o.metadata!.name}`);
      expect(missing).toEqual([]);
      expect(rerun.stdout).toMatch(/ready: Deployment shop-ai-1\/codex in /);
      expect(record()!.data.appliedDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const slotDir = path.join(h.server.pvcDir('shop-ai-1', 'shop-workspace'), 'slots/1');
      expect(readFileSync(path.join(slotDir, 'src/services/web/index.js'), 'utf8')).toBe('v2\n');
      expect(readdirSync(slotDir).sort()).toEqual(['.codex-k8s-sync.sha256', 'src']);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });
});
