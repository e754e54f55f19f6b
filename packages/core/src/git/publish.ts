/*
 * Turns the agent's change into a commit on the branch of its issue or PR and pushes it, without touching the
 * runner's own working tree (the work happens in a temporary worktree of the checkout):
 *
 *   base      the commit the workspace was synced from (fetched if the checkout lacks it)
 *   commit    base + the patch, with the given message and author; no change: no commit
 *   rebase    onto the remote branch when it exists and is not the base (someone pushed since, or an earlier run
 *             left its commit there); a conflict fails naming the files, and the agent's commit is pushed to
 *             `codex/backup/<branch>-<time>` first, so nothing is lost
 *   push      a fast-forward of the branch, never a force push; a race with another push is rebased once more
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { Git, GitError } from './git.js';

export interface PublishOptions {
  /** The runner's checkout. */
  git: Git;
  /** The commit the patch applies to, and the patch. */
  base: string;
  patch: Buffer;
  branch: string;
  /** Remote name or URL to fetch from and push to (default `origin`). */
  remote?: string;
  message: string;
  author: { name: string; email: string };
  /** Environment carrying the push credentials (see tokenEnv); used for fetch and push only. */
  credentials?: Record<string, string>;
  /** Called with the files of the final change before anything is pushed; throw to stop. */
  beforePush?: (files: string[]) => Promise<void> | void;
  now?: Date;
}

export interface PublishResult {
  changed: boolean;
  /** The pushed commit (the remote branch head when nothing changed). */
  commit?: string;
  /** Files the pushed commit changes. */
  files: string[];
  /** The remote branch moved past the base: the commit was rebased onto it. */
  rebased: boolean;
  /** The branch did not exist before this push. */
  created: boolean;
}

const CONFLICT_LIMIT = 50;

export async function publishChange(o: PublishOptions): Promise<PublishResult> {
  const remote = o.remote ?? 'origin';
  const creds = o.git.withEnv(o.credentials ?? {});
  await checkBranchName(o.git, o.branch);
  const identity = [
    '-c',
    `user.name=${o.author.name}`,
    '-c',
    `user.email=${o.author.email}`,
    '-c',
    'commit.gpgsign=false',
    '-c',
    'core.hooksPath=/dev/null',
  ];

  // The base must be part of what this job checked out: a commit named by anything else (the workspace, which the
  // agent controls) could bring a whole foreign history along, unchecked.
  if (!(await o.git.isAncestor(o.base, 'HEAD')))
    throw new UserError(
      `commit ${o.base.slice(0, 12)} is not part of the checkout's history (HEAD): the change must be based on what ` +
        'this job checked out',
    );
  // What a run killed in the middle left behind (its worktree, its fetched ref): cleared before this run adds its own.
  await o.git.exec(['worktree', 'prune'], { allowFailure: true });
  const stale = (await o.git.run(['for-each-ref', '--format=%(refname)', 'refs/codex-k8s/publish/'])).split('\n');
  for (const ref of stale.filter(Boolean)) await o.git.exec(['update-ref', '-d', ref], { allowFailure: true });

  const tmp = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'codex-k8s-publish-'));
  const worktree = join(tmp, 'tree');
  const remoteRef = `refs/codex-k8s/publish/${process.pid}-${Date.now()}`;
  await o.git.run(['worktree', 'add', '--detach', '--quiet', worktree, o.base]);
  const wt = o.git.at(worktree);
  const wtCreds = creds.at(worktree);
  try {
    if (o.patch.length > 0) {
      const patchFile = join(tmp, 'agent.patch');
      await writeFile(patchFile, o.patch, { mode: 0o600 });
      await wt.run(['apply', '--index', '--binary', '--whitespace=nowarn', patchFile]);
    }
    const staged = await wt.exec(['diff', '--cached', '--quiet'], { allowFailure: true });
    const fetched = await wtCreds.exec(['fetch', '--no-tags', remote, `+refs/heads/${o.branch}:${remoteRef}`], {
      allowFailure: true,
    });
    const remoteHead = fetched.code === 0 ? await wt.revParse(remoteRef) : undefined;
    if (fetched.code !== 0 && !/couldn't find remote ref|no such ref/i.test(fetched.stderr))
      throw new GitError(`fetching ${o.branch} from ${remote} failed: ${fetched.stderr.trim().split('\n').pop()}`);
    if (staged.code === 0) return { changed: false, commit: remoteHead, files: [], rebased: false, created: false };

    await wt.run([
      ...identity,
      'commit',
      '--quiet',
      '--no-verify',
      '-m',
      o.message,
      '--author',
      `${o.author.name} <${o.author.email}>`,
    ]);
    const agentCommit = (await wt.revParse('HEAD'))!;

    let rebased = false;
    for (let attempt = 0; ; attempt++) {
      const head = attempt === 0 ? remoteHead : await refetch(wtCreds, remote, o.branch, remoteRef);
      if (head && head !== o.base && !(await wt.isAncestor(head, 'HEAD'))) {
        await rebaseOnto(wt, identity, head, agentCommit, o, creds, remote);
        rebased = true;
      }
      const from = head ?? o.base;
      const files = (await wt.run(['diff', '--name-only', '-z', from, 'HEAD'])).split('\0').filter(Boolean);
      if (files.length === 0) return { changed: false, commit: head, files: [], rebased, created: false };
      await o.beforePush?.(files);
      const pushed = await wtCreds.exec(['push', '--porcelain', remote, `HEAD:refs/heads/${o.branch}`], {
        allowFailure: true,
      });
      if (pushed.code === 0) {
        return { changed: true, commit: (await wt.revParse('HEAD'))!, files, rebased, created: !head };
      }
      const rejected = /\[rejected\]|non-fast-forward|fetch first|stale info/i.test(pushed.stdout + pushed.stderr);
      if (!rejected || attempt >= 2)
        throw new GitError(
          `pushing ${o.branch} to ${remote} failed: ${(pushed.stderr.trim() || pushed.stdout.trim()).split('\n').slice(-2).join('; ')}`,
        );
    }
  } finally {
    await o.git.exec(['worktree', 'remove', '--force', worktree], { allowFailure: true });
    await o.git.exec(['update-ref', '-d', remoteRef], { allowFailure: true });
    await rm(tmp, { recursive: true, force: true });
  }
}

async function refetch(git: Git, remote: string, branch: string, ref: string): Promise<string | undefined> {
  const res = await git.exec(['fetch', '--no-tags', remote, `+refs/heads/${branch}:${ref}`], { allowFailure: true });
  return res.code === 0 ? git.revParse(ref) : undefined;
}

/** Replays the agent's commit onto `onto`; a conflict keeps the commit on a backup branch and fails. */
async function rebaseOnto(
  wt: Git,
  identity: string[],
  onto: string,
  agentCommit: string,
  o: PublishOptions,
  creds: Git,
  remote: string,
): Promise<void> {
  const res = await wt.exec([...identity, 'rebase', '--no-verify', '--onto', onto, `${agentCommit}~1`], {
    allowFailure: true,
  });
  if (res.code === 0) return;
  const conflicts = (await wt.run(['diff', '--name-only', '-z', '--diff-filter=U'], { allowFailure: true }))
    .split('\0')
    .filter(Boolean);
  await wt.exec(['rebase', '--abort'], { allowFailure: true });
  const stamp = (o.now ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const backup = `codex/backup/${o.branch}-${stamp}`;
  const pushed = await creds.exec(['push', '--porcelain', remote, `${agentCommit}:refs/heads/${backup}`], {
    allowFailure: true,
  });
  const kept =
    pushed.code === 0
      ? `the agent's commit ${agentCommit.slice(0, 12)} is kept on the branch ${backup}`
      : `the agent's commit ${agentCommit.slice(0, 12)} could not be pushed to ${backup} either (${pushed.stderr.trim().split('\n').pop()}); it is still in the slot workspace`;
  const list = conflicts.slice(0, CONFLICT_LIMIT).join(', ') + (conflicts.length > CONFLICT_LIMIT ? ', …' : '');
  throw new UserError(
    `the agent's change conflicts with what was pushed to ${o.branch} since (${list || 'see the log'}): ${kept}. ` +
      'Resolve it on that branch, or run the agent again on the updated branch',
  );
}

async function checkBranchName(git: Git, branch: string): Promise<void> {
  const res = await git.exec(['check-ref-format', '--branch', branch], { allowFailure: true });
  if (res.code !== 0 || branch.startsWith('-'))
    throw new UserError(`branch: ${JSON.stringify(branch)} is not a valid branch name`);
}
