import { cleanupSlots, loadStack, kubectlFor, slotStoreFor } from '@codex-k8s/core';
import { UserError } from '@codex-k8s/core/errors';
import { parse, parseSlot, STACK_FLAGS, stackArgs } from '../options.js';
import { setLogLevel } from '../output.js';
import { cliReporter } from '../reporter.js';

export const help = `codex-k8s slots list    -c FILE [--env ENV] [--kubectl PATH]
codex-k8s slots release -c FILE --env ENV N [--dry-run] [--kubectl PATH]
list: the slot records (slot, env, namespace, issue, pr, created, last activity).
release: destroys slot N's environment and deletes its record; --dry-run says what it would delete, deletes
nothing and runs no hook.`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse(
    'slots',
    rest,
    { ...STACK_FLAGS, kubectl: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    true,
  );
  setLogLevel(values['log-level']);
  const reporter = cliReporter();
  if (sub === 'list') {
    const args = stackArgs(values, false);
    const stack = loadStack({ ...args, env: args.env || 'ai', settingsOnly: true });
    const store = slotStoreFor(stack, await kubectlFor(stack, { path: values.kubectl }), reporter);
    const records = (await store.list()).filter((r) => !values.env || r.env === values.env);
    const rows = records.map((r) => [
      String(r.slot),
      r.env,
      r.namespace,
      r.issue ? `#${r.issue}` : '-',
      r.pr ? `#${r.pr}` : '-',
      r.createdAt || '-',
      r.updatedAt || '-',
    ]);
    const head = ['SLOT', 'ENV', 'NAMESPACE', 'ISSUE', 'PR', 'CREATED', 'UPDATED'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    for (const row of [head, ...rows])
      process.stdout.write(
        row
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd() + '\n',
      );
    return 0;
  }
  if (sub === 'release') {
    const slot = parseSlot(positionals[0], 'slots release');
    if (!slot)
      throw new UserError(
        'slots release: give the slot number, e.g. codex-k8s slots release -c services.yaml --env ai 3',
      );
    const dryRun = !!values['dry-run'];
    const result = await cleanupSlots({
      load: stackArgs(values),
      slot,
      kubectl: { path: values.kubectl },
      reporter,
      dryRun,
    });
    if (result.problems.length) throw new UserError(`slot ${slot} was not released: ${result.problems.join('\n')}`);
    if (!result.released.length) process.stdout.write(`slot ${slot} is not held\n`);
    else if (dryRun) process.stdout.write(`would release slot ${slot} (dry run: nothing was deleted)\n`);
    else process.stdout.write(`released slot ${slot}\n`);
    return 0;
  }
  throw new UserError('slots: use "slots list" or "slots release N"');
}
