/**
 * What apply leaves on disk and in the summary: the rendered stack (Secret data in clear) only where asked for,
 * 0600 and never through a planted link; secret values never in the wait diagnostics. Real kubectl, test server.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { applyEnvironment } from '../../packages/core/src/operations/apply-environment.js';
import { UserError } from '../../packages/core/src/util/errors.js';
import type { Reporter } from '../../packages/core/src/util/reporter.js';
import { useKubeServer } from '../kube-server/harness.js';
import { MANIFESTS, kubectlOf, shopProject } from './project.js';

function recorder(): Reporter & { text: string[]; summaries: string[] } {
  const text: string[] = [];
  const summaries: string[] = [];
  return {
    text,
    summaries,
    info: (m) => text.push(m),
    warning: (m) => text.push(m),
    debug: (m) => text.push(m),
    group: (t, body) => (text.push(t), body()),
    summary: (m) => summaries.push(m),
  };
}

const SECRET = 'do-not-leak-me';
// The api Deployment gets the database password inline, as many stacks do: `describe` prints it.
const API_WITH_PASSWORD = MANIFESTS['services/api.yaml'].replace(
  '          image: shop/api:1\n',
  `          image: shop/api:1\n          env:\n            - name: DB_PASSWORD\n              value: ${SECRET}\n`,
);

describe('apply: files and secrets', () => {
  const h = useKubeServer({ readyDelayMs: 50 });
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const scratch = () => {
    const d = mkdtempSync(join(tmpdir(), 'apply-files-'));
    dirs.push(d);
    return d;
  };
  const load = (root: string, slot: number) => ({
    config: join(root, 'services.yaml'),
    env: 'ai',
    slot,
    cwd: root,
    processEnv: { PATH: process.env.PATH },
  });

  it('a manifest path we choose is 0600 and a link planted there is not followed', async () => {
    const root = shopProject();
    dirs.push(root);
    const dir = scratch();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me\n', { mode: 0o644 });
    const planned = join(dir, 'codex-k8s-ai-1.yaml');
    symlinkSync(victim, planned);
    const result = await applyEnvironment({
      load: load(root, 1),
      client: kubectlOf(h),
      manifestPath: planned,
      manifestPathChosen: true,
      wait: false,
      reporter: recorder(),
    });
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(result.manifestPath).not.toBe(planned);
    expect(dirname(dirname(result.manifestPath!))).toBe(dir);
    expect(statSync(result.manifestPath!).mode & 0o777).toBe(0o600);
    expect(readFileSync(result.manifestPath!, 'utf8')).toContain(SECRET);

    const fresh = join(dir, 'second.yaml');
    const again = await applyEnvironment({
      load: load(root, 1),
      client: kubectlOf(h),
      manifestPath: fresh,
      manifestPathChosen: true,
      wait: false,
      reporter: recorder(),
    });
    expect(again.manifestPath).toBe(fresh);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });

  it('a user path that is a link is refused before anything is applied', async () => {
    const root = shopProject();
    dirs.push(root);
    const dir = scratch();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me\n');
    symlinkSync(victim, join(dir, 'out.yaml'));
    const err = await applyEnvironment({
      load: load(root, 2),
      client: kubectlOf(h),
      manifestPath: join(dir, 'out.yaml'),
      reporter: recorder(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/out\.yaml is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(h.server.store.get('Namespace', undefined, 'shop-dev-2')).toBeUndefined();
  });

  it('a secret value of the stack never reaches the log or the summary of a failed wait', async () => {
    const root = shopProject({ 'services/api.yaml': API_WITH_PASSWORD });
    dirs.push(root);
    h.server.setBehaviour({ kind: 'Deployment', name: 'api' }, 'never');
    h.server.setLogs({ name: 'api' }, `connecting with password ${SECRET}\n`);
    const reporter = recorder();
    const masked: string[] = [];
    const err = await applyEnvironment({
      load: load(root, 3),
      client: kubectlOf(h),
      // The Secret is in the postgres group, which the filter leaves out: its value is masked all the same.
      filters: { onlyServices: ['api'] },
      waitTimeoutMs: 1500,
      reporter,
      maskSecret: (v) => masked.push(v),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain('Deployment shop-dev-3/api (timed out)');
    const summary = reporter.summaries.join('\n');
    expect(summary).toMatch(/Workloads not ready/);
    expect(summary).toMatch(/DB_PASSWORD:\s+\*\*\*/);
    expect(summary).toContain('connecting with password ***');
    expect(summary).not.toContain(SECRET);
    expect(reporter.text.join('\n')).not.toContain(SECRET);
    expect((err as Error).message).not.toContain(SECRET);
    expect(masked).toContain(SECRET);
  });
});
