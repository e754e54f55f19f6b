/**
 * The failure report of the templates: the shell script of their last step, run as the runner runs it
 * (`bash --noprofile --norc -eo pipefail`), with the environment its `env:` gives. `gh` is a stand-in that keeps
 * the comments in a file and answers `--jq` with the real jq, so the script's own logic is what is tested:
 * it finds the status comment the actions keep (core's marker and rendering), adds the failure and the link above
 * the marker without losing the state, starts the comment when there is none, and adds nothing when an action
 * already reported this run.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { decodeState, isStatusComment, renderStatus, type StatusState } from '../../packages/core/src/github/status-comment.js';
import { REPO_ROOT } from '../support/cli.js';

interface Step {
  name?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

/** The failure-report step of every template that keeps a status comment. */
function reportSteps(): { file: string; step: Step }[] {
  const found: { file: string; step: Step }[] = [];
  for (const file of readdirSync(path.join(REPO_ROOT, 'templates')).filter((f) => f.endsWith('.yml')).sort()) {
    const wf = parseYaml(readFileSync(path.join(REPO_ROOT, 'templates', file), 'utf8')) as Workflow;
    for (const job of Object.values(wf.jobs))
      for (const step of job.steps) if (step.run?.includes('codex-k8s:status')) found.push({ file, step });
  }
  return found;
}

const STEPS = reportSteps();
const SCRIPT = STEPS[0]?.step.run ?? '';
const RUN_URL = 'https://github.example/acme/shop/actions/runs/4242';
const HAS_JQ = spawnSync('jq', ['--version']).status === 0;

/** A `gh api` stand-in over a JSON file of comments; `--jq` goes through jq -r, as gh prints raw strings. */
const GH_STUB = `#!/usr/bin/env node
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const file = process.env.GH_STUB_STATE;
const state = JSON.parse(fs.readFileSync(file, 'utf8'));
const args = process.argv.slice(2);
if (args.shift() !== 'api') { console.error('stand-in: only gh api'); process.exit(2); }
if (!process.env.GH_TOKEN) { console.error('gh: no GH_TOKEN'); process.exit(4); }
let method, jq, route; const fields = {};
while (args.length) {
  const a = args.shift();
  if (a === '-X') method = args.shift();
  else if (a === '--jq') jq = args.shift();
  else if (a === '-F') { const [k, v] = args.shift().split(/=(.*)/s); fields[k] = v.startsWith('@') ? fs.readFileSync(v.slice(1), 'utf8') : v; }
  else if (a === '--paginate' || a === '--silent') {}
  else route = a;
}
method = method || (Object.keys(fields).length ? 'POST' : 'GET');
state.calls.push({ method, route, fields });
let out;
let m;
if ((m = /^repos\\/acme\\/shop\\/issues\\/(\\d+)\\/comments$/.exec(route)) && method === 'GET') out = state.comments;
else if (m && method === 'POST') {
  out = { id: state.next++, body: fields.body, user: { login: 'github-actions[bot]', type: 'Bot' } };
  state.comments.push(out);
} else if ((m = /^repos\\/acme\\/shop\\/issues\\/comments\\/(\\d+)$/.exec(route))) {
  out = state.comments.find((c) => c.id === Number(m[1]));
  if (!out) { console.error('gh: HTTP 404'); process.exit(1); }
  if (method === 'PATCH') out.body = fields.body;
} else { console.error('stand-in: unexpected ' + method + ' ' + route); process.exit(2); }
fs.writeFileSync(file, JSON.stringify(state));
const json = JSON.stringify(out);
process.stdout.write(jq ? execFileSync('jq', ['-r', jq], { input: json, encoding: 'utf8' }) : json);
`;

interface Comment {
  id: number;
  body: string;
  user: { login: string; type: string };
}
interface StubState {
  comments: Comment[];
  calls: { method: string; route: string; fields: Record<string, string> }[];
  next: number;
}

describe('the failure report step', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-report-'));
    writeFileSync(path.join(dir, 'gh'), GH_STUB);
    chmodSync(path.join(dir, 'gh'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const bot = { login: 'github-actions[bot]', type: 'Bot' };
  function run(comments: Comment[], env: Record<string, string> = {}): { state: StubState; stdout: string } {
    const stateFile = path.join(dir, 'state.json');
    writeFileSync(stateFile, JSON.stringify({ comments, calls: [], next: 900 }));
    const res = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', SCRIPT], {
      encoding: 'utf8',
      env: {
        PATH: `${dir}:${process.env.PATH}`,
        GH_STUB_STATE: stateFile,
        RUNNER_TEMP: dir,
        GH_TOKEN: 'ghs_test',
        REPO: 'acme/shop',
        NUMBER: '12',
        RUN_URL,
        RUN_ATTEMPT: '1',
        RESULTS: 'prepare:success agent:failure publish:skipped',
        STATUS_LANG: '',
        ...env,
      },
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    return { state: JSON.parse(readFileSync(stateFile, 'utf8')) as StubState, stdout: res.stdout };
  }

  it('is one script in every template that keeps a status comment, fed the same variables', () => {
    expect(STEPS.map((s) => s.file)).toEqual([
      'ai-cleanup.yml',
      'ai-dev-issue.yml',
      'ai-plan-issue.yml',
      'ai-plan-review.yml',
      'ai-pr-review.yml',
      'ai-repair-issue.yml',
    ]);
    for (const { file, step } of STEPS) {
      expect({ file, run: step.run }).toEqual({ file, run: SCRIPT });
      expect(Object.keys(step.env ?? {}).sort()).toEqual(
        ['GH_TOKEN', 'NUMBER', 'REPO', 'RESULTS', 'RUN_ATTEMPT', 'RUN_URL', 'STATUS_LANG'].sort(),
      );
      expect(step.env?.RUN_URL).toBe(
        '${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}',
      );
    }
  });

  it('needs jq to stand in for gh --jq', () => {
    expect(HAS_JQ).toBe(true);
  });

  it('starts the status comment when there is none, so the actions adopt it', () => {
    const person = { id: 5, body: 'please look', user: { login: 'alice', type: 'User' } };
    const { state } = run([person]);
    expect(state.calls.map((c) => `${c.method} ${c.route}`)).toEqual([
      'GET repos/acme/shop/issues/12/comments',
      'POST repos/acme/shop/issues/12/comments',
    ]);
    const body = state.comments[1].body;
    expect(body).toBe(
      `### codex-k8s environment\n\n**Failed: job agent** ([workflow run](${RUN_URL}))\n\n<!-- codex-k8s:status e30= -->\n`,
    );
    expect(isStatusComment(body)).toBe(true);
    expect(decodeState(body)).toEqual({});
  });

  it('adds the failure above the marker of the status comment, keeping its text and state', () => {
    const state: StatusState = { phase: 'agent-running', slot: 3, namespace: 'shop-ai-3', env: 'ai', runUrl: RUN_URL };
    const before = renderStatus(state, 'en');
    const { state: after } = run([
      { id: 7, body: before, user: bot },
      { id: 8, body: 'a person quoting <!-- codex-k8s:status e30= -->', user: { login: 'bob', type: 'User' } },
    ]);
    expect(after.calls.map((c) => `${c.method} ${c.route}`)).toEqual([
      'GET repos/acme/shop/issues/12/comments',
      'GET repos/acme/shop/issues/comments/7',
      'PATCH repos/acme/shop/issues/comments/7',
    ]);
    const body = after.comments[0].body;
    const marker = before.slice(before.lastIndexOf('<!-- codex-k8s:status '));
    expect(body).toBe(
      `${before.slice(0, before.lastIndexOf('<!--')).trimEnd()}\n\n**Failed: job agent** ([workflow run](${RUN_URL}))\n\n${marker}\n`,
    );
    expect(decodeState(body)).toEqual(state);
    expect(after.comments[1].body).toBe('a person quoting <!-- codex-k8s:status e30= -->');
  });

  it('leaves a status-looking comment of another app alone and writes to the workflow’s own', () => {
    const state: StatusState = { phase: 'agent-running', slot: 3, namespace: 'shop-ai-3', env: 'ai', runUrl: RUN_URL };
    const ours = renderStatus(state, 'en');
    const planted = renderStatus({ phase: 'ready', slot: 9 }, 'en');
    const { state: after } = run([
      { id: 7, body: ours, user: bot },
      { id: 8, body: planted, user: { login: 'other-app[bot]', type: 'Bot' } },
    ]);
    expect(after.calls.map((c) => `${c.method} ${c.route}`)).toEqual([
      'GET repos/acme/shop/issues/12/comments',
      'GET repos/acme/shop/issues/comments/7',
      'PATCH repos/acme/shop/issues/comments/7',
    ]);
    expect(after.comments[1].body).toBe(planted);
  });

  it('adds nothing when an action already wrote this run’s failure', () => {
    const body = renderStatus({ phase: 'failed', failure: { step: 'prompt-run', reason: 'deadline' }, runUrl: RUN_URL }, 'en');
    const { state, stdout } = run([{ id: 7, body, user: bot }]);
    expect(state.calls.map((c) => c.method)).toEqual(['GET', 'GET']);
    expect(state.comments[0].body).toBe(body);
    expect(stdout).toMatch(/already reports this run's failure/);
  });

  it('reports a re-run that failed again, with the link of its attempt, in the comment’s language', () => {
    const body = renderStatus({ phase: 'failed', failure: { step: 'prompt-run', reason: 'deadline' }, runUrl: RUN_URL }, 'ru');
    const { state } = run([{ id: 7, body, user: bot }], {
      RUN_ATTEMPT: '2',
      STATUS_LANG: 'ru',
      RESULTS: 'prepare:failure agent:skipped',
    });
    expect(state.comments[0].body).toContain(`**Ошибка: задание prepare** ([запуск workflow](${RUN_URL}/attempts/2))`);
    expect(decodeState(state.comments[0].body)).toEqual(decodeState(body));
  });

  it('picks the newest status comment of a bot', () => {
    const older = renderStatus({ phase: 'released' }, 'en');
    const newer = renderStatus({ phase: 'slot-claimed', slot: 1 }, 'en');
    const { state } = run([
      { id: 7, body: older, user: bot },
      { id: 9, body: newer, user: bot },
    ]);
    expect(state.calls.at(-1)?.route).toBe('repos/acme/shop/issues/comments/9');
    expect(state.comments[0].body).toBe(older);
  });

  it('fails when GitHub refuses, so the report job shows red', () => {
    const stateFile = path.join(dir, 'state.json');
    writeFileSync(stateFile, JSON.stringify({ comments: [], calls: [], next: 1 }));
    const res = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', SCRIPT], {
      encoding: 'utf8',
      env: { PATH: `${dir}:${process.env.PATH}`, GH_STUB_STATE: stateFile, RUNNER_TEMP: dir, REPO: 'acme/shop', NUMBER: '12', RUN_URL, RUN_ATTEMPT: '1', RESULTS: 'agent:failure' },
    });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/no GH_TOKEN/);
  });
});

