/** kubectl exec / cp over WebSocket: local child processes with pod volume mounts mapped to local directories. */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useKubeServer, yamlStream } from './harness.js';

const STACK = yamlStream(
  `apiVersion: v1
kind: Namespace
metadata: {name: slot-3}`,
  `apiVersion: v1
kind: ConfigMap
metadata: {name: codex-config, namespace: slot-3}
data: {config.toml: "model = \\"gpt\\"\\n", MODE: ai}`,
  `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: workspace, namespace: slot-3}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}`,
  `apiVersion: apps/v1
kind: Deployment
metadata: {name: codex, namespace: slot-3}
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
        - {name: ws, mountPath: /workspace}
        - {name: ws, mountPath: /cache, subPath: cache}
        - {name: cfg, mountPath: /etc/codex}
      volumes:
      - name: ws
        persistentVolumeClaim: {claimName: workspace}
      - name: cfg
        configMap: {name: codex-config}`,
);

describe('kubectl exec and cp', () => {
  const h = useKubeServer({ readyDelayMs: 50 });

  const ready = async (): Promise<void> => {
    expect((await h.kubectl(['apply', '-f', '-'], { stdin: STACK })).code).toBe(0);
    expect((await h.kubectl(['rollout', 'status', 'deploy/codex', '-n', 'slot-3', '--timeout=10s'])).code).toBe(0);
  };

  it('exec deploy/<name> runs the command and returns its output and exit code', async () => {
    await ready();
    const r = await h.kubectl([
      'exec',
      'deploy/codex',
      '-n',
      'slot-3',
      '--',
      'sh',
      '-c',
      'echo hi; echo oops >&2; exit 3',
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('hi\n');
    expect(r.stderr).toContain('oops\n');
    expect(r.stderr).toContain('command terminated with exit code 3');

    const env = await h.kubectl([
      'exec',
      'deploy/codex',
      '-n',
      'slot-3',
      '--',
      'sh',
      '-c',
      'echo "$GREETING $MODE $HOSTNAME"; pwd; echo "$KUBE_TEST_MOUNT__workspace"; cat /etc/codex/config.toml',
    ]);
    expect(env.code).toBe(0);
    const [line, pwd, mount, config] = env.stdout.split('\n');
    const pod = h.server.store.list('pods', 'slot-3', 'app=codex')[0];
    expect(line).toBe(`hello ai ${pod.metadata.name}`);
    expect(pwd).toBe(h.server.pvcDir('slot-3', 'workspace'));
    expect(mount).toBe(h.server.pvcDir('slot-3', 'workspace'));
    expect(config).toBe('model = "gpt"');
    expect(h.server.execs[1].command).toEqual(['sh', '-c', expect.stringContaining('cat /etc/codex/config.toml')]);

    const missing = await h.kubectl(['exec', 'deploy/codex', '-n', 'slot-3', '--', 'no-such-binary-kube-test']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('executable file not found in $PATH');
  });

  it('exec -i pipes stdin into a file in the PVC-mounted directory', async () => {
    await ready();
    const data = 'line one\nline two\n'.repeat(2000);
    const r = await h.kubectl(
      [
        'exec',
        '-i',
        'deploy/codex',
        '-n',
        'slot-3',
        '--',
        'sh',
        '-c',
        'cat > notes.txt && wc -l < /workspace/notes.txt',
      ],
      {
        stdin: data,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('4000');
    expect(readFileSync(join(h.server.pvcDir('slot-3', 'workspace'), 'notes.txt'), 'utf8')).toBe(data);

    const sub = await h.kubectl(['exec', '-i', 'deploy/codex', '-n', 'slot-3', '--', 'sh', '-c', 'cat > /cache/blob'], {
      stdin: 'cached',
    });
    expect(sub.code).toBe(0);
    expect(readFileSync(join(h.server.pvcDir('slot-3', 'workspace'), 'cache', 'blob'), 'utf8')).toBe('cached');
  });

  it('kubectl cp copies files and directories to and from a pod (tar over exec)', async () => {
    await ready();
    const local = join(h.dir, 'src');
    mkdirSync(join(local, 'sub'), { recursive: true });
    writeFileSync(join(local, 'a.txt'), 'A');
    writeFileSync(join(local, 'sub', 'b.txt'), 'B');
    const pod = h.server.store.list('pods', 'slot-3', 'app=codex')[0].metadata.name!;
    const up = await h.kubectl(['cp', local, `slot-3/${pod}:/workspace/project`]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const ws = h.server.pvcDir('slot-3', 'workspace');
    expect(readFileSync(join(ws, 'project', 'sub', 'b.txt'), 'utf8')).toBe('B');

    const back = join(h.dir, 'back');
    const down = await h.kubectl(['cp', `slot-3/${pod}:/workspace/project`, back]);
    expect(down.code).toBe(0);
    expect(readFileSync(join(back, 'a.txt'), 'utf8')).toBe('A');
    expect(readFileSync(join(back, 'sub', 'b.txt'), 'utf8')).toBe('B');
    expect(existsSync(join(back, 'tmp'))).toBe(false);
  });

  it('exec into a missing pod or container fails like the real server', async () => {
    await ready();
    const noPod = await h.kubectl(['exec', 'nope', '-n', 'slot-3', '--', 'true']);
    expect(noPod.code).toBe(1);
    expect(noPod.stderr).toContain('pods "nope" not found');
    const noContainer = await h.kubectl(['exec', 'deploy/codex', '-n', 'slot-3', '-c', 'other', '--', 'true']);
    expect(noContainer.code).toBe(1);
    expect(noContainer.stderr).toMatch(/Error from server \(BadRequest\): container other is not valid for pod codex-/);
  });
});
