/**
 * The agent's Deployment as the tests apply it: `codex`, container `codex`, its workspace at /workspace (a PVC by
 * subPath, as the shop's agent mounts it, or an empty directory), working directory /workspace.
 */
export function agentDeployment(
  namespace: string,
  workspace: { claim: string; subPath?: string } | 'emptyDir',
  container: Record<string, unknown> = {},
): Record<string, unknown> {
  const volume =
    workspace === 'emptyDir'
      ? { name: 'ws', emptyDir: {} }
      : { name: 'ws', persistentVolumeClaim: { claimName: workspace.claim } };
  const subPath = workspace !== 'emptyDir' && workspace.subPath ? { subPath: workspace.subPath } : {};
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'codex', namespace },
    spec: {
      selector: { matchLabels: { app: 'codex' } },
      template: {
        metadata: { labels: { app: 'codex' } },
        spec: {
          containers: [
            {
              name: 'codex',
              image: 'agent',
              workingDir: '/workspace',
              volumeMounts: [{ name: 'ws', mountPath: '/workspace', ...subPath }],
              ...container,
            },
          ],
          volumes: [volume],
        },
      },
    },
  };
}
