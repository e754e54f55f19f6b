import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli.js';

/*
 * Hostile or broken input must fail with exit 1 and one message naming the file and the limit, and quickly: each
 * case here used to run for minutes, exhaust memory or overflow the stack.
 */

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-limits-'));
  made.push(dir);
  return dir;
}

function project(files: Record<string, string>, dir = tempDir()): string {
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), body);
  }
  return dir;
}

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n';
const services = (manifest = 'app.yaml', extra = '') =>
  `project: demo\n${extra}environments:\n  dev: {}\nservices:\n  - name: app\n    manifests:\n      - path: ${manifest}\n`;

/** Ten levels of ten aliases: 10^10 nodes once expanded, from about 600 bytes. */
function aliasBomb(): string {
  let text = 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n';
  for (let i = 1; i < 10; i++)
    text += `l${i}: &l${i} [${Array(10)
      .fill(`*l${i - 1}`)
      .join(', ')}]\n`;
  return text;
}

/** A chain of templates each calling the next twice: 2^levels calls of the first. */
function templateChain(levels: number, leaf: string): string {
  let text = `{{define "t0"}}${leaf}{{end}}`;
  for (let i = 1; i <= levels; i++) text += `{{define "t${i}"}}{{template "t${i - 1}"}}{{template "t${i - 1}"}}{{end}}`;
  return text + `{{template "t${levels}"}}`;
}

const nested = (n: number) => '{{if true}}'.repeat(n) + 'x' + '{{end}}'.repeat(n);

async function render(dir: string, args: string[] = []) {
  return runCli(['render', '-c', 'services.yaml', '--env', 'dev', ...args], { cwd: dir });
}

function expectUserError(res: { code: number; stderr: string }, pattern: RegExp): void {
  expect(res.stderr).toMatch(pattern);
  expect(res.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(res.code).toBe(1);
}

describe('input limits: exit 1 naming the file and the limit', () => {
  it('a YAML alias bomb in a manifest', async () => {
    const dir = project({
      'services.yaml': services(),
      'app.yaml': CM + 'data:\n  ' + aliasBomb().replace(/\n/g, '\n  '),
    });
    expectUserError(
      await render(dir),
      /^error: app\.yaml: YAML aliases in document 1 expand to more than 100000 extra nodes/m,
    );
  });

  it('a YAML alias bomb in services.yaml and in a var-file', async () => {
    const dir = project({ 'services.yaml': services() + aliasBomb(), 'app.yaml': CM, 'vars.yaml': aliasBomb() });
    expectUserError(
      await render(dir),
      /^error: services\.yaml: YAML aliases expand too much \(more than 100 alias uses/m,
    );
    writeFileSync(path.join(dir, 'services.yaml'), services());
    expectUserError(
      await render(dir, ['--var-file', 'vars.yaml']),
      /vars\.yaml: YAML aliases in the var-file expand too much/,
    );
  });

  it('a template whose output grows exponentially', async () => {
    const dir = project({ 'chain.tmpl': templateChain(17, 'x'.repeat(1024)) });
    const res = await runCli(['template', 'chain.tmpl'], { cwd: dir });
    expectUserError(
      res,
      /chain\.tmpl:1:\d+: executing "t0" at <x{40}\.\.\.>: output exceeds the limit of 64 Mi characters/,
    );
  });

  it('a template chain that prints nothing but calls templates 2^60 times', async () => {
    const dir = project({ 'chain.tmpl': templateChain(60, '') });
    const res = await runCli(['template', 'chain.tmpl'], { cwd: dir });
    expectUserError(res, /chain\.tmpl:1:\d+: .*more than 1000000 \{\{template\}\} calls in one execution/);
  });

  it('a string doubled in a variable until it is huge', async () => {
    const text = '{{$x := "aaaaaaaa"}}' + '{{$x = printf "%s%s" $x $x}}'.repeat(40) + '{{len $x}}';
    const dir = project({ 'grow.tmpl': text });
    const res = await runCli(['template', 'grow.tmpl'], { cwd: dir });
    expectUserError(
      res,
      /grow\.tmpl:1:\d+: .*error calling printf: result too large \(above the limit of 64 Mi characters\)/,
    );
  });

  it('nesting past the limit is an error; nesting within it renders', async () => {
    const dir = project({
      'deep.tmpl': nested(2000),
      'ok.tmpl': nested(1000),
      'paren.tmpl': '{{' + '('.repeat(501) + '1' + ')'.repeat(501) + '}}',
      'paren-ok.tmpl': '{{len ' + '(print '.repeat(500) + '1' + ')'.repeat(500) + '}}',
    });
    expectUserError(
      await runCli(['template', 'deep.tmpl'], { cwd: dir }),
      /deep\.tmpl:1:\d+: max nesting depth exceeded: more than 1000 levels of/,
    );
    expectUserError(
      await runCli(['template', 'paren.tmpl'], { cwd: dir }),
      /paren\.tmpl:1:\d+: max nesting depth exceeded/,
    );
    const ok = await runCli(['template', 'ok.tmpl'], { cwd: dir });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('x');
    const parenOk = await runCli(['template', 'paren-ok.tmpl'], { cwd: dir });
    expect(parenOk.stderr).toBe('');
    expect(parenOk.stdout).toBe('1');
  });

  it('nesting past the limit inside a manifest', async () => {
    const dir = project({ 'services.yaml': services(), 'app.yaml': CM + 'data:\n  a: "' + nested(3000) + '"\n' });
    expectUserError(await render(dir), /^error: template: app\.yaml:\d+:\d+: max nesting depth exceeded/m);
  });

  it('devices and FIFOs are refused without being read', async () => {
    expectUserError(
      await runCli(['render', '-c', '/dev/zero', '--env', 'dev']),
      /^error: \/dev\/zero: not a regular file/m,
    );
    expectUserError(await runCli(['template', '/dev/zero']), /^error: \/dev\/zero: not a regular file/m);
    const dir = project({ 'services.yaml': services() });
    execFileSync('mkfifo', [path.join(dir, 'app.yaml')]);
    expectUserError(await render(dir), /^error: app\.yaml: not a regular file \(a device, FIFO or socket\)/m);
  });

  it('files above 8 MiB are refused', async () => {
    const big = '# ' + 'x'.repeat(9 * 1024 * 1024) + '\n';
    const dir = project({ 'services.yaml': services() + big, 'app.yaml': CM, 'big.yaml': CM + big });
    expectUserError(await render(dir), /^error: services\.yaml: 9 MiB is above the 8 MiB limit for input files/m);
    writeFileSync(path.join(dir, 'services.yaml'), services('big.yaml'));
    expectUserError(await render(dir), /^error: big\.yaml: 9 MiB is above the 8 MiB limit for input files/m);
  });
});

describe('paths stay inside the project root', () => {
  it('a manifest linked to a file outside is refused, naming the link', async () => {
    const outside = project({ 'secret.yaml': CM });
    const dir = project({ 'services.yaml': services('deploy/app.yaml') });
    mkdirSync(path.join(dir, 'deploy'));
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(dir, 'deploy/app.yaml'));
    const res = await render(dir);
    expectUserError(
      res,
      /^error: services\.yaml: manifest "deploy\/app\.yaml": the symbolic link deploy\/app\.yaml -> .*secret\.yaml leads outside the project root/m,
    );
  });

  it('a directory linked outside is refused, naming the link', async () => {
    const outside = project({ 'app.yaml': CM });
    const dir = project({ 'services.yaml': services('deploy/app.yaml') });
    symlinkSync(outside, path.join(dir, 'deploy'));
    expectUserError(
      await render(dir),
      /manifest "deploy\/app\.yaml": the symbolic link deploy -> .* leads outside the project root/,
    );
  });

  it('links that stay inside the project keep working', async () => {
    const dir = project({ 'services.yaml': services('deploy/app.yaml'), 'real/app.yaml': CM });
    symlinkSync('real', path.join(dir, 'deploy'));
    const res = await render(dir);
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('kind: ConfigMap');
  });

  it('envFiles with ../, an absolute path or a link outside are refused', async () => {
    const parent = tempDir();
    project({ 'outside.env': 'A=1\n' }, parent);
    const dir = project({ 'services.yaml': '', 'app.yaml': CM }, path.join(parent, 'proj'));
    const cases: [string, RegExp][] = [
      ['../outside.env', /envFiles entry "\.\.\/outside\.env": leads outside the project root/],
      [path.join(parent, 'outside.env'), /envFiles entry ".*outside\.env": absolute paths are refused/],
      ['linked.env', /envFiles entry "linked\.env": the symbolic link linked\.env -> .*outside\.env leads outside/],
    ];
    symlinkSync(path.join(parent, 'outside.env'), path.join(dir, 'linked.env'));
    for (const [entry, message] of cases) {
      writeFileSync(path.join(dir, 'services.yaml'), services('app.yaml', `envFiles:\n  - ${entry}\n`));
      expectUserError(await render(dir), message);
    }
    writeFileSync(path.join(dir, 'in.env'), 'A=1\n');
    writeFileSync(path.join(dir, 'services.yaml'), services('app.yaml', 'envFiles:\n  - in.env\n'));
    expect((await render(dir)).code).toBe(0);
  });
});

describe('numbers and small parsing fixes', () => {
  it('--slot and CODEXCTL_SLOT take decimal digits only', async () => {
    const dir = project({ 'services.yaml': services(), 'app.yaml': CM });
    for (const bad of ['1e3', '0x10', '', ' ', '1.0', '9007199254740993']) {
      expectUserError(await render(dir, ['--slot', bad]), /--slot: slot must be a whole number >= 0 in decimal digits/);
    }
    const env = await runCli(['render', '-c', 'services.yaml', '--env', 'dev'], {
      cwd: dir,
      env: { CODEXCTL_SLOT: '0x10' },
    });
    expectUserError(env, /CODEXCTL_SLOT: slot must be a whole number >= 0 in decimal digits, got "0x10"/);
    expect((await render(dir, ['--slot', '16'])).code).toBe(0);
  });

  it('template --jsonl reports a bad line as a failed case and goes on', async () => {
    const input = [
      '{"name":"a","tmpl":"{{.x}}","data":{"x":1}}',
      '{"name":"broken", tmpl}',
      '["not", "an", "object"]',
      '{"name":"d","tmpl":7}',
      '{"name":"e","tmpl":"ok"}',
    ].join('\n');
    const res = await runCli(['template', '--jsonl'], { input });
    expect(res.code).toBe(0);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ name: 'a', ok: true, out: '1' });
    expect(lines[1]).toMatchObject({ name: 'case2', ok: false });
    expect(lines[1].error).toMatch(/^stdin:2: not a JSON object/);
    expect(lines[2]).toMatchObject({ name: 'case3', ok: false, error: 'stdin:3: not a JSON object' });
    expect(lines[3]).toMatchObject({ name: 'case4', ok: false, error: 'stdin:4: "tmpl" must be a string' });
    expect(lines[4]).toMatchObject({ name: 'e', ok: true, out: 'ok' });
  });

  it('a YAML error on a 40 KB line shows a short snippet around the column', async () => {
    const long = '"' + 'x'.repeat(40_000) + '" trailing';
    const dir = project({ 'services.yaml': services(), 'app.yaml': CM + 'data:\n  k: ' + long + '\n' });
    const res = await render(dir);
    expectUserError(res, /^error: app\.yaml:6:\d+: invalid YAML after templating/m);
    const snippet = res.stderr.split('\n').find((l) => l.startsWith('  6 | '));
    expect(snippet).toBeDefined();
    expect(snippet!.length).toBeLessThanOrEqual(130);
    expect(res.stderr.length).toBeLessThan(1000);
    const raw = project({ 'services.yaml': 'project: demo\nk: ' + long + '\n' });
    const rawRes = await render(raw);
    expectUserError(rawRes, /^error: services\.yaml:2:\d+: the file must be valid YAML/m);
    expect(rawRes.stderr.length).toBeLessThan(1000);
  });
});
