/** Hooks around apply and destroy, with real bash and the real kubectl against the kube test server. */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { namespaceLabels } from '../../packages/core/src/kube/apply.js';
import { applyWithHooks, destroyWithHooks, type LifecyclePhase } from '../../packages/core/src/hooks/lifecycle.js';
import { HookRunner } from '../../packages/core/src/hooks/runner.js';
import { HookError, type HookEvent } from '../../packages/core/src/hooks/types.js';
import { useKubeServer } from '../kube-server/harness.js';
import { processesIn, waitFor } from '../support/wait-for.js';
import { MANIFESTS, kubectlOf, load, render, writeProject } from './project.js';

const mark = (text: string) =>
  `echo "${text} $CODEX_K8S_HOOK \${CODEX_K8S_HOOK_ITEM:-root}" >> "$CODEX_K8S_PROJECT_ROOT/order.log"`;
const step = (name: string, extra = '') => `        - name: ${name}\n          run: '${mark(name)}'\n${extra}`;

const SERVICES = `project: shop
namespace:
  patterns:
    ai: "{{ .Project }}-dev-{{ .Slot }}"
environments:
  ai: {}
hooks:
  beforeAll:
    - name: secrets
      use: codex.ensure-codex-secrets
    - name: g-before
      run: '${mark('g-before')}'
  afterAll:
    - name: g-after
      run: '${mark('g-after')}'
  beforeDestroy:
    - name: g-before-destroy
      run: '${mark('g-before-destroy')}'
  afterDestroy:
    - name: g-after-destroy
      run: |
        ${mark('g-after-destroy')}
        kubectl get namespace "$CODEX_K8S_NAMESPACE" >/dev/null 2>&1 && echo "namespace still there" >> "$CODEX_K8S_PROJECT_ROOT/order.log" || true
infrastructure:
  - name: namespace
    manifests:
      - path: deploy/namespace.yaml
    hooks:
      beforeApply:
${step('ns-before')}
  - name: disabled
    when: '{{ eq .Env "staging" }}'
    manifests: []
    hooks:
      beforeApply:
${step('disabled-before')}
  - name: postgres
    manifests:
      - path: deploy/postgres.yaml
    hooks:
      afterApply:
${step('pg-after')}
services:
  - name: api
    manifests:
      - path: services/api.yaml
    hooks:
      beforeApply:
        - name: namespace-exists
          run: |
            kubectl get namespace "$CODEX_K8S_NAMESPACE" -o name >> "$CODEX_K8S_PROJECT_ROOT/order.log"
            kubectl -n "$CODEX_K8S_NAMESPACE" get deploy api >/dev/null 2>&1 && echo "api already applied?!" >> "$CODEX_K8S_PROJECT_ROOT/order.log" || true
${step('api-skipped', '          when: \'{{ eq .Env "staging" }}\'\n')}${step('api-before')}
        - name: title
          run: 'echo "title=$ISSUE_TITLE" >> "$CODEX_K8S_PROJECT_ROOT/order.log"'
      afterApply:
        - name: api-ready
          use: kubectl.wait
          with:
            kind: deployment
            name: api
            timeout: 30s
${step('api-after')}
      beforeDestroy:
${step('api-before-destroy')}
      afterDestroy:
${step('api-after-destroy')}
`;

describe('hooks with kubectl', () => {
  const h = useKubeServer({ readyDelayMs: 100, namespaceTerminationDelayMs: 200 });

  it('apply and destroy run every hook point in order, with the context as environment variables', async () => {
    const root = writeProject({ 'services.yaml': SERVICES, ...MANIFESTS });
    // An untrusted value: it reaches the hook as a variable and is never parsed as shell.
    const processEnv = {
      OPENAI_API_KEY: 'sk-test-123',
      ISSUE_TITLE: 'x"; touch pwned; echo "',
      HOME: h.dir,
      PATH: process.env.PATH,
    };
    const stack = load(root, 1, processEnv);
    const { groups } = render(stack);
    const kubectl = kubectlOf(h);
    const events: HookEvent[] = [];
    const phases: LifecyclePhase[] = [];
    const masked: string[] = [];
    const hooks = new HookRunner({
      stack,
      kubectl,
      items: groups,
      processEnv,
      recorder: (e) => events.push(e),
      output: { stdout: () => undefined, stderr: () => undefined },
      maskSecret: (v) => masked.push(v),
    });

    const result = await applyWithHooks({
      kubectl,
      hooks,
      groups,
      apply: {
        namespace: stack.namespace,
        namespaceLabels: namespaceLabels('shop', 'ai', 1),
        retry: { initialDelayMs: 50 },
      },
      wait: { timeoutMs: 20_000 },
      onPhase: (p) => phases.push(p),
    });
    expect(phases).toEqual(['namespace', 'beforeAll', 'beforeApply', 'apply', 'afterApply', 'afterAll', 'wait']);
    expect(result.wait?.ok).toBe(true);
    expect(result.apply.namespace).toEqual({ name: 'shop-dev-1', outcome: 'applied' });
    expect(readFileSync(join(root, 'order.log'), 'utf8').split('\n')).toEqual([
      'g-before beforeAll root',
      'ns-before beforeApply namespace',
      'namespace/shop-dev-1',
      'api-before beforeApply api',
      'title=x"; touch pwned; echo "',
      'pg-after afterApply postgres',
      'api-after afterApply api',
      'g-after afterAll root',
      '',
    ]);
    expect(existsSync(join(root, 'pwned'))).toBe(false);
    expect(result.hooks.filter((s) => s.outcome === 'skipped').map((s) => s.step.name)).toEqual(['api-skipped']);
    expect(events.filter((e) => e.type === 'step-start').map((e) => e.step.name)).not.toContain('disabled-before');
    // The secret step read the process environment and sent the value on stdin only.
    expect(masked).toEqual(['sk-test-123']);
    const secret = h.server.store.get('secret', 'shop-dev-1', 'openai-secret')!;
    expect(Buffer.from(secret.data.OPENAI_API_KEY, 'base64').toString()).toBe('sk-test-123');
    for (const r of h.server.requests) expect(`${r.path}${r.query ?? ''}`).not.toContain('sk-test');

    const destroyed = await destroyWithHooks({
      kubectl,
      hooks,
      destroy: {
        namespace: stack.namespace,
        owner: { project: 'shop' },
        clusterObjects: render(stack).documents.map((d) => d.object),
        namespaceTimeoutMs: 10_000,
      },
    });
    expect(destroyed.destroy.ok).toBe(true);
    expect(readFileSync(join(root, 'order.log'), 'utf8').split('\n').slice(8)).toEqual([
      'g-before-destroy beforeDestroy root',
      'api-before-destroy beforeDestroy api',
      'api-after-destroy afterDestroy api',
      'g-after-destroy afterDestroy root',
      '',
    ]);
    expect(h.server.store.get('ns', undefined, 'shop-dev-1')).toBeUndefined();
  });

  it('a timeout kills the whole step and names it; continueOnError lets the run go on', async () => {
    const services = `project: shop
environments:
  ai: {}
hooks:
  beforeAll:
    - name: flaky
      continueOnError: true
      run: 'echo flaky >> order.log; echo "flaky broke" >&2; exit 3'
    - name: after-flaky
      run: 'echo after-flaky >> order.log'
    - name: slow
      timeout: 1s
      run: |
        echo slow-started >> order.log
        sleep 30
        echo slow-finished >> order.log
    - name: never
      run: 'echo never >> order.log'
`;
    const root = writeProject({ 'services.yaml': services });
    const stack = load(root, 1);
    const warnings: string[] = [];
    const hooks = new HookRunner({
      stack,
      kubectl: kubectlOf(h),
      output: { stdout: () => undefined, stderr: () => undefined },
      log: { warning: (m) => warnings.push(m) },
    });
    const err = (await hooks.runGlobal('beforeAll').catch((e: unknown) => e)) as HookError;
    expect(err).toBeInstanceOf(HookError);
    expect(err.timedOut).toBe(true);
    expect(err.message).toBe(
      'hook step "slow" (hooks.beforeAll[2]) timed out: killed after 1s (its timeout 1s)\n' +
        'Raise its timeout (at hooks.beforeAll[2].timeout) if it needs longer, or find out why it hangs.',
    );
    expect(warnings).toEqual([
      'hook step "flaky" (hooks.beforeAll[0]) failed (continueOnError): exit code 3; last lines of its stderr:\nflaky broke',
    ]);
    // The sleep was killed with its shell (steps run in the project root): once no process is left there, nothing
    // can write after the timeout.
    await waitFor(() => processesIn(root).length === 0, { what: 'the killed step to exit' });
    expect(readFileSync(join(root, 'order.log'), 'utf8')).toBe('flaky\nafter-flaky\nslow-started\n');
  });
});
