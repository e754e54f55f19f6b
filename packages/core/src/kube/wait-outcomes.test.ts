import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../objects/object.js';
import {
  collectDiagnostics,
  eventsFor,
  formatDiagnostics,
  maskText,
  waitFailureMessage,
  type WaitFailure,
} from './diagnostics.js';
import { FakeRunner } from './fake-runner.js';
import { Kubectl } from './kubectl.js';
import { secretValues } from './secrets.js';
import { jobOutcome, waitFor, waitTargets } from './wait.js';
import { waitCause, waitHint } from './wait-hints.js';

const kubectlWith = (runner: FakeRunner) => new Kubectl(runner, { binary: 'kubectl' });
const job = (name: string): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'app' },
  spec: {},
});
const jobStatus = (...conditions: Record<string, string>[]) =>
  JSON.stringify({ kind: 'Job', status: { conditions: conditions.map((c) => ({ status: 'True', ...c })) } });

describe('Job outcome', () => {
  it('Complete or SuccessCriteriaMet is done, Failed or FailureTarget failed with its reason, anything else pending', () => {
    expect(jobOutcome({ status: { conditions: [{ type: 'Complete', status: 'True' }] } })).toEqual({
      state: 'complete',
    });
    expect(jobOutcome({ status: { conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }] } })).toEqual({
      state: 'complete',
    });
    expect(
      jobOutcome({
        status: {
          conditions: [
            { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'backoff limit' },
          ],
        },
      }),
    ).toEqual({ state: 'failed', message: 'job failed: BackoffLimitExceeded: backoff limit' });
    expect(jobOutcome({ status: { conditions: [{ type: 'Failed', status: 'True' }] } })).toEqual({
      state: 'failed',
      message: 'job failed',
    });
    expect(jobOutcome({ status: { conditions: [{ type: 'Suspended', status: 'True' }] } })).toEqual({
      state: 'pending',
    });
    expect(jobOutcome({ status: { conditions: [{ type: 'Failed', status: 'False' }] } })).toEqual({ state: 'pending' });
    expect(jobOutcome(undefined)).toEqual({ state: 'pending' });
  });

  it('a failed Job fails its wait at once, named, without waiting for Complete', async () => {
    const runner = new FakeRunner().on('wait --for=jsonpath', {
      stdout: jobStatus({
        type: 'Failed',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      }),
    });
    const r = await waitFor(kubectlWith(runner), waitTargets([job('migrate')]), {
      timeoutMs: 600_000,
      diagnostics: false,
    });
    expect(r.ok).toBe(false);
    expect(r.failures.map((f) => [f.object.name, f.reason, f.message])).toEqual([
      ['migrate', 'failed', 'job failed: BackoffLimitExceeded: Job has reached the specified backoff limit'],
    ]);
    expect(r.message).toMatch(
      /^a workload is not ready: Job app\/migrate \(failed\)\. Job app\/migrate: the Job failed: /,
    );
    expect(runner.commands.filter((c) => c.includes('condition=complete'))).toEqual([]);
  });

  it('a Job whose first condition decides nothing is followed by the plain wait for Complete', async () => {
    const runner = new FakeRunner().on('wait --for=jsonpath', { stdout: jobStatus({ type: 'Suspended' }) });
    const r = await waitFor(kubectlWith(runner), waitTargets([job('later')]), { timeoutMs: 60_000 });
    expect(r.ok).toBe(true);
    expect(runner.commands.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual([
      'wait --for=jsonpath={.status.conditions[0].type}',
      'wait --for=condition=complete',
    ]);
  });
});

describe('wait hints', () => {
  const base: WaitFailure = {
    object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'app' },
    reason: 'timeout',
    message: 'timed out waiting for the condition',
    describe: '',
    pods: '',
    events: '',
    logs: '',
  };
  const cases: [Partial<WaitFailure>, ReturnType<typeof waitCause>][] = [
    [{ pods: '    State:  Waiting\n      Reason:  ImagePullBackOff' }, 'image-pull'],
    [{ events: 'Warning  Failed  pod/api-1: Failed to pull image "shop/api:nope": not found' }, 'image-pull'],
    [{ pods: '      Reason:  ErrImagePull' }, 'image-pull'],
    [{ pods: '      Reason:  CrashLoopBackOff' }, 'crash-loop'],
    [
      { reason: 'progress-deadline', events: 'Warning BackOff pod/api-1: Back-off restarting failed container' },
      'crash-loop',
    ],
    [{ reason: 'failed', message: 'job failed: BackoffLimitExceeded' }, 'job-failed'],
    [{ events: 'Warning  FailedScheduling  pod/api-1: 0/3 nodes are available: 3 Insufficient cpu.' }, 'unschedulable'],
    [{ pods: 'Conditions:\n  PodScheduled  False\nReason: Unschedulable' }, 'unschedulable'],
    [{ reason: 'progress-deadline' }, 'progress-deadline'],
    [{ reason: 'not-found' }, 'not-found'],
    [{ reason: 'error' }, 'error'],
    [{ pods: '    State:  Running\n    Ready:  False' }, 'slow'],
  ];
  it.each(cases)('%j is %s', (over, cause) => {
    expect(waitCause({ ...base, ...over })).toBe(cause);
  });

  it('only a plain timeout suggests a longer wait-timeout', () => {
    for (const [over, cause] of cases) {
      const hint = waitHint(cause);
      if (cause === 'slow') expect(hint).toMatch(/raise wait-timeout/);
      else expect(hint).not.toMatch(/raise wait-timeout/);
      if (['image-pull', 'crash-loop', 'unschedulable', 'job-failed', 'progress-deadline'].includes(cause))
        expect(hint).toMatch(/a longer wait-timeout will not help/);
      expect(waitFailureMessage([{ ...base, ...over }], '10m')).toContain(hint);
    }
  });

  it('names the objects of each cause once', () => {
    const msg = waitFailureMessage(
      [
        { ...base, pods: 'Reason: CrashLoopBackOff' },
        { ...base, object: { ...base.object, name: 'web' }, pods: 'Reason: CrashLoopBackOff' },
        { ...base, object: { ...base.object, name: 'slow' } },
      ],
      '2m',
    );
    expect(msg).toBe(
      '3 workloads are not ready within 2m: Deployment app/api (timed out), Deployment app/web (timed out), Deployment app/slow (timed out). ' +
        `Deployment app/api, Deployment app/web: ${waitHint('crash-loop')}. Deployment app/slow: ${waitHint('slow')}. ` +
        'The describe output, events and pod logs of each are printed above.',
    );
  });
});

describe('diagnostics of many failures and secrets', () => {
  it('names every failing workload; those past the detail limit say their details were not collected', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const runner = new FakeRunner().on('rollout status', {
      code: 1,
      stderr: 'error: timed out waiting for the condition\n',
    });
    const r = await waitFor(
      kubectlWith(runner),
      names.map((n) => ({
        ref: { apiVersion: 'apps/v1', kind: 'Deployment', name: n, namespace: 'app' },
        mode: 'rollout',
      })),
      { timeoutMs: 1000 },
    );
    expect(r.failures.map((f) => f.object.name)).toEqual(names);
    for (const n of names) expect(r.message).toContain(`Deployment app/${n} (timed out)`);
    const md = formatDiagnostics(r.failures, 'markdown');
    for (const n of names) expect(md).toContain(`#### Deployment app/${n}: timed out`);
    expect(r.failures.slice(5).map((f) => f.describe)).toEqual([
      '(not collected: details are collected for the first 5 failing workloads only; run kubectl describe for this one)',
      '(not collected: details are collected for the first 5 failing workloads only; run kubectl describe for this one)',
    ]);
    // Details were fetched for the first five only.
    expect(runner.commands.filter((c) => c.startsWith('describe -n app deployment')).length).toBe(5);
  });

  it('secret values of the stack are masked in every collected text', async () => {
    const stack: KubeObject[] = [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db' },
        data: { password: Buffer.from('s3cr3t-pass').toString('base64'), short: Buffer.from('ab').toString('base64') },
        stringData: { token: 'tok-123456', cert: '-----BEGIN-----\nMIIBlinezzz\n-----END-----' },
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { plain: 'visible-value' } },
    ];
    const values = secretValues(stack);
    expect(values).toEqual(
      expect.arrayContaining([
        's3cr3t-pass',
        'tok-123456',
        'MIIBlinezzz',
        '-----BEGIN-----\nMIIBlinezzz\n-----END-----',
      ]),
    );
    expect(values).not.toContain('ab');
    expect(values).not.toContain('visible-value');
    const runner = new FakeRunner()
      .on('describe -n app deployment', { stdout: 'Environment:\n  DB_PASSWORD:  s3cr3t-pass\n  TOKEN: tok-123456' })
      .on('logs', { stdout: 'connecting with s3cr3t-pass\ncert MIIBlinezzz' })
      .on('get events', { stdout: '{"items":[]}' });
    const [f] = await collectDiagnostics(
      kubectlWith(runner),
      [
        {
          ref: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'app' },
          selector: 'app=api',
          reason: 'timeout',
          message: 'timed out; password s3cr3t-pass',
        },
      ],
      { mask: values },
    );
    const all = formatDiagnostics([f], 'markdown') + formatDiagnostics([f], 'text') + waitFailureMessage([f]);
    for (const v of ['s3cr3t-pass', 'tok-123456', 'MIIBlinezzz']) expect(all).not.toContain(v);
    expect(f.describe).toBe('Environment:\n  DB_PASSWORD:  ***\n  TOKEN: ***');
    expect(f.message).toBe('timed out; password ***');
  });
});

describe('collectDiagnostics: what kubectl is asked', () => {
  const failedIn = (name: string, namespace: string, selector?: string) => ({
    ref: { apiVersion: 'apps/v1', kind: 'Deployment', name, namespace },
    ...(selector ? { selector } : {}),
    reason: 'timeout' as const,
    message: 'timed out waiting for the condition',
  });

  it('logs by selector (all pods) or by the object, with the tail asked for; the timeout on every call', async () => {
    const runner = new FakeRunner().on('get events', { stdout: '{"items":[]}' });
    const out = await collectDiagnostics(
      kubectlWith(runner),
      [failedIn('api', 'app', 'app=api'), failedIn('worker', 'app')],
      { logTail: 10, timeoutMs: 7000 },
    );
    expect(runner.commands.filter((c) => c.startsWith('logs'))).toEqual([
      'logs -n app -l app=api --tail=10 --all-containers=true --prefix=true --ignore-errors=true --max-log-requests=10',
      'logs -n app deployment.apps/worker --tail=10 --all-containers=true --prefix=true',
    ]);
    // Without a selector there are no pods to describe.
    expect(runner.commands.filter((c) => c.includes('pods'))).toEqual(['describe -n app pods -l app=api']);
    expect(out[1].pods).toBe('');
    expect(new Set(runner.calls.map((c) => c.options.timeoutMs))).toEqual(new Set([7000]));

    const defaults = new FakeRunner().on('get events', { stdout: '{"items":[]}' });
    await collectDiagnostics(kubectlWith(defaults), [failedIn('api', 'app', 'app=api')]);
    expect(defaults.commands.find((c) => c.startsWith('logs'))).toContain('--tail=50');
    expect(new Set(defaults.calls.map((c) => c.options.timeoutMs))).toEqual(new Set([30_000]));
  });

  it('pods are described when asked to be', async () => {
    const runner = new FakeRunner().on('get events', { stdout: '{"items":[]}' });
    await collectDiagnostics(kubectlWith(runner), [failedIn('api', 'app', 'app=api')], { describePods: true });
    expect(runner.commands).toContain('describe -n app pods -l app=api');
  });

  it('events are read once per namespace, each failure gets those of its own namespace, bounded', async () => {
    const event = (ns: string, name: string, at: string) => ({
      type: 'Warning',
      reason: `In-${ns}`,
      lastTimestamp: at,
      involvedObject: { kind: 'Pod', name },
    });
    const runner = new FakeRunner()
      .on('get events -n a', {
        stdout: JSON.stringify({
          items: [event('a', 'api-2', '2026-01-01T00:00:02Z'), event('a', 'api-1', '2026-01-01T00:00:01Z')],
        }),
      })
      .on('get events -n b', { stdout: JSON.stringify({ items: [event('b', 'api-1', '2026-01-01T00:00:05Z')] }) });
    const out = await collectDiagnostics(
      kubectlWith(runner),
      [failedIn('api', 'a'), failedIn('api', 'b'), failedIn('api', 'a')],
      { maxEvents: 1 },
    );
    expect(runner.commands.filter((c) => c.startsWith('get events'))).toEqual([
      'get events -n a -o json',
      'get events -n b -o json',
    ]);
    expect(out.map((f) => f.events)).toEqual([
      '2026-01-01T00:00:02Z  Warning  In-a  pod/api-2: ',
      '2026-01-01T00:00:05Z  Warning  In-b  pod/api-1: ',
      '2026-01-01T00:00:02Z  Warning  In-a  pod/api-2: ',
    ]);
  });

  it('events that cannot be read say so', async () => {
    const refused = new FakeRunner().on('get events', { code: 1, stderr: 'Error from server (Forbidden): events\n' });
    const [f] = await collectDiagnostics(kubectlWith(refused), [failedIn('api', 'app')]);
    expect(f.events).toBe('(kubectl get events failed: Error from server (Forbidden): events)');
    const broken = new FakeRunner().on('get events', () => {
      throw new Error('spawn kubectl ENOENT');
    });
    const [g] = await collectDiagnostics(kubectlWith(broken), [failedIn('api', 'app')]);
    expect(g.events).toBe('(kubectl get events could not run: spawn kubectl ENOENT)');
  });

  it('failures past the limit carry only their message', async () => {
    const runner = new FakeRunner().on('get events', { stdout: '{"items":[]}' });
    const out = await collectDiagnostics(kubectlWith(runner), [failedIn('a', 'app'), failedIn('b', 'app')], {
      maxFailures: 1,
    });
    expect(out[1]).toMatchObject({ pods: '', events: '', logs: '' });
  });

  it('the secret values may be given as a function, read when the texts are masked', async () => {
    const runner = new FakeRunner()
      .on('get events', { stdout: '{"items":[]}' })
      .on('logs', { stdout: 'password=hunter22' });
    const [f] = await collectDiagnostics(kubectlWith(runner), [failedIn('api', 'app')], { mask: () => ['hunter22'] });
    expect(f.logs).toBe('password=***');
  });

  it('masks the longest value first and ignores empty ones', () => {
    expect(maskText(['', 'abc', 'abcdef'])('x abcdef y abc')).toBe('x *** y ***');
    expect(maskText(['abcdef', 'abc'])('abcdef')).toBe('***');
  });

  it('events come oldest first, the most recent kept; a repeat count above 1 is shown', () => {
    const items = [
      { reason: 'Late', count: 3, lastTimestamp: '2026-01-01T00:00:09Z', involvedObject: { kind: 'Pod', name: 'web' } },
      {
        reason: 'Early',
        count: 1,
        lastTimestamp: '2026-01-01T00:00:01Z',
        involvedObject: { kind: 'Pod', name: 'web' },
      },
      { reason: 'Mid', lastTimestamp: '2026-01-01T00:00:05Z', involvedObject: { kind: 'Pod', name: 'web-1' } },
    ];
    expect(eventsFor(items, 'web', 2)).toBe(
      '2026-01-01T00:00:05Z    Mid  pod/web-1: \n2026-01-01T00:00:09Z    Late  pod/web:  (x3)',
    );
    expect(eventsFor(items, 'web', 3).split('\n')[0]).toBe('2026-01-01T00:00:01Z    Early  pod/web: ');
  });

  it('Markdown escapes names and messages; text shows the pods section; failures are separated', () => {
    const f: WaitFailure = {
      object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'app' },
      reason: 'timeout',
      describe: '',
      events: '',
      logs: '',
      message: 'bad <value> & more',
      pods: 'State: Waiting',
    };
    const md = formatDiagnostics([f], 'markdown');
    expect(md).toContain('bad &lt;value&gt; &amp; more');
    const text = formatDiagnostics([f, { ...f, object: { ...f.object, name: 'web' } }]);
    expect(text).toContain('--- pods ---\nState: Waiting');
    expect(text).toContain('\n\n=== Deployment app/web');
  });
});

describe('secretValues: what is masked', () => {
  it('trimmed values of at least 4 characters, of core Secrets only, whatever fields they have', () => {
    const values = secretValues([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'a' },
        stringData: { token: ' padded-token \n', pin: 'abcd' },
      },
      {
        kind: 'Secret',
        metadata: { name: 'no-api-version' },
        data: { k: Buffer.from('from-data').toString('base64') },
      },
      // A number written in stringData (kubectl refuses it later): no crash here.
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'typo' }, stringData: { port: 5432 as unknown as string } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { plain: 'visible-value' } },
      { apiVersion: 'example.io/v1', kind: 'Secret', metadata: { name: 'x' }, stringData: { v: 'other-group' } },
    ]);
    expect(values.sort()).toEqual(['abcd', 'from-data', 'padded-token']);
  });
});
