/**
 * (j) review-apply of a 200-file change: the action bundle as the runner runs it, reading the agent's change from
 * a mounted workspace (`workdir`), committing it, pushing to a local bare repository and opening the PR on the fake
 * GitHub. Wall time of the whole step, and the GitHub API requests it made.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFakeGitHub } from '../fake-github/index.js';
import { actionMain, runAction } from '../support/action.js';
import { removeTempDirs, tempDir } from '../support/temp-dir.js';

const FILES = 200;
const TOKEN = 'ghs_bench_token';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
  });

export async function benchReviewApply(): Promise<string> {
  const gh = await startFakeGitHub();
  try {
    gh.state.addToken(TOKEN, { login: 'github-actions[bot]' });
    const repo = 'acme/bench';
    gh.state.addRepo({ owner: 'acme', name: 'bench', defaultBranch: 'main' });
    const root = tempDir('bench-review-apply-');
    const bare = path.join(root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    gh.state.linkGitRemote(repo, bare);
    gh.state.setPermission(repo, 'maria', 'write');
    const seed = path.join(root, 'seed');
    mkdirSync(path.join(seed, 'src'), { recursive: true });
    git(seed, 'init', '-q', '-b', 'main');
    for (let i = 0; i < FILES; i++) writeFileSync(path.join(seed, 'src', `m${i}.js`), `export const v${i} = 1;\n`);
    git(seed, 'add', '-A');
    git(seed, 'commit', '-q', '-m', 'bench');
    git(seed, 'push', '-q', bare, 'main');
    const checkout = path.join(root, 'checkout');
    const workspace = path.join(root, 'workspace');
    execFileSync('git', ['clone', '-q', bare, checkout]);
    execFileSync('git', ['clone', '-q', bare, workspace]);
    const issue = gh.state.addIssue(repo, { title: 'Touch everything', body: 'b', author: 'maria' }).number;
    // The agent's change: 200 files, edited, added and deleted in equal parts.
    for (let i = 0; i < FILES; i++) {
      const file = path.join(workspace, 'src', `m${i}.js`);
      if (i % 3 === 0) writeFileSync(file, `export const v${i} = 2;\n`);
      else if (i % 3 === 1) execFileSync('rm', [file]);
      else writeFileSync(path.join(workspace, 'src', `new${i}.js`), `export const n${i} = 0;\n`);
    }
    const requestsBefore = gh.requests.length;
    const started = performance.now();
    const res = await runAction(
      actionMain('review-apply'),
      { issue: String(issue), workdir: workspace, config: 'missing.yaml' },
      {
        cwd: checkout,
        timeoutMs: 300_000,
        env: {
          PATH: process.env.PATH ?? '',
          GITHUB_TOKEN: TOKEN,
          GITHUB_API_URL: gh.url,
          GITHUB_SERVER_URL: 'https://github.example',
          GITHUB_REPOSITORY: repo,
          GITHUB_RUN_ID: '1',
          GITHUB_ACTOR: 'maria',
        },
      },
    );
    const ms = performance.now() - started;
    if (res.code !== 0) throw new Error(`review-apply failed: ${res.errors.join('; ')}`);
    const changed = git(bare, 'diff', '--name-only', 'main', `codex/issue-${issue}`).trim().split('\n').length;
    return (
      `(j) review-apply of a ${FILES}-file change (workdir; commit, push, PR): ${ms.toFixed(0)} ms wall, ` +
      `${gh.requests.length - requestsBefore} GitHub API requests, ${changed} files in the PR's diff`
    );
  } finally {
    await gh.close();
    removeTempDirs();
  }
}
