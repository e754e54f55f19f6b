/**
 * Our own rules on the workflow templates (test/templates/workflow-rules.ts): no expression spliced into a shell,
 * third-party actions pinned by SHA with the version in a comment, permissions on every job, concurrency, inputs
 * and outputs that exist, and every secret and variable named in the header. Each rule is also shown to fire.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/cli.js';
import { checkWorkflow, describeFindings, loadOwnActions, type Rule } from './workflow-rules.js';

const ACTIONS = loadOwnActions(REPO_ROOT);
const TEMPLATES = readdirSync(path.join(REPO_ROOT, 'templates'))
  .filter((f) => f.endsWith('.yml'))
  .sort();

describe('the templates follow our rules', () => {
  it('finds the seven actions and their inputs', () => {
    expect([...ACTIONS.keys()]).toHaveLength(7);
    expect(ACTIONS.get('prompt-run')?.inputs.has('kind')).toBe(true);
    expect(ACTIONS.get('ensure-ready')?.outputs.has('new-env')).toBe(true);
  });

  it.each(TEMPLATES)('%s', (file) => {
    const text = readFileSync(path.join(REPO_ROOT, 'templates', file), 'utf8');
    const findings = checkWorkflow(`templates/${file}`, text, ACTIONS);
    expect(describeFindings(findings)).toBe('');
  });
});

/** A valid workflow to break one rule at a time. */
const GOOD = `# Secrets
#   KUBECONFIG  the cluster
# Variables
#   CODEX_K8S_ENV  the env
on: push
permissions: {}
concurrency:
  group: one
jobs:
  prepare:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    outputs:
      slot: \${{ steps.ready.outputs.slot }}
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - id: flow
        run: echo "kind=dev_issue" >> "$GITHUB_OUTPUT"
      - id: ready
        uses: codex-k8s/actions/ensure-ready@v1
        env:
          KUBECONFIG_CONTENT: \${{ secrets.KUBECONFIG }}
        with:
          env: \${{ vars.CODEX_K8S_ENV }}
          issue: '1'
      - run: echo "$KIND $SLOT"
        env:
          KIND: \${{ steps.flow.outputs.kind }}
          SLOT: \${{ steps.ready.outputs.slot }}
  agent:
    needs: prepare
    if: needs.prepare.result == 'success'
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - uses: ./local-action
      - uses: codex-k8s/actions/prompt-run@v1
        with:
          slot: \${{ needs.prepare.outputs.slot }}
`;

const rulesOf = (text: string) => checkWorkflow('probe.yml', text, ACTIONS);
/** The rules that fire after replacing `from` with `to` in the good workflow (which must contain `from`). */
function breakWith(from: string, to: string): { rules: Rule[]; text: string } {
  expect(GOOD).toContain(from);
  const findings = rulesOf(GOOD.replace(from, to));
  return { rules: findings.map((f) => f.rule), text: describeFindings(findings) };
}

describe('each rule fires on a workflow that breaks it', () => {
  it('the good probe passes every rule', () => {
    expect(describeFindings(rulesOf(GOOD))).toBe('');
  });

  it('an expression inside a run: script', () => {
    const { rules, text } = breakWith('echo "$KIND $SLOT"', 'echo "${{ steps.flow.outputs.kind }}"');
    expect(rules).toEqual(['expression-in-run']);
    expect(text).toMatch(/jobs\.prepare\.steps\[3\]\.run: .*pass the value through env:/);
  });

  it('a third-party action by tag, by a short SHA, or without its version comment', () => {
    const sha = 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2';
    expect(breakWith(sha, 'actions/checkout@v4').text).toMatch(/\[unpinned-action\].*full commit SHA/);
    expect(breakWith(sha, 'actions/checkout@11bd719').rules).toEqual(['unpinned-action']);
    expect(breakWith(sha, 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683').text).toMatch(
      /version the SHA is in a comment/,
    );
    expect(breakWith(sha, 'docker://alpine:3').text).toMatch(/pin the image by digest/);
  });

  it('a job without permissions', () => {
    const { rules, text } = breakWith('    permissions:\n      contents: read\n    steps:\n      - uses: ./', '    steps:\n      - uses: ./');
    expect(rules).toEqual(['job-permissions']);
    expect(text).toMatch(/jobs\.agent: .*job agent has no permissions/);
  });

  it('no concurrency on the workflow nor on a job that runs our actions', () => {
    const { rules, text } = breakWith('concurrency:\n  group: one\n', '');
    expect(rules).toEqual(['concurrency', 'concurrency']);
    expect(text).toMatch(/job prepare runs codex-k8s actions/);
    // Job-level groups on each such job are enough.
    const perJob = GOOD.replace('concurrency:\n  group: one\n', '')
      .replace('    runs-on: ubuntu-24.04\n    permissions:\n      contents: read\n    outputs:', '    runs-on: ubuntu-24.04\n    concurrency: a\n    permissions:\n      contents: read\n    outputs:')
      .replace("    if: needs.prepare.result == 'success'\n", "    if: needs.prepare.result == 'success'\n    concurrency: a\n");
    expect(describeFindings(rulesOf(perJob))).toBe('');
  });

  it('an action of ours that does not exist, and an input it does not declare', () => {
    expect(breakWith('codex-k8s/actions/prompt-run@v1', 'codex-k8s/actions/prompt-runner@v1').text).toMatch(
      /\[unknown-action\] codex-k8s\/actions\/prompt-runner@v1: there is no action prompt-runner/,
    );
    const { rules, text } = breakWith("          issue: '1'", "          issue: '1'\n          issue-number: '1'");
    expect(rules).toEqual(['unknown-input']);
    expect(text).toMatch(/with\.issue-number: .*has no input issue-number \(actions\/ensure-ready\/action\.yml\)/);
  });

  it('a step output that the action does not declare, a step that does not exist or has not run yet', () => {
    expect(breakWith('SLOT: ${{ steps.ready.outputs.slot }}', 'SLOT: ${{ steps.ready.outputs.slot-number }}').text).toMatch(
      /steps\.ready\.outputs\.slot-number: step ready has no output slot-number \(it has: slot, namespace,/,
    );
    expect(breakWith('KIND: ${{ steps.flow.outputs.kind }}', 'KIND: ${{ steps.flow.outputs.kinds }}').rules).toEqual([
      'unknown-step-output',
    ]);
    expect(breakWith('SLOT: ${{ steps.ready.outputs.slot }}', 'SLOT: ${{ steps.redy.outputs.slot }}').text).toMatch(
      /job prepare has no step with id redy/,
    );
    expect(breakWith("          issue: '1'", "          issue: ${{ steps.ready.outputs.slot }}").text).toMatch(
      /steps\.ready is read before \(or by\) the step itself runs/,
    );
    // A job output is checked against the steps of its own job.
    expect(breakWith('slot: ${{ steps.ready.outputs.slot }}', 'slot: ${{ steps.ready.outputs.slots }}').rules).toEqual([
      'unknown-step-output',
    ]);
  });

  it('a job output that is not declared, or a job that is not among needs', () => {
    expect(breakWith('${{ needs.prepare.outputs.slot }}', '${{ needs.prepare.outputs.env }}').text).toMatch(
      /needs\.prepare\.outputs\.env: job prepare declares no output env \(it has: slot\)/,
    );
    const { rules, text } = breakWith('    needs: prepare\n', '');
    expect(rules).toEqual(['unknown-job-output', 'unknown-job-output']);
    expect(text).toMatch(/jobs\.agent\.if: \[unknown-job-output\] needs\.prepare: job agent does not list prepare under needs/);
  });

  it('a secret or variable that the header does not name', () => {
    const { rules, text } = breakWith('#   KUBECONFIG  the cluster\n', '');
    expect(rules).toEqual(['undocumented-config']);
    expect(text).toMatch(/secrets\.KUBECONFIG: .*header comment does not name KUBECONFIG/);
    expect(breakWith('${{ vars.CODEX_K8S_ENV }}', '${{ vars.CODEX_K8S_ENVIRONMENT }}').rules).toEqual([
      'undocumented-config',
    ]);
  });

  it('a file that is not YAML', () => {
    expect(rulesOf('on: [push\njobs: {}\n').map((f) => f.rule)).toEqual(['yaml']);
  });
});
