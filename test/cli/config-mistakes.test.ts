/** Mistakes a new user makes in services.yaml: each is reported, none passes silently. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli.js';
import { parseStream } from '../support/yaml-diff.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A project in a temp dir; `app.yaml` is a ConfigMap service manifest unless given. */
function project(servicesYaml: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-mistake-'));
  dirs.push(dir);
  const all = { 'app.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n', ...files };
  for (const [name, body] of Object.entries({ ...all, 'services.yaml': servicesYaml })) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), body);
  }
  return dir;
}

const cli = (dir: string, ...args: string[]) =>
  runCli([...args.slice(0, 1), '-c', 'services.yaml', ...args.slice(1)], { cwd: dir });

const ENVS = 'environments:\n  dev: {}\n  ai: {}\nnamespace:\n  patterns:\n    ai: "{{ .Project }}-ai-{{ .Slot }}"\n';
const APP = 'services:\n  - name: app\n    manifests:\n      - path: app.yaml\n';

describe('a misspelt key', () => {
  it('infrastucture: an error naming the key it resembles, in render and validate', async () => {
    const dir = project(
      `project: demo\n${ENVS}infrastucture:\n  - name: db\n    manifests:\n      - path: app.yaml\n${APP}`,
    );
    const render = await cli(dir, 'render', '--env', 'dev');
    expect(render.code).toBe(1);
    expect(render.stderr).toMatch(
      /services\.yaml:8:1: infrastucture: unknown key; did you mean "infrastructure"\? As written, "infrastructure" is not set here/,
    );
    const validate = await cli(dir, 'validate');
    expect(validate.code).toBe(1);
    expect(validate.stdout).toMatch(/1 error,/);
  });

  it('tagTemplte under a service image: an error, not an image without its tag', async () => {
    const dir = project(
      `project: demo\n${ENVS}services:\n  - name: app\n    image:\n      repository: r/app\n      tagTemplte: "1.0"\n    manifests:\n      - path: app.yaml\n`,
    );
    const res = await cli(dir, 'render', '--env', 'dev');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/services\[0\]\.image\.tagTemplte: unknown key; did you mean "tagTemplate"\?/);
  });

  it('a near miss of a key that is also set stays a warning that names it', async () => {
    const dir = project(`project: demo\n${ENVS}${APP}service: []\n`);
    const res = await cli(dir, 'validate');
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/service: unknown key, ignored \(did you mean "services"\? it is also set here\)/);
  });

  it('a key like no allowed key is a warning with exit 0, as before', async () => {
    const dir = project(`project: demo\n${ENVS}${APP}colour: blue\n`);
    const res = await cli(dir, 'validate');
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/colour: unknown key, ignored \(check its spelling and level; strict: true/);
  });
});

describe('a slotted env without a slot', () => {
  const yaml = `project: demo\n${ENVS}${APP}`;

  it('render and config fail instead of using namespace demo-ai-0', async () => {
    const dir = project(yaml);
    for (const command of ['render', 'config']) {
      const res = await cli(dir, command, '--env', 'ai');
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/env "ai" is slotted .* but no slot was given: pass --slot N/);
      expect(res.stdout).not.toMatch(/demo-ai-0/);
    }
    const ok = await cli(dir, 'render', '--env', 'ai', '--slot', '2');
    expect(parseStream(ok.stdout)[0].metadata.namespace).toBe('demo-ai-2');
  });

  it('validate checks it with a placeholder slot and says so', async () => {
    const res = await cli(project(yaml), 'validate');
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/note: env ai is slotted and no slot was given: checked with placeholder slot 1/);
    expect(res.stdout).toMatch(/0 errors, 0 warnings/);
  });
});

describe('strict: true', () => {
  it('validates a clean project with a slotted env', async () => {
    const res = await cli(project(`strict: true\nproject: demo\n${ENVS}${APP}`), 'validate');
    expect(res.stderr).not.toMatch(/error/);
    expect(res.code).toBe(0);
  });

  it('counts each problem once, and says each is an error', async () => {
    const dir = project(
      `strict: true\nproject: demo\n${ENVS}${APP}colour: blue\nsize: 3\nservice: []\nextra: 1\nother: 2\n`,
    );
    const res = await cli(dir, 'validate');
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/2 environments checked \(dev, ai\): 5 errors, 0 warnings/);
    expect(res.stderr.match(/^error: /gm)).toHaveLength(5);
    expect(res.stderr).not.toMatch(/ignored/);
    expect(res.stderr).toMatch(/colour: unknown key \(check its spelling and level\) \[an error under strict: true\]/);
  });

  it('a missing map key in a template is an error naming position and key; without strict it is <no value>', async () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  x: "{{ .Vars.NOPE }}"\n';
    const strict = await cli(
      project(`strict: true\nproject: demo\n${ENVS}${APP}`, { 'app.yaml': cm }),
      'render',
      '--env',
      'dev',
    );
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(
      /app\.yaml:6:14: executing "app\.yaml" at <\.Vars\.NOPE>: map has no entry for key "NOPE" \(strict: true makes a missing key an error: define it, or read a key that may be absent with \{\{ index \.Vars "NOPE" \}\}\)/,
    );
    const loose = await cli(project(`project: demo\n${ENVS}${APP}`, { 'app.yaml': cm }), 'render', '--env', 'dev');
    expect(loose.code).toBe(0);
    expect(parseStream(loose.stdout)[0].data.x).toBe('<no value>');
  });
});

describe('other silent mistakes', () => {
  it('a mis-indented overlay says the env entry became empty and how to indent', async () => {
    const dir = project(
      `project: demo\n${ENVS}services:\n  - name: app\n    manifests:\n      - path: app.yaml\n    overlays:\n      ai:\n      pvcMounts:\n        - name: ws\n          claimName: ws\n          mountPath: /ws\n`,
    );
    const res = await cli(dir, 'render', '--env', 'ai', '--slot', '1');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /services\.yaml:14:7: services\[0\]\.overlays\.pvcMounts: "pvcMounts" belongs inside services\[0\]\.overlays\.ai, which is empty \(null\) as written: indent "pvcMounts" and the lines under it one level deeper, below "ai:"/,
    );
    expect(res.stderr).not.toMatch(/required/);
  });

  it('an unknown field of the template context lists the fields that exist', async () => {
    const dir = project(`project: demo\n${ENVS}${APP}`, { 'app.yaml': 'a: "{{ .Envv }}"\n' });
    const res = await cli(dir, 'render', '--env', 'dev');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /app\.yaml:1:\d+: executing "app\.yaml" at <\.Envv>: can't evaluate field Envv: no field Envv in the template context \(did you mean Env\?\); fields: Env, Namespace, Project, ProjectRoot, Slot, Now,/,
    );
    expect(res.stderr).not.toMatch(/config\.TemplateContext/);
    const nested = await cli(
      project(`project: demo\n${ENVS}${APP}`, { 'app.yaml': 'a: "{{ .Codex.Modle }}"\n' }),
      'render',
      '--env',
      'dev',
    );
    expect(nested.stderr).toMatch(
      /no field Modle in \.Codex \(did you mean Model\?\); fields: ConfigTemplate, PromptLang, Model,/,
    );
  });

  it('an unknown env with odd characters is reported as undefined, with the defined envs', async () => {
    const res = await cli(project(`project: demo\n${ENVS}${APP}`), 'render', '--env', 'Foo_Bar');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/environment "Foo_Bar" is not defined \(defined: dev, ai\)/);
    expect(res.stderr).not.toMatch(/namespace/);
  });

  it('a namespaced infra object without a namespace is a warning naming the file and the fix; cluster-scoped ones are not', async () => {
    const infra =
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: placed\n  namespace: "{{ .Namespace }}"\n';
    const dir = project(
      `project: demo\n${ENVS}infrastructure:\n  - name: db\n    manifests:\n      - path: infra.yaml\n${APP}`,
      {
        'infra.yaml': infra,
      },
    );
    const res = await cli(dir, 'render', '--env', 'ai', '--slot', '4');
    expect(res.code).toBe(0);
    const warnings = res.stderr.split('\n').filter((l) => l.startsWith('warn'));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^warning: infra\.yaml: infrastructure\[0\] \(db\), document 1: Secret\/db has no metadata\.namespace, so kubectl puts it in the kubeconfig's namespace .* add "namespace: \{\{ \.Namespace \}\}" under its metadata/,
      ),
    ]);
    // Infra documents stay as written; service documents get the slot's namespace.
    const docs = parseStream(res.stdout);
    const secret = docs.find((d) => d.kind === 'Secret');
    expect(secret.metadata.namespace).toBeUndefined();
    expect(docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'app').metadata.namespace).toBe('demo-ai-4');
  });
});

describe('a value of the wrong type', () => {
  it('is reported as what it is, not as missing; a missing field as required', async () => {
    const wrong = await cli(project(`project: demo\n${ENVS}services: 5\n`), 'render', '--env', 'dev');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/services\.yaml:\d+:11: services: expected array, got "5"/);
    const missing = await cli(
      project(`project: demo\n${ENVS}services:\n  - manifests: []\n`),
      'render',
      '--env',
      'dev',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/services\[0\]\.name: required/);
  });
});

describe('a missing project', () => {
  it('render and validate say project: is required, not that the namespace "-dev" is invalid', async () => {
    const dir = project(ENVS + APP);
    for (const args of [['render', '--env', 'dev'], ['validate']]) {
      const res = await cli(dir, ...args);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^error: (env dev: )?services\.yaml: project: required .*"project: shop"/m);
      expect(res.stderr).not.toContain('"-dev"');
    }
  });
});
