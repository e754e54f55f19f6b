import * as core from '@actions/core';
import {
  ActorPolicy,
  createGitHubClient,
  parseRepo,
  resolvePlanRoot,
  runUrlFromEnv,
  StatusComment,
  type StatusState,
} from '../github/index.js';
import { parseLang, type Lang } from '../github/status-text.js';
import { UserError } from '../util/errors.js';
import { inputText } from './inputs.js';

export function langInput(): Lang {
  const value = inputText('lang', 'CODEXCTL_LANG');
  try {
    return parseLang(value, 'input lang');
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}

/** Where the status comment of a run goes, when it has one. */
export interface StatusTarget {
  githubToken: string;
  lang: Lang;
  issue: number;
  pr: number;
  dryRun?: boolean;
}

/**
 * The status comment of the issue or PR this step works for: none in a dry run (it changes nothing anywhere),
 * without a token or repository, or without an issue or PR to write on. Its failures are warnings.
 */
export function statusCommentFor(target: StatusTarget, step: string): StepStatus | undefined {
  const number = target.pr > 0 ? target.pr : target.issue;
  const repository = process.env.GITHUB_REPOSITORY ?? '';
  if (target.dryRun || !target.githubToken || !repository || !(number > 0)) return undefined;
  const log = { info: core.info, warning: (m: string) => core.warning(m), debug: core.debug };
  const client = createGitHubClient({ token: target.githubToken, log });
  const comment = new StatusComment(client, parseRepo(repository, 'GITHUB_REPOSITORY'), number, {
    lang: target.lang,
    log,
  });
  return new StepStatus(comment, step);
}

/** One step's writes to the status comment: its progress, or its failure with the link to the run. */
export class StepStatus {
  constructor(
    private readonly comment: StatusComment,
    private readonly step: string,
  ) {}

  update(patch: Partial<StatusState>): Promise<boolean> {
    return this.comment.tryUpdate({ ...patch, runUrl: runUrlFromEnv() });
  }

  failed(reason: string): Promise<boolean> {
    return this.comment.tryUpdate({
      phase: 'failed',
      failure: { step: this.step, reason },
      runUrl: runUrlFromEnv(),
    });
  }
}

/**
 * The allowed-actor gate: the allowed-users list when given, else (with a token) write access to the repository
 * asked through the API. Without a list and a token, the workflow's own trigger conditions decide.
 */
export async function requireAllowedActor(allowedUsers: readonly string[], token: string): Promise<void> {
  const actor = process.env.GITHUB_ACTOR ?? '';
  const repository = process.env.GITHUB_REPOSITORY ?? '';
  if (allowedUsers.length === 0 && (!token || !repository)) return;
  const client = token && repository ? createGitHubClient({ token }) : undefined;
  const repo = repository ? parseRepo(repository, 'GITHUB_REPOSITORY') : { owner: '', repo: '' };
  await new ActorPolicy(client, repo, allowedUsers).requireAllowed(actor);
}

/** The root plan issue of `issue` (plan-root: true), asked through the API with the token. */
export async function planRootOf(issue: number, token: string): Promise<number> {
  const repository = process.env.GITHUB_REPOSITORY ?? '';
  if (!(issue > 0)) throw new UserError('plan-root: true needs the issue whose plan it belongs to: pass issue');
  if (!token || !repository)
    throw new UserError(
      'plan-root: true reads the issues through the GitHub API: pass github-token (and run in a repository)',
    );
  const root = await resolvePlanRoot(createGitHubClient({ token }), parseRepo(repository, 'GITHUB_REPOSITORY'), issue);
  return root.root;
}
