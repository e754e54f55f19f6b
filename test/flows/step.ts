/**
 * One step of a job, as the runner runs it: its `if:` against the job's status so far, its `env:` and `with:`
 * evaluated, then a `run:` script (./run-step.ts), one of our actions (./our-actions.ts) or a stand-in
 * (./stand-ins.ts); its outputs, GITHUB_ENV and GITHUB_PATH for the steps after it, its outcome and conclusion.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseOutputFile } from '../support/action.js';
import { asString, evaluate, tokenStrings, tokenValue, truthy, type Contexts, type Status } from './expressions.js';
import { ourActionDir, runOurAction } from './our-actions.js';
import { minutes, type JobState, type RunState, type StepFrame } from './run-state.js';
import { runScript } from './run-step.js';
import type { Outcome, StepRecord } from './transcript.js';
import { field, type WorkflowJob, type WorkflowStep } from './workflow.js';

export async function runStep(
  run: RunState,
  wj: WorkflowJob,
  ws: WorkflowStep,
  outer: Contexts,
  f: StepFrame,
): Promise<StepRecord> {
  const { step, raw } = ws;
  const where = `jobs.${wj.id}.steps.${ws.givenId ?? step.id}`;
  const status: Status = { failed: f.state.failed, succeeded: !f.state.failed };
  const envContext = { ...f.jobEnv, ...f.state.envAdded };
  const contexts: Contexts = { ...outer, env: envContext, steps: f.state.steps };
  const uses = 'uses' in step ? step.uses.value : undefined;
  const name = step.name
    ? asString(tokenValue(step.name, contexts, status, `${where}.name`))
    : uses
      ? uses
      : `Run ${String('run' in step && 'value' in step.run ? step.run.value : '').split('\n')[0]}`;
  const record: StepRecord = {
    job: wj.id,
    id: step.id,
    name,
    kind: uses ? (ourActionDir(uses) ? 'action' : 'stand-in') : 'run',
    ...(uses ? { uses } : {}),
    outcome: 'skipped',
    conclusion: 'skipped',
    outputs: {},
    log: '',
    errors: [],
    warnings: [],
    summary: '',
    startedAt: Date.now(),
    endedAt: 0,
  };
  const remember = () => {
    if (ws.givenId)
      f.state.steps[ws.givenId] = { outputs: record.outputs, outcome: record.outcome, conclusion: record.conclusion };
    record.endedAt = Date.now();
    run.o.onEvent?.({ type: 'step-end', record });
    return record;
  };
  if (!('if' in step) || !step.if) throw new Error(`${where}: only run and uses steps are supported`);
  let enabled: boolean;
  try {
    enabled = truthy(evaluate(step.if.expression, contexts, status, `${where}.if`));
  } catch (err) {
    record.outcome = record.conclusion = 'failure';
    record.errors.push((err as Error).message);
    f.state.failed = true;
    return remember();
  }
  if (!enabled) return remember();
  run.o.onEvent?.({ type: 'step-start', job: wj.id, name });

  let outcome: Outcome = 'failure';
  let continueOnError = false;
  try {
    const coe = step['continue-on-error'];
    continueOnError =
      typeof coe === 'boolean'
        ? coe
        : coe
          ? truthy(tokenValue(coe, contexts, status, `${where}.continue-on-error`))
          : false;
    const stepEnv = { ...envContext, ...tokenStrings(field(raw, 'env'), contexts, status, `${where}.env`) };
    const stepTimeout = minutes(field(raw, 'timeout-minutes'), contexts, `${where}.timeout-minutes`);
    const timeoutMs = Math.max(1, Math.min(f.deadline - Date.now(), stepTimeout ? stepTimeout * 60_000 : Infinity));
    const files = stepFiles(f.runnerTemp, step.id);
    const env: Record<string, string> = {
      ...f.state.base,
      PATH: [...f.state.pathAdded, f.state.base.PATH].join(':'),
      ...stepEnv,
      GITHUB_ACTION: step.id,
      GITHUB_ENV: files.env,
      GITHUB_PATH: files.path,
      GITHUB_STATE: files.state,
    };
    const onOutput = (text: string) => run.o.onEvent?.({ type: 'step-output', job: wj.id, name, text });
    const call: StepCall = { run, ws, contexts, status, where, env, f, timeoutMs, files, record, onOutput };
    if (!uses) outcome = await runShellStep(call);
    else {
      const given = tokenStrings(field(raw, 'with'), contexts, status, `${where}.with`);
      record.inputs = given;
      outcome = ourActionDir(uses) ? await runActionStep(call, uses, given) : runStandInStep(call, uses, given);
    }
    readEnvFiles(f.state, files);
  } catch (err) {
    record.errors.push((err as Error).message);
    outcome = 'failure';
  }
  record.log = mask(run, record.log);
  if (record.inputs)
    record.inputs = Object.fromEntries(Object.entries(record.inputs).map(([k, v]) => [k, mask(run, v)]));
  record.outcome = outcome;
  record.conclusion = outcome === 'failure' && continueOnError ? 'success' : outcome;
  if (record.conclusion === 'failure') f.state.failed = true;
  return remember();
}

/** What running one enabled step needs. */
interface StepCall {
  run: RunState;
  ws: WorkflowStep;
  contexts: Contexts;
  status: Status;
  where: string;
  env: Record<string, string>;
  f: StepFrame;
  timeoutMs: number;
  files: StepFiles;
  record: StepRecord;
  onOutput: (text: string) => void;
}

async function runActionStep(c: StepCall, uses: string, given: Record<string, string>): Promise<Outcome> {
  const { record } = c;
  const res = await runOurAction({
    uses,
    dir: ourActionDir(uses)!,
    given,
    contexts: c.contexts,
    status: c.status,
    env: c.env,
    cwd: c.f.workspace,
    timeoutMs: c.timeoutMs,
    onStdout: c.onOutput,
  });
  record.inputs = res.inputs;
  record.outputs = res.run.outputs;
  record.summary = res.run.summary;
  record.errors.push(...res.run.errors);
  record.warnings.push(...res.run.warnings);
  record.log = collectMasks(c.run, res.run.stdout) + res.run.stderr;
  if (res.missing.length) record.warnings.push(`required input(s) not given: ${res.missing.join(', ')}`);
  return res.run.code === 0 ? 'success' : 'failure';
}

function runStandInStep(c: StepCall, uses: string, given: Record<string, string>): Outcome {
  const standIn = c.run.standIns[uses.split('@')[0]!];
  if (!standIn) throw new Error(`uses: ${uses}: no stand-in for this action in the harness (test/flows/stand-ins.ts)`);
  const lines: string[] = [];
  const gh = c.run.github;
  const res = standIn({
    inputs: given,
    workspace: c.f.workspace,
    github: {
      repository: String(gh.repository),
      ref: String(gh.ref),
      sha: String(gh.sha),
      token: String(gh.token),
    },
    remotes: c.run.remotes,
    log: (l) => {
      lines.push(l);
      c.onOutput(`${l}\n`);
    },
  });
  c.record.outputs = res.outputs;
  c.record.log = lines.join('\n');
  c.f.state.pathAdded.unshift(...(res.path ?? []));
  return 'success';
}

async function runShellStep(c: StepCall): Promise<Outcome> {
  const { run, ws, contexts, status, where, env, f, timeoutMs, files, record, onOutput } = c;
  if (!('run' in ws.step)) throw new Error(`${where}: neither run nor uses`);
  const script = asString(tokenValue(ws.step.run, contexts, status, `${where}.run`));
  const shellToken = field(ws.raw, 'shell');
  const shell = shellToken ? asString(tokenValue(shellToken, contexts, status, `${where}.shell`)) : f.defaults.shell;
  const wdToken = field(ws.raw, 'working-directory');
  const wd = wdToken
    ? asString(tokenValue(wdToken, contexts, status, `${where}.working-directory`))
    : f.defaults['working-directory'];
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  const res = await runScript({
    script,
    shell,
    cwd: path.resolve(f.workspace, wd ?? ''),
    env: { ...env, GITHUB_OUTPUT: files.output, GITHUB_STEP_SUMMARY: files.summary },
    runnerTemp: f.runnerTemp,
    timeoutMs,
    onOutput,
  });
  record.outputs = parseOutputFile(readFileSync(files.output, 'utf8'));
  record.summary = readFileSync(files.summary, 'utf8');
  record.log = collectMasks(run, res.stdout) + res.stderr;
  record.errors.push(...annotations(res.stdout, 'error'));
  record.warnings.push(...annotations(res.stdout, 'warning'));
  if (res.timedOut)
    record.errors.push(`the step ran past its timeout (${Math.round(timeoutMs / 1000)} s) and was killed`);
  else if (res.code !== 0) record.errors.push(`Process completed with exit code ${res.code}.`);
  return res.code === 0 && !res.timedOut ? 'success' : 'failure';
}

interface StepFiles {
  output: string;
  summary: string;
  env: string;
  path: string;
  state: string;
}

let fileCounter = 0;

function stepFiles(dir: string, id: string): StepFiles {
  const base = path.join(dir, `${++fileCounter}-${id.replace(/[^\w.-]/g, '_')}`);
  const files = {
    output: `${base}.output`,
    summary: `${base}.summary`,
    env: `${base}.env`,
    path: `${base}.path`,
    state: `${base}.state`,
  };
  for (const file of [files.env, files.path, files.state]) writeFileSync(file, '');
  return files;
}

/** GITHUB_ENV and GITHUB_PATH written by a step, for the steps after it. */
function readEnvFiles(state: JobState, files: StepFiles): void {
  Object.assign(state.envAdded, parseOutputFile(readFileSync(files.env, 'utf8')));
  const added = readFileSync(files.path, 'utf8').split('\n').filter(Boolean).reverse();
  state.pathAdded.unshift(...added);
}

function annotations(stdout: string, kind: 'error' | 'warning'): string[] {
  const re = new RegExp(`^::${kind}(?: [^:]*)?::(.*)$`, 'gm');
  return [...stdout.matchAll(re)].map((m) => m[1]!.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'));
}

/** Learns the values a step masked with `::add-mask::`, and drops those lines from the log. */
function collectMasks(run: RunState, stdout: string): string {
  const kept: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::add-mask::(.*)$/.exec(line);
    if (m) {
      if (m[1]!.length > 3) run.masks.push(m[1]!);
    } else kept.push(line);
  }
  return kept.join('\n');
}

function mask(run: RunState, text: string): string {
  let out = text;
  for (const m of run.masks) out = out.split(m).join('***');
  return out;
}
