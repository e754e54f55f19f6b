/**
 * The status comment across the environment actions, run as the runner runs them: one comment per issue, created by
 * ensure-slot and edited by ensure-ready and cleanup; its language from `lang`; the failure path writes the reason
 * and the run link; a dry run writes nothing; and the allowed-actor gate asks GitHub for write access.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { decodeState } from '../../packages/core/src/github/index.js';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/index.js';
import { useKubeServer } from '../kube-server/harness.js';
import { MANIFESTS, SERVICES_YAML, writeProject } from '../kube/project.js';
import { actionMain, runAction } from '../support/action.js';

const TOOLS = path.resolve('.tools/bin');
const TOKEN = 'ghs_statusCommentToken0000000000000000001';
const CONFIG = SERVICES_YAML.replace(
  'environments:\n  ai: {}\n',
  'state:\n  configmapNamespace: codex-system\nenvironments:\n  ai:\n    slotBootstrapInfra: [namespace]\n',
);

describe('status comment through ensure-slot, ensure-ready and cleanup', () => {
  const h = useKubeServer({ readyDelayMs: 50, namespaceTerminationDelayMs: 50 });
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.state.addToken(TOKEN, { login: 'github-actions[bot]' });
    gh.state.addRepo({ owner: 'acme', name: 'shop', defaultBranch: 'main' });
    gh.state.setPermission('acme/shop', 'maria', 'write');
    gh.state.setPermission('acme/shop', 'tim', 'read');
  });
  afterAll(async () => {
    await gh.close();
  });

  const env = (actor = 'maria') => ({
    KUBECONFIG: h.kubeconfig,
    PATH: `${TOOLS}:${process.env.PATH}`,
    KUBECACHEDIR: path.join(h.dir, 'cache'),
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_RUN_ID: '4242',
    GITHUB_ACTOR: actor,
  });
  const act = (name: string, root: string, inputs: Record<string, string>, actor?: string) =>
    runAction(
      actionMain(name),
      { config: 'services.yaml', ...inputs },
      { cwd: root, env: env(actor), timeoutMs: 120_000 },
    );
  const comments = (n: number) => gh.state.commentsOf('acme/shop', n);

  it('one comment, created once and edited; lang ru; cleanup marks the slot released', async () => {
    const issue = gh.state.addIssue('acme/shop', { title: 'Cart', body: 'x', author: 'maria' });
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const slot = await act('ensure-slot', root, { issue: String(issue.number), lang: 'ru' });
    expect(slot.errors).toEqual([]);
    expect(comments(issue.number)).toHaveLength(1);
    expect(decodeState(comments(issue.number)[0].body)).toMatchObject({ phase: 'slot-claimed', slot: 1 });
    expect(comments(issue.number)[0].body).toContain('слот занят');

    const ready = await act('ensure-ready', root, { issue: String(issue.number), lang: 'ru' });
    expect(ready.errors).toEqual([]);
    expect(comments(issue.number)).toHaveLength(1);
    expect(decodeState(comments(issue.number)[0].body)).toMatchObject({
      phase: 'environment-ready',
      slot: 1,
      namespace: 'shop-dev-1',
      runUrl: 'https://github.example/acme/shop/actions/runs/4242',
    });

    const clean = await act('cleanup', root, { issue: String(issue.number) });
    expect(clean.errors).toEqual([]);
    expect(comments(issue.number)).toHaveLength(1);
    const body = comments(issue.number)[0].body;
    expect(decodeState(body)).toMatchObject({ phase: 'released', slot: 1 });
    expect(body).toContain('slot released');
    expect(body).not.toContain('слот');
    // The token never reaches the log (beyond the runner's own ::add-mask:: command) or the comment.
    const log = (out: string) => out.replace(/^::add-mask::.*$/gm, '');
    for (const text of [log(slot.stdout), log(ready.stdout), log(clean.stdout), body])
      expect(text).not.toContain(TOKEN);
  });

  it('a failure writes the reason and the run link; a dry run writes nothing', async () => {
    const issue = gh.state.addIssue('acme/shop', { title: 'Bug', body: 'x', author: 'maria' });
    const bad = writeProject({
      'services.yaml': CONFIG.replace('services:\n', 'codex:\n  timeouts:\n    deployWait: soon\nservices:\n'),
      ...MANIFESTS,
    });
    const failed = await act('ensure-ready', bad, { issue: String(issue.number) });
    expect(failed.code).toBe(1);
    const body = comments(issue.number)[0].body;
    expect(decodeState(body)).toMatchObject({ phase: 'failed', failure: { step: 'ensure-ready' } });
    expect(body).toMatch(/deployWait: "soon" is not a duration/);
    expect(body).toContain('(https://github.example/acme/shop/actions/runs/4242)');

    const quiet = gh.state.addIssue('acme/shop', { title: 'Quiet', body: 'x', author: 'maria' });
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const dry = await act('ensure-slot', root, { issue: String(quiet.number), 'dry-run': 'true' });
    expect(dry.code).toBe(0);
    expect(comments(quiet.number)).toHaveLength(0);
  });

  it('without allowed-users, an actor without write access is refused before anything is claimed', async () => {
    const issue = gh.state.addIssue('acme/shop', { title: 'Drive-by', body: 'x', author: 'tim' });
    const root = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const before = h.server.store.list('ConfigMap', 'codex-system').length;
    const res = await act('ensure-slot', root, { issue: String(issue.number) }, 'tim');
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).toMatch(/tim has no write access to acme\/shop/);
    expect(h.server.store.list('ConfigMap', 'codex-system').length).toBe(before);
    expect(comments(issue.number)).toHaveLength(0);
  });

  it('plan-root: a child issue two levels down gets the slot of its root plan issue; without a root it fails', async () => {
    const root = gh.state.addIssue('acme/shop', { title: 'Plan', labels: ['[ai-plan]'], author: 'maria' });
    const child = gh.state.addIssue('acme/shop', {
      title: 'A',
      body: `AI-PLAN-PARENT: #${root.number}`,
      author: 'maria',
    });
    const leaf = gh.state.addIssue('acme/shop', {
      title: 'B',
      body: `AI-PLAN-PARENT: #${child.number}`,
      author: 'maria',
    });
    const project = writeProject({ 'services.yaml': CONFIG, ...MANIFESTS });
    const first = await act('ensure-slot', project, { issue: String(root.number) });
    const viaLeaf = await act('ensure-slot', project, { issue: String(leaf.number), 'plan-root': 'true' });
    expect(viaLeaf.errors).toEqual([]);
    expect(viaLeaf.outputs['root-issue']).toBe(String(root.number));
    expect(viaLeaf.outputs.slot).toBe(first.outputs.slot);
    expect(viaLeaf.outputs.created).toBe('false');
    // Without plan-root the leaf is an issue of its own, with a slot of its own.
    const own = await act('ensure-slot', project, { issue: String(leaf.number) });
    expect(own.outputs.slot).not.toBe(first.outputs.slot);
    expect(own.outputs['root-issue']).toBe('');

    const lone = gh.state.addIssue('acme/shop', { title: 'Lone', body: 'no plan', author: 'maria' });
    const failed = await act('ensure-slot', project, { issue: String(lone.number), 'plan-root': 'true' });
    expect(failed.code).toBe(1);
    expect(failed.errors.join('\n')).toMatch(/neither the \[ai-plan\] label nor an "AI-PLAN-PARENT: #N" line/);
  });
});
