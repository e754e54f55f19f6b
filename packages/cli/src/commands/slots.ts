import { cleanupSlots, loadStack, kubectlFor, slotStoreFor } from '@codex-k8s/core';
import { UserError } from '@codex-k8s/core/errors';
import { parse, parseSlot, STACK_FLAGS, stackArgs } from '../options.js';
import { setLogLevel } from '../output.js';
import { cliReporter } from '../reporter.js';

export const help = `codex-k8s slots list    -c FILE [--env ENV] [--kubectl PATH]
codex-k8s slots release -c FILE --env ENV N [--dry-run] [--kubectl PATH]
codex-k8s slots link    -c FILE --env ENV (--slot N | --issue N) [--issue N] [--pr M] [--kubectl PATH]
list: the slot records (slot, env, namespace, issue, pr, created, last activity).
release: destroys slot N's environment and deletes its record; --dry-run says what it would delete, deletes
nothing and runs no hook.
link: attaches an issue and/or a pull request to a slot (the predecessor's manage-env set), so the PR's runs find
the issue's environment; without --slot, the slot holding --issue. A slot of another env is refused.`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse(
    'slots',
    rest,
    {
      ...STACK_FLAGS,
      kubectl: { type: 'string' },
      'dry-run': { type: 'boolean' },
      issue: { type: 'string' },
      pr: { type: 'string' },
    },
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
  if (sub === 'link') {
    const number = (flag: 'issue' | 'pr'): number | undefined => {
      const text = values[flag];
      if (text === undefined) return undefined;
      const n = parseSlot(text, `slots link --${flag}`);
      if (!n) throw new UserError(`slots link: --${flag} must be a number > 0`);
      return n;
    };
    const issue = number('issue');
    const pr = number('pr');
    if (issue === undefined && pr === undefined) throw new UserError('slots link: give --issue and/or --pr to link');
    const args = stackArgs(values, false);
    const stack = loadStack({ ...args, env: args.env || 'ai', settingsOnly: true });
    const store = slotStoreFor(stack, await kubectlFor(stack, { path: values.kubectl }), reporter);
    let slot = args.slot;
    if (!slot) {
      if (issue === undefined) throw new UserError('slots link: give --slot, or --issue to find the slot it holds');
      const [held] = await store.find({ env: stack.env, issue });
      if (!held) throw new UserError(`slots link: no slot of env ${stack.env} is held for issue #${issue}`);
      slot = held.slot;
    }
    // One slot per issue and per PR: linking one another slot holds would make both hold it.
    for (const [what, n] of [
      ['issue', issue],
      ['pr', pr],
    ] as const) {
      if (n === undefined) continue;
      const other = (await store.find({ env: stack.env, [what]: n })).find((r) => r.slot !== slot);
      if (other)
        throw new UserError(
          `slots link: ${what === 'pr' ? 'PR' : 'issue'} #${n} is already held by slot ${other.slot}; release it first`,
        );
    }
    const linked = await store.link(slot, { issue, pr, env: stack.env });
    process.stdout.write(
      `slot ${slot} (${linked.namespace}): issue ${linked.issue ? `#${linked.issue}` : '-'}, pr ${linked.pr ? `#${linked.pr}` : '-'}\n`,
    );
    return 0;
  }
  throw new UserError('slots: use "slots list", "slots release N" or "slots link"');
}
