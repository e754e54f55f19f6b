import {
  formatDiagnostic,
  listEnvironments,
  loadStack,
  renderStack,
  UserError,
  type Diagnostic,
} from '@codex-k8s/core/stack';
import { parse, STACK_FLAGS, stackArgs } from '../options.js';
import { setLogLevel } from '../output.js';

export const help = `codex-k8s validate -c FILE [--env ENV] [--slot N] [--vars K=V ...] [--var-file F]
Loads services.yaml and renders the stack of ENV (or of every environment it defines), then prints errors and
warnings. Exit code 1 when there is an error.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse('validate', argv, STACK_FLAGS);
  setLogLevel(values['log-level']);
  const args = stackArgs(values, false);
  const envs = args.env ? [args.env] : listEnvironments(args.config);
  if (!envs.length)
    throw new UserError(`${args.config}: defines no environments; add an environments: block or pass --env`);
  const seen = new Set<string>();
  const warnings: Diagnostic[] = [];
  const errors: string[] = [];
  for (const env of envs) {
    const collect = (list: readonly Diagnostic[]) => {
      for (const w of list) {
        const key = w.line ? `${w.file}:${w.line}:${w.col}:${w.path}` : formatDiagnostic(w);
        if (!seen.has(key)) {
          seen.add(key);
          warnings.push(w);
        }
      }
    };
    try {
      let stack = loadStack({ ...args, env });
      if (stack.slotted && stack.slot === 0 && !args.namespace) stack = loadStack({ ...args, env, slot: 1 });
      collect(stack.warnings);
      collect(renderStack(stack).warnings);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      errors.push(`env ${env}: ${err.message}`);
    }
  }
  for (const w of warnings) process.stderr.write(`warning: ${formatDiagnostic(w)}\n`);
  for (const e of errors) process.stderr.write(`error: ${e}\n`);
  process.stdout.write(
    `${args.config}: ${count(envs.length, 'environment')} checked (${envs.join(', ')}): ${count(errors.length, 'error')}, ${count(warnings.length, 'warning')}\n`,
  );
  return errors.length ? 1 : 0;
}

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
