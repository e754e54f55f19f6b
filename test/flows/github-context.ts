/**
 * The `github` context of a run and the GITHUB_* / RUNNER_* variables the runner gives every step, from the event
 * and its payload. Pull request events get `refs/pull/<n>/merge` as their ref, as on GitHub, but the head commit as
 * their sha (the fake GitHub makes no merge commits).
 */
import { execFileSync } from 'node:child_process';

export interface RunIdentity {
  event: string;
  payload: Record<string, unknown>;
  repository: string;
  workflowName: string;
  workflowFile: string;
  runId: number;
  actor?: string;
  ref?: string;
  sha?: string;
  serverUrl: string;
  apiUrl: string;
  token: string;
  workspace: string;
  eventPath: string;
  /** Local bare repositories by `owner/name`, to find the default branch's commit. */
  remotes: Record<string, string>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});

function headOf(bare: string | undefined, branch: string): string {
  if (!bare) return '';
  try {
    return execFileSync('git', ['rev-parse', `refs/heads/${branch}`], { cwd: bare, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export function githubContext(r: RunIdentity): Obj {
  const payload = r.payload;
  const pr = obj(payload.pull_request);
  const isPr = r.event.startsWith('pull_request') && pr.number !== undefined;
  const defaultBranch = String(obj(payload.repository).default_branch ?? 'main');
  const ref = r.ref ?? (isPr ? `refs/pull/${String(pr.number)}/merge` : `refs/heads/${defaultBranch}`);
  const sha =
    r.sha ??
    (isPr ? String(obj(pr.head).sha ?? '') : headOf(r.remotes[r.repository], ref.replace(/^refs\/heads\//, '')));
  const actor = r.actor ?? String(obj(payload.sender).login ?? 'octocat');
  return {
    event_name: r.event,
    event: payload,
    repository: r.repository,
    repository_owner: r.repository.split('/')[0],
    repositoryUrl: `git://github.com/${r.repository}.git`,
    actor,
    triggering_actor: actor,
    run_id: String(r.runId),
    run_number: '1',
    run_attempt: '1',
    retention_days: '90',
    server_url: r.serverUrl,
    api_url: r.apiUrl,
    graphql_url: `${r.apiUrl}/graphql`,
    ref,
    ref_name: ref.replace(/^refs\/(heads|tags)\//, '').replace(/^refs\/pull\/(\d+)\/merge$/, '$1/merge'),
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha,
    head_ref: isPr ? String(obj(pr.head).ref ?? '') : '',
    base_ref: isPr ? String(obj(pr.base).ref ?? '') : '',
    workflow: r.workflowName,
    workflow_ref: `${r.repository}/.github/workflows/${r.workflowFile}@${ref}`,
    token: r.token,
    workspace: r.workspace,
    event_path: r.eventPath,
    job: '',
    action: '',
  };
}

/** GITHUB_* and RUNNER_* variables of a job's steps. */
export function runnerVariables(
  github: Obj,
  job: string,
  runnerTemp: string,
  toolCache: string,
): Record<string, string> {
  const s = (k: string) => String(github[k] ?? '');
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTOR: s('actor'),
    GITHUB_TRIGGERING_ACTOR: s('triggering_actor'),
    GITHUB_API_URL: s('api_url'),
    GITHUB_GRAPHQL_URL: s('graphql_url'),
    GITHUB_SERVER_URL: s('server_url'),
    GITHUB_BASE_REF: s('base_ref'),
    GITHUB_HEAD_REF: s('head_ref'),
    GITHUB_EVENT_NAME: s('event_name'),
    GITHUB_EVENT_PATH: s('event_path'),
    GITHUB_JOB: job,
    GITHUB_REF: s('ref'),
    GITHUB_REF_NAME: s('ref_name'),
    GITHUB_REF_TYPE: s('ref_type'),
    GITHUB_REPOSITORY: s('repository'),
    GITHUB_REPOSITORY_OWNER: s('repository_owner'),
    GITHUB_RETENTION_DAYS: s('retention_days'),
    GITHUB_RUN_ATTEMPT: s('run_attempt'),
    GITHUB_RUN_ID: s('run_id'),
    GITHUB_RUN_NUMBER: s('run_number'),
    GITHUB_SHA: s('sha'),
    GITHUB_WORKFLOW: s('workflow'),
    GITHUB_WORKFLOW_REF: s('workflow_ref'),
    GITHUB_WORKSPACE: s('workspace'),
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'local-harness',
    RUNNER_ENVIRONMENT: 'self-hosted',
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: toolCache,
  };
}
