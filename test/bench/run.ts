/*
 * Benchmarks (figures, not pass/fail): `npm run bench`.
 *  (a) project-example `ai` stack, load + render in-process, warm, mean of 200 runs   (target < 15 ms)
 *  (b) `codex-k8s render` as a whole process, cold start                           (target < 400 ms)
 *  (c) 500 generated Go templates rendered as a whole process: our CLI vs `helm template`   (target ratio <= 1.0)
 *  (d) 20 concurrent slot allocations; (e) project-example apply + wait against the test server
 *  (f) start-up: CPU time (user+sys) of `codex-k8s render` of the project-example ai stack over `node -e 0`, on each
 *      Node found (this one, and .tools/node24 from test/setup/install-tools.sh), cold and warm compile cache
 *      (target <= 2x, warm)
 *  (g) prompt-run overhead around the agent: the real Codex CLI in the agent pod of the test server (bubblewrap
 *      exec), a scripted model answering at once; wall time by phase and kubectl calls
 *  (h) the dev-issue flow (templates/ai-dev-issue.yml) end to end: label event -> agent start, agent's last message
 *      -> pull request, with kubectl calls and GitHub API requests per phase (test/flows/bench-dev-flow.ts)
 *  (i) images build, second run of 10 images already in the registry (wall, registry requests); mirror of one image
 *      against skopeo copy of it (test/bench/images.ts)
 *  (j) review-apply of a 200-file change: wall time and GitHub API requests (test/bench/review-apply.ts)
 * `npm run bench` installs the tools (test/setup/install-tools.sh) and builds the CLI and action bundles first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  applyEnvironment,
  ChildProcessRunner,
  Kubectl,
  loadStack,
  renderStack,
  silentReporter,
  stackToYaml,
} from '../../packages/core/src/index.js';
import { runAgentInPod } from '../../packages/core/src/agent-run/index.js';
import { startFakeModel } from '../fake-model/index.js';
import { agentDeployment } from '../support/agent-deployment.js';
import { startKubeServer } from '../kube-server/index.js';
import { runAction } from '../support/action.js';
import { benchDevFlow } from '../flows/bench-dev-flow.js';
import { benchImages } from './images.js';
import { benchReviewApply } from './review-apply.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'packages/cli/bin/codex-k8s.js');
const helm = path.join(root, '.tools/bin/helm');
const kubectlBin = path.join(root, '.tools/bin/kubectl');
const config = path.join(root, 'test/fixtures/project-example/input/services.yaml');
const env = { PATH: process.env.PATH ?? '', CODEXCTL_CODE_ROOT_BASE: '/workspace/codex/envs' };

/** Temp dirs of the bench, removed when it exits however it ends. */
const benchDirs: string[] = [];
const benchDir = (prefix: string): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  benchDirs.push(dir);
  return dir;
};
process.on('exit', () => benchDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const ms = (ns: bigint) => Number(ns) / 1e6;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, p50: s[Math.floor(s.length / 2)], min: s[0] };
};
const fmt = (n: number) => n.toFixed(2);

function benchInProcess(): void {
  const once = () => stackToYaml(renderStack(loadStack({ config, env: 'ai', slot: 3, processEnv: env })).documents);
  for (let i = 0; i < 20; i++) once();
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = process.hrtime.bigint();
    once();
    times.push(ms(process.hrtime.bigint() - t));
  }
  const s = stats(times);
  console.log(
    `(a) project-example ai stack, in-process warm render: mean ${fmt(s.mean)} ms, p50 ${fmt(s.p50)} ms over 200 runs (target < 15 ms)`,
  );
}

function timeProcess(cmd: string, args: string[], input?: string): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, input, maxBuffer: 256 * 1024 * 1024 });
  const elapsed = ms(process.hrtime.bigint() - t);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return elapsed;
}

function benchColdStart(): void {
  const args = [cli, 'render', '-c', config, '--env', 'ai', '--slot', '3'];
  timeProcess(process.execPath, args);
  const times = Array.from({ length: 10 }, () => timeProcess(process.execPath, args));
  const s = stats(times);
  console.log(
    `(b) codex-k8s render as a process (cold start): mean ${fmt(s.mean)} ms, p50 ${fmt(s.p50)} ms over 10 runs (target < 400 ms)`,
  );
}

/** Deterministic templates that use builtins only, so Go's engine inside helm and ours do the same work. */
function generateTemplates(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        `  name: cm-${i}`,
        'data:',
        `  name: {{ printf "%q" .Values.name }}`,
        `  count: {{ printf "%q" (printf "%d-%s" (len .Values.items) .Values.env) }}`,
        '  {{- range $k, $v := .Values.items }}',
        `  item{{ $k }}: {{ printf "%q" (printf "%v/%d/${i}" $v $k) }}`,
        '  {{- end }}',
        '  {{- if and (eq .Values.env "ai") (gt (len .Values.items) 2) }}',
        `  slot: {{ printf "%q" (print "slot-" .Values.slot) }}`,
        '  {{- else }}',
        '  slot: "none"',
        '  {{- end }}',
        `  host: {{ printf "%q" (index .Values.domains .Values.env) }}`,
        '  {{- with .Values.labels }}{{ range $k, $v := . }}',
        `  label-{{ $k }}: {{ printf "%q" (urlquery $v) }}`,
        '  {{- end }}{{ end }}',
        '',
      ].join('\n'),
    );
  }
  return out;
}

function benchVersusHelm(): void {
  if (!existsSync(helm)) {
    console.log('(c) skipped: helm is not installed (run bash test/setup/install-tools.sh)');
    return;
  }
  const values = {
    name: 'bench',
    env: 'ai',
    slot: 3,
    items: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
    domains: { ai: 'ai.example.com', dev: 'dev.example.com' },
    labels: { team: 'platform', tier: 'back end', owner: 'a&b' },
  };
  const templates = generateTemplates(500);
  const dir = benchDir('ck8s-bench-');
  const chart = path.join(dir, 'chart');
  mkdirSync(path.join(chart, 'templates'), { recursive: true });
  writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: bench\nversion: 0.1.0\n');
  writeFileSync(path.join(chart, 'values.yaml'), JSON.stringify(values));
  templates.forEach((t, i) => writeFileSync(path.join(chart, 'templates', `t${i}.yaml`), t));
  const jsonl =
    templates
      .map((t, i) => JSON.stringify({ name: `t${i}.yaml`, tmpl: t, data: { Values: values }, env: {} }))
      .join('\n') + '\n';

  // Same output from both, before timing anything.
  const ours = execFileSync(process.execPath, [cli, 'template', '--jsonl'], { input: jsonl, env, maxBuffer: 1 << 28 })
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { ok: boolean; out: string; error: string });
  const failed = ours.filter((r) => !r.ok);
  if (failed.length) throw new Error(`our engine failed on ${failed.length} templates: ${failed[0].error}`);
  const helmOut = execFileSync(helm, ['template', 'bench', chart], { env: { ...env, HOME: dir } }).toString();
  const sample = ours[0].out.trim();
  if (!helmOut.includes(sample)) throw new Error('helm and our CLI rendered different output for t0.yaml');

  const run = (f: () => number) => {
    f();
    return stats(Array.from({ length: 7 }, f));
  };
  const oursT = run(() => timeProcess(process.execPath, [cli, 'template', '--jsonl'], jsonl));
  const helmT = run(() => {
    const t = process.hrtime.bigint();
    execFileSync(helm, ['template', 'bench', chart], { env: { ...env, HOME: dir }, maxBuffer: 1 << 28 });
    return ms(process.hrtime.bigint() - t);
  });
  console.log(
    `(c) 500 templates as a whole process: ours p50 ${fmt(oursT.p50)} ms, helm template p50 ${fmt(helmT.p50)} ms, ratio ours/helm ${(oursT.p50 / helmT.p50).toFixed(2)} (target <= 1.0)`,
  );
}

/** (d) 20 ensure-slot processes at once against the Kubernetes API test server, real kubectl. */
async function benchSlotAllocation(): Promise<void> {
  const server = await startKubeServer({ readyDelayMs: 50 });
  try {
    const dir = benchDir('ck8s-bench-slots-');
    const kubeconfig = server.writeKubeconfig(dir);
    writeFileSync(
      path.join(dir, 'services.yaml'),
      'project: bench\nmaxSlots: 20\nstate:\n  configmapNamespace: codex-system\nenvironments:\n  ai: {}\nservices: []\n',
    );
    const before = server.kubectlInvocations().length;
    const runs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const t = process.hrtime.bigint();
        const res = await runAction(
          path.join(root, 'actions/ensure-slot/dist/index.js'),
          { config: 'services.yaml', env: 'ai', issue: String(i + 1) },
          {
            cwd: dir,
            env: { KUBECONFIG: kubeconfig, PATH: `${path.join(root, '.tools/bin')}:${process.env.PATH}` },
          },
        );
        if (res.code !== 0) throw new Error(`allocation ${i + 1} failed: ${res.errors.join('; ')}`);
        return ms(process.hrtime.bigint() - t);
      }),
    );
    const sorted = [...runs].sort((a, b) => a - b);
    const calls = server.kubectlInvocations().length - before;
    console.log(
      `(d) 20 concurrent slot allocations (ensure-slot processes): p50 ${fmt(sorted[9])} ms, p95 ${fmt(sorted[18])} ms, ${(calls / 20).toFixed(1)} kubectl calls per allocation`,
    );
  } finally {
    await server.close();
  }
}

/** (e) project-example `ai` stack applied and waited for against the test server: kubectl invocations, wall time. */
async function benchApply(): Promise<void> {
  const server = await startKubeServer({ readyDelayMs: 100 });
  try {
    const dir = benchDir('ck8s-bench-apply-');
    const kubectl = new Kubectl(new ChildProcessRunner(), {
      binary: kubectlBin,
      kubeconfig: server.writeKubeconfig(dir),
      cacheDir: path.join(dir, 'cache'),
    });
    // The project's afterApply hook (codex.reuse-dev-tls-secret) copies the slot's TLS secret from staging and
    // polls for it (up to 4 minutes); give it one to find, as a cluster where staging already has the cert would.
    server.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'project-example-ai-staging' } });
    server.store.put({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: 'project-example-dev-3-tls', namespace: 'project-example-ai-staging' },
      data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' },
    });
    const t = process.hrtime.bigint();
    const result = await applyEnvironment({
      load: { config, env: 'ai', slot: 3, processEnv: env },
      client: kubectl,
      reporter: silentReporter,
    });
    const wall = ms(process.hrtime.bigint() - t);
    const groups = result.rendered.groups.length;
    console.log(
      `(e) project-example ai stack apply + wait: ${result.kubectlInvocations} kubectl invocations (${groups} groups, ${result.wait?.ready.length ?? 0} workloads waited), ${fmt(wall)} ms wall`,
    );
  } finally {
    await server.close();
  }
}

async function benchPromptRun(): Promise<void> {
  const modules = path.join(root, '.tools/codex/node_modules');
  if (!existsSync('/usr/bin/bwrap') || !existsSync(path.join(modules, '.bin/codex'))) {
    console.log('(g) skipped: needs bubblewrap and the Codex CLI (bash test/setup/install-tools.sh)');
    return;
  }
  const model = await startFakeModel([{ kind: 'message', text: 'done' }]);
  const server = await startKubeServer({
    readyDelayMs: 20,
    execSandbox: {
      binds: [{ host: modules, pod: '/opt/codex/node_modules', readOnly: true }],
      env: { PATH: '/opt/codex/node_modules/.bin:/usr/local/bin:/usr/bin:/bin', HOME: '/root', OPENAI_API_KEY: 'x' },
    },
  });
  try {
    const dir = benchDir('ck8s-bench-agent-');
    const kubectl = new Kubectl(new ChildProcessRunner(), {
      binary: kubectlBin,
      kubeconfig: server.writeKubeconfig(dir),
      cacheDir: path.join(dir, 'cache'),
    });
    const ns = 'bench-ai-1';
    await kubectl.run(['apply', '-f', '-'], {
      input: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, agentDeployment(ns, 'emptyDir')]
        .map((d) => JSON.stringify(d))
        .join('\n---\n'),
    });
    const config = [
      'model = "fake-model"',
      'model_provider = "fake"',
      '[model_providers.fake]',
      'name = "fake"',
      `base_url = "${model.url}"`,
      'env_key = "OPENAI_API_KEY"',
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
    ].join('\n');
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const marks: Record<string, number> = {};
      const before = kubectl.invocations;
      const out = await runAgentInPod(kubectl, {
        namespace: ns,
        deployment: 'codex',
        container: 'codex',
        config,
        prompt: 'Say done.\n',
        timeoutMs: 120_000,
        readyTimeoutMs: 60_000,
        runId: `bench-${i}`,
        sink: {
          info: (m) => {
            if (m.startsWith('Agent started')) marks.started = Date.now() - t0;
            if (m.startsWith('agent: ')) marks.message = Date.now() - t0;
          },
          warning: () => undefined,
          debug: () => undefined,
        },
      });
      const wall = Date.now() - t0;
      console.log(
        `(g) prompt-run around the agent, run ${i + 1}: ${wall} ms wall (pod found and agent started at ${marks.started} ms, ` +
          `final message seen at ${marks.message} ms, outputs at ${wall} ms), ${kubectl.invocations - before} kubectl calls, ` +
          `model requests ${model.requests.length}, exit ${out.exitCode}`,
      );
    }
  } finally {
    await server.close();
    await model.close();
  }
}

/** CPU time (user+sys, ms, 10 ms steps) of one run of a command, as GNU time reports it for its child. */
function cpuTimeMs(cmd: string[], extraEnv: Record<string, string> = {}): number {
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', ...cmd], {
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (exit ${r.status}): ${r.stderr}`);
  const m = /^cpu ([\d.]+) ([\d.]+)$/m.exec(r.stderr);
  if (!m) throw new Error(`no CPU time from /usr/bin/time: ${r.stderr}`);
  return (Number(m[1]) + Number(m[2])) * 1000;
}

function benchStartupRatio(): void {
  if (!existsSync('/usr/bin/time')) {
    console.log('(f) skipped: needs GNU time at /usr/bin/time (apt-get install time)');
    return;
  }
  const nodes = [process.execPath, path.join(root, '.tools/node24/bin/node')].filter((n) => existsSync(n));
  const render = [cli, 'render', '-c', config, '--env', 'ai', '--slot', '1'];
  // Loading the apply command's bundle (about 25 Node built-ins: kubectl, HTTP, streams), without a cluster.
  const applyHelp = [cli, 'apply', '--help'];
  const runs = 15;
  for (const node of nodes) {
    const version = execFileSync(node, ['--version']).toString().trim();
    const warmDir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-bench-cache-'));
    try {
      const warm = { NODE_COMPILE_CACHE: warmDir };
      cpuTimeMs([node, ...render], warm); // fills the warm cache
      cpuTimeMs([node, ...applyHelp], warm);
      const bare: number[] = [];
      const applyRuns: number[] = [];
      const coldRuns: number[] = [];
      const warmRuns: number[] = [];
      // Interleaved, so that load from elsewhere on the machine touches all three alike.
      for (let i = 0; i < runs; i++) {
        bare.push(cpuTimeMs([node, '-e', '0']));
        warmRuns.push(cpuTimeMs([node, ...render], warm));
        applyRuns.push(cpuTimeMs([node, ...applyHelp], warm));
        const coldDir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-bench-cold-'));
        coldRuns.push(cpuTimeMs([node, ...render], { NODE_COMPILE_CACHE: coldDir }));
        rmSync(coldDir, { recursive: true, force: true });
      }
      const base = stats(bare).p50;
      const line = (label: string, xs: number[]) =>
        `${label} ${fmt(stats(xs).p50)} ms = ${(stats(xs).p50 / base).toFixed(2)}x`;
      const figures =
        `${line('render, warm code cache', warmRuns)}; ${line('cold (empty cache)', coldRuns)}; ` +
        line('apply --help (loads the apply bundle; --help writes no cache)', applyRuns);
      console.log(
        `(f) start-up on Node ${version}, CPU user+sys p50 of ${runs}: node -e 0 ${fmt(base)} ms; ${figures} (target <= 2x, warm)`,
      );
    } finally {
      rmSync(warmDir, { recursive: true, force: true });
    }
  }
}

// BENCH_ONLY=a,g runs only those benchmarks.
const BENCHES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
const only = new Set((process.env.BENCH_ONLY ?? BENCHES.join(',')).split(',').map((x) => x.trim()));
const unknown = [...only].filter((x) => !BENCHES.includes(x));
if (unknown.length > 0) {
  console.error(`BENCH_ONLY: no benchmark ${unknown.join(', ')}; the benchmarks are ${BENCHES.join(', ')}`);
  process.exit(2);
}
// What the selected benchmarks run that `npm run bench` makes first; run directly (tsx test/bench/run.ts) on a
// fresh clone, say which command makes it instead of failing on a bare spawn ENOENT.
const needs: { benches: string[]; file: string; by: string }[] = [
  { benches: ['b', 'c', 'f', 'i'], file: path.join(root, 'packages/cli/dist/cli.cjs'), by: 'npm run build' },
  { benches: ['d', 'e', 'g', 'h'], file: kubectlBin, by: 'bash test/setup/install-tools.sh' },
];
const missing = needs.filter((n) => n.benches.some((b) => only.has(b)) && !existsSync(n.file));
for (const n of missing) {
  const which = n.benches.filter((b) => only.has(b)).join(', ');
  console.error(
    `bench ${which}: ${path.relative(root, n.file)} is missing: run \`${n.by}\` first (npm run bench does)`,
  );
}
if (missing.length > 0) process.exit(1);
if (only.has('a')) benchInProcess();
if (only.has('b')) benchColdStart();
if (only.has('f')) benchStartupRatio();
if (only.has('c')) benchVersusHelm();
if (only.has('d')) await benchSlotAllocation();
if (only.has('e')) await benchApply();
if (only.has('g')) await benchPromptRun();
if (only.has('h')) console.log(await benchDevFlow());
if (only.has('i')) console.log(await benchImages(cli));
if (only.has('j')) console.log(await benchReviewApply());
