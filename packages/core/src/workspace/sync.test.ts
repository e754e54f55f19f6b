/** syncSources with a fake ProcessRunner: the kubectl calls it makes, in which order, and what happens on failure. */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRunner, type RecordedCall } from '../kube/fake-runner.js';
import { Kubectl } from '../kube/kubectl.js';
import { UserError } from '../util/errors.js';
import { SyncError, WorkspaceChangedError } from './errors.js';
import type { SyncOptions } from './options.js';
import { COPY_SCRIPT, CLEANUP_SCRIPT } from './script.js';
import { syncSources } from './sync.js';

let dir: string;
let runner: FakeRunner;
let kubectl: Kubectl;
const ARCHIVE = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x80]); // not valid UTF-8: must survive as bytes

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-unit-'));
  mkdirSync(join(dir, 'src', 'lib'), { recursive: true });
  writeFileSync(join(dir, 'src', 'a.txt'), 'hello');
  writeFileSync(join(dir, 'src', 'lib', 'b.txt'), 'world!');
  mkdirSync(join(dir, 'src', '.git'));
  writeFileSync(join(dir, 'src', '.git', 'HEAD'), 'ref');
  runner = new FakeRunner().on(
    (c) => c.command === 'tar',
    (c) => {
      writeFileSync(c.args.find((a) => a.startsWith('--file='))!.slice('--file='.length), ARCHIVE);
      return {};
    },
  );
  kubectl = new Kubectl(runner, { binary: 'kubectl', kubeconfig: '/kube/config' });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const options = (extra: Partial<SyncOptions> = {}): SyncOptions => ({
  namespace: 'shop-dev-3',
  source: join(dir, 'src'),
  codeRootBase: '/workspace/codex/envs',
  slot: 3,
  env: 'ai',
  pvc: 'workspace',
  runner,
  ...extra,
});

/** kubectl calls only, without the global flags. */
const kubectlCalls = (): RecordedCall[] => runner.calls.filter((c) => c.command === 'kubectl');
const verbs = (): string[] => kubectlCalls().map((c) => c.args[2]);

describe('syncSources (fake runner)', () => {
  it('creates, waits for, execs into and deletes one pod: 4 kubectl calls with exact arguments', async () => {
    const info: string[] = [];
    const result = await syncSources(
      kubectl,
      options({ reporter: { info: (m) => info.push(m), debug: () => undefined, warning: (m) => info.push(m) } }),
    );
    const [create, wait, exec, del] = kubectlCalls();
    const pod = result.podName;
    expect(pod).toMatch(/^codex-k8s-sync-[0-9a-f]{10}$/);
    const id = pod.slice('codex-k8s-sync-'.length);

    expect(create.args).toEqual([
      '--kubeconfig',
      '/kube/config',
      'create',
      '--field-manager=codex-k8s',
      '-n',
      'shop-dev-3',
      '-f',
      '-',
    ]);
    const manifest = JSON.parse(create.options.input!);
    expect(manifest).toMatchObject({
      kind: 'Pod',
      metadata: { name: pod, namespace: 'shop-dev-3', labels: { 'codex-k8s.io/role': 'source-sync' } },
      spec: { restartPolicy: 'Never', activeDeadlineSeconds: 300 + 15 },
    });
    expect(manifest.spec.containers[0]).toMatchObject({ image: 'busybox:1.37.0', command: ['sleep', '315'] });
    expect(manifest.spec.containers[0].volumeMounts).toEqual([{ name: 'workspace', mountPath: '/workspace' }]);

    expect(wait.args.slice(2)).toEqual([
      'wait',
      '-n',
      'shop-dev-3',
      '--for=condition=Ready',
      `pod/${pod}`,
      expect.stringMatching(/^--timeout=(29\d|300)s$/),
    ]);

    expect(exec.args.slice(2)).toEqual([
      'exec',
      '-i',
      '-n',
      'shop-dev-3',
      pod,
      '-c',
      'sync',
      '--',
      'sh',
      '-c',
      COPY_SCRIPT,
      'sh',
      '/workspace/codex/envs/3/src',
      id,
      '2',
      '0', // discard-changes off
      expect.stringMatching(/^\d{8}T\d{6}Z$/), // names saved changes
    ]);
    expect(Buffer.from(exec.options.input!, 'base64')).toEqual(ARCHIVE);

    expect(del.args.slice(2)).toEqual(['delete', 'pod', pod, '-n', 'shop-dev-3', '--ignore-not-found', '--wait=false']);
    expect(result).toMatchObject({
      target: '/workspace/codex/envs/3/src',
      files: 2,
      bytes: 11,
      archiveBytes: 8,
      kubectlCalls: 4,
    });
    expect(info.join('\n')).toContain('2 files');

    // tar packed only the non-excluded entries, named in a list file
    const tar = runner.calls.find((c) => c.command === 'tar')!;
    expect(tar.args).toContain(`--directory=${join(dir, 'src')}`);
  });

  it('uses the env name for an environment without slots, and the given image, mount, resources and user', async () => {
    await syncSources(
      kubectl,
      options({
        slot: 0,
        env: 'staging',
        workspaceMount: '/data',
        codeRootBase: '/data/envs',
        image: 'registry.local/busybox:1',
        resources: { limits: { cpu: '1', memory: '1Gi' } },
        runAsUser: 1000,
        fsGroup: 2000,
        timeoutMs: 60_000,
      }),
    );
    const [create, , exec] = kubectlCalls();
    const c = JSON.parse(create.options.input!).spec.containers[0];
    expect(c).toMatchObject({
      image: 'registry.local/busybox:1',
      command: ['sleep', '75'],
      resources: { limits: { cpu: '1', memory: '1Gi' } },
    });
    expect(c.securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
    expect(c.volumeMounts[0].mountPath).toBe('/data');
    expect(JSON.parse(create.options.input!).spec.securityContext).toEqual({
      seccompProfile: { type: 'RuntimeDefault' },
      fsGroup: 2000,
    });
    expect(exec.args).toContain('/data/envs/staging/src');
  });

  it('refuses invalid options before packing or calling kubectl, naming the input', async () => {
    const cases: [Partial<SyncOptions>, RegExp][] = [
      [{ codeRootBase: '/srv/envs' }, /^code-root-base: .*not inside workspace-mount \/workspace/],
      [{ workspaceMount: 'ws' }, /^workspace-mount: /],
      [{ pvc: 'Bad_Name' }, /^workspace-pvc: /],
      [{ namespace: 'Shop' }, /^namespace: /],
      [{ image: 'busy box' }, /^sync-image: /],
      [{ source: join(dir, 'nope') }, /^source: /],
      [{ slot: -1 }, /^slot: /],
      [{ excludes: ['!keep'] }, /^excludes: /],
      [{ timeoutMs: 10 }, /timeout/],
      [{ resources: { requests: { cpu: 'lots' } } }, /resources\.requests\.cpu/],
    ];
    for (const [extra, message] of cases) {
      const err = await syncSources(kubectl, options(extra)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(message);
    }
    expect(runner.calls).toEqual([]);
  });

  it('a local tar failure costs no kubectl call and creates no pod', async () => {
    runner = new FakeRunner().on((c) => c.command === 'tar', {
      code: 2,
      stderr: 'tar: lib: file changed as we read it',
    });
    kubectl = new Kubectl(runner, { binary: 'kubectl' });
    const err = await syncSources(kubectl, options()).catch((e: unknown) => e);
    expect(err).toMatchObject({ step: 'archive' });
    expect((err as Error).message).toContain('file changed as we read it');
    expect(kubectlCalls()).toEqual([]);
  });

  it('a refused create still deletes (the pod may exist) and says to create the namespace first', async () => {
    runner.on(' create ', { code: 1, stderr: 'Error from server (NotFound): namespaces "shop-dev-3" not found' });
    const err = await syncSources(kubectl, options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect(err).toMatchObject({ step: 'create', timedOut: false });
    expect((err as Error).message).toContain(
      "namespace shop-dev-3 does not exist: create the slot's namespace and PVC workspace before syncing",
    );
    expect(verbs()).toEqual(['create', 'delete']);
  });

  it('a pod that is not Ready: the pod status tells why, and the pod is deleted', async () => {
    runner
      .on(' wait ', { code: 1, stderr: 'error: timed out waiting for the condition on pods/codex-k8s-sync-x' })
      .on(' get pod ', {
        stdout: JSON.stringify({
          status: {
            phase: 'Pending',
            conditions: [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message: 'persistentvolumeclaim "workspace" not found',
              },
            ],
          },
        }),
      });
    const err = await syncSources(kubectl, options()).catch((e: unknown) => e);
    expect(err).toMatchObject({ step: 'wait', timedOut: true });
    expect((err as Error).message).toContain(
      'PodScheduled: Unschedulable: persistentvolumeclaim "workspace" not found',
    );
    expect((err as Error).message).toContain('keeps its previous content');
    expect(verbs()).toEqual(['create', 'wait', 'get', 'delete']);
  });

  it('a copy refused for changes of the agent names the files, needs no cleanup exec, and deletes the pod', async () => {
    runner.on(' exec -i ', {
      code: 3,
      stderr: 'conflict: src/a b.go\nconflict: README.md\ncommand terminated with exit code 3\n',
    });
    const err = await syncSources(kubectl, options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkspaceChangedError);
    expect((err as WorkspaceChangedError).files).toEqual(['src/a b.go', 'README.md']);
    expect((err as Error).message).toContain(': src/a b.go, README.md. Take the agent');
    expect((err as Error).message).toContain('/workspace/codex/envs/3/saved/');
    expect(verbs()).toEqual(['create', 'wait', 'exec', 'delete']);
  });

  it('a failed copy runs the cleanup script with the same target and id, then deletes the pod', async () => {
    runner.on(' exec -i ', {
      code: 1,
      stderr: 'incomplete copy: 1 of 2 files arrived\ncommand terminated with exit code 1\n',
    });
    const err = await syncSources(kubectl, options()).catch((e: unknown) => e);
    expect(err).toMatchObject({ step: 'copy', timedOut: false });
    expect((err as Error).message).toMatch(
      /failed: incomplete copy: 1 of 2 files arrived; \/workspace\/codex\/envs\/3\/src keeps its previous content/,
    );
    expect(verbs()).toEqual(['create', 'wait', 'exec', 'exec', 'delete']);
    const [, , copy, cleanup] = kubectlCalls();
    const id = copy.args.at(-4)!;
    expect(cleanup.args.slice(-5)).toEqual(['-c', CLEANUP_SCRIPT, 'sh', '/workspace/codex/envs/3/src', id]);
    expect(cleanup.options.input).toBeUndefined();
  });

  it('the copy gets what is left of the timeout; a killed copy is a timeout of step "copy"', async () => {
    runner.on(' exec -i ', (c) => {
      expect(c.options.timeoutMs).toBeLessThanOrEqual(5000);
      return { code: 143, timedOut: true, stderr: '' };
    });
    const err = await syncSources(kubectl, options({ timeoutMs: 5000 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ step: 'copy', timedOut: true });
    expect((err as Error).message).toMatch(/timed out after 5s \(the sync timeout\) during step "copy"/);
    expect(verbs()).toEqual(['create', 'wait', 'exec', 'exec', 'delete']);
  });

  it('no time left after the wait: the copy is not started, the pod is deleted', async () => {
    // The wait takes 1.1 s of the 1 s timeout: the clock moves on instead of the test sleeping.
    runner.on(' wait ', () => {
      const after = Date.now() + 1100;
      jest.spyOn(Date, 'now').mockReturnValue(after);
      return {};
    });
    const err = await syncSources(kubectl, options({ timeoutMs: 1000 }))
      .catch((e: unknown) => e)
      .finally(() => jest.restoreAllMocks());
    expect(err).toMatchObject({ step: 'copy', timedOut: true });
    expect(verbs()).toEqual(['create', 'wait', 'delete']);
  });

  it('a cancelled sync still deletes its pod, without the cancelled signal', async () => {
    const ac = new AbortController();
    runner.on(' wait ', () => {
      ac.abort();
      return { code: 1, aborted: true };
    });
    const err = await syncSources(kubectl, options({ signal: ac.signal })).catch((e: unknown) => e);
    expect(err).toMatchObject({ step: 'wait' });
    expect((err as Error).message).toContain('cancelled');
    const del = kubectlCalls().at(-1)!;
    expect(del.args[2]).toBe('delete');
    expect(del.options.signal).toBeUndefined();
  });

  it('warnings of a successful copy script reach the reporter', async () => {
    runner.on(' exec -i ', (c) => {
      c.options.onStderr?.('warning: could not remove the previous copy /x/src.old-1 (files of another user?)\n');
      return { stdout: 'synced 2 files\n' };
    });
    const warnings: string[] = [];
    await syncSources(
      kubectl,
      options({ reporter: { info: () => undefined, debug: () => undefined, warning: (m) => warnings.push(m) } }),
    );
    expect(warnings).toEqual(['source sync: could not remove the previous copy /x/src.old-1 (files of another user?)']);
  });

  it('a failed delete is a warning, not a failed sync', async () => {
    runner.on(' delete ', { code: 1, stderr: 'Unable to connect to the server' });
    const warnings: string[] = [];
    const result = await syncSources(
      kubectl,
      options({ reporter: { info: () => undefined, debug: () => undefined, warning: (m) => warnings.push(m) } }),
    );
    expect(result.kubectlCalls).toBe(4);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /could not delete the sync pod shop-dev-3\/codex-k8s-sync-.*stops by itself within 315s/,
    );
  });
});
