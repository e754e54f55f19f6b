import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../objects/object.js';
import { codeBlock, eventsFor, formatDiagnostics, type WaitFailure } from './diagnostics.js';
import { FakeRunner } from './fake-runner.js';
import { Kubectl } from './kubectl.js';
import { WaitError, assertReady, classifyWaitError, waitArgs, waitFor, waitTargets } from './wait.js';

const deploy = (name: string, ns = 'app'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: { selector: { matchLabels: { app: name, tier: 'web' } } },
});
const objects: KubeObject[] = [
  deploy('api'),
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'app' },
    spec: { selector: { matchLabels: { app: 'db' } } },
  },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: {} },
  { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'app' }, spec: {} },
  { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'later', namespace: 'app' }, spec: { suspend: true } },
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'manual', namespace: 'app' },
    spec: { updateStrategy: { type: 'OnDelete' } },
  },
  { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'app' }, spec: {} },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'app' } },
  { apiVersion: 'example.com/v1', kind: 'Deployment', metadata: { name: 'not-apps', namespace: 'app' } },
];

const kubectlWith = (runner: FakeRunner) => new Kubectl(runner, { binary: 'kubectl' });

/** A Job as `kubectl wait -o json` prints it once its first condition is there. */
const jobWith = (...conditions: { type: string; status?: string; reason?: string; message?: string }[]) =>
  JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'migrate', namespace: 'app' },
    status: { conditions: conditions.map((c) => ({ status: 'True', ...c })) },
  });
const JOB_WAIT = 'wait --for=jsonpath={.status.conditions[0].type} job.batch/migrate';

describe('wait targets', () => {
  it('rollout for apps workloads, complete for Jobs, nothing for CronJobs and other groups', () => {
    const t = waitTargets(objects);
    expect(t.map((x) => [x.ref.kind, x.ref.name, x.mode, x.selector])).toEqual([
      ['Deployment', 'api', 'rollout', 'app=api,tier=web'],
      ['StatefulSet', 'db', 'rollout', 'app=db'],
      ['DaemonSet', 'agent', 'rollout', undefined],
      ['Job', 'migrate', 'complete', 'job-name=migrate'],
    ]);
    expect(waitArgs(t[0], 600_000)).toEqual([
      'rollout',
      'status',
      'deployment.apps/api',
      '-n',
      'app',
      '--timeout=600s',
    ]);
    expect(waitArgs(t[2], 1500)).toEqual(['rollout', 'status', 'daemonset.apps/agent', '--timeout=2s']);
    expect(waitArgs(t[3], 60_000)).toEqual([
      'wait',
      '--for=jsonpath={.status.conditions[0].type}',
      'job.batch/migrate',
      '-n',
      'app',
      '--timeout=60s',
      '-o',
      'json',
    ]);
    expect(waitArgs(t[3], 60_000, true)).toEqual([
      'wait',
      '--for=condition=complete',
      'job.batch/migrate',
      '-n',
      'app',
      '--timeout=60s',
    ]);
  });
});

describe('waitFor', () => {
  it('all ready: one call per workload, nothing else', async () => {
    const runner = new FakeRunner().on(JOB_WAIT, {
      stdout: jobWith({ type: 'SuccessCriteriaMet' }, { type: 'Complete' }),
    });
    const kubectl = kubectlWith(runner);
    const r = await waitFor(kubectl, waitTargets(objects), { timeoutMs: 5000 });
    expect(r.ok).toBe(true);
    expect(r.message).toBe('');
    expect(r.ready.map((x) => x.name)).toEqual(['api', 'db', 'agent', 'migrate']);
    expect(r.invocations).toBe(4);
  });

  it('a failure brings describe, pod describe, events and logs, and one message naming the objects', async () => {
    const events = {
      items: [
        {
          type: 'Normal',
          reason: 'ScalingReplicaSet',
          message: 'Scaled up',
          lastTimestamp: '2026-01-01T00:00:01Z',
          involvedObject: { kind: 'Deployment', name: 'api' },
        },
        {
          type: 'Warning',
          reason: 'BackOff',
          message: 'Back-off restarting failed container',
          count: 4,
          lastTimestamp: '2026-01-01T00:00:03Z',
          involvedObject: { kind: 'Pod', name: 'api-7d9f-x2k' },
        },
        {
          type: 'Normal',
          reason: 'Pulled',
          message: 'other',
          lastTimestamp: '2026-01-01T00:00:02Z',
          involvedObject: { kind: 'Pod', name: 'apiserver-1' },
        },
      ],
    };
    const runner = new FakeRunner()
      .on('rollout status deployment.apps/api', {
        code: 1,
        stderr: 'error: deployment "api" exceeded its progress deadline\n',
      })
      .on(JOB_WAIT, {
        code: 1,
        stderr: 'error: timed out waiting for the condition on jobs/migrate\n',
      })
      .on('describe -n app deployment.apps/api', { stdout: 'Name: api\nReplicas: 1 desired | 0 available\n' })
      .on('describe -n app pods -l app=api,tier=web', { stdout: 'State: Waiting\n  Reason: CrashLoopBackOff\n' })
      .on('get events -n app -o json', { stdout: JSON.stringify(events) })
      .on('logs -n app -l app=api,tier=web', { stdout: '[pod/api-7d9f-x2k/main] panic: no database\n' })
      .on('describe -n app job.batch/migrate', { code: 1, stderr: 'Error from server (Forbidden): nope' });
    const kubectl = kubectlWith(runner);
    const r = await waitFor(kubectl, waitTargets(objects), { timeoutMs: 5000 });
    expect(r.ok).toBe(false);
    expect(r.ready.map((x) => x.name)).toEqual(['db', 'agent']);
    expect(r.failures.map((f) => [f.object.name, f.reason, f.message])).toEqual([
      ['api', 'progress-deadline', 'deployment "api" exceeded its progress deadline'],
      ['migrate', 'timeout', 'timed out waiting for the condition on jobs/migrate'],
    ]);
    const api = r.failures[0];
    expect(api.describe).toContain('0 available');
    expect(api.pods).toContain('CrashLoopBackOff');
    expect(api.events.split('\n')).toEqual([
      '2026-01-01T00:00:01Z  Normal  ScalingReplicaSet  deployment/api: Scaled up',
      '2026-01-01T00:00:03Z  Warning  BackOff  pod/api-7d9f-x2k: Back-off restarting failed container (x4)',
    ]);
    expect(api.logs).toContain('panic: no database');
    expect(r.failures[1].describe).toMatch(/\(kubectl describe failed: Error from server \(Forbidden\): nope\)/);
    expect(r.message).toBe(
      '2 workloads are not ready: Deployment app/api (exceeded its progress deadline), Job app/migrate (timed out). ' +
        "Deployment app/api: a container keeps crashing (CrashLoopBackOff): read the pod's logs for the error; a longer wait-timeout will not help. " +
        'Job app/migrate: it is still in progress: if it only needs more time, raise wait-timeout; else its events and logs show what it waits for. ' +
        'The describe output, events and pod logs of each are printed above.',
    );
    // 4 waits + events once for the namespace + (describe, pods, logs) x 2 failures
    expect(r.invocations).toBe(4 + 1 + 3 + 3);
    expect(() => assertReady(r)).toThrow(WaitError);
  });

  it('retries a wait that hit a transient API error while time is left', async () => {
    const runner = new FakeRunner().on(
      'rollout status',
      { code: 1, stderr: 'Error from server (ServiceUnavailable): busy' },
      2,
    );
    const r = await waitFor(kubectlWith(runner), waitTargets([deploy('api')]), {
      timeoutMs: 60_000,
      sleep: async () => undefined,
    });
    expect(r.ok).toBe(true);
    expect(runner.calls).toHaveLength(3);
  });
});

describe('diagnostics text', () => {
  const failure: WaitFailure = {
    object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'app' },
    reason: 'timeout',
    message: 'timed out waiting for the condition',
    describe: 'Name: api',
    pods: '',
    events: 'Warning BackOff pod/api-1: <boom>',
    logs: 'line with ``` fence',
  };

  it('text for a log group', () => {
    expect(formatDiagnostics([failure])).toBe(
      '=== Deployment app/api: timed out: timed out waiting for the condition\n--- describe Deployment app/api ---\nName: api\n' +
        '--- events ---\nWarning BackOff pod/api-1: <boom>\n--- logs (last lines of each container) ---\nline with ``` fence',
    );
  });

  it('Markdown with collapsed blocks that logs cannot break out of', () => {
    const md = formatDiagnostics([failure], 'markdown');
    expect(md).toContain('#### Deployment app/api: timed out');
    expect(md).toContain('<details><summary>describe Deployment app/api</summary>');
    expect(md).toContain(
      '<details><summary>events</summary>\n\n```text\nWarning BackOff pod/api-1: <boom>\n```\n\n</details>',
    );
    expect(md).toContain('````text\nline with ``` fence\n````');
    expect(md).not.toContain('<summary>pods</summary>');
    expect(codeBlock('a')).toBe('```text\na\n```');
  });

  it('events of the object and of what it owns by name, oldest first, bounded', () => {
    const items = Array.from({ length: 5 }, (_, i) => ({
      reason: `R${i}`,
      lastTimestamp: `2026-01-01T00:00:0${i}Z`,
      involvedObject: { kind: 'Pod', name: `web-${i}` },
    }));
    expect(eventsFor(items, 'web', 2)).toBe(
      '2026-01-01T00:00:03Z    R3  pod/web-3: \n2026-01-01T00:00:04Z    R4  pod/web-4: ',
    );
    expect(eventsFor(items, 'api', 2)).toBe('(no events)');
  });
});

describe('waitFor: limits, retries, concurrency, diagnostics', () => {
  const busy = { code: 1, stderr: 'Error from server (ServiceUnavailable): busy\n' };
  const crashing = { code: 1, stderr: 'error: deployment "api" exceeded its progress deadline\n' };

  it('only a batch Job is waited for', () => {
    const other = { apiVersion: 'example.com/v1', kind: 'Job', metadata: { name: 'j', namespace: 'app' }, spec: {} };
    expect(waitTargets([other])).toEqual([]);
  });

  it('kubectl gets the whole limit as --timeout, and some more as its own limit; 10 minutes by default', async () => {
    const runner = new FakeRunner();
    await waitFor(kubectlWith(runner), waitTargets([deploy('api')]), { timeoutMs: 60_000 });
    expect(runner.commands).toEqual(['rollout status deployment.apps/api -n app --timeout=60s']);
    expect(runner.calls[0].options.timeoutMs).toBeGreaterThan(89_000);
    expect(runner.calls[0].options.timeoutMs).toBeLessThanOrEqual(90_000);
    const defaults = new FakeRunner();
    await waitFor(kubectlWith(defaults), waitTargets([deploy('api')]));
    expect(defaults.commands).toEqual(['rollout status deployment.apps/api -n app --timeout=600s']);
  });

  it('transient errors are retried with a growing pause, capped at 10 s, through the sleep given', async () => {
    const runner = new FakeRunner().on('rollout status', busy, 5);
    const slept: number[] = [];
    const r = await waitFor(kubectlWith(runner), waitTargets([deploy('api')]), {
      timeoutMs: 120_000,
      sleep: async (ms) => void slept.push(ms),
    });
    expect(r.ok).toBe(true);
    expect(slept).toEqual([1000, 2000, 4000, 8000, 10_000]);
  });

  it('a transient error is not retried past the limit: it fails the wait', async () => {
    const runner = new FakeRunner().on('rollout status', busy);
    const slept: number[] = [];
    const r = await waitFor(kubectlWith(runner), waitTargets([deploy('api')]), {
      timeoutMs: 2500,
      diagnostics: false,
      sleep: async (ms) => void slept.push(ms),
    });
    expect(slept).toEqual([1000, 2000]);
    expect(runner.calls).toHaveLength(3);
    expect(r.failures.map((f) => [f.reason, f.message])).toEqual([
      ['error', 'Error from server (ServiceUnavailable): busy'],
    ]);
  });

  it('runs at most `concurrency` waits at once, 4 by default', async () => {
    const peak = async (concurrency?: number) => {
      let running = 0;
      let max = 0;
      const runner = new FakeRunner().on('rollout status', async () => {
        running++;
        max = Math.max(max, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return {};
      });
      const targets = waitTargets(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => deploy(n)));
      const r = await waitFor(kubectlWith(runner), targets, { concurrency, timeoutMs: 5000 });
      expect(r.ready).toHaveLength(6);
      return max;
    };
    expect(await peak(2)).toBe(2);
    expect(await peak()).toBe(4);
  });

  it('without diagnostics, nothing more is asked; diagnostics options are passed on', async () => {
    const runner = new FakeRunner().on('rollout status', crashing);
    const r = await waitFor(kubectlWith(runner), waitTargets([deploy('api')]), { diagnostics: false, timeoutMs: 5000 });
    expect(runner.calls).toHaveLength(1);
    expect(r.failures).toEqual([
      {
        object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'app' },
        reason: 'progress-deadline',
        message: 'deployment "api" exceeded its progress deadline',
        describe: '',
        pods: '',
        events: '',
        logs: '',
      },
    ]);
    expect(r.invocations).toBe(1);

    const noPods = new FakeRunner().on('rollout status', crashing);
    await waitFor(kubectlWith(noPods), waitTargets([deploy('api')]), {
      diagnostics: { describePods: false },
      timeoutMs: 5000,
    });
    expect(noPods.commands.filter((c) => c.includes('describe'))).toEqual(['describe -n app deployment.apps/api']);
  });

  it('events tell how long each wait took; invocations count only this wait', async () => {
    const runner = new FakeRunner();
    const kubectl = kubectlWith(runner);
    await kubectl.run(['version']);
    const took: number[] = [];
    const seen: string[] = [];
    const r = await waitFor(kubectl, waitTargets([deploy('api')]), {
      onEvent: (e) => {
        seen.push(`${e.type} ${e.target.ref.name}`);
        if (e.type === 'ready') took.push(e.durationMs);
      },
    });
    expect(seen).toEqual(['start api', 'ready api']);
    expect(took).toHaveLength(1);
    expect(took[0]).toBeGreaterThanOrEqual(0);
    expect(took[0]).toBeLessThan(5000);
    expect(r.durationMs).toBeLessThan(5000);
    expect(r.invocations).toBe(1);
  });

  it('assertReady passes a ready result', async () => {
    const r = await waitFor(kubectlWith(new FakeRunner()), waitTargets([deploy('api')]));
    expect(() => assertReady(r)).not.toThrow();
  });

  it('classifies wait errors', () => {
    expect(classifyWaitError('error: timed out waiting for the condition on deployments/api')).toBe('timeout');
    expect(classifyWaitError('Error from server (NotFound): deployments.apps "api" not found')).toBe('not-found');
    expect(classifyWaitError('error: watch closed before UntilWithoutRetry timeout')).toBe('error');
  });
});
