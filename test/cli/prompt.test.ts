/**
 * codex-k8s prompt render | run and slots link, as a user runs them, against the fake GitHub and the test server
 * with the real kubectl (the agent in the pod is the stand-in codex; the real one runs in the action tests).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/index.js';
import { useKubeServer } from '../kube-server/harness.js';
import { kubectlOf, writeProject } from '../kube/project.js';
import { actionMain, runAction } from '../support/action.js';
import { CLI, runCli } from '../support/cli.js';
import { MARK, prepareAgentPod } from '../support/fake-codex.js';
import { tempDir } from '../support/temp-dir.js';
import { runningProcesses, waitFor } from '../support/wait-for.js';

const TOOLS = path.resolve('.tools/bin');
const TOKEN = 'ghp_promptCliToken0000000000000000000000001';
const CONFIG = `project: shop
namespace:
  patterns:
    ai: "{{ .Project }}-ai-{{ .Slot }}"
    dev: "{{ .Project }}-dev-{{ .Slot }}"
state:
  configmapNamespace: codex-system
codex:
  model: gpt-5.3-codex
environments:
  ai: {}
  dev: {}
services: []
`;

const leftovers = () => runningProcesses(new RegExp(`\\b${MARK}\\b`));

describe('codex-k8s prompt and slots link', () => {
  let binDir = '';
  // The stand-in is the pod's `codex`: its directory comes first on the exec'd processes' PATH.
  const execEnv = {
    get PATH() {
      return `${binDir}:${process.env.PATH}`;
    },
  } as Record<string, string>;
  const h = useKubeServer({ readyDelayMs: 20, execEnv });
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.state.addToken(TOKEN, { login: 'maria' });
    gh.state.addRepo({ owner: 'acme', name: 'shop', defaultBranch: 'main' });
    gh.state.setPermission('acme/shop', 'maria', 'write');
  });
  afterAll(async () => {
    await gh.close();
  });
  const env = () => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: gh.url,
  });
  const base = ['-c', 'services.yaml', '--env', 'ai', '--slot', '1', '--repo', 'acme/shop'];

  it('prompt render prints the prompt, or writes prompt.md and config.toml with --out; runs nothing', async () => {
    const root = writeProject({ 'services.yaml': CONFIG });
    const issue = gh.state.addIssue('acme/shop', { title: 'Totals', body: 'Show totals', author: 'maria' });
    const since = h.server.requests.length;
    const printed = await runCli(
      ['prompt', 'render', ...base, '--kind', 'dev_issue', '--issue', String(issue.number)],
      {
        cwd: root,
        env: env(),
      },
    );
    expect(printed.stderr).not.toMatch(/^error/m);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain('Totals');
    expect(printed.stdout).toContain('shop-ai-1');
    const out = tempDir('prompt-out-');
    const written = await runCli(
      [
        'prompt',
        'render',
        ...base,
        '--issue',
        String(issue.number),
        '--model',
        'gpt-5.2',
        '--lang',
        'ru',
        '--out',
        out,
      ],
      { cwd: root, env: env() },
    );
    expect(written.code).toBe(0);
    expect(readFileSync(path.join(out, 'prompt.md'), 'utf8')).toMatch(/[а-яА-Я]{5,}/);
    expect(parse(readFileSync(path.join(out, 'config.toml'), 'utf8'))).toMatchObject({ model: 'gpt-5.2' });
    expect(h.server.requests.slice(since)).toEqual([]);
    const noToken = await runCli(['prompt', 'render', ...base, '--issue', '1'], {
      cwd: root,
      env: { ...env(), GITHUB_TOKEN: '' },
    });
    expect(noToken).toMatchObject({ code: 1, stderr: expect.stringMatching(/set GITHUB_TOKEN/) });
    const bad = await runCli(['prompt', 'render', ...base, '--issue', '1', '--timeout', '5m'], {
      cwd: root,
      env: env(),
    });
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(/belong to prompt run/) });
  });

  it('prompt run prints the final message; Ctrl-C stops the agent in the pod', async () => {
    const root = writeProject({ 'services.yaml': CONFIG });
    const pod = await prepareAgentPod(kubectlOf(h), h, 'shop-ai-1');
    binDir = pod.binDir;
    const done = gh.state.addIssue('acme/shop', { title: 'Quick', body: 'do it', author: 'maria' });
    const ran = await runCli(['prompt', 'run', ...base, '--issue', String(done.number)], { cwd: root, env: env() });
    expect(ran.stderr).not.toMatch(/^error/m);
    expect(ran).toMatchObject({ code: 0, stdout: 'all done\n' });
    expect(ran.stderr).toMatch(/agent finished in \d+s: session thread-42, 120 tokens in, 30 out, changed: a\.txt/);

    const stall = gh.state.addIssue('acme/shop', { title: 'Slow', body: 'STALL please', author: 'maria' });
    const child = spawn(process.execPath, [CLI, 'prompt', 'run', ...base, '--issue', String(stall.number)], {
      cwd: root,
      env: { TMPDIR: os.tmpdir(), ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    await waitFor(() => leftovers().length > 0, { timeoutMs: 30_000, what: 'the stand-in agent to run' });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/interrupted: stopping the agent in the pod/);
    expect(stderr).toMatch(/cancelled/);
    expect(leftovers()).toEqual([]);
  });

  it('slots link attaches a PR to the slot of an issue; a slot of another env is refused', async () => {
    const root = writeProject({ 'services.yaml': CONFIG });
    const slot = await runAction(
      actionMain('ensure-slot'),
      { config: 'services.yaml', issue: '12' },
      { cwd: root, env: { ...env(), GITHUB_TOKEN: '' } },
    );
    expect(slot.errors).toEqual([]);
    expect(slot.outputs.slot).toBe('1');
    const linked = await runCli(
      ['slots', 'link', '-c', 'services.yaml', '--env', 'ai', '--issue', '12', '--pr', '40'],
      {
        cwd: root,
        env: env(),
      },
    );
    expect(linked).toMatchObject({ code: 0, stdout: 'slot 1 (shop-ai-1): issue #12, pr #40\n' });
    const list = await runCli(['slots', 'list', '-c', 'services.yaml', '--env', 'ai'], { cwd: root, env: env() });
    expect(list.stdout).toMatch(/^1\s+ai\s+shop-ai-1\s+#12\s+#40/m);
    const second = await runAction(
      actionMain('ensure-slot'),
      { config: 'services.yaml', issue: '13' },
      { cwd: root, env: { ...env(), GITHUB_TOKEN: '' } },
    );
    expect(second.outputs.slot).toBe('2');
    const taken = await runCli(['slots', 'link', '-c', 'services.yaml', '--env', 'ai', '--slot', '2', '--pr', '40'], {
      cwd: root,
      env: env(),
    });
    expect(taken).toMatchObject({ code: 1, stderr: expect.stringMatching(/PR #40 is already held by slot 1/) });
    const none = await runCli(['slots', 'link', '-c', 'services.yaml', '--env', 'ai', '--issue', '99', '--pr', '41'], {
      cwd: root,
      env: env(),
    });
    expect(none).toMatchObject({ code: 1, stderr: expect.stringMatching(/no slot of env ai is held for issue #99/) });
    const other = await runCli(['slots', 'link', '-c', 'services.yaml', '--env', 'dev', '--slot', '1', '--pr', '41'], {
      cwd: root,
      env: env(),
    });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/belongs to env "ai", not "dev"/);
  });
});
