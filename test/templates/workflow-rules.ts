/**
 * Our own rules for workflow files, over and above what actionlint and GitHub's parser check. Pure functions of the
 * file text (and the action metadata it refers to), so each rule can be shown to fire on a small bad workflow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, parse as parseYaml, parseDocument, type Document, type Node } from 'yaml';

export type Rule =
  | 'yaml'
  | 'expression-in-run'
  | 'unpinned-action'
  | 'job-permissions'
  | 'concurrency'
  | 'unknown-action'
  | 'unknown-input'
  | 'unknown-step-output'
  | 'unknown-job-output'
  | 'undocumented-config';

export interface Finding {
  file: string;
  rule: Rule;
  /** Where in the workflow, e.g. `jobs.agent.steps[2].with.issue`. */
  where: string;
  message: string;
}

/** What a workflow may use of one of our actions: its declared inputs and outputs. */
export interface ActionInterface {
  inputs: Set<string>;
  outputs: Set<string>;
}

/** `actions/<name>/action.yml` of this repository, by name. */
export function loadOwnActions(repoRoot: string): Map<string, ActionInterface> {
  const actions = new Map<string, ActionInterface>();
  const dir = path.join(repoRoot, 'actions');
  for (const name of readdirSync(dir).sort()) {
    let text: string;
    try {
      text = readFileSync(path.join(dir, name, 'action.yml'), 'utf8');
    } catch {
      continue;
    }
    const meta = parseYaml(text) as { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
    actions.set(name, {
      inputs: new Set(Object.keys(meta.inputs ?? {})),
      outputs: new Set(Object.keys(meta.outputs ?? {})),
    });
  }
  return actions;
}

const OWN_ACTION = /^codex-k8s\/actions\/([^/@]+)@(.+)$/;
const SHA_PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@]*)?@[0-9a-f]{40}$/;
const DOCKER_PINNED = /^docker:\/\/[^@]+@sha256:[0-9a-f]{64}$/;
const VERSION_COMMENT = /^\s*v?\d+(\.\d+)*\b/;
const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;
const STEP_REF = /\bsteps\.([A-Za-z_][\w-]*)\.(?:outputs\.([A-Za-z_][\w-]*)|(outcome|conclusion))/g;
const NEEDS_REF = /\bneeds\.([A-Za-z_][\w-]*)\.(?:outputs\.([A-Za-z_][\w-]*)|(result))/g;
const CONFIG_REF = /\b(secrets|vars)\.([A-Za-z_][A-Za-z0-9_]*)/g;

type Plain = Record<string, unknown>;
const asMap = (v: unknown): Plain | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Plain) : undefined;
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The expression texts of a value: the whole of an `if:`, else every `${{ }}` inside it. */
function expressionsOf(value: unknown, key: string): string[] {
  if (typeof value !== 'string') return [];
  if (key === 'if') return [value];
  return [...value.matchAll(EXPRESSION)].map((m) => m[1]);
}

/** Every string value below `node`, with its key and its path. */
function* strings(node: unknown, where: string, key = ''): Generator<{ value: string; key: string; where: string }> {
  if (typeof node === 'string') yield { value: node, key, where };
  else if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) yield* strings(v, `${where}[${i}]`, key);
  } else if (asMap(node)) {
    for (const [k, v] of Object.entries(node as Plain)) yield* strings(v, `${where}.${k}`, k);
  }
}

/** The comment on the line of a step's `uses:`, e.g. ` v4.2.2`. */
function usesComment(doc: Document, job: string, index: number): string {
  const node = doc.getIn(['jobs', job, 'steps', index, 'uses'], true) as Node | undefined;
  return (isScalar(node) && node.comment) || '';
}

/** The comment lines at the top of the file, before the first key. */
function headerComment(text: string): string {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    lines.push(line);
  }
  return lines.join('\n');
}

export function checkWorkflow(file: string, text: string, actions: Map<string, ActionInterface>): Finding[] {
  const findings: Finding[] = [];
  const add = (rule: Rule, where: string, message: string) => findings.push({ file, rule, where, message });
  const doc = parseDocument(text);
  if (doc.errors.length) {
    add('yaml', '', doc.errors.map((e) => e.message).join('; '));
    return findings;
  }
  const wf = asMap(doc.toJS());
  const jobs = asMap(wf?.jobs);
  if (!wf || !jobs) {
    add('yaml', 'jobs', 'a workflow needs a jobs: mapping');
    return findings;
  }
  if (!isMap(doc.contents)) return findings;

  // Job outputs, for needs.<job>.outputs.<name>.
  const jobOutputs = new Map<string, Set<string>>();
  for (const [id, job] of Object.entries(jobs)) jobOutputs.set(id, new Set(Object.keys(asMap(asMap(job)?.outputs) ?? {})));

  const usesOwnAction = (job: Plain) =>
    asList(job.steps).some((s) => typeof asMap(s)?.uses === 'string' && OWN_ACTION.test(asMap(s)!.uses as string));
  if (wf.concurrency === undefined) {
    for (const [id, job] of Object.entries(jobs)) {
      const j = asMap(job) ?? {};
      if (usesOwnAction(j) && j.concurrency === undefined)
        add(
          'concurrency',
          `jobs.${id}`,
          `job ${id} runs codex-k8s actions but neither the workflow nor the job sets concurrency: two runs for one issue would work on one slot at once; add a concurrency group per issue or pull request`,
        );
    }
  }

  for (const [id, job] of Object.entries(jobs)) {
    const j = asMap(job) ?? {};
    const at = `jobs.${id}`;
    if (j.permissions === undefined)
      add('job-permissions', at, `job ${id} has no permissions: give it only what it needs (e.g. contents: read)`);

    const needs = new Set(typeof j.needs === 'string' ? [j.needs] : asList(j.needs).map(String));
    const steps = asList(j.steps).map((s) => asMap(s) ?? {});
    // Step id -> its index and, for our actions, their outputs; for run steps, the names they write.
    const stepInfo = new Map<string, { index: number; outputs?: Set<string> }>();
    for (const [i, step] of steps.entries()) {
      if (typeof step.id !== 'string') continue;
      let outputs: Set<string> | undefined;
      const own = typeof step.uses === 'string' ? OWN_ACTION.exec(step.uses) : null;
      if (own) outputs = actions.get(own[1])?.outputs ?? new Set();
      else if (typeof step.run === 'string')
        outputs = new Set([...step.run.matchAll(/\becho\s+["']?([A-Za-z_][\w-]*)=/g)].map((m) => m[1]));
      stepInfo.set(step.id, { index: i, outputs });
    }

    const checkRefs = (expr: string, where: string, stepIndex: number | undefined) => {
      for (const m of expr.matchAll(STEP_REF)) {
        const [, sid, output] = m;
        const info = stepInfo.get(sid);
        if (!info) add('unknown-step-output', where, `steps.${sid}: job ${id} has no step with id ${sid}`);
        else if (stepIndex !== undefined && info.index >= stepIndex)
          add('unknown-step-output', where, `steps.${sid} is read before (or by) the step itself runs`);
        else if (output && info.outputs && !info.outputs.has(output))
          add(
            'unknown-step-output',
            where,
            `steps.${sid}.outputs.${output}: step ${sid} has no output ${output} (it has: ${[...info.outputs].join(', ') || 'none'})`,
          );
      }
      for (const m of expr.matchAll(NEEDS_REF)) {
        const [, jid, output] = m;
        if (!needs.has(jid))
          add('unknown-job-output', where, `needs.${jid}: job ${id} does not list ${jid} under needs`);
        else if (output && !jobOutputs.get(jid)?.has(output))
          add(
            'unknown-job-output',
            where,
            `needs.${jid}.outputs.${output}: job ${jid} declares no output ${output} (it has: ${[...(jobOutputs.get(jid) ?? [])].join(', ') || 'none'})`,
          );
      }
    };

    // Expressions of the job itself (if, outputs, concurrency, runs-on, ...): any of its steps may be named.
    for (const [k, v] of Object.entries(j)) {
      if (k === 'steps') continue;
      for (const s of strings(v, `${at}.${k}`, k)) for (const e of expressionsOf(s.value, s.key)) checkRefs(e, s.where, undefined);
    }

    for (const [i, step] of steps.entries()) {
      const sat = `${at}.steps[${i}]`;
      if (typeof step.run === 'string' && step.run.includes('${{'))
        add(
          'expression-in-run',
          `${sat}.run`,
          'a ${{ }} expression inside a run: script is spliced into the shell before it runs; pass the value through env: and use "$NAME"',
        );
      for (const s of strings(step, sat)) {
        if (s.where === `${sat}.run`) continue;
        for (const e of expressionsOf(s.value, s.key)) checkRefs(e, s.where, i);
      }
      if (typeof step.uses !== 'string') continue;
      const uses = step.uses;
      const own = OWN_ACTION.exec(uses);
      if (own) {
        const action = actions.get(own[1]);
        if (!action) {
          add('unknown-action', `${sat}.uses`, `${uses}: there is no action ${own[1]} (actions/${own[1]}/action.yml)`);
          continue;
        }
        for (const key of Object.keys(asMap(step.with) ?? {}))
          if (!action.inputs.has(key))
            add('unknown-input', `${sat}.with.${key}`, `${uses} has no input ${key} (actions/${own[1]}/action.yml)`);
        continue;
      }
      if (uses.startsWith('./')) continue;
      if (uses.startsWith('docker://')) {
        if (!DOCKER_PINNED.test(uses))
          add('unpinned-action', `${sat}.uses`, `${uses}: pin the image by digest (docker://image@sha256:...)`);
        continue;
      }
      if (!SHA_PINNED.test(uses))
        add('unpinned-action', `${sat}.uses`, `${uses}: pin a third-party action by its full commit SHA (40 hex)`);
      else if (!VERSION_COMMENT.test(usesComment(doc, id, i)))
        add('unpinned-action', `${sat}.uses`, `${uses}: say which version the SHA is in a comment (# v1.2.3)`);
    }
  }

  // Every secret and variable the workflow reads is named in its header, where a user learns what to set.
  const header = headerComment(text);
  const named = new Set<string>();
  for (const s of strings(wf, ''))
    for (const e of expressionsOf(s.value, s.key))
      for (const m of e.matchAll(CONFIG_REF)) if (m[2] !== 'GITHUB_TOKEN') named.add(`${m[1]}.${m[2]}`);
  for (const ref of [...named].sort()) {
    const name = ref.split('.')[1];
    if (!new RegExp(`^#\\s+${name}\\b`, 'm').test(header))
      add(
        'undocumented-config',
        ref,
        `${ref} is read but the header comment does not name ${name}: list it with what to set it to`,
      );
  }
  return findings;
}

/** Renders findings one per line, for a readable test failure. */
export function describeFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.file}: ${f.where}: [${f.rule}] ${f.message}`).join('\n');
}
