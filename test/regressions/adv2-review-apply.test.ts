/**
 * review-apply cut off between the push and the pull request (GitHub failing, or the runner killed): the rerun
 * opens the PR for the branch it finds, instead of reporting "no change" without one.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import { syncSources } from '../../packages/core/src/workspace/sync.js';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/index.js';
import { useKubeServer } from '../kube-server/harness.js';
import { kubectlOf } from '../kube/project.js';
import { actionMain, runAction, type ActionRun } from '../support/action.js';
import { tempDir } from '../support/temp-dir.js';

const TOOLS = path.resolve('.tools/bin');
const TOKEN = 'ghs_reviewApplyToken00000000000000000000001';
const NO_WORKFLOW = 'ghp_classicWithoutWorkflow0000000000000001';
const NS = 'shop-ai-1';
const CONFIG = `project: shop
namespace:
  patterns:
    ai: "{{ .Project }}-ai-{{ .Slot }}"
state:
  configmapNamespace: codex-system
environments:
  ai: {}
services: []
`;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
  });

describe('adv2 review-apply', () => {
  const h = useKubeServer({ readyDelayMs: 20 });
  let gh: FakeGitHub;
  let kubectl: Kubectl;
  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.state.addToken(TOKEN, { login: 'github-actions[bot]' });
    gh.state.addToken(NO_WORKFLOW, { login: 'maria' });
  });
  afterAll(async () => {
    await gh.close();
  });

  interface Setup {
    bare: string;
    checkout: string;
    workspace: string;
    issue: number;
    repo: string;
    gitLog: string;
  }

  /** A remote with a project, the runner's clone of it, the slot workspace synced from it, the agent pod. */
  async function setup(): Promise<Setup> {
    kubectl = kubectlOf(h);
    const root = tempDir('adv2-ra-');
    const repo = `acme/shop-${path.basename(root).slice(-6).toLowerCase()}`;
    gh.state.addRepo({ owner: 'acme', name: repo.split('/')[1], defaultBranch: 'main' });
    gh.state.setPermission(repo, 'maria', 'write');
    const bare = path.join(root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    gh.state.linkGitRemote(repo, bare);
    const seed = path.join(root, 'seed');
    mkdirSync(seed);
    git(seed, 'init', '-q', '-b', 'main');
    writeFileSync(path.join(seed, 'services.yaml'), CONFIG);
    writeFileSync(path.join(seed, 'README.md'), '# shop\n');
    writeFileSync(path.join(seed, 'app.js'), 'console.log("v1");\n');
    writeFileSync(path.join(seed, 'old-name.txt'), 'to be renamed\n');
    writeFileSync(path.join(seed, 'gone.txt'), 'to be deleted\n');
    writeFileSync(path.join(seed, 'run.sh'), '#!/bin/sh\necho run\n');
    git(seed, 'add', '-A');
    git(seed, 'commit', '-q', '-m', 'shop');
    git(seed, 'push', '-q', bare, 'main');
    const checkout = path.join(root, 'checkout');
    execFileSync('git', ['clone', '-q', bare, checkout]);
    const issue = gh.state.addIssue(repo, { title: 'Add a cart', body: 'please', author: 'maria' }).number;

    // The slot: namespace, workspace PVC, the sources synced with their .git, and the agent pod.
    await kubectl.run(['apply', '-f', '-'], {
      input: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'shop-workspace', namespace: NS },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ]
        .map((d) => JSON.stringify(d))
        .join('\n---\n'),
    });
    await syncSources(kubectl, {
      namespace: NS,
      source: checkout,
      codeRootBase: '/workspace/slots',
      slot: 1,
      env: 'ai',
      pvc: 'shop-workspace',
    });
    await kubectl.run(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'codex', namespace: NS },
        spec: {
          selector: { matchLabels: { app: 'codex' } },
          template: {
            metadata: { labels: { app: 'codex' } },
            spec: {
              containers: [
                {
                  name: 'codex',
                  image: 'agent',
                  workingDir: '/workspace',
                  volumeMounts: [{ name: 'ws', mountPath: '/workspace', subPath: 'slots/1/src' }],
                },
              ],
              volumes: [{ name: 'ws', persistentVolumeClaim: { claimName: 'shop-workspace' } }],
            },
          },
        },
      }),
    });
    const workspace = path.join(h.server.pvcDir(NS, 'shop-workspace'), 'slots', '1', 'src');
    expect(existsSync(path.join(workspace, '.git'))).toBe(true);

    // A git on PATH that records every argv the action gives it.
    const shim = path.join(root, 'shim');
    mkdirSync(shim);
    const gitLog = path.join(root, 'git-argv.log');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(path.join(shim, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${gitLog}'\nexec '${realGit}' "$@"\n`);
    chmodSync(path.join(shim, 'git'), 0o755);
    return { bare, checkout, workspace, issue, repo, gitLog };
  }

  const act = (s: Setup, inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> =>
    runAction(
      actionMain('review-apply'),
      { config: 'services.yaml', slot: '1', ...inputs },
      {
        cwd: s.checkout,
        timeoutMs: 120_000,
        env: {
          KUBECONFIG: h.kubeconfig,
          PATH: `${path.dirname(s.gitLog)}/shim:${TOOLS}:${process.env.PATH}`,
          KUBECACHEDIR: path.join(h.dir, 'cache'),
          GITHUB_TOKEN: TOKEN,
          GITHUB_API_URL: gh.url,
          GITHUB_SERVER_URL: 'https://github.example',
          GITHUB_REPOSITORY: s.repo,
          GITHUB_RUN_ID: '777',
          GITHUB_ACTOR: 'maria',
          ...env,
        },
      },
    );
  const branchHead = (s: Setup, branch: string) =>
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], {
      cwd: s.bare,
      encoding: 'utf8',
    }).trim();

  it('a run that pushed but could not open the PR: the rerun opens it (not "no change")', async () => {
    const s = await setup();
    writeFileSync(path.join(s.workspace, 'app.js'), 'console.log("v2");\n');
    gh.fail({ method: 'POST', path: /\/pulls$/, status: 502, times: 10 });
    const first = await act(s, { issue: String(s.issue) });
    gh.clearFaults();
    expect(first.errors.join('\n')).not.toBe('');
    const branch = `codex/issue-${s.issue}`;
    expect(branchHead(s, branch)).toMatch(/^[0-9a-f]{40}$/);
    const second = await act(s, { issue: String(s.issue) });
    expect(second.errors).toEqual([]);
    expect({ changed: second.outputs.changed, pr: second.outputs['pr-number'] }).toEqual({
      changed: expect.anything(),
      pr: expect.stringMatching(/^\d+$/),
    });
  });

  it('an issue title with {{branch}} and backticks goes into the PR title verbatim', async () => {
    const s = await setup();
    const n = gh.state.addIssue(s.repo, { title: 'Fix `rm -rf` {{branch}} $(id)', body: '', author: 'maria' }).number;
    writeFileSync(path.join(s.workspace, 'app.js'), 'console.log("v3");\n');
    const run = await act(s, { issue: String(n) });
    expect(run.errors).toEqual([]);
    const pr = gh.state.pull(s.repo, Number(run.outputs['pr-number']));
    expect((pr as any).title ?? JSON.stringify(pr)).toContain('Fix `rm -rf` {{branch}} $(id)');
    expect(git(s.bare, 'log', '-1', '--format=%s', `codex/issue-${n}`).trim()).toContain('{{branch}} $(id)');
  });
});
