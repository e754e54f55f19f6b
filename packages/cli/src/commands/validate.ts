import {
  DiagnosticsError,
  formatDiagnostic,
  listEnvironments,
  loadStack,
  renderStack,
  SlotRequiredError,
  UserError,
  type Diagnostic,
  type LoadedStack,
} from '@codex-k8s/core/stack';
import { parse, STACK_FLAGS, stackArgs } from '../options.js';
import { setLogLevel } from '../output.js';

export const help = `codex-k8s validate -c FILE [--env ENV] [--slot N] [--vars K=V ...] [--var-file F]
Loads services.yaml and renders the stack of ENV (or of every environment it defines), then prints errors and
warnings. A slotted environment without --slot is checked with the placeholder slot 1. Exit code 1 when there
is an error (a problem found in several environments counts once).`;

const PLACEHOLDER_SLOT = 1;

/**
 * One line per problem: a problem found in several environments (same position and field, or same text) is
 * reported and counted once.
 */
class ProblemList {
  readonly items: string[] = [];
  private readonly seen = new Set<string>();

  add(d: Diagnostic | string): void {
    const key = typeof d === 'string' ? d : d.line ? `${d.file}:${d.line}:${d.col}:${d.path}` : formatDiagnostic(d);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(typeof d === 'string' ? d : formatDiagnostic(d));
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse('validate', argv, STACK_FLAGS);
  setLogLevel(values['log-level']);
  const args = stackArgs(values, false);
  const envs = args.env ? [args.env] : listEnvironments(args.config);
  if (!envs.length)
    throw new UserError(`${args.config}: defines no environments; add an environments: block or pass --env`);
  const warnings = new ProblemList();
  const errors = new ProblemList();
  const notes: string[] = [];
  for (const env of envs) {
    const collect = (list: readonly Diagnostic[]) => list.forEach((w) => warnings.add(w));
    try {
      let stack: LoadedStack;
      try {
        stack = loadStack({ ...args, env });
      } catch (err) {
        if (!(err instanceof SlotRequiredError)) throw err;
        stack = loadStack({ ...args, env, slot: PLACEHOLDER_SLOT });
        notes.push(`env ${env} is slotted and no slot was given: checked with placeholder slot ${PLACEHOLDER_SLOT}`);
      }
      collect(stack.warnings);
      collect(renderStack(stack).warnings);
    } catch (err) {
      if (err instanceof DiagnosticsError) err.problems.forEach((p) => errors.add(p));
      else if (err instanceof UserError) errors.add(`env ${env}: ${err.message}`);
      else throw err;
    }
  }
  for (const n of notes) process.stderr.write(`note: ${n}\n`);
  for (const w of warnings.items) process.stderr.write(`warning: ${w}\n`);
  for (const e of errors.items) process.stderr.write(`error: ${e}\n`);
  process.stdout.write(
    `${args.config}: ${count(envs.length, 'environment')} checked (${envs.join(', ')}): ${count(errors.items.length, 'error')}, ${count(warnings.items.length, 'warning')}\n`,
  );
  return errors.items.length ? 1 : 0;
}

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
