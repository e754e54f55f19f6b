/**
 * The local stand-ins a workflow template runs against, started together: the Kubernetes API test server (real
 * kubectl; pod execs under bubblewrap, with the Codex CLI mounted at /opt/codex), the fake GitHub with the project's
 * repository (a local bare git repository its branches follow), and the scripted model. The project is a copy of
 * examples/shop whose `codex:` section points Codex at the scripted model; nothing else in it changes.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/index.js';
import { startFakeModel, type FakeModel, type ModelStep, type RecordedRequest } from '../fake-model/index.js';
import { startKubeServer, type KubeServer } from '../kube-server/index.js';
import { REPO_ROOT } from '../support/cli.js';
import { kubectlCounter } from './kubectl-counter.js';
import { seededRegistry } from './registry-seed.js';
import { runWorkflow, type RunWorkflowOptions, type Transcript } from './runner.js';

export const OWNER = 'acme';
export const REPO = `${OWNER}/shop`;
/** The Actions token of the runs (an installation token: a bot). */
export const TOKEN = 'ghs_flowRunnerToken000000000000000000000001';
/** The model key the project keeps as a repository secret; the scripted model ignores it. */
export const MODEL_KEY = 'sk-flow-model-key-000000000000000000000001';
/** A person with write access who labels issues and reviews pull requests. */
export const MAINTAINER = 'maria';

const TOOLS = path.join(REPO_ROOT, '.tools/bin');
const CODEX_MODULES = path.join(REPO_ROOT, '.tools/codex/node_modules');

export interface Stage {
  dir: string;
  kube: KubeServer;
  kubeconfig: string;
  gh: FakeGitHub;
  model: FakeModel;
  /** The bare repository behind acme/shop. */
  bare: string;
  /** When each model request arrived (ms since the epoch), in order. */
  modelTimes: number[];
  /** kubectl processes started by the runs: one line each, `<ms> <args>`. */
  kubectlCalls(): { time: number; args: string }[];
  /** Sets the model's answers for the next agent run. */
  script(steps: ModelStep[] | ((req: RecordedRequest) => ModelStep)): void;
  /** Runs a workflow template against the stand-ins, as the runner would for this event. */
  run(
    template: string,
    event: string,
    payload: Record<string, unknown>,
    extra?: Partial<RunWorkflowOptions>,
  ): Promise<Transcript>;
  /** git in a fresh clone of the repository's current state (for diffs and checks). */
  clone(): string;
  close(): Promise<void>;
}

export interface StageOptions {
  /** Repository variables (`vars.*`) besides CODEX_K8S_CODE_ROOT_BASE and CODEX_K8S_INSECURE_REGISTRIES. */
  vars?: Record<string, string>;
  /** Repository secrets besides GITHUB_TOKEN and OPENAI_API_KEY. */
  secrets?: Record<string, string>;
  readyDelayMs?: number;
}

export function checkTools(): void {
  const missing = [
    [path.join(TOOLS, 'kubectl'), 'kubectl'],
    [path.join(CODEX_MODULES, '.bin', 'codex'), 'the Codex CLI'],
    [path.join(REPO_ROOT, '.tools/node24/bin/node'), 'Node 24'],
    ['/usr/bin/bwrap', 'bubblewrap'],
  ].filter(([f]) => !existsSync(f!));
  if (missing.length)
    throw new Error(`missing ${missing.map((m) => m[1]).join(', ')}: run bash test/setup/install-tools.sh`);
}

export async function startStage(options: StageOptions = {}): Promise<Stage> {
  checkTools();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-stage-'));
  const closers: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const kube = await startKubeServer({
      readyDelayMs: options.readyDelayMs ?? 20,
      namespaceTerminationDelayMs: 50,
      execSandbox: {
        binds: [{ host: CODEX_MODULES, pod: '/opt/codex/node_modules', readOnly: true }],
        env: { PATH: '/opt/codex/node_modules/.bin:/usr/local/bin:/usr/bin:/bin', HOME: '/root' },
      },
    });
    closers.unshift(() => kube.close());
    const kubeconfig = kube.writeKubeconfig(dir);
    const gh = await startFakeGitHub();
    closers.unshift(() => gh.close());
    const modelTimes: number[] = [];
    let current: ModelStep[] | ((req: RecordedRequest) => ModelStep) = [{ kind: 'message', text: 'Nothing to do.' }];
    let answered = 0;
    const model = await startFakeModel((req) => {
      modelTimes.push(Date.now());
      if (typeof current === 'function') return current(req);
      return current[Math.min(answered++, current.length - 1)]!;
    });
    closers.unshift(() => model.close());

    gh.state.addToken(TOKEN, { login: 'github-actions[bot]' });
    gh.state.addRepo({ owner: OWNER, name: 'shop', defaultBranch: 'main' });
    gh.state.setPermission(REPO, MAINTAINER, 'write');
    const bare = path.join(dir, 'shop.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    gh.state.linkGitRemote(REPO, bare);
    const seed = path.join(dir, 'seed');
    seedShop(seed, bare, model.url);
    const { registry } = await seededRegistry(seed, dir, 'ai', {});
    closers.unshift(() => registry.close());

    const counter = kubectlCounter(path.join(dir, 'kubectl-counter'), path.join(TOOLS, 'kubectl'));
    // The runner machine: kubectl on PATH and a kubeconfig, as a self-hosted runner next to the cluster has; the
    // shop's registry address comes from the environment (envOr "SHOP_REGISTRY").
    const machineEnv = {
      PATH: `${counter.binDir}:${TOOLS}`,
      KUBECONFIG: kubeconfig,
      KUBECACHEDIR: path.join(dir, 'kube-cache'),
      SHOP_REGISTRY: registry.host,
    };
    const vars = {
      CODEX_K8S_CODE_ROOT_BASE: '/workspace/slots',
      CODEX_K8S_INSECURE_REGISTRIES: registry.host,
      ...options.vars,
    };
    let runs = 0;
    return {
      dir,
      kube,
      kubeconfig,
      gh,
      model,
      bare,
      modelTimes,
      kubectlCalls: counter.calls,
      script(steps) {
        current = steps;
        answered = 0;
      },
      run(template, event, payload, extra = {}) {
        return runWorkflow({
          workflow: path.join(REPO_ROOT, 'templates', template),
          event,
          payload,
          repository: REPO,
          apiUrl: gh.url,
          serverUrl: 'https://github.example',
          secrets: { GITHUB_TOKEN: TOKEN, OPENAI_API_KEY: MODEL_KEY, ...options.secrets },
          vars,
          machineEnv,
          remotes: { [REPO]: bare },
          workDir: path.join(dir, `run-${++runs}`),
          ...extra,
        });
      },
      clone() {
        const target = mkdtempSync(path.join(dir, 'clone-'));
        execFileSync('git', ['clone', '-q', bare, target]);
        return target;
      },
      async close() {
        for (const c of closers) await c();
      },
    };
  } catch (err) {
    for (const c of closers) await c();
    throw err;
  }
}

/**
 * examples/shop committed as the first commit of `main`, with Codex pointed at the scripted model: `codex.model`
 * becomes `fake-model` and a config block adds the provider (its key is read from OPENAI_API_KEY in the pod).
 */
function seedShop(seed: string, bare: string, modelUrl: string): void {
  mkdirSync(seed, { recursive: true });
  cpSync(path.join(REPO_ROOT, 'examples/shop'), seed, { recursive: true });
  const file = path.join(seed, 'services.yaml');
  const text = readFileSync(file, 'utf8');
  const model = '  model: gpt-5.3-codex\n';
  if (!text.includes(model))
    throw new Error('examples/shop/services.yaml: codex.model is not where the stage expects it');
  const block = [
    '  model: fake-model',
    '  configBlocks:',
    '    - name: local scripted model',
    '      toml: |',
    '        model_provider = "fake"',
    '        [model_providers.fake]',
    '        name = "fake"',
    `        base_url = "${modelUrl}"`,
    '        env_key = "OPENAI_API_KEY"',
    '        wire_api = "responses"',
    '        request_max_retries = 0',
    '        stream_max_retries = 0',
    '',
  ].join('\n');
  writeFileSync(file, text.replace(model, block));
  writeFileSync(path.join(seed, 'README.md'), '# shop\n\nA web shop.\n');
  const git = (...a: string[]) =>
    execFileSync('git', ['-c', 'user.name=Maria', '-c', 'user.email=maria@example.com', ...a], {
      cwd: seed,
      stdio: 'pipe',
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'shop');
  git('push', '-q', bare, 'main');
}
