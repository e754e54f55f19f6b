/**
 * The workflow harness on small inline workflows: status functions, step and job outputs, `${{ }}` in `with:` and
 * `env:`, GITHUB_ENV/GITHUB_PATH, continue-on-error, timeouts, triggers, the checkout stand-in, one of our action
 * bundles under Node 24, and the errors for what it does not run.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/temp-dir.js';
import { runWorkflow, type RunWorkflowOptions } from './runner.js';
import type { StandIn } from './stand-ins.js';
import { jobOf, outline, stepOf } from './transcript.js';

const echo: StandIn = ({ inputs }) => ({ outputs: { ...inputs, seen: Object.keys(inputs).sort().join(',') } });

const run = (content: string, extra: Partial<RunWorkflowOptions> = {}) =>
  runWorkflow({
    workflow: 'inline.yml',
    content,
    event: 'issues',
    payload: { action: 'labeled', label: { name: 'ai-dev' }, issue: { number: 7 }, sender: { login: 'maria' } },
    repository: 'acme/shop',
    sha: 'a'.repeat(40),
    standIns: { 'test/echo': echo },
    ...extra,
  });

describe('workflow harness', () => {
  it('status functions: failure() steps run only after a failure, always() always, the rest are skipped', async () => {
    const t = await run(`
on: issues
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - id: first
        run: echo first
      - id: early-failure-handler
        if: failure()
        run: echo should not run
      - id: breaks
        run: exit 3
      - id: after
        run: echo after
      - id: handler
        if: failure()
        run: echo "outcome of breaks was \${{ steps.breaks.outcome }}"
      - id: by-outcome
        if: always() && steps.breaks.outcome == 'failure' && steps.after.outcome == 'skipped'
        run: echo by outcome
      - id: finally
        if: always()
        run: echo "job status \${{ job.status }}"
`);
    const outcomes = jobOf(t, 'one').steps.map((s) => [s.id, s.outcome]);
    expect(outcomes).toEqual([
      ['first', 'success'],
      ['early-failure-handler', 'skipped'],
      ['breaks', 'failure'],
      ['after', 'skipped'],
      ['handler', 'success'],
      ['by-outcome', 'success'],
      ['finally', 'success'],
    ]);
    expect(stepOf(t, 'handler').log).toContain('outcome of breaks was failure');
    expect(stepOf(t, 'finally').log).toContain('job status failure');
    expect(stepOf(t, 'breaks').errors).toEqual(['Process completed with exit code 3.']);
    expect(jobOf(t, 'one').result).toBe('failure');
    expect(t.conclusion).toBe('failure');
  });

  it('continue-on-error: the step fails (outcome) but succeeds (conclusion), and the job goes on', async () => {
    const t = await run(`
on: issues
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - id: flaky
        continue-on-error: true
        run: exit 1
      - id: next
        run: echo "\${{ steps.flaky.outcome }}/\${{ steps.flaky.conclusion }}"
      - id: only-on-failure
        if: failure()
        run: echo no
`);
    expect(stepOf(t, 'flaky')).toMatchObject({ outcome: 'failure', conclusion: 'success' });
    expect(stepOf(t, 'next').log).toContain('failure/success');
    expect(stepOf(t, 'only-on-failure').outcome).toBe('skipped');
    expect(jobOf(t, 'one').result).toBe('success');
  });

  it('outputs flow from steps to job outputs to needs, through env: and with:, and GITHUB_ENV/GITHUB_PATH', async () => {
    const t = await run(
      `
on: issues
env:
  WF: wf-\${{ github.event.issue.number }}
jobs:
  make:
    runs-on: ubuntu-latest
    env:
      JOB: job-\${{ vars.COLOUR }}
    outputs:
      slot: \${{ steps.alloc.outputs.slot }}
      multi: \${{ steps.alloc.outputs.lines }}
    steps:
      - id: alloc
        run: |
          echo "slot=3" >> "$GITHUB_OUTPUT"
          { echo 'lines<<EOF'; echo one; echo two; echo EOF; } >> "$GITHUB_OUTPUT"
          echo "FROM_ENV_FILE=hello" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool-on-path\\n' > "$RUNNER_TEMP/bin/mytool"
          chmod +x "$RUNNER_TEMP/bin/mytool" && echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
      - id: reads
        env:
          STEP: step-\${{ steps.alloc.outputs.slot }}
        run: echo "$WF $JOB $STEP $FROM_ENV_FILE \${{ env.FROM_ENV_FILE }} $(mytool)"
  use:
    needs: make
    runs-on: ubuntu-latest
    steps:
      - id: pass
        uses: test/echo@v1
        with:
          slot: \${{ needs.make.outputs.slot }}
          label: "label \${{ github.event.label.name }} by \${{ github.actor }}"
          whole: \${{ needs.make.outputs.multi }}
          number: \${{ github.event.issue.number }}
          result: \${{ needs.make.result }}
`,
      { vars: { COLOUR: 'blue' } },
    );
    expect(t.conclusion).toBe('success');
    expect(stepOf(t, 'reads').log).toContain('wf-7 job-blue step-3 hello hello tool-on-path');
    expect(jobOf(t, 'make').outputs).toEqual({ slot: '3', multi: 'one\ntwo' });
    expect(stepOf(t, 'pass').outputs).toEqual({
      slot: '3',
      label: 'label ai-dev by maria',
      whole: 'one\ntwo',
      number: '7',
      result: 'success',
      seen: 'label,number,result,slot,whole',
    });
  });

  it('jobs: a failed need skips its dependants unless their if: asks for failure()', async () => {
    const t = await run(`
on: issues
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - run: echo second
  cleanup:
    needs: [first, second]
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - id: why
        run: echo "first \${{ needs.first.result }} second \${{ needs.second.result }}"
  gated:
    if: github.event.label.name == 'other'
    runs-on: ubuntu-latest
    steps:
      - run: echo gated
`);
    expect(t.jobs.map((j) => [j.id, j.result])).toEqual([
      ['first', 'failure'],
      ['second', 'skipped'],
      ['cleanup', 'success'],
      ['gated', 'skipped'],
    ]);
    expect(stepOf(t, 'why').log).toContain('first failure second skipped');
  });

  it('timeout-minutes is enforced on a step; secrets and ::add-mask:: values are masked in the log', async () => {
    const t = await run(
      `
on: issues
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - id: slow
        timeout-minutes: 0.02
        run: sleep 20
      - id: talk
        if: always()
        env:
          TOKEN: \${{ secrets.MY_TOKEN }}
        run: |
          echo "::add-mask::masked-value-1"
          echo "token $TOKEN and masked-value-1"
`,
      { secrets: { MY_TOKEN: 'ghs_secretvalue123' } },
    );
    expect(stepOf(t, 'slow').outcome).toBe('failure');
    expect(stepOf(t, 'slow').errors.join()).toMatch(/ran past its timeout \(1 s\)/);
    expect(stepOf(t, 'slow').endedAt - stepOf(t, 'slow').startedAt).toBeLessThan(15_000);
    expect(stepOf(t, 'talk').log).toContain('token *** and ***');
    expect(stepOf(t, 'talk').log).not.toContain('ghs_secretvalue123');
  });

  it('workflow_dispatch: inputs get their declared defaults; concurrency and permissions are recorded only', async () => {
    const t = await run(
      `
on:
  workflow_dispatch:
    inputs:
      issue:
        type: string
        default: ''
      all:
        type: boolean
        default: false
      ttl:
        type: string
        default: 168h
concurrency:
  group: sweep-\${{ inputs.issue || 'all' }}
  cancel-in-progress: false
permissions:
  contents: read
jobs:
  one:
    runs-on: ubuntu-latest
    permissions:
      issues: write
    steps:
      - id: show
        run: echo "issue=[\${{ inputs.issue }}] all=\${{ inputs.all }} ttl=\${{ inputs.ttl }} \${{ toJSON(inputs.all) }}"
`,
      { event: 'workflow_dispatch', payload: { inputs: { ttl: '2h' } }, inputs: { ttl: '2h' } },
    );
    expect(stepOf(t, 'show').log.trim()).toBe('issue=[] all=false ttl=2h false');
    expect(t.concurrency).toEqual({ group: 'sweep-all', 'cancel-in-progress': false });
    expect(t.permissions).toEqual({ contents: 'read' });
    expect(jobOf(t, 'one').permissions).toEqual({ issues: 'write' });
  });

  it('triggers: another event or activity type does not start the workflow', async () => {
    const wf = `
on:
  issues:
    types: [labeled]
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
`;
    expect((await run(wf, { payload: { action: 'opened', issue: { number: 1 } } })).triggered).toBe(false);
    expect((await run(wf, { event: 'pull_request', payload: { action: 'opened' } })).triggered).toBe(false);
    const yes = await run(wf);
    expect(yes.triggered).toBe(true);
    expect(yes.conclusion).toBe('success');
  });

  it('fails loudly: an unknown uses:, an invalid workflow, an input our action does not declare', async () => {
    const unknown = await run(`
on: issues
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - uses: someone/something@v2
`);
    expect(unknown.conclusion).toBe('failure');
    expect(unknown.jobs[0]!.steps[0]!.errors.join()).toMatch(/someone\/something@v2: no stand-in for this action/);

    await expect(run('on: issues\njobs:\n  one:\n    runs-on: x\n    stepz: []\n')).rejects.toThrow(
      /inline\.yml: not a valid workflow/,
    );

    const typo = await run(`
on: issues
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - id: slot
        uses: codex-k8s/actions/ensure-slot@v1
        with:
          isue: 7
`);
    expect(stepOf(typo, 'slot').errors.join()).toMatch(/unexpected input\(s\) isue; valid inputs are config, env/);
  });

  it('runs our action bundle under Node 24 with the action.yml defaults and INPUT_ variables', async () => {
    const t = await run(`
on: issues
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - id: slot
        uses: codex-k8s/actions/ensure-slot@v1
        with:
          config: missing.yaml
      - id: node
        if: always()
        uses: actions/setup-node@v4
        with:
          node-version: 24
      - id: version
        if: always()
        run: node --version
`);
    const slot = stepOf(t, 'slot');
    expect(slot.outcome).toBe('failure');
    expect(slot.errors.join()).toMatch(/give an issue, a pr or a slot/);
    // The default of github-token is `${{ github.token }}`, evaluated; env's default is kept.
    expect(slot.inputs).toMatchObject({ config: 'missing.yaml', 'github-token': '' });
    expect(stepOf(t, 'version').log.trim()).toMatch(/^v24\./);
  });

  it('the checkout stand-in clones the local repository at the event commit, or at a ref given in with:', async () => {
    const dir = tempDir('ck8s-flow-git-');
    const bare = path.join(dir, 'remote.git');
    const seed = path.join(dir, 'seed');
    const git = (cwd: string, ...a: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', ...a], { cwd, encoding: 'utf8' }).trim();
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    execFileSync('git', ['init', '-q', '-b', 'main', seed]);
    writeFileSync(path.join(seed, 'f.txt'), 'one\n');
    git(seed, 'add', '-A');
    git(seed, 'commit', '-qm', 'one');
    const first = git(seed, 'rev-parse', 'HEAD');
    writeFileSync(path.join(seed, 'f.txt'), 'two\n');
    git(seed, 'commit', '-qam', 'two');
    git(seed, 'push', '-q', bare, 'main', 'main:feature/x');
    const t = await run(
      `
on: issues
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - id: default
        uses: actions/checkout@v4
      - id: f1
        run: echo "$(cat f.txt) $(git rev-parse --abbrev-ref HEAD) $(git rev-list --count HEAD)"
      - id: branch
        uses: actions/checkout@v4
        with:
          ref: feature/x
          path: other
          fetch-depth: 0
      - id: f2
        run: echo "$(cat other/f.txt) $(git -C other rev-parse --abbrev-ref HEAD) $(git -C other rev-list --count HEAD)"
`,
      { sha: undefined, remotes: { 'acme/shop': bare }, payload: { action: 'labeled', repository: {} } },
    );
    expect(t.conclusion).toBe('success');
    expect(stepOf(t, 'f1').log.trim()).toBe('two main 1');
    expect(stepOf(t, 'default').outputs.commit).not.toBe(first);
    expect(stepOf(t, 'f2').log.trim()).toBe('two feature/x 2');
    expect(readFileSync(path.join(dir, 'seed', 'f.txt'), 'utf8')).toBe('two\n');
    expect(outline(t)).toMatch(/success +actions\/checkout@v4/);

    // A pull request event: refs/pull/<n>/merge as github.ref, the head commit checked out, detached.
    const pr = await run(
      `
on: pull_request
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: where
        run: echo "\${{ github.ref }} $(git rev-parse HEAD) $(cat f.txt)"
`,
      {
        sha: undefined,
        event: 'pull_request',
        remotes: { 'acme/shop': bare },
        payload: {
          action: 'opened',
          pull_request: { number: 5, head: { sha: first, ref: 'x' }, base: { ref: 'main' } },
        },
      },
    );
    expect(stepOf(pr, 'where').log.trim()).toBe(`refs/pull/5/merge ${first} one`);
  });
});
