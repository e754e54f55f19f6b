/*
 * The `.git` the workspace receives with its sources, so that inside the agent pod `git status` and `git diff` show
 * exactly what the agent changed since the commit the runner checked out (DESIGN: review-apply and prompt-run read
 * `changed` from git).
 *
 * It is a shallow repository of one commit, built on the runner from the checkout's own objects:
 *
 *   objects/pack/   one pack of HEAD's commit, tree and blobs (`rev-list --objects --no-walk` into `pack-objects`),
 *                   so what is sent grows with the tree, never with the history;
 *   shallow         HEAD's id: git treats its parents as cut off, as in a `--depth 1` clone;
 *   HEAD            the commit id (detached: review-apply picks the branch);
 *   index           `read-tree HEAD`, with the tracked files the sync leaves behind (excludes) marked
 *                   skip-worktree, as a sparse checkout does, so that they do not show as deleted;
 *   info/exclude    the run directory of the agent runner, which lives in the workspace but is not the agent's work.
 *
 * The pod side (COPY_SCRIPT) installs it after the files, adding the pack to those already there, so a re-sync keeps
 * the objects of earlier commits the agent may still refer to.
 */
import { mkdir, mkdtemp, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Git, type GitCall } from '../git/git.js';
import type { ProcessRunner } from '../kube/runner.js';
import { SyncError } from './errors.js';

/** Directory of the agent runner's files inside the workspace (events, prompt, Codex home); ignored by git. */
export const AGENT_RUN_DIR = '.codex-k8s';

/** Local settings of the checkout carried into the workspace's git. */
const CARRIED_CONFIG = '^(filter\\..*|lfs\\..*|core\\.(autocrlf|eol|safecrlf|symlinks|ignorecase|precomposeunicode))$';

export interface GitSnapshot {
  /** Temp directory holding `.git`; removed by `dispose`. */
  dir: string;
  /** The commit id the workspace's HEAD will be. */
  commit: string;
  /** Entries under `dir` to pack, parents first (`.git`, `.git/HEAD`, ...). */
  entries: string[];
  /** Regular files among them (for the pod's completeness count). */
  files: number;
  /** Tracked files left out of the sync, marked skip-worktree. */
  skipWorktree: number;
  dispose(): Promise<void>;
}

export interface SnapshotOptions {
  source: string;
  /** What the sync copies (relative paths), to tell which tracked files stay behind. */
  synced: ReadonlySet<string>;
  gitBinary?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Builds the snapshot, or returns undefined when `source` is not the top of a git work tree with a commit (a plain
 * directory is synced without git, as before). A checkout whose objects cannot be read (a partial clone missing
 * blobs, a broken repository) fails the sync: a workspace without its git would make `changed` meaningless.
 */
export async function snapshotGit(runner: ProcessRunner, o: SnapshotOptions): Promise<GitSnapshot | undefined> {
  // The checkout's own settings apply; nothing of the system config, a prompt or an optional lock interferes.
  const git = new Git(runner, o.source, o.gitBinary ?? 'git', { GIT_CONFIG_NOSYSTEM: '1', GIT_OPTIONAL_LOCKS: '0' });
  const call = { timeoutMs: o.timeoutMs, signal: o.signal };
  const run = async (args: string[], extra: GitCall = {}): Promise<string> => {
    try {
      return await git.run(args, { ...call, ...extra });
    } catch (err) {
      throw new SyncError('archive', (err as Error).message, /timed out/.test((err as Error).message), { cause: err });
    }
  };
  const probe = (args: string[]) =>
    git
      .exec(args, { ...call, allowFailure: true })
      .then((r) => (r.code === 0 ? r.stdout.trim() : ''))
      .catch(() => '');

  const top = await probe(['rev-parse', '--show-toplevel']);
  if (!top) return undefined;
  if ((await realpath(top)) !== (await realpath(o.source))) return undefined;
  const commit = await probe(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (!commit) return undefined; // a repository without a commit yet

  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'codex-k8s-git-'));
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const gitDir = join(dir, '.git');
    for (const d of ['objects/pack', 'objects/info', 'refs/heads', 'refs/tags', 'info'])
      await mkdir(join(gitDir, d), { recursive: true });

    const objects = (await run(['rev-list', '--objects', '--no-walk', commit]))
      .split('\n')
      .map((l) => l.slice(0, l.indexOf(' ') < 0 ? undefined : l.indexOf(' ')))
      .filter(Boolean);
    await run(['pack-objects', '--quiet', join(gitDir, 'objects/pack/pack')], { input: `${objects.join('\n')}\n` });

    const index = { env: { GIT_INDEX_FILE: join(gitDir, 'index') } };
    await run(['read-tree', commit], index);
    const tracked = (await run(['ls-files', '-z'], index)).split('\0').filter(Boolean);
    const behind = tracked.filter((p) => !o.synced.has(p));
    if (behind.length > 0)
      await run(['update-index', '--skip-worktree', '-z', '--stdin'], {
        ...index,
        input: behind.map((p) => `${p}\0`).join(''),
      });

    await writeFile(join(gitDir, 'HEAD'), `${commit}\n`);
    await writeFile(join(gitDir, 'shallow'), `${commit}\n`);
    // The checkout's settings that change how files are read and written (line endings, clean/smudge filters such
    // as Git LFS's), so the pod's git sees the files as the runner's does.
    const carried = await probe(['config', '--local', '-z', '--get-regexp', CARRIED_CONFIG]);
    const settings = (carried ?? '')
      .split('\0')
      .filter(Boolean)
      .map((e) => {
        const nl = e.indexOf('\n');
        return nl < 0 ? [e, 'true'] : [e.slice(0, nl), e.slice(nl + 1)];
      });
    await writeFile(
      join(gitDir, 'config'),
      '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n',
    );
    for (const [key, value] of settings) await run(['config', '--file', join(gitDir, 'config'), '--add', key, value]);
    // Unanchored: the agent's working directory may be below the repository's top.
    await writeFile(join(gitDir, 'info/exclude'), `${AGENT_RUN_DIR}/\n`);

    const entries: string[] = [];
    let files = 0;
    const walk = async (rel: string): Promise<void> => {
      entries.push(rel);
      for (const d of (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) =>
        a.name < b.name ? -1 : 1,
      )) {
        const path = `${rel}/${d.name}`;
        if (d.isDirectory()) await walk(path);
        else {
          entries.push(path);
          files++;
        }
      }
    };
    await walk('.git');
    return { dir, commit, entries, files, skipWorktree: behind.length, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
