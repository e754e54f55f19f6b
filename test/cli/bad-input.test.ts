import { describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

/** A small project in a temp dir: services.yaml plus manifest files. */
function project(files: Record<string, string>): string {
  const dir = tempDir('ck8s-bad-');
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), body);
  }
  return dir;
}

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  env: "{{ .Env }}"\n';
const base = (extra = '', services = '  - name: app\n    manifests:\n      - path: app.yaml\n') =>
  `project: demo\nenvironments:\n  dev: {}\n  ai:\n    from: dev\n${extra}services:\n${services}`;

async function render(files: Record<string, string>, env = 'dev', extraArgs: string[] = []) {
  const dir = project(files);
  const res = await runCli(['render', '-c', 'services.yaml', '--env', env, ...extraArgs], { cwd: dir });
  return res;
}

describe('bad input: exit 1 with one message naming the file and the position or field', () => {
  it('malformed YAML in services.yaml', async () => {
    const res = await render({ 'services.yaml': 'project: demo\nservices:\n  - name: a\n   bad: [\n', 'app.yaml': CM });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: services\.yaml:\d+:\d+: .*valid YAML/m);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('malformed YAML in a manifest', async () => {
    const res = await render({
      'services.yaml': base(),
      'app.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: app\.yaml:\d+:\d+: invalid YAML after templating/m);
  });

  it('template syntax error', async () => {
    const res = await render({ 'services.yaml': base(), 'app.yaml': 'a: {{ if .Env }}x\n' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/app\.yaml:\d+:\d+:/);
    expect(res.stderr).toMatch(/unexpected EOF|missing|end/i);
  });

  it('unknown function', async () => {
    const res = await render({ 'services.yaml': base(), 'app.yaml': 'a: {{ nosuch .Env }}\n' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/app\.yaml:1:\d+: .*function "nosuch" not defined/);
  });

  it('wrong argument type', async () => {
    const res = await render({ 'services.yaml': base(), 'app.yaml': 'a: "{{ indent "2" .Env }}"\n' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/app\.yaml:1:14: executing "app\.yaml" at <"2">: expected integer; found "2"/);
  });

  it('unknown field of the template context', async () => {
    const res = await render({ 'services.yaml': base(), 'app.yaml': 'a: "{{ .Envv }}"\n' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/app\.yaml:1:\d+: .*can't evaluate field Envv/);
  });

  it('undefined environment', async () => {
    const res = await render({ 'services.yaml': base(), 'app.yaml': CM }, 'prod');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/services\.yaml: environment "prod" is not defined \(defined: dev, ai\)/);
  });

  it('inheritance cycle', async () => {
    const yaml = 'project: demo\nenvironments:\n  a:\n    from: b\n  b:\n    from: a\nservices: []\n';
    const res = await render({ 'services.yaml': yaml }, 'a');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/environments\.b\.from: inheritance cycle a -> b -> a/);
  });

  it('manifest path outside the project root', async () => {
    const res = await render({
      'services.yaml': base('', '  - name: app\n    manifests:\n      - path: ../elsewhere.yaml\n'),
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /services\.yaml:9:15: services\[0\]\.manifests\[0\]\.path: "\.\.\/elsewhere\.yaml" is outside the project root/,
    );
  });

  it('duplicate service names', async () => {
    const svc =
      '  - name: app\n    manifests:\n      - path: app.yaml\n  - name: App\n    manifests:\n      - path: app.yaml\n';
    const res = await render({ 'services.yaml': base('', svc), 'app.yaml': CM });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /services\.yaml:10:\d+: services\[1\]\.name: duplicate name "App" \(also services\[0\]\)/,
    );
  });

  it('duplicate infrastructure names', async () => {
    const infra =
      'infrastructure:\n  - name: db\n    manifests: [{ path: app.yaml }]\n  - name: db\n    manifests: []\n';
    const res = await render({ 'services.yaml': base(infra), 'app.yaml': CM });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/services\.yaml:\d+:\d+: infrastructure\[1\]\.name: duplicate name "db"/);
  });

  it('missing manifest file', async () => {
    const res = await render({ 'services.yaml': base() });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^error: app\.yaml: cannot read manifest \(file not found\); fix the path "app\.yaml" in services\.yaml/m,
    );
  });

  it('a wrongly typed field names its path', async () => {
    const res = await render({
      'services.yaml': base(
        '',
        '  - name: app\n    manifests:\n      - path: app.yaml\n    overlays:\n      dev:\n        pvcMounts:\n          - name: ws\n            claimName: ws\n',
      ),
      'app.yaml': CM,
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /services\.yaml:\d+:\d+: services\[0\]\.overlays\.dev\.pvcMounts\[0\]\.mountPath: required/,
    );
  });

  it('an invalid namespace name says which pattern to set', async () => {
    const yaml = 'project: demo\nenvironments:\n  staging_repair: {}\nservices: []\n';
    const res = await render({ 'services.yaml': yaml }, 'staging_repair');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /namespace "demo-staging_repair" .* not a valid Kubernetes namespace name .* set namespace\.patterns\.staging_repair/,
    );
  });

  it('unknown filter names are errors, not silently ignored', async () => {
    const res = await render({ 'services.yaml': base(), 'app.yaml': CM }, 'dev', ['--only-services', 'ap']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/only-services: unknown service "ap" \(defined: app\)/);
  });

  it('a manifest without kind is rejected before anything is printed', async () => {
    const res = await render({ 'services.yaml': base(), 'app.yaml': 'apiVersion: v1\nmetadata:\n  name: x\n' });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/app\.yaml \(document 1, service app\): kind: required/);
  });
});
