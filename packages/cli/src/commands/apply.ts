import { applyEnvironment, describePrune, parseGoDuration } from '@codex-k8s/core';
import { FILTER_FLAGS, parse, STACK_FLAGS, stackArgs } from '../options.js';
import { setLogLevel } from '../output.js';
import { cliReporter } from '../reporter.js';

export const help = `codex-k8s apply -c FILE --env ENV [--slot N] [--namespace NS] [--only-services a,b] [--skip-services ...]
                [--only-infra ...] [--skip-infra ...] [--vars K=V ...] [--var-file F] [--dry-run] [--no-wait]
                [--wait-timeout 10m] [--wait-soft-fail] [--no-force-conflicts] [--no-prune] [--kubectl PATH] [-o STACK.yaml]
Renders the stack, runs its hooks, applies it server-side (one kubectl call per infra group or service) and waits
for its workloads, then deletes what an earlier apply created for this env and slot but the stack no longer renders
(a filtered apply only inside the infra groups and services it selected; --no-prune keeps everything). With
--dry-run, prints what would change and what would be pruned, and changes nothing. -o writes the rendered stack
to a file (mode 0600: it holds Secret data); without it nothing is written. Inside the agent pod, apply only what
you changed: codex-k8s apply --only-services api`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse('apply', argv, {
    ...STACK_FLAGS,
    ...FILTER_FLAGS,
    'dry-run': { type: 'boolean' },
    'no-wait': { type: 'boolean' },
    'wait-timeout': { type: 'string' },
    'wait-soft-fail': { type: 'boolean' },
    'no-force-conflicts': { type: 'boolean' },
    'no-prune': { type: 'boolean' },
    kubectl: { type: 'string' },
  });
  setLogLevel(values['log-level']);
  const result = await applyEnvironment({
    load: stackArgs(values),
    filters: {
      onlyServices: values['only-services'],
      skipServices: values['skip-services'],
      onlyInfra: values['only-infra'],
      skipInfra: values['skip-infra'],
    },
    kubectl: { path: values.kubectl },
    // Written only when asked for: the stream holds Secret data in clear.
    manifestPath: values.output,
    dryRun: values['dry-run'],
    wait: !values['no-wait'],
    waitTimeoutMs: values['wait-timeout'] ? parseGoDuration(values['wait-timeout']) : undefined,
    waitSoftFail: values['wait-soft-fail'],
    forceConflicts: !values['no-force-conflicts'],
    prune: !values['no-prune'],
    reporter: cliReporter(),
  });
  const objects = result.apply?.groups.reduce((n, g) => n + g.objects.length, 0) ?? 0;
  for (const line of result.prune ? describePrune(result.prune) : []) process.stdout.write(`${line}\n`);
  process.stdout.write(
    values['dry-run']
      ? `dry run: nothing applied to ${result.stack.namespace}${result.manifestPath ? ` (stack written to ${result.manifestPath})` : ''}\n`
      : `applied ${objects} objects to ${result.stack.namespace}${result.infraReady ? '' : ' (some workloads are not ready)'}\n`,
  );
  return 0;
}
