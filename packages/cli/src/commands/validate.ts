import { formatDiagnostic, loadStack, renderStack, UserError, type Diagnostic } from '@codex-k8s/core';
import { parse, STACK_FLAGS, stackArgs } from '../options.js';
import { setLogLevel } from '../output.js';

export const help = `codex-k8s validate -c FILE [--env ENV] [--slot N] [--vars K=V ...] [--var-file F]
Loads services.yaml and renders the stack of ENV (or of every environment it defines), then prints errors and
warnings. Exit code 1 when there is an error.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse('validate', argv, STACK_FLAGS);
  setLogLevel(values['log-level']);
  const args = stackArgs(values, false);
  let envs = args.env ? [args.env] : [];
  if (!envs.length) {
    // Any env will do to read the environment list; slot 1 keeps slotted patterns meaningful.
    const probe = loadStack({ ...args, env: Object.keys(readEnvNames(args)).at(0) ?? 'default', slot: args.slot || 1 });
    envs = Object.keys(probe.config.environments ?? {});
  }
  const seen = new Set<string>();
  const warnings: Diagnostic[] = [];
  const errors: string[] = [];
  for (const env of envs) {
    try {
      let stack = loadStack({ ...args, env });
      if (stack.slotted && stack.slot === 0 && !args.namespace) stack = loadStack({ ...args, env, slot: 1 });
      const rendered = renderStack(stack);
      for (const w of [...stack.warnings, ...rendered.warnings]) {
        const text = formatDiagnostic(w);
        if (!seen.has(text)) {
          seen.add(text);
          warnings.push(w);
        }
      }
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      errors.push(`env ${env}: ${err.message}`);
    }
  }
  for (const w of warnings) process.stderr.write(`warning: ${formatDiagnostic(w)}\n`);
  for (const e of errors) process.stderr.write(`error: ${e}\n`);
  process.stdout.write(
    `${args.config}: ${envs.length} environment(s) checked (${envs.join(', ')}): ${errors.length} error(s), ${warnings.length} warning(s)\n`,
  );
  return errors.length ? 1 : 0;
}

/** Environment names from the file as written, without rendering it. */
function readEnvNames(args: { config: string }): Record<string, unknown> {
  try {
    return loadStack({ config: args.config, env: '__probe__' }).config.environments ?? {};
  } catch (err) {
    const m = /\(defined: ([^)]*)\)/.exec((err as Error).message);
    if (m) return Object.fromEntries(m[1].split(', ').map((n) => [n, {}]));
    throw err;
  }
}
