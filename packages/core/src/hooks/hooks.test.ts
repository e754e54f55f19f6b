import { describe, expect, it } from '@jest/globals';
import { stackConfigSchema } from '../config/schema.js';
import { FakeRunner } from '../kube/fake-runner.js';
import { Kubectl } from '../kube/kubectl.js';
import { hookEnvironment } from './env.js';
import { HookRunner, type HookRunnerOptions } from './runner.js';
import { selectHookItems } from './select.js';
import { HookError, type HookEvent, type HookStack } from './types.js';

/** A stack whose templates know `{{ .Env }}`, `{{ .Namespace }}` and `{{ eq .Env "x" }}`. */
function fakeStack(config: unknown, env = 'ai'): HookStack {
  const fields: Record<string, string> = { Env: env, Namespace: 'shop-dev-3', Project: 'shop', Slot: '3' };
  return {
    config: stackConfigSchema().parse(config),
    env,
    namespace: 'shop-dev-3',
    slot: 3,
    project: 'shop',
    projectRoot: '/project',
    variables: { envMap: { FROM_ENV_FILE: 'yes', HOME: '/home/x' }, vars: {}, userVars: {} },
    renderField: (_name, text) =>
      text
        .replace(/\{\{\s*eq \.Env "([^"]*)"\s*\}\}/g, (_m, v: string) => String(v === env))
        .replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_m, k: string) => fields[k] ?? '<no value>'),
  };
}

const step = (name: string, extra: Record<string, unknown> = {}) => ({ name, run: `echo ${name}`, ...extra });

const config = {
  project: 'shop',
  hooks: {
    beforeAll: [step('g-before')],
    afterAll: [step('g-after')],
    beforeDestroy: [step('g-before-destroy')],
    afterDestroy: [step('g-after-destroy')],
  },
  infrastructure: [
    { name: 'db', hooks: { beforeApply: [step('db-before')], afterApply: [step('db-after')] } },
    { name: 'off', when: '{{ eq .Env "staging" }}', hooks: { beforeApply: [step('off-before')] } },
    { name: 'cache', hooks: { beforeApply: [step('cache-before')] } },
  ],
  services: [
    {
      name: 'api',
      hooks: {
        beforeApply: [
          step('api-1'),
          step('api-skip', { when: '{{ eq .Env "staging" }}' }),
          step('api-blank-when', { when: '  ' }),
          { name: 'nothing' },
          step('api-2'),
        ],
        afterApply: [step('api-after')],
      },
    },
    { name: 'web', hooks: { beforeApply: [step('web-before')] } },
  ],
};

function harness(options: Partial<HookRunnerOptions> = {}, cfg: unknown = config) {
  const runner = new FakeRunner();
  const events: HookEvent[] = [];
  const order = () =>
    events.filter((e) => e.type === 'step-end').map((e) => `${e.step.name}:${e.type === 'step-end' ? e.outcome : ''}`);
  const warnings: string[] = [];
  const hooks = new HookRunner({
    stack: fakeStack(cfg),
    runner,
    recorder: (e) => events.push(e),
    output: { stdout: () => undefined, stderr: () => undefined },
    log: { warning: (m) => warnings.push(m) },
    processEnv: { PATH: '/usr/bin:/bin', SECRET_FROM_CI: 'ci' },
    ...options,
  });
  return { runner, hooks, events, order, warnings };
}

describe('hook selection', () => {
  it('items run only when enabled and selected (the predecessor ignored both for infra)', () => {
    const stack = fakeStack(config);
    expect(selectHookItems(stack).map((i) => `${i.type}:${i.name}`)).toEqual([
      'infra:db',
      'infra:cache',
      'service:api',
      'service:web',
    ]);
    expect(selectHookItems(stack, { onlyServices: ['api'] }).map((i) => i.name)).toEqual(['api']);
    expect(selectHookItems(stack, { skipInfra: ['cache'], skipServices: ['web'] }).map((i) => i.name)).toEqual([
      'db',
      'api',
    ]);
  });
});

describe('hook runner', () => {
  it('runs every point in order; when false skips; blank when is true; empty steps are skipped', async () => {
    const { hooks, order, runner } = harness();
    await hooks.runGlobal('beforeAll');
    await hooks.runItems('beforeApply');
    await hooks.runItems('afterApply');
    await hooks.runGlobal('afterAll');
    expect(order()).toEqual([
      'g-before:ok',
      'db-before:ok',
      'cache-before:ok',
      'api-1:ok',
      'api-skip:skipped',
      'api-blank-when:ok',
      'nothing:skipped',
      'api-2:ok',
      'web-before:ok',
      'db-after:ok',
      'api-after:ok',
      'g-after:ok',
    ]);
    expect(runner.calls[0].command).toBe('bash');
    expect(runner.calls[0].args).toEqual(['-c', 'echo g-before']);
    expect(runner.calls[0].options.cwd).toBe('/project');
    expect(runner.calls[0].options.killTree).toBe(true);
  });

  it('item hooks follow the filters; destroy points have their own lists', async () => {
    const { hooks, order } = harness({ filters: { onlyServices: ['web'] } });
    await hooks.runItems('beforeApply');
    await hooks.runGlobal('beforeDestroy');
    await hooks.runGlobal('afterDestroy');
    expect(order()).toEqual(['web-before:ok', 'g-before-destroy:ok', 'g-after-destroy:ok']);
  });

  it('the context reaches run steps as environment variables', async () => {
    const kubectl = new Kubectl(new FakeRunner(), { binary: '/opt/kube/bin/kubectl', kubeconfig: '/tmp/kc' });
    const { hooks, runner } = harness({ kubectl });
    await hooks.runItem('beforeApply', { type: 'service', name: 'web' });
    const env = runner.calls[0].options.env!;
    expect(env).toMatchObject({
      CODEX_K8S_ENV: 'ai',
      CODEX_K8S_NAMESPACE: 'shop-dev-3',
      CODEX_K8S_SLOT: '3',
      CODEX_K8S_PROJECT: 'shop',
      CODEX_K8S_PROJECT_ROOT: '/project',
      CODEX_K8S_HOOK: 'beforeApply',
      CODEX_K8S_HOOK_ITEM: 'web',
      CODEX_K8S_HOOK_ITEM_TYPE: 'service',
      FROM_ENV_FILE: 'yes',
      SECRET_FROM_CI: 'ci',
      KUBECONFIG: '/tmp/kc',
      PATH: '/opt/kube/bin:/usr/bin:/bin',
    });
    expect(hookEnvironment(fakeStack(config), { processEnv: {} }).PATH).toBeUndefined();
  });

  it('the run text is a template; values a hook needs are there as variables too', async () => {
    const { hooks, runner } = harness(
      {},
      { project: 'shop', hooks: { beforeAll: [{ run: 'kubectl -n "{{ .Namespace }}" get pods\n' }] } },
    );
    await hooks.runGlobal('beforeAll');
    expect(runner.calls[0].args).toEqual(['-c', 'kubectl -n "shop-dev-3" get pods']);
  });

  it('a failing step stops the run with an error naming it; continueOnError goes on with a warning', async () => {
    const cfg = {
      project: 'shop',
      hooks: { beforeAll: [step('first'), step('soft', { continueOnError: 'true' }), step('hard'), step('never')] },
    };
    const { hooks, runner, order, warnings } = harness({}, cfg);
    runner
      .on('echo soft', { code: 3 })
      .on('echo hard', { code: 2, stderr: 'line 1\nmigration failed: table exists\n' });
    const err = (await hooks.runGlobal('beforeAll').catch((e: unknown) => e)) as HookError;
    expect(err).toBeInstanceOf(HookError);
    expect(err.message).toBe(
      'hook step "hard" (hooks.beforeAll[2]) failed: exit code 2; last lines of its stderr:\nline 1\nmigration failed: table exists\n' +
        'Fix the step at hooks.beforeAll[2], or set continueOnError: true on it to let the run go on.',
    );
    expect(order()).toEqual(['first:ok', 'soft:continued', 'hard:failed']);
    expect(warnings).toEqual(['hook step "soft" (hooks.beforeAll[1]) failed (continueOnError): exit code 3']);
  });

  it('a run step killed by its timeout says which timeout fired', async () => {
    const cfg = {
      project: 'shop',
      services: [{ name: 'api', hooks: { afterApply: [step('slow', { timeout: '90s' })] } }],
    };
    const { hooks, runner } = harness({}, cfg);
    runner.on('echo slow', { code: 143, timedOut: true });
    await expect(hooks.runItems('afterApply')).rejects.toThrow(
      'hook step "slow" (service api afterApply[0]) timed out: killed after 1m30s (its timeout 90s)\nRaise its timeout (at services[0].hooks.afterApply[0].timeout) if it needs longer',
    );
    expect(runner.calls[0].options.timeoutMs).toBe(90_000);
  });

  it("a bad timeout is the step's error", async () => {
    const { hooks } = harness({}, { project: 'shop', hooks: { beforeAll: [step('x', { timeout: '10 minutes' })] } });
    await expect(hooks.runGlobal('beforeAll')).rejects.toThrow(
      /hook step "x" \(hooks.beforeAll\[0\]\) failed: invalid duration "10 minutes": hooks.beforeAll\[0\].timeout: /,
    );
  });

  it('a use step that outlives its timeout is stopped', async () => {
    const cfg = {
      project: 'shop',
      hooks: { beforeAll: [{ name: 'nap', use: 'sleep', with: { duration: '10s' }, timeout: '50ms' }] },
    };
    const { hooks } = harness({}, cfg);
    await expect(hooks.runGlobal('beforeAll')).rejects.toThrow(
      /hook step "nap" \(hooks.beforeAll\[0\]\) timed out: stopped after 50ms \(its timeout 50ms\)/,
    );
  });

  it('unknown use names the step and lists the built-ins', async () => {
    const { hooks } = harness({}, { project: 'shop', hooks: { afterAll: [{ use: 'kubectl.waitt' }] } });
    await expect(hooks.runGlobal('afterAll')).rejects.toThrow(
      /hook step "kubectl.waitt" \(hooks.afterAll\[0\]\) failed: unknown use: "kubectl.waitt" \(built-in steps: codex.ensure-codex-secrets, codex.reuse-dev-tls-secret, github.comment, kubectl.wait, preflight, sleep\)/,
    );
  });

  it('github.comment is an explicit error', async () => {
    const { hooks } = harness(
      {},
      { project: 'shop', hooks: { afterAll: [{ use: 'github.comment', with: { body: 'hi' } }] } },
    );
    await expect(hooks.runGlobal('afterAll')).rejects.toThrow(/not supported here: the status comment/);
  });
});

describe('built-in steps', () => {
  it('kubectl.wait: defaults (Available, 1200s, the stack namespace), rendered with values', async () => {
    const kr = new FakeRunner();
    const kubectl = new Kubectl(kr, { binary: 'kubectl' });
    const cfg = {
      project: 'shop',
      hooks: {
        beforeAll: [
          { use: 'kubectl.wait', with: { kind: 'deployment', name: '{{ .Project }}-api' } },
          {
            use: 'kubectl.wait',
            with: { kind: 'job', name: 'm', namespace: 'other', condition: 'Complete', timeout: '5m' },
          },
          { use: 'kubectl.wait', with: { kind: 'deployment', name: 7 } },
        ],
      },
    };
    const { hooks } = harness({ kubectl }, cfg);
    await expect(hooks.runGlobal('beforeAll')).rejects.toThrow(
      /hooks.beforeAll\[2\]\) failed: with.name is required \(a string\)/,
    );
    expect(kr.commands).toEqual([
      'wait --for=condition=Available -n shop-dev-3 --timeout=1200s -- deployment/shop-api',
      'wait --for=condition=Complete -n other --timeout=300s -- job/m',
    ]);
  });

  it('kubectl.wait: values go after --, so a kind starting with "-" is never a flag', async () => {
    const kr = new FakeRunner();
    const cfg = {
      project: 'shop',
      hooks: { beforeAll: [{ use: 'kubectl.wait', with: { kind: '--all-namespaces=true,deployment', name: 'x' } }] },
    };
    const { hooks } = harness({ kubectl: new Kubectl(kr, { binary: 'kubectl' }) }, cfg);
    await hooks.runGlobal('beforeAll');
    expect(kr.calls[0].args.slice(-2)).toEqual(['--', '--all-namespaces=true,deployment/x']);
  });

  it("kubectl.wait failure carries kubectl's words", async () => {
    const kr = new FakeRunner().on('wait', {
      code: 1,
      stderr: 'error: timed out waiting for the condition on deployments/api\n',
    });
    const { hooks } = harness(
      { kubectl: new Kubectl(kr, { binary: 'kubectl' }) },
      {
        project: 'shop',
        hooks: { afterAll: [{ use: 'kubectl.wait', with: { kind: 'deploy', name: 'api', timeout: '1s' } }] },
      },
    );
    await expect(hooks.runGlobal('afterAll')).rejects.toThrow(
      /deploy\/api in shop-dev-3 did not reach condition Available: error: timed out waiting for the condition/,
    );
  });

  it('ensure-codex-secrets: process environment only, values on stdin, masked, never in argv', async () => {
    const kr = new FakeRunner();
    const masked: string[] = [];
    const warnings: string[] = [];
    const stack = fakeStack({ project: 'shop', hooks: { beforeAll: [{ use: 'codex.ensure-codex-secrets' }] } });
    // A committed envFile value must not be used.
    stack.variables.envMap.CONTEXT7_API_KEY = 'from-env-file';
    const hooks = new HookRunner({
      stack,
      kubectl: new Kubectl(kr, { binary: 'kubectl' }),
      processEnv: { OPENAI_API_KEY: 'sk-live-123' },
      maskSecret: (v) => masked.push(v),
      log: { warning: (m) => warnings.push(m) },
    });
    await hooks.runGlobal('beforeAll');
    expect(kr.commands).toEqual(['apply --server-side --field-manager=codex-k8s --force-conflicts -f -']);
    expect(kr.commands.join(' ')).not.toContain('sk-live');
    const input = kr.calls[0].options.input!;
    expect(input).toContain('"name":"openai-secret"');
    expect(input).toContain(`"OPENAI_API_KEY":"${Buffer.from('sk-live-123').toString('base64')}"`);
    expect(input).not.toContain('context7-secret');
    expect(masked).toEqual(['sk-live-123']);
    expect(warnings).toEqual([
      'codex.ensure-codex-secrets: CODEXCTL_GH_PAT is not set; Secret github-secret not created',
    ]);
  });

  it('reuse-dev-tls-secret: staging → slot, wait, slot → staging; problems are warnings', async () => {
    const tls = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: {
        name: 'shop-dev-3-tls',
        namespace: 'shop-ai-staging',
        uid: 'u',
        resourceVersion: '9',
        annotations: { a: 'b' },
        labels: { l: 'v' },
      },
      data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5' },
    };
    const kr = new FakeRunner()
      .on('get secret -n shop-ai-staging -o json --ignore-not-found -- shop-dev-3-tls', { stdout: JSON.stringify(tls) })
      .on('get secret -n shop-dev-3 -o json --ignore-not-found -- shop-dev-3-tls', { stdout: '' }, 1)
      .on('get secret -n shop-dev-3 -o json --ignore-not-found -- shop-dev-3-tls', {
        stdout: JSON.stringify({ ...tls, metadata: { ...tls.metadata, namespace: 'shop-dev-3' } }),
      });
    const warnings: string[] = [];
    const hooks = new HookRunner({
      stack: fakeStack({ project: 'shop', hooks: { afterAll: [{ use: 'codex.reuse-dev-tls-secret' }] } }),
      kubectl: new Kubectl(kr, { binary: 'kubectl' }),
      sleep: async () => undefined,
      log: { warning: (m) => warnings.push(m) },
    });
    await hooks.runGlobal('afterAll');
    expect(kr.commands).toEqual([
      'get secret -n shop-ai-staging -o json --ignore-not-found -- shop-dev-3-tls',
      'apply --server-side --field-manager=codex-k8s --force-conflicts -f -',
      'get secret -n shop-dev-3 -o json --ignore-not-found -- shop-dev-3-tls',
      'get secret -n shop-dev-3 -o json --ignore-not-found -- shop-dev-3-tls',
      'apply --server-side --field-manager=codex-k8s --force-conflicts -f -',
    ]);
    const copied = JSON.parse(kr.calls[1].options.input!.trim());
    expect(copied).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'shop-dev-3-tls', namespace: 'shop-dev-3', labels: { l: 'v' } },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5' },
    });
    expect(JSON.parse(kr.calls[4].options.input!.trim()).metadata.namespace).toBe('shop-ai-staging');
    expect(warnings).toEqual([]);

    const broken = new FakeRunner().on('get secret', { code: 1, stderr: 'Error from server (Forbidden): nope' });
    const soft = new HookRunner({
      stack: fakeStack({
        project: 'shop',
        hooks: { afterAll: [{ use: 'codex.reuse-dev-tls-secret', with: { stagingNamespace: 'stg' } }] },
      }),
      kubectl: new Kubectl(broken, { binary: 'kubectl' }),
      sleep: async () => undefined,
      tlsSecretPoll: { attempts: 2, intervalMs: 1 },
      log: { warning: (m) => warnings.push(m) },
    });
    await soft.runGlobal('afterAll');
    expect(warnings).toEqual([
      'codex.reuse-dev-tls-secret: cannot copy Secret shop-dev-3-tls from stg: Error from server (Forbidden): nope',
      'codex.reuse-dev-tls-secret: cannot read Secret shop-dev-3-tls in shop-dev-3: Error from server (Forbidden): nope',
      'codex.reuse-dev-tls-secret: cannot read Secret shop-dev-3-tls in shop-dev-3: Error from server (Forbidden): nope',
      'codex.reuse-dev-tls-secret: Secret shop-dev-3-tls did not appear in shop-dev-3; staging keeps what it had',
    ]);
  });

  it("preflight checks the run's kubectl and bash", async () => {
    const ok = harness(
      { kubectl: new Kubectl(new FakeRunner(), { binary: process.execPath }), processEnv: { PATH: process.env.PATH } },
      { project: 'shop', hooks: { beforeAll: [{ use: 'preflight' }] } },
    );
    await ok.hooks.runGlobal('beforeAll');
    const missing = harness(
      {
        kubectl: new Kubectl(new FakeRunner(), { binary: '/nonexistent/kubectl' }),
        processEnv: { PATH: '/nonexistent' },
      },
      { project: 'shop', hooks: { beforeAll: [{ use: 'preflight' }] } },
    );
    await expect(missing.hooks.runGlobal('beforeAll')).rejects.toThrow(
      /required tools missing: kubectl \(\/nonexistent\/kubectl\), bash/,
    );
  });
});
