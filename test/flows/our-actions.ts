/**
 * `uses:` of this repository's actions (`codex-k8s/actions/<name>@<ref>` or `./actions/<name>`), resolved to
 * `actions/<name>/action.yml` and run the way the runner runs a JavaScript action: inputs from `with:` over the
 * action.yml defaults (defaults are expressions too, `${{ github.token }}`), `INPUT_<NAME>` variables, the node of
 * `runs.using`, through test/support/action.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NoOperationTraceWriter } from '@actions/workflow-parser';
import { convertActionTemplate, parseAction, type ActionTemplate } from '@actions/workflow-parser/actions/index';
import { runAction, type ActionRun } from '../support/action.js';
import { REPO_ROOT } from '../support/cli.js';
import { asString, tokenValue, type Contexts, type Status } from './expressions.js';

/** Node of each `runs.using` this machine has (test/setup/install-tools.sh puts Node 24 under .tools). */
const NODES: Record<string, string> = {
  node24: path.join(REPO_ROOT, '.tools/node24/bin/node'),
  node20: process.execPath,
};

/** The action directory of one of ours, or undefined when `uses` names something else. */
export function ourActionDir(uses: string): string | undefined {
  const m = /^codex-k8s\/actions\/([a-z0-9-]+)@[\w.-]+$/.exec(uses) ?? /^\.\/actions\/([a-z0-9-]+)\/?$/.exec(uses);
  if (!m) return undefined;
  const dir = path.join(REPO_ROOT, 'actions', m[1]);
  if (!existsSync(path.join(dir, 'action.yml')))
    throw new Error(`uses: ${uses}: there is no actions/${m[1]}/action.yml in this repository`);
  return dir;
}

const templates = new Map<string, ActionTemplate>();

/** action.yml read and validated with the action schema (cached per directory). */
export function actionTemplate(dir: string): ActionTemplate {
  const cached = templates.get(dir);
  if (cached) return cached;
  const file = path.join(dir, 'action.yml');
  const parsed = parseAction({ name: file, content: readFileSync(file, 'utf8') }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length || !parsed.value) throw new Error(`${file}: not a valid action:\n  ${errors.join('\n  ')}`);
  const template = convertActionTemplate(parsed.context, parsed.value);
  templates.set(dir, template);
  return template;
}

export interface OurActionStep {
  uses: string;
  dir: string;
  /** `with:`, evaluated. */
  given: Record<string, string>;
  contexts: Contexts;
  status: Status;
  env: Record<string, string>;
  cwd: string;
  timeoutMs?: number;
  onStdout?: (text: string) => void;
}

export interface OurActionResult {
  run: ActionRun;
  inputs: Record<string, string>;
  /** Required inputs with neither a value nor a default. */
  missing: string[];
}

/** Runs the action's bundle with `runs.using`'s node; the caller turns the result into the step's outcome. */
export async function runOurAction(s: OurActionStep): Promise<OurActionResult> {
  const template = actionTemplate(s.dir);
  const runs = template.runs;
  if (!('main' in runs)) throw new Error(`${s.uses}: runs.using ${runs.using} is not a JavaScript action`);
  if (runs.pre || runs.post) throw new Error(`${s.uses}: pre/post scripts are not run by the harness`);
  const node = NODES[runs.using];
  if (!node || !existsSync(node))
    throw new Error(`${s.uses}: no ${runs.using} here (run bash test/setup/install-tools.sh)`);
  const main = path.join(s.dir, runs.main);
  if (!existsSync(main))
    throw new Error(
      `${s.uses}: ${path.relative(REPO_ROOT, main)} is missing (node test/setup/build-action-bundles.mjs)`,
    );

  const declared = template.inputs ?? [];
  const inputs: Record<string, string> = {};
  const missing: string[] = [];
  for (const d of declared) {
    const value =
      s.given[d.id] ??
      (d.default ? asString(tokenValue(d.default, s.contexts, s.status, `${s.uses} input ${d.id}`)) : undefined);
    if (value !== undefined) inputs[d.id] = value;
    else if (d.required) missing.push(d.id);
  }
  const known = new Set(declared.map((d) => d.id.toLowerCase()));
  const unexpected = Object.keys(s.given).filter((k) => !known.has(k.toLowerCase()));
  // The runner only warns here; a template test wants a misspelt input to stop the run.
  if (unexpected.length)
    throw new Error(
      `${s.uses}: unexpected input(s) ${unexpected.join(', ')}; valid inputs are ${declared.map((d) => d.id).join(', ')}`,
    );
  const run = await runAction(main, inputs, {
    env: s.env,
    cwd: s.cwd,
    timeoutMs: s.timeoutMs,
    node,
    onStdout: s.onStdout,
  });
  return { run, inputs, missing };
}
