import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SYNC_RESOURCES } from './options.js';
import { syncId, syncPodManifest } from './pod.js';

const spec = {
  name: 'codex-k8s-sync-0123456789',
  namespace: 'shop-dev-3',
  image: 'busybox:1.37.0',
  pvc: 'workspace',
  workspaceMount: '/workspace',
  lifetimeSeconds: 315,
  resources: DEFAULT_SYNC_RESOURCES,
  env: 'ai',
  slot: 3,
};

describe('syncPodManifest', () => {
  it('is a labelled, bounded, unprivileged pod with the PVC at the workspace mount', () => {
    const pod = syncPodManifest(spec);
    expect(pod.metadata?.labels).toEqual({
      'app.kubernetes.io/managed-by': 'codex-k8s',
      'codex-k8s.io/role': 'source-sync',
      'codex-k8s.io/env': 'ai',
      'codex-k8s.io/slot': '3',
    });
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.activeDeadlineSeconds).toBe(315);
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    const c = pod.spec.containers[0];
    expect(c.command).toEqual(['sleep', '315']);
    expect(c.securityContext).toEqual({
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
    expect(c.volumeMounts).toEqual([{ name: 'workspace', mountPath: '/workspace' }]);
    expect(pod.spec.volumes).toEqual([{ name: 'workspace', persistentVolumeClaim: { claimName: 'workspace' } }]);
  });

  it('runs as a given user, non-root, and leaves out labels that are not valid label values', () => {
    const pod = syncPodManifest({ ...spec, slot: 0, env: 'x'.repeat(64), runAsUser: 1000, runAsGroup: 1000 });
    expect(pod.metadata?.labels).toEqual({
      'app.kubernetes.io/managed-by': 'codex-k8s',
      'codex-k8s.io/role': 'source-sync',
    });
    expect(pod.spec.containers[0].securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
    });
  });

  it('syncId is 10 lowercase hex characters, different each time', () => {
    const a = syncId();
    expect(a).toMatch(/^[0-9a-f]{10}$/);
    expect(syncId()).not.toBe(a);
  });
});
