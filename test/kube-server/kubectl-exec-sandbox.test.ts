/** kubectl exec in sandbox mode: commands run under bubblewrap with the pod's volumes at their real mount paths. */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { useKubeServer, yamlStream, type Harness } from './harness.js';

const STACK = yamlStream(
  `apiVersion: v1
kind: Namespace
metadata: {name: slot-4}`,
  `apiVersion: v1
kind: ConfigMap
metadata: {name: codex-config, namespace: slot-4}
data: {config.toml: "model = \\"gpt\\"\\n", MODE: sandboxed}`,
  `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: workspace, namespace: slot-4}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}`,
  `apiVersion: apps/v1
kind: Deployment
metadata: {name: codex, namespace: slot-4}
spec:
  selector: {matchLabels: {app: codex}}
  template:
    metadata: {labels: {app: codex}}
    spec:
      containers:
      - name: codex
        image: codex:dev
        workingDir: /workspace
        env:
        - {name: GREETING, value: hello}
        - name: MODE
          valueFrom: {configMapKeyRef: {name: codex-config, key: MODE}}
        volumeMounts:
        - {name: ws, mountPath: /workspace, subPath: repo}
        - {name: cfg, mountPath: /etc/codex}
        - {name: cfg, mountPath: /config.toml, subPath: config.toml}
      volumes:
      - name: ws
        persistentVolumeClaim: {claimName: workspace}
      - name: cfg
        configMap: {name: codex-config}`,
);

/** Read-only tools directory bound at /opt/tools in every sandbox. */
const tools = tempDir('kube-sandbox-tools-');
writeFileSync(join(tools, 'README'), 'tools here\n');

const ready = async (h: Harness): Promise<string> => {
  expect((await h.kubectl(['apply', '-f', '-'], { stdin: STACK })).code).toBe(0);
  expect((await h.kubectl(['rollout', 'status', 'deploy/codex', '-n', 'slot-4', '--timeout=10s'])).code).toBe(0);
  return join(h.server.pvcDir('slot-4', 'workspace'), 'repo');
};

const exec = (h: Harness, script: string, options?: { stdin?: string; timeoutMs?: number }, flags: string[] = []) =>
  h.kubectl(['exec', ...flags, 'deploy/codex', '-n', 'slot-4', '--', 'sh', '-c', script], options);

describe('kubectl exec under bubblewrap', () => {
  const h = useKubeServer({
    readyDelayMs: 50,
    execSandbox: { binds: [{ host: tools, pod: '/opt/tools', readOnly: true }], env: { EXTRA: 'from-sandbox' } },
  });

  it('puts the PVC subPath at /workspace for the command and the processes it starts', async () => {
    const ws = await ready(h);
    const hostWorkspace = existsSync('/workspace');
    const r = await exec(h, 'echo hi > /workspace/a && pwd && sh -c "echo nested > /workspace/b"');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('/workspace\n');
    expect(readFileSync(join(ws, 'a'), 'utf8')).toBe('hi\n');
    expect(readFileSync(join(ws, 'b'), 'utf8')).toBe('nested\n');
    expect(existsSync('/workspace')).toBe(hostWorkspace);
    if (hostWorkspace) expect(existsSync('/workspace/a') || existsSync('/workspace/b')).toBe(false);

    const record = h.server.execs.at(-1)!;
    expect(record.argv[0]).toBe('/usr/bin/bwrap');
    expect(record.argv).toEqual(expect.arrayContaining(['--bind', ws, '/workspace', '--chdir', '/workspace']));
    expect(record.argv.slice(-5)).toEqual(['/usr/bin/env', '--', 'sh', '-c', expect.stringContaining('echo hi')]);
    expect(record.cwd).toBe('/workspace');
    expect(record.exitCode).toBe(0);
  });

  it('gives the container environment, configMap mounts, exit codes and stdin', async () => {
    const ws = await ready(h);
    const env = await exec(
      h,
      'echo "$GREETING $MODE $EXTRA $HOME"; echo "${KUBE_TEST_MOUNT__workspace:-unset}"; cat /etc/codex/config.toml /config.toml; test -r /etc/passwd && echo etc',
    );
    expect(env.stderr).toBe('');
    expect(env.stdout).toBe('hello sandboxed from-sandbox /root\nunset\nmodel = "gpt"\nmodel = "gpt"\netc\n');

    const fail = await exec(h, 'echo out; echo err >&2; exit 3');
    expect(fail.code).toBe(3);
    expect(fail.stdout).toBe('out\n');
    expect(fail.stderr).toContain('err\n');
    expect(fail.stderr).toContain('command terminated with exit code 3');

    const missing = await h.kubectl(['exec', 'deploy/codex', '-n', 'slot-4', '--', 'no-such-binary-kube-test']);
    expect(missing.code).toBe(127);

    const data = 'line\n'.repeat(5000);
    const piped = await exec(h, 'cat > /workspace/in.txt && wc -l < in.txt', { stdin: data }, ['-i']);
    expect(piped.code).toBe(0);
    expect(piped.stdout.trim()).toBe('5000');
    expect(readFileSync(join(ws, 'in.txt'), 'utf8')).toBe(data);
  });

  it('a process started with setsid outlives the exec', async () => {
    const ws = await ready(h);
    const r = await exec(h, 'setsid sh -c "sleep 3; echo late > /workspace/late" </dev/null >/dev/null 2>&1 &');
    expect(r.code).toBe(0);
    expect(r.durationMs).toBeLessThan(2500);
    expect(existsSync(join(ws, 'late'))).toBe(false);
    await waitFor(() => existsSync(join(ws, 'late')) && readFileSync(join(ws, 'late'), 'utf8') === 'late\n', {
      timeoutMs: 10_000,
    });
  });

  it('a dropped exec connection ends the command', async () => {
    await ready(h);
    const r = await exec(h, 'echo started; exec sleep 30', { timeoutMs: 1500 });
    expect(r.code).toBe(-1);
    const record = h.server.execs.at(-1)!;
    await waitFor(() => record.exitCode !== undefined, { timeoutMs: 5000 });
    expect(record.exitCode).toBe(128 + 15);
  });

  it('binds extra host paths read-only', async () => {
    await ready(h);
    const read = await exec(h, 'cat /opt/tools/README');
    expect(read.stdout).toBe('tools here\n');
    const write = await exec(h, 'echo x > /opt/tools/new');
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/Read-only file system/);
    expect(existsSync(join(tools, 'new'))).toBe(false);
  });
});

describe('kubectl exec sandbox without bubblewrap', () => {
  const h = useKubeServer({ readyDelayMs: 50, execSandbox: { bwrap: '/nonexistent/bwrap' } });

  it('fails the exec and says how to install it', async () => {
    await ready(h);
    const r = await exec(h, 'true');
    expect(r.code).toBe(126);
    expect(r.stderr).toContain('apt-get install bubblewrap');
  });
});

describe('sandbox mounts', () => {
  const h = useKubeServer({ readyDelayMs: 50, execSandbox: {} });

  it('creates nested mount points inside read-only parents and a workingDir outside mounts', async () => {
    const manifest = yamlStream(
      `apiVersion: v1
kind: Pod
metadata: {name: nested, namespace: default}
spec:
  containers:
  - name: main
    image: x
    workingDir: /app/src
    volumeMounts:
    - {name: top, mountPath: /data, readOnly: true}
    - {name: scratch, mountPath: /data/scratch}
  volumes:
  - name: top
    hostPath: {path: /data}
  - name: scratch
    emptyDir: {}`,
    );
    expect((await h.kubectl(['apply', '-f', '-'], { stdin: manifest })).code).toBe(0);
    await h.server.waitFor('pods', 'default', 'nested', (p) => p?.status?.phase === 'Running');
    const r = await h.kubectl([
      'exec',
      'nested',
      '--',
      'sh',
      '-c',
      'pwd; echo s > /data/scratch/f && cat /data/scratch/f; touch /data/x 2>/dev/null || echo ro',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('/app/src\ns\nro\n');
  });
});
