/**
 * Runs a workflow file the way the GitHub runner does, on this machine: jobs in `needs` order, one after another;
 * each job's `if:` against the results of the jobs it needs; its steps in order, each `if:`, `env:`, `with:` and
 * `${{ }}` evaluated with @actions/expressions; `run:` steps with bash; this repository's actions as their bundles
 * under the node of `runs.using` (./our-actions.ts); actions/checkout and actions/setup-node replaced by the
 * stand-ins of ./stand-ins.ts; any other `uses:` fails the step. Step outputs, GITHUB_ENV, GITHUB_PATH, job outputs,
 * step `continue-on-error` and `timeout-minutes` (step and job, enforced) work as on GitHub. `permissions`,
 * `concurrency`, `environment` and `runs-on` are read and recorded, not enforced (every job runs here, one run at a
 * time, with the same rights). Matrices, job containers and services, job-level continue-on-error, reusable
 * workflows and pre/post scripts are refused with an error. Every job gets a fresh workspace, as on GitHub's runners.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/temp-dir.js';
import { asString, evaluate, tokenStrings, tokenValue, truthy, type Contexts, type Status } from './expressions.js';
import { githubContext, runnerVariables } from './github-context.js';
import { minutes, ok, plain, type JobState, type RunState, type RunWorkflowOptions } from './run-state.js';
import { STAND_INS } from './stand-ins.js';
import { runStep } from './step.js';
import type { JobRecord, Outcome, Transcript } from './transcript.js';
import { ancestors, field, loadWorkflow, triggeredBy, type WorkflowJob } from './workflow.js';

export type { RunWorkflowOptions } from './run-state.js';
export type { FlowEvent, JobRecord, StepRecord, Transcript } from './transcript.js';

let runCounter = 0;

export async function runWorkflow(o: RunWorkflowOptions): Promise<Transcript> {
  const workflow = await loadWorkflow(o.workflow, o.content);
  const transcript: Transcript = {
    workflow: workflow.name,
    event: o.event,
    triggered: triggeredBy(workflow, o.event, o.payload),
    jobs: [],
    conclusion: 'skipped',
  };
  if (!transcript.triggered) return transcript;

  const work = o.workDir ?? tempDir('ck8s-flow-');
  mkdirSync(work, { recursive: true });
  const eventPath = path.join(work, 'event.json');
  writeFileSync(eventPath, JSON.stringify(o.payload, null, 2));
  const remotes = o.remotes ?? {};
  const github = githubContext({
    event: o.event,
    payload: o.payload,
    repository: o.repository,
    workflowName: workflow.name,
    workflowFile: path.basename(o.workflow),
    runId: o.runId ?? 4200 + ++runCounter,
    actor: o.actor,
    ref: o.ref,
    sha: o.sha,
    serverUrl: o.serverUrl ?? 'https://github.com',
    apiUrl: o.apiUrl ?? 'https://api.github.com',
    token: o.secrets?.GITHUB_TOKEN ?? '',
    // Each job gets its own (a fresh runner); set per job.
    workspace: '',
    eventPath,
    remotes,
  });
  const run: RunState = {
    o,
    github,
    work,
    remotes,
    standIns: { ...STAND_INS, ...o.standIns },
    masks: Object.values(o.secrets ?? {}).filter((s) => s.length > 3),
  };
  const inputs = { ...dispatchDefaults(workflow.template.events, o.event), ...o.inputs };
  const global: Contexts = { github, vars: o.vars ?? {}, secrets: o.secrets ?? {}, inputs };
  if (workflow.template.concurrency)
    transcript.concurrency = tokenValue(workflow.template.concurrency, global, ok, `${workflow.name}: concurrency`);
  transcript.permissions = plain(field(workflow.raw, 'permissions'));
  const workflowEnv = tokenStrings(workflow.template.env, global, ok, `${workflow.name}: env`);
  const defaults = field(workflow.raw, 'defaults');

  const results = new Map<string, JobRecord>();
  for (const wj of workflow.jobs) {
    const needs = Object.fromEntries(
      (wj.job.needs ?? []).map((n) => {
        const r = results.get(n.value)!;
        return [n.value, { result: r.result, outputs: r.outputs }];
      }),
    );
    const before = ancestors(workflow, wj.id).map((id) => results.get(id)!.result);
    const status: Status = { failed: before.includes('failure'), succeeded: before.every((r) => r === 'success') };
    const record = await runJob(run, wj, { ...global, needs }, status, workflowEnv, defaults);
    results.set(wj.id, record);
    transcript.jobs.push(record);
  }
  const all = transcript.jobs.map((j) => j.result);
  transcript.conclusion = all.includes('failure')
    ? 'failure'
    : all.every((r) => r === 'skipped')
      ? 'skipped'
      : 'success';
  return transcript;
}
async function runJob(
  run: RunState,
  wj: WorkflowJob,
  outer: Contexts,
  status: Status,
  workflowEnv: Record<string, string>,
  workflowDefaults: ReturnType<typeof field>,
): Promise<JobRecord> {
  const name = wj.job.name ? asString(tokenValue(wj.job.name, outer, status, `jobs.${wj.id}.name`)) : wj.id;
  const record: JobRecord = {
    id: wj.id,
    name,
    result: 'skipped',
    outputs: {},
    steps: [],
    startedAt: Date.now(),
    endedAt: 0,
  };
  // A fresh runner for every job, as GitHub-hosted runners are: its own workspace and temp directory.
  const workspace = path.join(run.work, 'jobs', wj.id, 'workspace');
  const github = { ...run.github, job: wj.id, workspace };
  const contexts: Contexts = { ...outer, github, strategy: {}, matrix: {} };
  const finish = (result: Outcome, note?: string) => {
    record.result = result;
    if (note) record.note = note;
    record.endedAt = Date.now();
    run.o.onEvent?.({ type: 'job-end', record });
    return record;
  };
  if (!truthy(evaluate(wj.job.if.expression, contexts, status, `jobs.${wj.id}.if`)))
    return finish('skipped', `if: ${wj.job.if.expression} was false`);
  for (const unsupported of ['strategy', 'container', 'services', 'continue-on-error'])
    if (field(wj.raw, unsupported)) throw new Error(`jobs.${wj.id}.${unsupported}: not supported by the harness`);
  run.o.onEvent?.({ type: 'job-start', job: wj.id, name });
  record.permissions = plain(field(wj.raw, 'permissions'));
  const environment = field(wj.raw, 'environment');
  if (environment) record.environment = tokenValue(environment, contexts, status, `jobs.${wj.id}.environment`);
  const runsOn = field(wj.raw, 'runs-on');
  if (runsOn) record.runsOn = tokenValue(runsOn, contexts, status, `jobs.${wj.id}.runs-on`);
  record.concurrency = wj.job.concurrency ? tokenValue(wj.job.concurrency, contexts, status, 'concurrency') : undefined;

  const runnerTemp = path.join(run.work, 'jobs', wj.id, 'temp');
  mkdirSync(runnerTemp, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  const runner = { os: 'Linux', arch: 'X64', name: 'local-harness', temp: runnerTemp, tool_cache: runnerTemp };
  contexts.runner = runner;
  const jobEnv = {
    ...workflowEnv,
    ...tokenStrings(wj.job.env, contexts, status, `jobs.${wj.id}.env`),
  };
  const defaults = { ...runDefaults(workflowDefaults), ...runDefaults(field(wj.raw, 'defaults')) };
  const jobTimeout = minutes(field(wj.raw, 'timeout-minutes'), contexts, `jobs.${wj.id}.timeout-minutes`) ?? 360;
  const deadline = Date.now() + jobTimeout * 60_000;

  const state: JobState = {
    failed: false,
    steps: {},
    envAdded: {},
    pathAdded: [],
    base: {
      PATH: [run.o.machineEnv?.PATH, process.env.PATH].filter(Boolean).join(':'),
      HOME: process.env.HOME ?? runnerTemp,
      TMPDIR: process.env.TMPDIR ?? '/tmp',
      LANG: process.env.LANG ?? 'C.UTF-8',
      ...withoutPath(run.o.machineEnv),
      ...runnerVariables(github, wj.id, runnerTemp, runnerTemp),
    },
  };
  for (const ws of wj.steps) {
    const step = await runStep(
      run,
      wj,
      ws,
      { ...contexts, job: { status: state.failed ? 'failure' : 'success' } },
      { state, jobEnv, defaults, runnerTemp, workspace, deadline },
    );
    record.steps.push(step);
  }
  const stepCtx = { ...contexts, steps: state.steps, job: { status: state.failed ? 'failure' : 'success' } };
  record.outputs = tokenStrings(wj.job.outputs, stepCtx, ok, `jobs.${wj.id}.outputs`);
  return finish(state.failed ? 'failure' : 'success');
}

function runDefaults(token: ReturnType<typeof field>): { shell?: string; 'working-directory'?: string } {
  const value = plain(token) as { run?: { shell?: string; 'working-directory'?: string } } | undefined;
  return value?.run ?? {};
}

function withoutPath(env: Record<string, string> | undefined): Record<string, string> {
  const { PATH: _path, ...rest } = env ?? {};
  return rest;
}

/** The `inputs` of a workflow_dispatch run before the given ones: each input's default, typed as declared. */
function dispatchDefaults(events: Record<string, unknown>, event: string): Record<string, unknown> {
  if (event !== 'workflow_dispatch') return {};
  const declared = (events.workflow_dispatch as { inputs?: Record<string, { type?: string; default?: unknown }> })
    ?.inputs;
  return Object.fromEntries(
    Object.entries(declared ?? {}).map(([k, d]) => [k, d.default ?? (d.type === 'boolean' ? false : '')]),
  );
}
