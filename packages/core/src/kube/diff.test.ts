import { describe, expect, it } from '@jest/globals';
import { diffArgs, diffStack, formatDiffSummary, parseDiffFiles } from './diff.js';
import { FakeRunner } from './fake-runner.js';
import { Kubectl } from './kubectl.js';

const DIFF = `diff -u -N /tmp/LIVE-1/rbac.authorization.k8s.io.v1.ClusterRole..r1 /tmp/MERGED-2/rbac.authorization.k8s.io.v1.ClusterRole..r1
--- /tmp/LIVE-1/rbac.authorization.k8s.io.v1.ClusterRole..r1
+++ /tmp/MERGED-2/rbac.authorization.k8s.io.v1.ClusterRole..r1
@@ -7,4 +7,10 @@
-rules: []
+rules: [x]
diff -u -N /tmp/LIVE-1/v1.ConfigMap.app.new /tmp/MERGED-2/v1.ConfigMap.app.new
--- /tmp/LIVE-1/v1.ConfigMap.app.new
+++ /tmp/MERGED-2/v1.ConfigMap.app.new
@@ -0,0 +1,8 @@
+apiVersion: v1
`;

const groups = [
  {
    type: 'infra' as const,
    name: 'g',
    documents: [
      { object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r1' } } },
      { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'new', namespace: 'app' } } },
      { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same', namespace: 'app' } } },
    ],
  },
];

describe('diff', () => {
  it('parses which objects kubectl diff touches', () => {
    expect([...parseDiffFiles(DIFF)]).toEqual([
      ['rbac.authorization.k8s.io.v1.ClusterRole..r1', 'changed'],
      ['v1.ConfigMap.app.new', 'created'],
    ]);
    expect(diffArgs()).toEqual(['diff', '--server-side', '--field-manager=codex-k8s', '--force-conflicts', '-f', '-']);
  });

  it('summarises created, changed and unchanged objects in one diff call', async () => {
    const runner = new FakeRunner()
      .on('get namespace app', { stdout: 'namespace/app\n' })
      .on('diff', { code: 1, stdout: DIFF });
    const s = await diffStack(new Kubectl(runner, { binary: 'kubectl' }), groups, { namespace: 'app' });
    expect(s.namespace).toEqual({ name: 'app', exists: true });
    expect(s.created.map((r) => r.name)).toEqual(['new']);
    expect(s.changed.map((r) => r.name)).toEqual(['r1']);
    expect(s.unchanged.map((r) => r.name)).toEqual(['same']);
    expect(runner.calls).toHaveLength(2);
    const md = formatDiffSummary(s, 'markdown');
    expect(md).toContain('**would be created** (1)\n- `ConfigMap app/new`');
    expect(md).toContain('<details><summary>kubectl diff</summary>\n\n```diff\ndiff -u -N');
  });

  it('everything in a namespace that does not exist yet is created; only the rest is diffed', async () => {
    const runner = new FakeRunner().on('diff', { code: 0, stdout: '' });
    const s = await diffStack(new Kubectl(runner, { binary: 'kubectl' }), groups, { namespace: 'app' });
    expect(s.namespace).toEqual({ name: 'app', exists: false });
    expect(s.created.map((r) => r.name)).toEqual(['new', 'same']);
    expect(s.unchanged.map((r) => r.name)).toEqual(['r1']);
    expect(runner.calls[1].options.input).not.toContain('ConfigMap');
    expect(formatDiffSummary(s)).toMatch(/^namespace app does not exist yet/);
  });

  it('a kubectl failure (exit > 1) is an error', async () => {
    const runner = new FakeRunner().on('diff', { code: 2, stderr: 'Error from server (Forbidden): no' });
    await expect(diffStack(new Kubectl(runner, { binary: 'kubectl' }), groups)).rejects.toThrow(/Forbidden/);
  });
});

describe('diff: what is asked and how it is read', () => {
  const kubectlWith = (runner: FakeRunner) => new Kubectl(runner, { binary: 'kubectl' });
  const header = (file: string, created = false) =>
    `diff -u -N /tmp/LIVE-1/${file} /tmp/MERGED-2/${file}\n--- /tmp/LIVE-1/${file}\n+++ /tmp/MERGED-2/${file}\n` +
    `${created ? '@@ -0,0 +1,3 @@' : '@@ -1,3 +1,3 @@'}\n`;

  it('the flags of the apply', () => {
    expect(diffArgs({ fieldManager: 'x', forceConflicts: false })).toEqual([
      'diff',
      '--server-side',
      '--field-manager=x',
      '-f',
      '-',
    ]);
  });

  it('a line of an object that reads like a header is content', () => {
    const text = `${header('v1.ConfigMap.app.cm')}+  script: |\n+diff -u -N /tmp/a/v1.Secret.app.s /tmp/b/v1.Secret.app.s\n`;
    expect([...parseDiffFiles(text).keys()]).toEqual(['v1.ConfigMap.app.cm']);
  });

  it('the namespace check names the namespace, tolerates its absence, and gets the timeout', async () => {
    const runner = new FakeRunner().on('get namespace', { stdout: 'namespace/app\n' }).on('diff', { code: 0 });
    await diffStack(kubectlWith(runner), groups, { namespace: ' app ', timeoutMs: 3000 });
    expect(runner.commands).toEqual([
      'get namespace app --ignore-not-found -o name',
      'diff --server-side --field-manager=codex-k8s --force-conflicts -f -',
    ]);
    expect(runner.calls.map((c) => c.options.timeoutMs)).toEqual([3000, 3000]);
    expect(runner.calls[1].options.input).toContain('name: r1');
    expect(runner.calls[1].options.input).toContain('name: same');
  });

  it('without a namespace there is no namespace check', async () => {
    const runner = new FakeRunner().on('diff', { code: 0 });
    const s = await diffStack(kubectlWith(runner), groups);
    expect(runner.commands).toEqual(['diff --server-side --field-manager=codex-k8s --force-conflicts -f -']);
    expect(s.created).toEqual([]);
    expect(s.namespace).toBeUndefined();
  });

  it('when everything is in the missing namespace, nothing is diffed', async () => {
    const runner = new FakeRunner();
    const s = await diffStack(
      kubectlWith(runner),
      [
        {
          type: 'infra',
          name: 'g',
          documents: [
            { object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } } },
            { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'app' } } },
          ],
        },
      ],
      { namespace: 'app' },
    );
    expect(runner.calls).toHaveLength(1);
    expect(s.created.map((r) => `${r.kind} ${r.name}`)).toEqual(['Namespace app', 'ConfigMap c']);
    expect(s.diff).toBe('');
  });

  it('an object named like the missing namespace is diffed all the same', async () => {
    const runner = new FakeRunner().on('diff', { code: 0 });
    const s = await diffStack(
      kubectlWith(runner),
      [
        {
          type: 'infra',
          name: 'g',
          documents: [
            { object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'app' } } },
          ],
        },
      ],
      { namespace: 'app' },
    );
    expect(s.created).toEqual([]);
    expect(s.unchanged.map((r) => r.name)).toEqual(['app']);
  });

  it('objects are matched to the files by group, kind and (default) namespace', async () => {
    const runner = new FakeRunner().on('diff', {
      code: 1,
      stdout: header('example.io.v1.Deployment.app.api') + header('v1.ConfigMap.default.x', true),
    });
    const s = await diffStack(kubectlWith(runner), [
      {
        type: 'service',
        name: 'api',
        documents: [
          { object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'app' } } },
          { object: { apiVersion: 'example.io/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'app' } } },
          { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } },
          { object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } } },
          { object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r2' } } },
        ],
      },
    ]);
    expect(s.changed.map((r) => `${r.apiVersion} ${r.kind} ${r.name}`)).toEqual(['example.io/v1 Deployment api']);
    expect(s.created.map((r) => `${r.kind} ${r.name}`)).toEqual(['ConfigMap x']);
    expect(s.unchanged.map((r) => `${r.apiVersion} ${r.kind} ${r.name}`)).toEqual([
      'apps/v1 Deployment api',
      'v1 Secret x',
      'rbac.authorization.k8s.io/v1 ClusterRole r2',
    ]);
  });

  it('the summary as text and as Markdown', () => {
    const ref = (kind: string, name: string, namespace?: string) => ({ apiVersion: 'v1', kind, name, namespace });
    const s = {
      namespace: { name: 'app', exists: true },
      created: [ref('ConfigMap', 'new', 'app')],
      changed: [ref('ConfigMap', 'cm', 'app')],
      unchanged: [ref('Secret', 's', 'app')],
      diff: 'diff -u -N a b\n',
    };
    expect(formatDiffSummary(s)).toBe(
      'would be created (1):\n  ConfigMap app/new\nwould change (1):\n  ConfigMap app/cm\nunchanged (1):\n  Secret app/s',
    );
    expect(formatDiffSummary({ ...s, created: [], changed: [], diff: '' }, 'markdown')).toBe(
      '**unchanged** (1)\n- `Secret app/s`\nno changes',
    );
    expect(formatDiffSummary({ ...s, created: [], diff: '' }, 'markdown')).toBe(
      '**would change** (1)\n- `ConfigMap app/cm`\n**unchanged** (1)\n- `Secret app/s`',
    );
    expect(formatDiffSummary({ ...s, changed: [], unchanged: [], diff: '\n' }, 'markdown')).toBe(
      '**would be created** (1)\n- `ConfigMap app/new`',
    );
    expect(formatDiffSummary({ ...s, created: [], unchanged: [] }, 'markdown')).toBe(
      '**would change** (1)\n- `ConfigMap app/cm`\n\n<details><summary>kubectl diff</summary>\n\n```diff\ndiff -u -N a b\n```\n\n</details>',
    );
    expect(formatDiffSummary({ created: [], changed: [], unchanged: [], diff: '' })).toBe('no changes');
  });

  it("a file of another version of the group, or of a dotted name in the default namespace, is the object's", async () => {
    const runner = new FakeRunner().on('diff', {
      code: 1,
      stdout:
        header('autoscaling.v2beta2.HorizontalPodAutoscaler.app.h') +
        header('v1.ConfigMap.default.a.b') +
        header('example.io.v1.ConfigMap.default.c'),
    });
    const s = await diffStack(kubectlWith(runner), [
      {
        type: 'service',
        name: 'api',
        documents: [
          {
            object: {
              apiVersion: 'autoscaling/v2',
              kind: 'HorizontalPodAutoscaler',
              metadata: { name: 'h', namespace: 'app' },
            },
          },
          { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a.b' } } },
          { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } },
        ],
      },
    ]);
    expect(s.changed.map((r) => r.name)).toEqual(['h', 'a.b']);
    expect(s.unchanged.map((r) => r.name)).toEqual(['c']);
  });

  it("a file of the same kind and name length, of another name, namespace or kind, is not the object's", async () => {
    const runner = new FakeRunner().on('diff', {
      code: 1,
      stdout: header('v1.ConfigMap.default.ab') + header('v1.ConfigMap.other.x'),
    });
    const s = await diffStack(kubectlWith(runner), [
      {
        type: 'service',
        name: 'api',
        documents: [
          { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ab' } } },
          { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'yz' } } },
          { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'other' } } },
          { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'app' } } },
          { object: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ab' } } },
        ],
      },
    ]);
    expect(s.changed.map((r) => `${r.kind} ${r.namespace ?? ''}/${r.name}`)).toEqual([
      'ConfigMap /ab',
      'ConfigMap other/x',
    ]);
    expect(s.unchanged.map((r) => `${r.kind} ${r.namespace ?? ''}/${r.name}`)).toEqual([
      'ConfigMap /yz',
      'ConfigMap app/x',
      'Endpoints /ab',
    ]);
  });

  it('another Namespace of the stack is diffed, not taken for the missing one', async () => {
    const runner = new FakeRunner().on('diff', { code: 0 });
    const s = await diffStack(
      kubectlWith(runner),
      [
        {
          type: 'infra',
          name: 'g',
          documents: [
            { object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } } },
            { object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shared' } } },
          ],
        },
      ],
      { namespace: 'app' },
    );
    expect(s.created.map((r) => r.name)).toEqual(['app']);
    expect(s.unchanged.map((r) => r.name)).toEqual(['shared']);
  });
});
