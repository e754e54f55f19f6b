/** The state a harness run keeps while it runs a workflow: the run, the job, the step's frame. */
import { isMapping } from '@actions/workflow-parser';
import { tokenValue, type Contexts, type Status } from './expressions.js';
import type { StandIn } from './stand-ins.js';
import type { FlowEvent, Outcome } from './transcript.js';
import type { field } from './workflow.js';

export interface RunWorkflowOptions {
  /** The workflow file (also the name used in messages when `content` is given). */
  workflow: string;
  /** The workflow's text, instead of reading `workflow`. */
  content?: string;
  event: string;
  payload: Record<string, unknown>;
  /** `owner/name`. */
  repository: string;
  actor?: string;
  /** Default: the default branch (its head in `remotes`), or `refs/pull/<n>/merge` at the head for PR events. */
  ref?: string;
  sha?: string;
  runId?: number;
  serverUrl?: string;
  /** GITHUB_API_URL, e.g. the fake GitHub's url. */
  apiUrl?: string;
  /** `secrets.*`; GITHUB_TOKEN is also `github.token`. */
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** `inputs.*` (workflow_dispatch). */
  inputs?: Record<string, unknown>;
  /** What the runner machine's environment holds besides PATH and HOME (KUBECONFIG, ...); PATH here is prepended. */
  machineEnv?: Record<string, string>;
  /** Local bare repositories by `owner/name` for the checkout stand-in. */
  remotes?: Record<string, string>;
  /** Stand-ins besides (or over) the built-in ones, by `owner/name`. */
  standIns?: Record<string, StandIn>;
  /** Where the workspace and runner files go (default: a new temp directory). */
  workDir?: string;
  onEvent?: (e: FlowEvent) => void;
}

export interface RunState {
  o: RunWorkflowOptions;
  github: Record<string, unknown>;
  work: string;
  remotes: Record<string, string>;
  standIns: Record<string, StandIn>;
  /** Values replaced by *** in logs: the secrets, and what steps masked with ::add-mask::. */
  masks: string[];
}

export const ok: Status = { failed: false, succeeded: true };

export interface JobState {
  failed: boolean;
  /** The `steps` context: steps with an id of the file's. */
  steps: Record<string, { outputs: Record<string, string>; outcome: Outcome; conclusion: Outcome }>;
  envAdded: Record<string, string>;
  pathAdded: string[];
  base: Record<string, string>;
}

export interface StepFrame {
  state: JobState;
  jobEnv: Record<string, string>;
  defaults: { shell?: string; 'working-directory'?: string };
  runnerTemp: string;
  workspace: string;
  deadline: number;
}

export function minutes(token: ReturnType<typeof field>, contexts: Contexts, where: string): number | undefined {
  if (!token) return undefined;
  const n = Number(tokenValue(token, contexts, ok, where));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${where}: expected a positive number of minutes`);
  return n;
}

/** A literal token as JSON (permissions, defaults: no expressions there). */
export function plain(token: ReturnType<typeof field>): unknown {
  if (!token) return undefined;
  if (isMapping(token) || token.isLiteral) return tokenValue(token, {}, ok, 'literal');
  return undefined;
}
