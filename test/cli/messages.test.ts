/** How the CLI words what it prints: `warning:`, counts with the right plural, each warning once. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project(servicesYaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-messages-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'services.yaml'), servicesYaml);
  writeFileSync(path.join(dir, 'app.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n');
  return dir;
}

// One warning: an overlay for an environment services.yaml does not define.
const WITH_WARNING = `project: demo
environments:
  dev: {}
services:
  - name: app
    manifests:
      - path: app.yaml
    overlays:
      staging: {}
`;

describe('CLI messages', () => {
  it('spells warnings "warning:" and prints each once', async () => {
    const res = await runCli(['render', '-c', 'services.yaml', '--env', 'dev'], { cwd: project(WITH_WARNING) });
    expect(res.code).toBe(0);
    expect(res.stderr).not.toMatch(/^warn: /m);
    const lines = res.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/overlay for environment "staging"/);
  });

  it('counts in the singular for one', async () => {
    const res = await runCli(['validate', '-c', 'services.yaml'], { cwd: project(WITH_WARNING) });
    expect(res.stdout).toMatch(/: 1 environment checked \(dev\): 0 errors, 1 warning\n$/);
  });
});
