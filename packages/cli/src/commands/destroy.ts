import { destroyEnvironment } from '@codex-k8s/core';
import { parse, STACK_FLAGS, stackArgs } from '../options.js';
import { setLogLevel } from '../output.js';
import { cliReporter } from '../reporter.js';

export const help = `codex-k8s destroy -c FILE --env ENV [--slot N] [--namespace NS] [--dry-run] [--force] [--kubectl PATH]
Deletes the environment's namespace and its own cluster-scoped objects (shared ones stay while another slot uses
them), running the destroy hooks. Slot records stay: release them with codex-k8s slots release.
Only a namespace of this project is deleted: one labelled app.kubernetes.io/managed-by=codex-k8s and
codex-k8s.io/project=<project>, or one a slot record names. --force deletes a namespace without those labels and
records too; kube-*, default and the state namespace are never deleted.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse('destroy', argv, {
    ...STACK_FLAGS,
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
    kubectl: { type: 'string' },
  });
  setLogLevel(values['log-level']);
  const result = await destroyEnvironment({
    load: stackArgs(values),
    kubectl: { path: values.kubectl },
    dryRun: values['dry-run'],
    force: values.force,
    forceHint: 'pass --force to delete it anyway',
    reporter: cliReporter(),
  });
  const cluster = result.cluster;
  process.stdout.write(
    `${result.dryRun ? 'would destroy' : 'destroyed'} ${result.namespace.name}${cluster.deleted.length ? `; deleted ${cluster.deleted.length} cluster-scoped ${cluster.deleted.length === 1 ? 'object' : 'objects'}` : ''}${cluster.kept.length ? `; kept ${cluster.kept.length} still used by other slots` : ''}\n`,
  );
  return 0;
}
