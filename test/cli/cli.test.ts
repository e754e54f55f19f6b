import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { parseStream } from '../support/yaml-diff.js';

const SHOP = 'examples/shop/services.yaml';
const ident = (d: any) => `${d.kind}/${d.metadata.name}`;
const tmp = () => tempDir('ck8s-cli-');

describe('codex-k8s render on the example project', () => {
  it('renders the ai slot: agent, data services and web, worker left out by its when, Ingress dropped', async () => {
    const res = await runCli(['render', '-c', SHOP, '--env', 'ai', '--slot', '2']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const docs = parseStream(res.stdout);
    expect(docs.map(ident)).toEqual([
      'Namespace/shop-ai-2',
      'PersistentVolumeClaim/shop-workspace',
      'Secret/postgres',
      'PersistentVolumeClaim/postgres-data',
      'StatefulSet/postgres',
      'Service/postgres',
      'Deployment/redis',
      'Service/redis',
      'ServiceAccount/codex',
      'Role/codex-slot',
      'RoleBinding/codex-slot',
      'Secret/openai-secret',
      'Secret/codex-github',
      'Deployment/codex',
      'ConfigMap/web-config',
      'Deployment/web',
      'Service/web',
      'CronJob/cleanup',
    ]);
    for (const d of docs) {
      expect(d.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'codex-k8s',
        'codex-k8s.io/env': 'ai',
        'codex-k8s.io/slot': '2',
      });
      if (d.kind !== 'Namespace') expect(d.metadata.namespace).toBe('shop-ai-2');
    }
    const web = docs.find((d) => ident(d) === 'Deployment/web');
    const spec = web.spec.template.spec;
    expect(spec.containers[0].image).toBe('registry.shop-ai-2.svc.cluster.local:5000/shop/web:ai-1.4.0');
    expect(spec.initContainers[0].image).toBe(spec.containers[0].image);
    expect(spec.containers[0].imagePullPolicy).toBe('IfNotPresent'); // inherited from dev through from:
    expect(spec.volumes).toEqual([{ name: 'workspace', persistentVolumeClaim: { claimName: 'shop-workspace' } }]);
    expect(spec.containers[0].volumeMounts).toEqual([
      { name: 'workspace', mountPath: '/app', subPath: 'slots/2/src/services/web' },
    ]);
    const cron = docs.find((d) => ident(d) === 'CronJob/cleanup');
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].image).toBe(
      'registry.shop-ai-2.svc.cluster.local:5000/shop/worker:ai-1.4.0',
    );
    expect(web.spec.template.metadata.labels).toEqual({ app: 'web' });
  });

  it('filters: only-services selects that service alone; skip-infra leaves services alone', async () => {
    const only = parseStream(
      (await runCli(['render', '-c', SHOP, '--env', 'staging', '--only-services', 'web'])).stdout,
    );
    expect(only.map(ident)).toEqual(['ConfigMap/web-config', 'Deployment/web', 'Service/web', 'Ingress/web']);
    const skip = parseStream(
      (await runCli(['render', '-c', SHOP, '--env', 'staging', '--skip-infra', 'namespace,data'])).stdout,
    );
    expect(skip.map(ident)).toEqual([
      'ConfigMap/web-config',
      'Deployment/web',
      'Service/web',
      'Ingress/web',
      'Deployment/worker',
      'CronJob/cleanup',
    ]);
  });

  it('takes CODEXCTL_ENV and CODEXCTL_SLOT when no flag is given, and a flag beats them', async () => {
    const byEnv = await runCli(['render', '-c', SHOP], { env: { CODEXCTL_ENV: 'ai', CODEXCTL_SLOT: '4' } });
    expect(byEnv.code).toBe(0);
    expect(parseStream(byEnv.stdout)[0].metadata.name).toBe('shop-ai-4');
    const byFlag = await runCli(['render', '-c', SHOP, '--env', 'dev'], {
      env: { CODEXCTL_ENV: 'ai', CODEXCTL_SLOT: '4' },
    });
    expect(parseStream(byFlag.stdout)[0].metadata.name).toBe('shop-dev');
  });

  it('vars and var-file reach envOr, inline vars beat the var-file and the environment; values may hold commas', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'vars.yaml'), 'SHOP_REGISTRY: file.example:5000\nSHOP_DB_PASSWORD: from-file\n');
    const res = await runCli(
      [
        'render',
        '-c',
        SHOP,
        '--env',
        'dev',
        '--var-file',
        path.join(dir, 'vars.yaml'),
        '--vars',
        'SHOP_DB_PASSWORD=a,b=c',
        '--only-infra',
        'data',
      ],
      { env: { SHOP_REGISTRY: 'env.example:5000' } },
    );
    expect(res.code).toBe(0);
    const docs = parseStream(res.stdout);
    expect(docs.find((d) => d.kind === 'Secret').stringData.POSTGRES_PASSWORD).toBe('a,b=c');
    expect(docs.find((d) => d.kind === 'StatefulSet').spec.template.spec.containers[0].image).toBe(
      'file.example:5000/library/postgres:16-bookworm',
    );
  });

  it('a dotenv file and a name that is no label value work from the bundle, whose dotenv and hashing load on first use', async () => {
    const dir = tmp();
    writeFileSync(
      path.join(dir, 'app.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  greeting: {{ envOr "GREETING" "none" }}\n',
    );
    writeFileSync(path.join(dir, 'in.env'), '# a comment\nexport GREETING="hello world" # trailing\n');
    writeFileSync(
      path.join(dir, 'services.yaml'),
      'project: demo\nenvFiles:\n  - in.env\nenvironments:\n  dev: {}\nservices:\n  - name: My App\n    manifests:\n      - path: app.yaml\n',
    );
    const res = await runCli(['render', '-c', path.join(dir, 'services.yaml'), '--env', 'dev']);
    expect([res.code, res.stderr]).toEqual([0, '']);
    const [doc] = parseStream(res.stdout);
    expect(doc.data.greeting).toBe('hello world');
    // sha256 of "my app", the first 16 hex digits
    expect(doc.metadata.labels['codex-k8s.io/service']).toBe('name-cccdfa68ad0c1b66');
  });

  it('writes to -o and prints the same stream every time', async () => {
    const out = path.join(tmp(), 'stack.yaml');
    const a = await runCli(['render', '-c', SHOP, '--env', 'staging', '-o', out]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe('');
    const b = await runCli(['render', '-c', SHOP, '--env', 'staging']);
    expect(readFileSync(out, 'utf8')).toBe(b.stdout);
  });

  it('quotes strings that YAML 1.1 readers such as kubectl would take for other types', async () => {
    const dir = tmp();
    writeFileSync(
      path.join(dir, 'services.yaml'),
      'project: q\nenvironments:\n  dev: {}\nservices:\n  - name: a\n    manifests: [{ path: a.yaml }]\n',
    );
    writeFileSync(
      path.join(dir, 'a.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  FLAG: "yes"\n  ZIP: "08"\n  ON: "on"\n',
    );
    const res = await runCli(['render', '-c', 'services.yaml', '--env', 'dev'], { cwd: dir });
    expect(res.stdout).toMatch(/FLAG: "yes"/);
    expect(res.stdout).toMatch(/ZIP: "08"/);
    expect(res.stdout).toMatch(/"ON": "on"/);
  });
});

describe('codex-k8s config, template, validate', () => {
  it('config prints the resolved configuration with the namespace and the resolved environment', async () => {
    const res = await runCli(['config', '-c', SHOP, '--env', 'ai', '--slot', '3']);
    expect(res.code).toBe(0);
    const [cfg] = parseStream(res.stdout);
    expect(cfg.resolved).toMatchObject({
      project: 'shop',
      env: 'ai',
      slot: 3,
      namespace: 'shop-ai-3',
      slotted: true,
      environment: { name: 'ai', lineage: ['ai', 'dev'], imagePullPolicy: 'IfNotPresent' },
    });
    expect(cfg.config.versions.web).toBe('1.4.0');
  });

  it('template renders a file with data and env, with Go semantics', async () => {
    const dir = tmp();
    writeFileSync(
      path.join(dir, 't.tmpl'),
      '{{ range $i, $v := .items }}{{ $i }}={{ $v }} {{ end }}{{ envOr "X" "none" }} {{ printf "%05.1f|%-4s|%q" .f .s .s }} {{ .missing }}',
    );
    writeFileSync(path.join(dir, 'd.json'), JSON.stringify({ items: ['a', 'b'], f: 3.14159, s: 'hi' }));
    const res = await runCli([
      'template',
      path.join(dir, 't.tmpl'),
      '--data',
      path.join(dir, 'd.json'),
      '--env',
      'X=set',
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('0=a 1=b set 003.1|hi  |"hi" <no value>');
  });

  it('template --jsonl answers one line per case, errors included', async () => {
    const input = [
      { name: 'a', tmpl: '{{ .n | printf "%d" }}', data: { n: 7 } },
      { name: 'b', tmpl: '{{ if }}', data: {} },
      { name: 'c', tmpl: '{{ "x" | default "d" }}', data: {} },
    ]
      .map((c) => JSON.stringify(c))
      .join('\n');
    const res = await runCli(['template', '--jsonl'], { input });
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ name: 'a', ok: true, out: '7', error: '' });
    expect(lines[1]).toMatchObject({ name: 'b', ok: false });
    expect(lines[1].error).toMatch(/^template: b:1:\d+: missing value for if/);
    expect(lines[2]).toEqual({ name: 'c', ok: true, out: 'd', error: '' });
  });

  it('validate checks every environment and exits 1 on an error', async () => {
    const good = await runCli(['validate', '-c', SHOP]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/3 environments checked \(staging, dev, ai\): 0 errors, 0 warnings/);
    const dir = tmp();
    writeFileSync(
      path.join(dir, 'services.yaml'),
      'project: v\nenvironments:\n  dev: {}\n  prod: {}\nservices:\n  - name: a\n    when: \'{{ eq .Env "prd" }}\'\n    manifests: [{ path: missing.yaml }]\n  - name: b\n    manifests: [{ path: gone.yaml }]\n',
    );
    const bad = await runCli(['validate', '-c', 'services.yaml'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/warning: services\.yaml:7:11: services\[0\]\.when: compares \.Env with "prd"/);
    expect(bad.stderr).toMatch(/error: env dev: gone\.yaml: cannot read manifest \(file not found\)/);
    expect(bad.stdout).toMatch(/2 environments checked \(dev, prod\): 2 errors, 1 warning\n/);
  });

  it('strict: true turns warnings into errors', async () => {
    const dir = tmp();
    writeFileSync(
      path.join(dir, 'services.yaml'),
      'strict: true\nproject: s\nenvironments:\n  dev: {}\nservices: []\nservice: []\n',
    );
    const res = await runCli(['render', '-c', 'services.yaml', '--env', 'dev'], { cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /strict: true makes each of these an error.*\n\s+services\.yaml:6:1: service: unknown key \(did you mean "services"\? it is also set here\) \[an error under strict: true\]/,
    );
  });

  it('prints usage and rejects unknown commands and flags without a stack trace', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/Commands:/);
    const unknown = await runCli(['deploy']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown command "deploy"/);
    const badFlag = await runCli(['render', '--colour']);
    expect(badFlag.code).toBe(1);
    expect(badFlag.stderr).toMatch(/^error: render: Unknown option '--colour'/);
  });
});
