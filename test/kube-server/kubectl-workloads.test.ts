/** Workload readiness, rollout status, wait, describe, events, logs and namespace deletion with kubectl. */
import { describe, expect, it } from '@jest/globals';
import { useKubeServer, yamlStream } from './harness.js';

const ns = (name: string): string => `apiVersion: v1
kind: Namespace
metadata: {name: ${name}}`;

const deployment = (name: string, namespace: string, behaviour?: string, replicas = 1): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
  labels: {app: ${name}}${behaviour ? `\n  annotations: {test.codex-k8s.io/behaviour: "${behaviour}"}` : ''}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}, tier: backend}}
    spec:
      containers: [{name: main, image: "busybox:1.36"}]`;

const job = (name: string, namespace: string, behaviour?: string): string => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
  namespace: ${namespace}${behaviour ? `\n  annotations: {test.codex-k8s.io/behaviour: "${behaviour}"}` : ''}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: busybox}]`;

describe('workloads with kubectl', () => {
  const h = useKubeServer({ readyDelayMs: 150 });

  it('rollout status succeeds; wait --for=condition=available; pods are owned and labelled', async () => {
    const applied = await h.kubectl(['apply', '-f', '-'], {
      stdin: yamlStream(ns('app'), deployment('web', 'app', undefined, 2)),
    });
    expect(applied.code).toBe(0);
    const rollout = await h.kubectl(['rollout', 'status', 'deployment/web', '-n', 'app', '--timeout=10s']);
    expect(rollout.stderr).toBe('');
    expect(rollout.code).toBe(0);
    expect(rollout.stdout).toContain('deployment "web" successfully rolled out');
    const wait = await h.kubectl(['wait', '--for=condition=available', 'deploy/web', '-n', 'app', '--timeout=10s']);
    expect(wait.stdout.trim()).toBe('deployment.apps/web condition met');

    const pods = JSON.parse(
      (await h.kubectl(['get', 'pods', '-n', 'app', '-l', 'app=web,tier=backend', '-o', 'json'])).stdout,
    );
    expect(pods.items).toHaveLength(2);
    for (const p of pods.items) {
      expect(p.status.phase).toBe('Running');
      expect(p.status.containerStatuses[0].ready).toBe(true);
      expect(p.metadata.ownerReferences[0]).toMatchObject({ kind: 'ReplicaSet', controller: true });
    }
    const d = h.server.store.get('deploy', 'app', 'web')!;
    expect(d.status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      readyReplicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
    });

    const table = await h.kubectl(['get', 'deploy', 'web', '-n', 'app']);
    expect(table.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+2\/2\s+2\s+2\s+/);
  });

  it('rollout status times out for a never-ready deployment, fails fast for a failing one', async () => {
    await h.kubectl(['apply', '-f', '-'], {
      stdin: yamlStream(ns('app'), deployment('stuck', 'app', 'never'), deployment('crash', 'app', 'fail')),
    });
    const stuck = await h.kubectl(['rollout', 'status', 'deploy/stuck', '-n', 'app', '--timeout=2s']);
    expect(stuck.code).toBe(1);
    expect(stuck.stderr).toContain('timed out waiting for the condition');

    const crash = await h.kubectl(['rollout', 'status', 'deploy/crash', '-n', 'app', '--timeout=10s']);
    expect(crash.code).toBe(1);
    expect(crash.stderr).toContain('deployment "crash" exceeded its progress deadline');
    const pods = await h.kubectl(['get', 'pods', '-n', 'app', '-l', 'app=crash']);
    expect(pods.stdout).toContain('CrashLoopBackOff');
    const events = await h.kubectl(['get', 'events', '-n', 'app']);
    expect(events.code).toBe(0);
    expect(events.stdout).toMatch(/Warning\s+BackOff\s+pod\/crash-/);
    expect(events.stdout).toMatch(/Normal\s+ScalingReplicaSet\s+deployment\/stuck/);

    // The API can change the behaviour afterwards: the stuck deployment becomes ready.
    h.server.setBehaviour({ kind: 'Deployment', namespace: 'app', name: 'stuck' }, 'ready');
    const now = await h.kubectl(['rollout', 'status', 'deploy/stuck', '-n', 'app', '--timeout=5s']);
    expect(now.code).toBe(0);
  });

  it('wait --for=condition=complete on a Job; a failing Job gets condition Failed', async () => {
    await h.kubectl(['apply', '-f', '-'], {
      stdin: yamlStream(ns('jobs'), job('migrate', 'jobs'), job('broken', 'jobs', 'fail')),
    });
    const wait = await h.kubectl(['wait', '--for=condition=complete', 'job/migrate', '-n', 'jobs', '--timeout=10s']);
    expect(wait.stderr).toBe('');
    expect(wait.stdout.trim()).toBe('job.batch/migrate condition met');
    expect(h.server.store.get('job', 'jobs', 'migrate')!.status).toMatchObject({ succeeded: 1 });
    const failed = await h.kubectl(['wait', '--for=condition=failed', 'job/broken', '-n', 'jobs', '--timeout=10s']);
    expect(failed.stdout.trim()).toBe('job.batch/broken condition met');
    const notComplete = await h.kubectl([
      'wait',
      '--for=condition=complete',
      'job/broken',
      '-n',
      'jobs',
      '--timeout=1s',
    ]);
    expect(notComplete.code).toBe(1);
    const pods = await h.kubectl([
      'get',
      'pods',
      '-n',
      'jobs',
      '-l',
      'job-name=migrate',
      '-o',
      'jsonpath={.items[*].status.phase}',
    ]);
    expect(pods.stdout).toBe('Succeeded');
  });

  it('termination messages: what the container wrote, else the log tail of a failed FallbackToLogsOnError one', async () => {
    const jobWith = (name: string, policy: string, behaviour: string, annotation = '') => `apiVersion: batch/v1
kind: Job
metadata: {name: ${name}, namespace: jobs, annotations: {test.codex-k8s.io/behaviour: "${behaviour}"}}
spec:
  backoffLimit: 0
  template:
    metadata: {annotations: {${annotation}}}
    spec:
      restartPolicy: Never
      containers: [{name: main, image: "busybox:1.36", terminationMessagePolicy: ${policy}}]`;
    h.server.setTerminationMessage({ namespace: 'jobs', name: 'scripted', container: 'main' }, 'sha256:abc\n');
    h.server.setLogs(
      { namespace: 'jobs' },
      Array.from({ length: 100 }, (_, i) => `log line ${i + 1}`).join('\n') + '\n',
    );
    await h.kubectl(['apply', '-f', '-'], {
      stdin: yamlStream(
        ns('jobs'),
        jobWith('scripted', 'File', 'ready'),
        jobWith('annotated', 'File', 'ready', 'test.codex-k8s.io/termination-message: "done"'),
        jobWith('fallback', 'FallbackToLogsOnError', 'fail'),
        jobWith('silent', 'File', 'fail'),
        jobWith('quiet-success', 'FallbackToLogsOnError', 'ready'),
      ),
    });
    const message = async (job: string, condition: string) => {
      const wait = await h.kubectl([
        'wait',
        `--for=condition=${condition}`,
        `job/${job}`,
        '-n',
        'jobs',
        '--timeout=10s',
      ]);
      expect(wait.code).toBe(0);
      const res = await h.kubectl([
        'get',
        'pods',
        '-n',
        'jobs',
        '-l',
        `job-name=${job}`,
        '-o',
        'jsonpath={.items[0].status.containerStatuses[0].state.terminated.message}',
      ]);
      return res.stdout;
    };
    expect(await message('scripted', 'complete')).toBe('sha256:abc\n');
    expect(await message('annotated', 'complete')).toBe('done');
    // The kubelet's fallback: the last 80 lines of the log (here well under 2048 bytes).
    const tail = await message('fallback', 'failed');
    expect(tail.split('\n').filter(Boolean)).toEqual(Array.from({ length: 80 }, (_, i) => `log line ${i + 21}`));
    // Policy File and nothing written, or a success with nothing written: no message at all.
    expect(await message('silent', 'failed')).toBe('');
    expect(await message('quiet-success', 'complete')).toBe('');
  });

  it('describe deployment and pod, get events, logs', async () => {
    await h.kubectl(['apply', '-f', '-'], { stdin: yamlStream(ns('app'), deployment('api', 'app')) });
    await h.kubectl(['rollout', 'status', 'deploy/api', '-n', 'app', '--timeout=10s']);
    const describeDeploy = await h.kubectl(['describe', 'deploy', 'api', '-n', 'app']);
    expect(describeDeploy.stderr).toBe('');
    expect(describeDeploy.stdout).toMatch(
      /Replicas:\s+1 desired \| 1 updated \| 1 total \| 1 available \| 0 unavailable/,
    );
    expect(describeDeploy.stdout).toMatch(/NewReplicaSet:\s+api-\w+ \(1\/1 replicas created\)/);
    expect(describeDeploy.stdout).toMatch(/ScalingReplicaSet\s+.*Scaled up replica set api-\w+ from 0 to 1/);
    const describePod = await h.kubectl(['describe', 'pod', '-n', 'app', '-l', 'app=api']);
    expect(describePod.stdout).toMatch(/Status:\s+Running/);
    expect(describePod.stdout).toMatch(/Started\s+.*Started container main/);
    const events = await h.kubectl([
      'get',
      'events',
      '-n',
      'app',
      '--field-selector',
      'involvedObject.kind=Deployment',
    ]);
    expect(events.stdout).toContain('deployment/api');

    h.server.setLogs({ namespace: 'app', name: 'api' }, 'line 1\nline 2\nline 3\n');
    const logs = await h.kubectl(['logs', 'deploy/api', '-n', 'app']);
    expect(logs.stdout).toBe('line 1\nline 2\nline 3\n');
    const tail = await h.kubectl(['logs', 'deploy/api', '-n', 'app', '--tail=1']);
    expect(tail.stdout).toBe('line 3\n');
  });

  it('statefulset and daemonset roll out; cert-manager Certificate becomes Ready with its Secret', async () => {
    const sts = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: postgres, volumeMounts: [{name: pgdata, mountPath: /var/lib/postgresql}]}]}
  volumeClaimTemplates:
  - metadata: {name: pgdata}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}`;
    const ds = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: data}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: a, image: busybox}]}`;
    const cert = `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: site, namespace: data}
spec:
  secretName: site-tls
  dnsNames: [slot-1.example.com]
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}`;
    expect((await h.kubectl(['apply', '-f', '-'], { stdin: yamlStream(ns('data'), sts, ds, cert) })).code).toBe(0);
    expect((await h.kubectl(['rollout', 'status', 'sts/db', '-n', 'data', '--timeout=10s'])).stdout).toContain(
      'partitioned roll out complete: 2 new pods have been updated',
    );
    expect((await h.kubectl(['rollout', 'status', 'ds/agent', '-n', 'data', '--timeout=10s'])).stdout).toContain(
      'daemon set "agent" successfully rolled out',
    );
    expect(h.server.store.get('pvc', 'data', 'pgdata-db-0')?.status?.phase).toBe('Bound');
    const ready = await h.kubectl(['wait', '--for=condition=Ready', 'certificate/site', '-n', 'data', '--timeout=10s']);
    expect(ready.stdout.trim()).toBe('certificate.cert-manager.io/site condition met');
    expect(h.server.store.get('secret', 'data', 'site-tls')?.type).toBe('kubernetes.io/tls');
  });
});

describe('namespace deletion with kubectl', () => {
  const h = useKubeServer({ readyDelayMs: 100, namespaceTerminationDelayMs: 1500 });

  it('delete namespace: Terminating, contents deleted, then gone; delete deployment removes its pods', async () => {
    await h.kubectl(['apply', '-f', '-'], {
      stdin: yamlStream(ns('doomed'), deployment('a', 'doomed'), deployment('b', 'doomed'), job('j', 'doomed')),
    });
    await h.kubectl(['rollout', 'status', 'deploy/a', '-n', 'doomed', '--timeout=10s']);
    expect(h.server.store.list('pods', 'doomed').length).toBe(3);

    const del = await h.kubectl(['delete', 'deploy', 'b', '-n', 'doomed']);
    expect(del.stdout.trim()).toMatch(/^deployment.apps "b" deleted/);
    await h.server.waitFor(
      'rs',
      'doomed',
      'x',
      () => h.server.store.list('pods', 'doomed', 'app=b').length === 0,
      3000,
    );
    expect(h.server.store.list('rs', 'doomed').map((r) => r.metadata.name)).toEqual([expect.stringMatching(/^a-/)]);

    const noWait = await h.kubectl(['delete', 'namespace', 'doomed', '--wait=false']);
    expect(noWait.code).toBe(0);
    const phase = await h.kubectl(['get', 'ns', 'doomed', '-o', 'jsonpath={.status.phase}']);
    expect(phase.stdout).toBe('Terminating');
    const refused = await h.kubectl(['create', 'configmap', 'late', '-n', 'doomed']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('because it is being terminated');
    const gone = await h.kubectl(['wait', '--for=delete', 'namespace/doomed', '--timeout=10s']);
    expect(gone.code).toBe(0);
    expect(h.server.store.list('pods', 'doomed')).toEqual([]);
    expect(h.server.store.list('deploy', 'doomed')).toEqual([]);
    const after = await h.kubectl(['get', 'ns', 'doomed']);
    expect(after.stderr).toContain('namespaces "doomed" not found');
  });
});
