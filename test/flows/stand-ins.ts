/**
 * Named stand-ins for actions that only touch GitHub's own infrastructure. `actions/checkout` clones the local bare
 * repository behind the fake GitHub's repository (`linkGitRemote`) at the ref the real action would check out;
 * `actions/setup-node` puts a Node this machine has on PATH. Any other `uses:` has no stand-in and fails the run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/cli.js';

export interface StandInCall {
  /** `with:`, evaluated. */
  inputs: Record<string, string>;
  workspace: string;
  /** The `github` context of the run. */
  github: { repository: string; ref: string; sha: string; token: string };
  /** Local bare repositories by `owner/name`. */
  remotes: Record<string, string>;
  log: (line: string) => void;
}

export interface StandInResult {
  outputs: Record<string, string>;
  /** Directories put in front of PATH for later steps (as GITHUB_PATH). */
  path?: string[];
}

export type StandIn = (call: StandInCall) => StandInResult;

function git(cwd: string, args: string[], log: (l: string) => void): string {
  log(`git ${args.join(' ')}`);
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * actions/checkout: a fresh repository at `path` with `origin` the local bare repository (so a later push lands
 * where the fake GitHub reads branches), fetched at `ref` (a branch, a tag or a commit) or, without one, at the
 * event's `github.ref`/`github.sha`, `fetch-depth` commits deep (0: everything). A branch is checked out as a local
 * branch, anything else detached, as the real action does. `persist-credentials` writes nothing: the remote is a
 * local path.
 */
export const checkout: StandIn = ({ inputs, workspace, github, remotes, log }) => {
  const repository = inputs.repository || github.repository;
  const bare = remotes[repository];
  if (!bare) throw new Error(`actions/checkout stand-in: no local repository for ${repository} (give it in remotes)`);
  const dir = path.resolve(workspace, inputs.path ?? '');
  if (path.relative(workspace, dir).startsWith('..'))
    throw new Error(`actions/checkout stand-in: path ${inputs.path} is outside the workspace`);
  // What a checkout leaves is what was fetched: anything already there (an earlier checkout) goes.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const depth = Number(inputs['fetch-depth'] ?? '1');
  if (!Number.isInteger(depth) || depth < 0) throw new Error(`actions/checkout: fetch-depth ${inputs['fetch-depth']}`);
  const shallow = depth > 0 ? [`--depth=${depth}`] : [];
  git(dir, ['init', '-q'], log);
  git(dir, ['remote', 'add', 'origin', `file://${bare}`], log);

  let ref = inputs.ref || (repository === github.repository ? github.ref : '');
  const sha = !inputs.ref && repository === github.repository ? github.sha : '';
  if (!ref) ref = `refs/heads/${git(bare, ['symbolic-ref', '--short', 'HEAD'], log)}`;
  // A pull request event's refs/pull/<n>/merge: the fake makes no merge commits, so its sha (the head) is checked out.
  if (ref.startsWith('refs/pull/') && !sha)
    throw new Error(`actions/checkout stand-in: ${ref} is not served; give a branch or a commit as ref`);
  const branch = ref.replace(/^refs\/heads\//, '');
  const isBranch =
    ref.startsWith('refs/heads/') ||
    (!/^[0-9a-f]{40}$/.test(ref) && !ref.startsWith('refs/') && hasRef(bare, `refs/heads/${ref}`));
  if (depth === 0) git(dir, ['fetch', '-q', '--tags', 'origin', '+refs/heads/*:refs/remotes/origin/*'], log);
  if (isBranch) {
    git(dir, ['fetch', '-q', ...shallow, 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`], log);
    if (sha) git(dir, ['fetch', '-q', ...shallow, 'origin', sha], log);
    git(dir, ['checkout', '-q', '-B', branch, sha || `refs/remotes/origin/${branch}`], log);
    if (!sha) git(dir, ['branch', '-q', '--set-upstream-to', `origin/${branch}`], log);
  } else {
    const tag = ref.replace(/^refs\/tags\//, '');
    const target = ref.startsWith('refs/pull/') ? sha : /^[0-9a-f]{40}$/.test(ref) ? ref : `refs/tags/${tag}`;
    git(dir, ['fetch', '-q', ...shallow, 'origin', target], log);
    git(dir, ['-c', 'advice.detachedHead=false', 'checkout', '-q', 'FETCH_HEAD'], log);
  }
  const commit = git(dir, ['rev-parse', 'HEAD'], log);
  log(`checked out ${repository}@${commit.slice(0, 12)} (${ref}) into ${dir}`);
  return { outputs: { ref, commit } };
};

function hasRef(bare: string, ref: string): boolean {
  try {
    execFileSync('git', ['rev-parse', '--verify', '-q', ref], { cwd: bare, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** actions/setup-node: the Node of that major version on PATH, if this machine has it (20: this one, 24: .tools). */
export const setupNode: StandIn = ({ inputs, log }) => {
  const wanted = (inputs['node-version'] || '').replace(/^v/, '').split('.')[0];
  const ours: Record<string, string> = {
    [process.versions.node.split('.')[0]]: path.dirname(process.execPath),
    '24': path.join(REPO_ROOT, '.tools/node24/bin'),
  };
  const dir = ours[wanted];
  if (!dir) throw new Error(`actions/setup-node stand-in: no Node ${wanted || '(no node-version given)'} here`);
  log(`Node ${wanted} from ${dir}`);
  return { outputs: { 'node-version': wanted }, path: [dir] };
};

/** Stand-ins by `owner/name` (the `@ref` is not looked at). */
export const STAND_INS: Record<string, StandIn> = {
  'actions/checkout': checkout,
  'actions/setup-node': setupNode,
};
