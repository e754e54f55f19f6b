/**
 * A workflow file read with @actions/workflow-parser: validated against GitHub's workflow schema (any error fails
 * loudly, naming the file), its jobs in `needs` order, and for each step the converted fields (id, if, env, run,
 * uses, continue-on-error) next to the raw step mapping for what the converter leaves out (with, shell,
 * working-directory, timeout-minutes).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  convertWorkflowTemplate,
  isMapping,
  isSequence,
  NoOperationTraceWriter,
  parseWorkflow,
  type WorkflowTemplate,
} from '@actions/workflow-parser';
import type { Job, Step } from '@actions/workflow-parser/model/workflow-template';
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';

export interface WorkflowStep {
  /** The converted step (id generated as the runner does when none is given). */
  step: Step;
  /** The step's own mapping from the file. */
  raw: MappingToken;
  /** The id the file gave, if any (only those are in the `steps` context). */
  givenId?: string;
}

export interface WorkflowJob {
  id: string;
  job: Job;
  raw: MappingToken;
  steps: WorkflowStep[];
}

export interface LoadedWorkflow {
  file: string;
  name: string;
  template: WorkflowTemplate;
  raw: MappingToken;
  /** Jobs, each after every job it needs (file order otherwise). */
  jobs: WorkflowJob[];
}

/** The value of `key` in a mapping token, if present. */
export function field(mapping: MappingToken | undefined, key: string): TemplateToken | undefined {
  if (!mapping) return undefined;
  for (const { key: k, value } of mapping) if (isScalarString(k) && k.value === key) return value;
  return undefined;
}

const isScalarString = (t: TemplateToken): t is TemplateToken & { value: string } =>
  t.templateTokenType === 0 && typeof (t as { value?: unknown }).value === 'string';

function mappingOf(token: TemplateToken | undefined, what: string): MappingToken {
  if (!token || !isMapping(token)) throw new Error(`${what}: expected a mapping`);
  return token;
}

/** Reads, validates and converts a workflow; `content` instead of reading `file` (inline test workflows). */
export async function loadWorkflow(file: string, content?: string): Promise<LoadedWorkflow> {
  const text = content ?? readFileSync(file, 'utf8');
  const name = path.basename(file);
  const parsed = parseWorkflow({ name, content: text }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length || !parsed.value)
    throw new Error(`${file}: not a valid workflow:\n  ${errors.join('\n  ') || 'empty document'}`);
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  const converted = [
    ...new Set([
      ...(template.errors ?? []).map((e) => e.Message),
      ...parsed.context.errors.getErrors().map((e) => e.message),
    ]),
  ];
  if (converted.length) throw new Error(`${file}: not a valid workflow:\n  ${converted.join('\n  ')}`);

  const raw = mappingOf(parsed.value, `${file}: the document`);
  const rawJobs = mappingOf(field(raw, 'jobs'), `${file}: jobs`);
  const jobs: WorkflowJob[] = template.jobs.map((j) => {
    const id = j.id.value;
    if (j.type !== 'job')
      throw new Error(`${file}: job ${id} calls a reusable workflow, which the harness does not run`);
    const rawJob = mappingOf(field(rawJobs, id), `${file}: jobs.${id}`);
    const rawSteps = field(rawJob, 'steps');
    if (!rawSteps || !isSequence(rawSteps)) throw new Error(`${file}: jobs.${id}.steps: expected a sequence`);
    const steps = j.steps.map((step, i) => {
      const stepRaw = mappingOf(rawSteps.get(i), `${file}: jobs.${id}.steps[${i}]`);
      const given = field(stepRaw, 'id');
      return { step, raw: stepRaw, givenId: given && isScalarString(given) ? given.value : undefined };
    });
    return { id, job: j, raw: rawJob, steps };
  });
  return { file, name: workflowName(raw, name), template, raw, jobs: needsOrder(file, jobs) };
}

function workflowName(raw: MappingToken, fallback: string): string {
  const n = field(raw, 'name');
  return n && isScalarString(n) ? n.value : fallback;
}

/** Topological order over `needs`, stable in file order; a cycle or an unknown job is an error naming it. */
function needsOrder(file: string, jobs: WorkflowJob[]): WorkflowJob[] {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const done = new Set<string>();
  const out: WorkflowJob[] = [];
  const visit = (j: WorkflowJob, trail: string[]) => {
    if (done.has(j.id)) return;
    if (trail.includes(j.id)) throw new Error(`${file}: jobs form a cycle: ${[...trail, j.id].join(' -> ')}`);
    for (const n of j.job.needs ?? []) {
      const dep = byId.get(n.value);
      if (!dep) throw new Error(`${file}: job ${j.id} needs ${n.value}, which does not exist`);
      visit(dep, [...trail, j.id]);
    }
    done.add(j.id);
    out.push(j);
  };
  for (const j of jobs) visit(j, []);
  return out;
}

/** Job ids `id` depends on, directly or through other jobs. */
export function ancestors(workflow: LoadedWorkflow, id: string): string[] {
  const byId = new Map(workflow.jobs.map((j) => [j.id, j]));
  const seen = new Set<string>();
  const walk = (j: string) => {
    for (const n of byId.get(j)?.job.needs ?? [])
      if (!seen.has(n.value)) {
        seen.add(n.value);
        walk(n.value);
      }
  };
  walk(id);
  return [...seen];
}

/** Glob of GitHub's branch filters: `*` within a path segment, `**` across them, `?` one character. */
function globMatch(pattern: string, value: string): boolean {
  const re = pattern
    .split(/(\*\*|\*|\?)/)
    .map((part) =>
      part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${re}$`).test(value);
}

/** Activity types GitHub starts a workflow for when `types:` is not given (pull_request's narrower default). */
const DEFAULT_TYPES: Record<string, string[]> = {
  pull_request: ['opened', 'synchronize', 'reopened'],
  pull_request_target: ['opened', 'synchronize', 'reopened'],
};

/**
 * Whether the event starts this workflow: the event is under `on:`, its activity type passes `types:`, and for
 * pull request events the base branch passes `branches:`/`branches-ignore:`. Path filters are not checked.
 */
export function triggeredBy(workflow: LoadedWorkflow, event: string, payload: Record<string, unknown>): boolean {
  const events = workflow.template.events as Record<string, unknown>;
  if (!(event in events)) return false;
  const config = (events[event] ?? {}) as { types?: string[]; branches?: string[]; 'branches-ignore'?: string[] };
  const action = typeof payload.action === 'string' ? payload.action : undefined;
  const types = config.types ?? DEFAULT_TYPES[event];
  if (types && action !== undefined && !types.includes(action)) return false;
  const base = (payload.pull_request as { base?: { ref?: string } } | undefined)?.base?.ref;
  if (base !== undefined && event.startsWith('pull_request')) {
    if (config.branches && !config.branches.some((b) => globMatch(b, base))) return false;
    if (config['branches-ignore']?.some((b) => globMatch(b, base))) return false;
  }
  return true;
}
