/**
 * Each prompt-run input changes what the action does, seen through `dry-run: true` (which prints the prompt and the
 * config.toml it would use) against the fake GitHub; and dry-run itself changes nothing: no request to the cluster,
 * no comment, no model call.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/index.js';
import { useKubeServer } from '../kube-server/harness.js';
import { writeProject } from '../kube/project.js';
import { actionMain, runAction, type ActionRun } from '../support/action.js';

const TOOLS = path.resolve('.tools/bin');
const TOKEN = 'ghs_promptInputsToken00000000000000000001';
const CONFIG = `project: shop
namespace:
  patterns:
    ai: "{{ .Project }}-ai-{{ .Slot }}"
codex:
  model: gpt-5.3-codex
  modelReasoningEffort: medium
environments:
  ai: {}
services: []
`;

describe('prompt-run inputs (dry-run)', () => {
  const h = useKubeServer({ readyDelayMs: 20 });
  let gh: FakeGitHub;
  let issue: number;
  let focus: number;
  let pr: number;
  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.state.addToken(TOKEN, { login: 'github-actions[bot]' });
    gh.state.addRepo({ owner: 'acme', name: 'shop', defaultBranch: 'main' });
    gh.state.setPermission('acme/shop', 'maria', 'write');
    gh.state.setPermission('acme/shop', 'tim', 'read');
    issue = gh.state.addIssue('acme/shop', { title: 'Cart totals', body: 'Show totals.', author: 'maria' }).number;
    gh.state.addComment('acme/shop', issue, { author: 'tim', body: 'TIM-SAYS-HELLO' });
    focus = gh.state.addIssue('acme/shop', { title: 'Split the plan', body: 'FOCUS-BODY', author: 'maria' }).number;
    pr = gh.state.addPull('acme/shop', {
      title: 'Cart totals PR',
      body: 'Closes #1',
      author: 'maria',
      head: 'codex/issue-1',
    }).number;
  });
  afterAll(async () => {
    await gh.close();
  });

  const root = () => {
    const r = writeProject({ 'services.yaml': CONFIG });
    writeFileSync(path.join(r, 'custom.hbs'), 'CUSTOM PROMPT for {{issue.title}} in {{namespace}}\n');
    writeFileSync(path.join(r, 'legacy.tmpl'), 'GO PROMPT in {{ .Namespace }} slot {{ .Slot }}\n');
    return r;
  };
  const dry = async (inputs: Record<string, string>): Promise<ActionRun & { prompt: string; config: any }> => {
    const since = h.server.requests.length;
    const res = await runAction(
      actionMain('prompt-run'),
      { config: 'services.yaml', slot: '2', issue: String(issue), 'dry-run': 'true', ...inputs },
      {
        cwd: root(),
        timeoutMs: 60_000,
        env: {
          KUBECONFIG: h.kubeconfig,
          PATH: `${TOOLS}:${process.env.PATH}`,
          GITHUB_TOKEN: TOKEN,
          GITHUB_API_URL: gh.url,
          GITHUB_REPOSITORY: 'acme/shop',
          GITHUB_ACTOR: 'maria',
        },
      },
    );
    // A dry run talks to no cluster at all.
    expect(h.server.requests.slice(since)).toEqual([]);
    const out = res.stdout;
    const start = out.indexOf('Prompt (');
    const cfg = out.indexOf('config.toml:\n');
    const prompt = start >= 0 ? out.slice(out.indexOf('\n', start) + 1, cfg) : '';
    const configText = cfg >= 0 ? out.slice(cfg + 'config.toml:\n'.length).split('\n::')[0] : '';
    return { ...res, prompt, config: configText ? parse(configText.split('### ')[0]) : undefined };
  };

  it('dry-run writes no comment and starts nothing; the defaults give a dev_issue prompt in English', async () => {
    const before = gh.state.commentsOf('acme/shop', issue).length;
    const res = await dry({});
    expect(res.errors).toEqual([]);
    expect(res.outputs).toMatchObject({ changed: 'false', 'final-message': '' });
    expect(res.prompt).toContain('Cart totals');
    expect(res.prompt).toContain('shop-ai-2');
    expect(res.prompt).not.toMatch(/AI-PLAN-PARENT/);
    expect(gh.state.commentsOf('acme/shop', issue)).toHaveLength(before);
    expect(res.summary).toContain('Nothing was started');
  });

  it('kind: plan_issue asks for child issues with the plan marker', async () => {
    const res = await dry({ kind: 'plan_issue' });
    expect(res.prompt).toContain(`AI-PLAN-PARENT: #${issue}`);
  });

  it('lang: ru gives the Russian prompt', async () => {
    const en = await dry({});
    const ru = await dry({ lang: 'ru' });
    expect(ru.prompt).toMatch(/[а-яА-Я]{5,}/);
    expect(en.prompt).not.toMatch(/[а-яА-Я]{5,}/);
  });

  it('template: a Handlebars file and a Go template file replace the built-in prompt', async () => {
    expect((await dry({ template: 'custom.hbs' })).prompt.trim()).toBe('CUSTOM PROMPT for Cart totals in shop-ai-2');
    expect((await dry({ template: 'legacy.tmpl' })).prompt.trim()).toBe('GO PROMPT in shop-ai-2 slot 2');
  });

  it('model and reasoning-effort beat services.yaml in config.toml', async () => {
    const plain = await dry({});
    expect(plain.config).toMatchObject({ model: 'gpt-5.3-codex', model_reasoning_effort: 'medium' });
    const chosen = await dry({ model: 'gpt-5.2', 'reasoning-effort': 'high' });
    expect(chosen.config).toMatchObject({ model: 'gpt-5.2', model_reasoning_effort: 'high' });
  });

  it('allowed-users decides whose comments the agent reads (default: write access)', async () => {
    expect((await dry({})).prompt).not.toContain('TIM-SAYS-HELLO');
    expect((await dry({ 'allowed-users': 'maria,tim' })).prompt).toContain('TIM-SAYS-HELLO');
    // ...and who may run it at all.
    const refused = await dry({ 'allowed-users': 'tim' });
    expect(refused.code).toBe(1);
    expect(refused.errors.join('\n')).toMatch(/maria/);
  });

  it('focus-issue: plan_review reads the issue where the request was made', async () => {
    const res = await dry({ kind: 'plan_review', pr: '0', 'focus-issue': String(focus) });
    expect(res.errors).toEqual([]);
    expect(res.prompt).toContain('FOCUS-BODY');
  });

  it('pr: the review kinds read the pull request', async () => {
    const res = await dry({ kind: 'dev_review', pr: String(pr) });
    expect(res.errors).toEqual([]);
    expect(res.prompt).toContain('Cart totals PR');
  });

  it('agent-deployment names the deployment the agent must never apply', async () => {
    expect((await dry({ 'agent-deployment': 'my-agent' })).prompt).toContain('my-agent');
    const bad = await dry({ 'agent-deployment': 'Bad_Name' });
    expect(bad.code).toBe(1);
    expect(bad.errors.join('\n')).toMatch(/agent-deployment: "Bad_Name" is not a Kubernetes name/);
  });

  it('namespace replaces the slot pattern; bad timeout and kind are refused naming the input', async () => {
    expect((await dry({ slot: '', namespace: 'shop-custom' })).prompt).toContain('shop-custom');
    const t = await dry({ timeout: 'soon' });
    expect(t.code).toBe(1);
    expect(t.errors.join('\n')).toMatch(/timeout/);
    const k = await dry({ kind: 'write_poem' });
    expect(k.code).toBe(1);
    expect(k.errors.join('\n')).toMatch(/write_poem/);
  });
});
