/*
 * review-apply end to end: the agent's change from the slot workspace (over kubectl exec, or a directory the runner
 * mounts) becomes a commit on `codex/issue-<n>` or the PR's head branch, pushed, and a pull request created or
 * updated; the PR is linked to the slot.
 */
import { findAgentPod, readAgentChange, type ChangeSource } from '../agent-run/index.js';
import { loadStack, type LoadOptions } from '../config/load.js';
import { Git, publishChange, tokenEnv, type PublishResult } from '../git/index.js';
import type { GitHubClient, RepoRef } from '../github/index.js';
import type { Kubectl } from '../kube/kubectl.js';
import { ChildProcessRunner, type ProcessRunner } from '../kube/runner.js';
import { UserError } from '../util/errors.js';
import type { Reporter } from '../util/reporter.js';
import { kubectlFor, type KubectlChoice } from './kubectl-setup.js';
import { slotStoreFor } from './slot-store.js';

export interface ReviewApplyOptions {
  load: LoadOptions;
  issue: number;
  pr: number;
  /** A directory holding the workspace (a runner that mounts it); unset: the slot's agent pod. */
  workdir?: string;
  /** Branch to push; default `codex/issue-<n>`, or the PR's head branch. */
  branch?: string;
  /** Base branch of a new PR; default the repository's default branch. */
  base?: string;
  /** Pathspecs the commit is limited to. */
  include?: readonly string[];
  commitMessage: string;
  authorName: string;
  authorEmail: string;
  prTitle: string;
  prBody: string;
  draft: boolean;
  allowFork: boolean;
  github: { client: GitHubClient; repo: RepoRef };
  /** Token for the push and the PR; when it is the workflow's own token, CI will not run on the PR. */
  pushToken: string;
  pushTokenIsWorkflowToken: boolean;
  /** https://github.com or the GHES server, for the push credentials. */
  serverUrl: string;
  /** The runner's checkout (default the working directory). */
  checkout?: string;
  remote?: string;
  agentDeployment?: string;
  agentContainer?: string;
  kubectl?: KubectlChoice;
  client?: Kubectl;
  runner?: ProcessRunner;
  dryRun?: boolean;
  reporter: Reporter;
}

export interface ReviewApplyResult {
  changed: boolean;
  branch: string;
  commit?: string;
  files: string[];
  prNumber?: number;
  prUrl?: string;
  prCreated: boolean;
  rebased: boolean;
  /** CI will not start on the PR (pushed with the workflow's own token). */
  ciWillNotRun: boolean;
}

/** `{{name}}` placeholders of the message and PR templates, replaced once (the values are not read again). */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (all, key: string) =>
    Object.hasOwn(values, key) ? values[key] : all,
  );
}

export async function reviewApply(o: ReviewApplyOptions): Promise<ReviewApplyResult> {
  const r = o.reporter;
  if (!(o.issue > 0) && !(o.pr > 0)) throw new UserError('review-apply: give the issue or the pr the change is for');
  const { client, repo } = o.github;
  const runner = o.runner ?? new ChildProcessRunner();
  const git = new Git(runner, o.checkout ?? process.cwd());

  // Where to push: the PR's head branch (refusing a fork's unless allowed), else the issue's branch.
  let branch = o.branch || (o.issue > 0 && !(o.pr > 0) ? `codex/issue-${o.issue}` : '');
  let remote = o.remote ?? 'origin';
  let existingPr: { number: number; url: string } | undefined;
  let title = '';
  const { data: meta, headers } = await client.rest.repos.get({ ...repo });
  // Classic tokens list their scopes on every response; others do not (GitHub decides at push time).
  const scopes = typeof headers['x-oauth-scopes'] === 'string' ? headers['x-oauth-scopes'] : undefined;
  if (o.pr > 0) {
    const { data: pull } = await client.rest.pulls.get({ ...repo, pull_number: o.pr });
    const headRepo = pull.head.repo?.full_name ?? '';
    if (headRepo.toLowerCase() !== `${repo.owner}/${repo.repo}`.toLowerCase()) {
      if (!o.allowFork)
        throw new UserError(
          `PR #${o.pr} comes from the fork ${headRepo || '(deleted)'}: review-apply does not push to forks unless allow-fork: true ` +
            '(and the token can write to that fork)',
        );
      if (!pull.head.repo) throw new UserError(`PR #${o.pr}: its fork was deleted; nothing to push to`);
      remote = pull.head.repo.clone_url;
    }
    branch = o.branch || pull.head.ref;
    existingPr = { number: pull.number, url: pull.html_url };
    title = pull.title;
  }
  if (branch === meta.default_branch)
    throw new UserError(`review-apply never pushes to the default branch ${branch}; set branch to another one`);
  if (remote === (o.remote ?? 'origin')) {
    const target = await client.rest.repos.getBranch({ ...repo, branch }).catch((err: { status?: number }) => {
      if (err.status === 404) return undefined;
      throw err;
    });
    if (target?.data.protected)
      throw new UserError(`review-apply never pushes to a protected branch (${branch}); set branch to another one`);
  }
  if (o.issue > 0 && !title) title = (await client.rest.issues.get({ ...repo, issue_number: o.issue })).data.title;

  // The change, from the workspace.
  let source: ChangeSource;
  let kubectl: Kubectl | undefined;
  let stack: ReturnType<typeof loadStack> | undefined;
  if (o.workdir) source = { kind: 'dir', runner, dir: o.workdir };
  else {
    stack = loadStack(o.load);
    kubectl = o.client ?? (await kubectlFor(stack, o.kubectl));
    const pod = await findAgentPod(kubectl, {
      namespace: stack.namespace,
      deployment: o.agentDeployment ?? 'codex',
      container: o.agentContainer ?? 'codex',
      timeoutMs: 120_000,
    });
    source = { kind: 'pod', kubectl, namespace: stack.namespace, pod };
  }
  // The base is the runner's own checkout, never what the workspace says: the agent controls the workspace.
  const base = await git.revParse('HEAD');
  if (!base) throw new UserError(`review-apply needs the repository checked out in ${git.cwd} (actions/checkout)`);
  const change = await r.group('The agent change', async () => {
    const c = await readAgentChange(source, { include: o.include, base });
    for (const w of c.warnings) r.warning(w);
    if (c.synced && c.synced !== base)
      throw new UserError(
        `the slot workspace was synced from ${c.synced.slice(0, 12)}, but this job checked out ${base.slice(0, 12)}: ` +
          'run review-apply in the job that ran ensure-ready, on the same checkout',
      );
    r.info(`${c.patch.length} bytes of patch against ${c.base.slice(0, 12)}`);
    return c;
  });

  const values = {
    issue: o.issue > 0 ? String(o.issue) : '',
    pr: o.pr > 0 ? String(o.pr) : '',
    title,
    branch,
  };
  if (o.dryRun) {
    r.info(`dry-run=true: would commit ${change.patch.length ? 'the change' : 'nothing'} to ${branch} and push it`);
    return {
      changed: change.patch.length > 0,
      branch,
      files: [],
      prCreated: false,
      rebased: false,
      ciWillNotRun: false,
    };
  }

  const result: PublishResult = await r.group(`Commit and push ${branch}`, () =>
    publishChange({
      git,
      base: change.base,
      patch: change.patch,
      branch,
      remote,
      message: fillTemplate(o.commitMessage, values),
      author: { name: o.authorName, email: o.authorEmail },
      credentials: tokenEnv(o.pushToken, o.serverUrl),
      beforePush: (files) => checkWorkflowChanges(files, o, scopes),
    }),
  );
  const ciWillNotRun = o.pushTokenIsWorkflowToken;
  if (!result.changed) {
    r.info(`no change to commit on ${branch}`);
    // A branch an earlier run pushed but could not open its PR for (cut off, or GitHub failed): open it now.
    if (!result.commit || existingPr)
      return {
        changed: false,
        branch,
        files: [],
        commit: result.commit,
        ...(existingPr ? { prNumber: existingPr.number, prUrl: existingPr.url } : {}),
        prCreated: false,
        rebased: false,
        ciWillNotRun,
      };
  } else
    r.info(
      `pushed ${result.commit} to ${branch}${result.rebased ? ' (rebased onto the moved branch)' : ''}: ${result.files.join(', ')}`,
    );

  // The pull request: the given one, an open one for the branch, or a new one.
  const openFor = async () => {
    const open = await client.rest.pulls.list({
      ...repo,
      state: 'open',
      head: `${repo.owner}:${branch}`,
      per_page: 10,
    });
    return open.data[0] ? { number: open.data[0].number, url: open.data[0].html_url } : undefined;
  };
  let pr = existingPr ?? (await openFor());
  let prCreated = false;
  if (!pr) {
    try {
      const { data } = await client.rest.pulls.create({
        ...repo,
        head: branch,
        base: o.base || meta.default_branch,
        title: fillTemplate(o.prTitle, values),
        body: fillTemplate(o.prBody, values),
        draft: o.draft,
      });
      pr = { number: data.number, url: data.html_url };
      prCreated = true;
    } catch (err) {
      // Another run opened it a moment ago (runs of one issue racing): that one is ours too.
      const raced = (err as { status?: number }).status === 422 ? await openFor() : undefined;
      if (!raced) throw err;
      pr = raced;
    }
    r.info(`${prCreated ? 'opened' : 'found'} PR #${pr.number}: ${pr.url}`);
  } else r.info(`updated PR #${pr.number}: ${pr.url}`);

  if (stack?.slotted && kubectl) {
    try {
      await slotStoreFor(stack, kubectl, r).link(stack.slot, { pr: pr.number, env: stack.env });
    } catch (err) {
      r.warning(`could not link PR #${pr.number} to slot ${stack.slot}: ${(err as Error).message}`);
    }
  }
  return {
    changed: result.changed,
    branch,
    commit: result.commit,
    files: result.files,
    prNumber: pr.number,
    prUrl: pr.url,
    prCreated,
    rebased: result.rebased,
    ciWillNotRun,
  };
}

/**
 * GitHub refuses a push that changes `.github/workflows/` unless the token may change workflows: a classic token
 * needs the `workflow` scope (GitHub lists the scopes on every response), the workflow's own token never may. Say
 * so before pushing instead of letting the push fail with a cryptic rejection.
 */
function checkWorkflowChanges(files: string[], o: ReviewApplyOptions, scopes: string | undefined): void {
  const workflows = files.filter((f) => f.startsWith('.github/workflows/'));
  if (workflows.length === 0) return;
  const why = o.pushTokenIsWorkflowToken
    ? "the workflow's own GITHUB_TOKEN can never change workflow files"
    : scopes !== undefined &&
        !scopes
          .split(',')
          .map((x) => x.trim())
          .includes('workflow')
      ? `the push token has the scopes "${scopes}", without "workflow"`
      : undefined;
  if (why)
    throw new UserError(
      `the agent changed ${workflows.join(', ')}, and ${why}: nothing was pushed. Give push-token a token that may ` +
        'change workflows (a PAT with the workflow scope, or a GitHub App with the workflows permission), or leave ' +
        'workflow files out with include',
    );
}
