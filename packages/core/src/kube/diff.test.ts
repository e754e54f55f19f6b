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
