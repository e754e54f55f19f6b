/**
 * `npm run demo`: flow (a) on examples/shop, told step by step. An issue is labelled [ai-dev];
 * templates/ai-dev-issue.yml runs as the runner would run it; the slot, what was applied, the agent's progress, the
 * pull request and its diff are printed as they happen. The cluster, GitHub and the model are local stand-ins.
 */
import { execFileSync } from 'node:child_process';
import { removeTempDirs } from '../support/temp-dir.js';
import { AGENT_LINE, AGENT_MESSAGE, DEV_LABEL, runDevIssue } from './dev-flow.js';
import { MAINTAINER, MODEL_KEY, REPO, startStage, TOKEN, type Stage } from './stage.js';
import type { FlowEvent, StepRecord, Transcript } from './transcript.js';

const out = (s = '') => process.stdout.write(`${s}\n`);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const secrets = [TOKEN, MODEL_KEY];
const hide = (s: string) => secrets.reduce((t, x) => t.split(x).join('***'), s);

/** Log lines of our actions worth showing while they run. */
const TELLING = [
  /^claimed slot .*/,
  /^found slot .*/,
  /^prepare-images: .*/,
  /^applying the stack .*/,
  /^(infra|service) [\w-]+: .*/,
  /^ready: .*/,
  /^Agent started .*/,
  /^agent runs: .*/,
  /^agent: .*/,
  /^agent turn done: .*/,
  /^pushed .*/,
  /^(opened|updated) PR .*/,
];

/** The unfinished last line of the step's output so far. */
let partial = '';
const tell = (line: string) => {
  if (TELLING.some((re) => re.test(line))) out(dim(`      ${hide(line).slice(0, 200)}`));
};

function onEvent(e: FlowEvent): void {
  if (e.type === 'job-start') out(`\n${bold(`Job ${e.job}`)}: ${e.name}`);
  if (e.type === 'step-start') {
    partial = '';
    out(`  … ${e.name}`);
  }
  if (e.type === 'step-output') {
    const lines = (partial + e.text).split('\n');
    partial = lines.pop() ?? '';
    lines.forEach(tell);
  }
  if (e.type === 'step-end') tell(partial);
  if (e.type === 'step-end' && e.record.outcome !== 'skipped')
    out(`  ${mark(e.record)} ${e.record.name}${took(e.record)}`);
  if (e.type === 'job-end' && e.record.result === 'skipped')
    out(`\n${bold(`Job ${e.record.id}`)}: skipped (${e.record.note})`);
}

const mark = (s: StepRecord) => (s.outcome === 'success' ? '✓' : '✗');
const took = (s: StepRecord) => dim(` (${((s.endedAt - s.startedAt) / 1000).toFixed(1)} s)`);

function section(title: string): void {
  out(`\n${bold(`── ${title} `)}${bold('─'.repeat(Math.max(0, 70 - title.length)))}`);
}

function showSlot(stage: Stage, t: Transcript): void {
  const ready = t.jobs.flatMap((j) => j.steps).find((s) => s.id === 'ready');
  const ns = ready?.outputs.namespace ?? '';
  section(`The slot: ${ns}`);
  const record = stage.kube.store.get('ConfigMap', 'codex-system', `shop-slot-${ready?.outputs.slot}`);
  out(`Slot record codex-system/shop-slot-${ready?.outputs.slot}: ${JSON.stringify(record?.data ?? {})}`);
  out(`Applied into ${ns} (as the test API server holds them now):`);
  const kinds = [
    'StatefulSet',
    'Deployment',
    'CronJob',
    'Service',
    'PersistentVolumeClaim',
    'Secret',
    'ServiceAccount',
  ];
  for (const kind of [...kinds, 'Role', 'RoleBinding']) {
    const names = stage.kube.store.list(kind, ns).map((o) => o.metadata.name);
    if (names.length) out(`  ${kind.padEnd(22)} ${names.join(', ')}`);
  }
}

function showPullRequest(stage: Stage, t: Transcript): void {
  const publish = t.jobs.flatMap((j) => j.steps).find((s) => s.id === 'publish');
  const number = Number(publish?.outputs['pr-number']);
  if (!number) return;
  const pr = stage.gh.state.pull(REPO, number);
  section(`The pull request: #${number}`);
  out(`${pr.title}`);
  out(`${pr.pull.head.ref} → ${pr.pull.base.ref}, ${pr.state}, by ${pr.author}`);
  out(dim((pr.body ?? '').trim().split('\n').slice(0, 6).join('\n')));
  section('Its diff');
  out(
    execFileSync('git', ['diff', '--stat', `${pr.pull.base.ref}...${pr.pull.head.ref}`], {
      cwd: stage.bare,
    }).toString(),
  );
  out(execFileSync('git', ['diff', `${pr.pull.base.ref}...${pr.pull.head.ref}`], { cwd: stage.bare }).toString());
}

function showStatusComment(stage: Stage, issue: number): void {
  const comment = stage.gh.state.commentsOf(REPO, issue).find((c) => c.body.includes('codex-k8s:status'));
  if (!comment) return;
  section(`The status comment on issue #${issue} (edited in place during the run)`);
  out(comment.body.replace(/<!-- codex-k8s:status [^>]* -->\s*$/, '').trim());
}

async function main(): Promise<void> {
  out(bold('codex-k8s demo: an issue labelled [ai-dev] on examples/shop, through templates/ai-dev-issue.yml'));
  out('Everything runs on this machine, against local stand-ins:');
  out('  - the cluster is a Kubernetes API test server (test/kube-server), driven by the real kubectl;');
  out("    pods do not run images: a command exec'd in a pod runs here, with the pod's volumes mounted;");
  out('  - GitHub is a fake REST/GraphQL server (test/fake-github) whose git side is a local bare repository;');
  out('  - the model is a scripted server (test/fake-model) that the real Codex CLI in the agent pod talks to;');
  out("  - the image registry is a local docker-registry already holding the shop's images.");
  out('The workflow runs in a small runner of ours (test/flows/runner.ts): jobs, steps, expressions and outputs as');
  out("on GitHub; the actions are this repository's bundles, run under Node 24. Nothing leaves the machine.\n");
  out('Starting the stand-ins …');
  const stage = await startStage();
  try {
    out(dim(`  Kubernetes API ${stage.kube.url}, GitHub API ${stage.gh.url}, model ${stage.model.url}`));
    const main = execFileSync('git', ['rev-parse', '--short', 'main'], { cwd: stage.bare }).toString().trim();
    out(
      `The project: examples/shop, committed as ${REPO}@${main}; its services.yaml points Codex at the scripted model.`,
    );
    out(
      `The model's script: run \`printf '${AGENT_LINE}\\n' >> /workspace/README.md\`, then answer "${AGENT_MESSAGE}"`,
    );
    out(`\nIssue "Mention the cart in the README" is opened and labelled ${DEV_LABEL} by ${MAINTAINER}.`);
    out('The issues/labeled event runs templates/ai-dev-issue.yml:');
    const run = await runDevIssue(stage, { onEvent });
    const t = run.transcript;
    showSlot(stage, t);
    showPullRequest(stage, t);
    showStatusComment(stage, run.issue);
    section('Result');
    for (const j of t.jobs) {
      const secs = j.endedAt && j.result !== 'skipped' ? ` in ${((j.endedAt - j.startedAt) / 1000).toFixed(1)} s` : '';
      out(`  job ${j.id.padEnd(8)} ${j.result}${secs}`);
    }
    out(`The run ${t.conclusion === 'success' ? 'succeeded' : 'FAILED'}.`);
    if (t.conclusion !== 'success') {
      for (const s of t.jobs.flatMap((j) => j.steps).filter((x) => x.outcome === 'failure'))
        out(`  ${s.job}/${s.name}: ${s.errors.join(' | ')}\n${dim(s.log.split('\n').slice(-20).join('\n'))}`);
      process.exitCode = 1;
    }
  } finally {
    await stage.close();
    removeTempDirs();
  }
}

await main();
