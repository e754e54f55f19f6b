/** What a harness run did: jobs and steps with their outcome, outputs and log, for assertions and for the demo. */

export type Outcome = 'success' | 'failure' | 'skipped';

export interface StepRecord {
  job: string;
  /** The id the file gave, or the runner's generated one (`__run`, `__actions_checkout`, ...). */
  id: string;
  name: string;
  kind: 'run' | 'action' | 'stand-in';
  uses?: string;
  outcome: Outcome;
  /** `success` for a failed step with continue-on-error. */
  conclusion: Outcome;
  outputs: Record<string, string>;
  /** Inputs the action got (action and stand-in steps), masked values as `***`. */
  inputs?: Record<string, string>;
  /** stdout and stderr, masked values replaced by `***`. */
  log: string;
  /** `::error::` annotations, and the harness's own reason when it failed the step. */
  errors: string[];
  warnings: string[];
  summary: string;
  startedAt: number;
  endedAt: number;
}

export interface JobRecord {
  id: string;
  name: string;
  result: Outcome;
  outputs: Record<string, string>;
  steps: StepRecord[];
  /** Read, not enforced: the harness's processes all run with the same rights. */
  permissions?: unknown;
  /** Read, not enforced: one run at a time. */
  concurrency?: unknown;
  /** Read, not enforced: no deployment environments here. */
  environment?: unknown;
  /** Read: every job runs on this machine. */
  runsOn?: unknown;
  /** Why the job was skipped or failed before its steps, if so. */
  note?: string;
  startedAt: number;
  endedAt: number;
}

export interface Transcript {
  workflow: string;
  event: string;
  triggered: boolean;
  /** The workflow's concurrency (group evaluated): read, not enforced. */
  concurrency?: unknown;
  /** The workflow's permissions: read, not enforced. */
  permissions?: unknown;
  jobs: JobRecord[];
  conclusion: Outcome;
}

export type FlowEvent =
  | { type: 'job-start'; job: string; name: string }
  | { type: 'job-end'; record: JobRecord }
  | { type: 'step-start'; job: string; name: string }
  | { type: 'step-output'; job: string; name: string; text: string }
  | { type: 'step-end'; record: StepRecord };

/** Every step of the run, in the order it ran. */
export const allSteps = (t: Transcript): StepRecord[] => t.jobs.flatMap((j) => j.steps);

/** The job `id`; throws naming the jobs there are. */
export function jobOf(t: Transcript, id: string): JobRecord {
  const j = t.jobs.find((x) => x.id === id);
  if (!j) throw new Error(`no job ${id} in the run of ${t.workflow} (jobs: ${t.jobs.map((x) => x.id).join(', ')})`);
  return j;
}

/** The step with this id (or name) in any job; throws naming the steps there are. */
export function stepOf(t: Transcript, idOrName: string): StepRecord {
  const s = allSteps(t).find((x) => x.id === idOrName || x.name === idOrName);
  if (!s)
    throw new Error(
      `no step ${idOrName} in the run of ${t.workflow} (steps: ${allSteps(t)
        .map((x) => `${x.job}/${x.id}`)
        .join(', ')})`,
    );
  return s;
}

/** One line per job and step: `job  step  outcome`, for failure messages. */
export function outline(t: Transcript): string {
  const lines = [`${t.workflow} on ${t.event}: ${t.triggered ? t.conclusion : 'not triggered'}`];
  for (const j of t.jobs) {
    lines.push(`  job ${j.id}: ${j.result}${j.note ? ` (${j.note})` : ''}`);
    for (const s of j.steps) {
      lines.push(`    ${s.outcome.padEnd(7)} ${s.name}${s.errors.length ? `: ${s.errors.join(' | ')}` : ''}`);
    }
  }
  return lines.join('\n');
}

/** Throws the run's outline (every step and its errors) unless the run concluded as expected. */
export function assertConclusion(t: Transcript, expected: Outcome): void {
  if (t.conclusion !== expected) throw new Error(`expected ${expected}, got:\n${outline(t)}`);
}
