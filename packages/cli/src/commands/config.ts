import { stringify } from 'yaml';
import { loadStack } from '@codex-k8s/core/stack';
import { parse, STACK_FLAGS, stackArgs } from '../options.js';
import { emit, setLogLevel, warnAll } from '../output.js';

export const help = `codex-k8s config -c FILE --env ENV [--slot N] [--namespace NS] [--raw] [--vars K=V ...] [--var-file F] [-o OUT]
Prints the resolved configuration. --raw prints services.yaml exactly as the template pass produced it.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse('config', argv, { ...STACK_FLAGS, raw: { type: 'boolean' } });
  setLogLevel(values['log-level']);
  const stack = loadStack(stackArgs(values));
  warnAll(stack.warnings);
  if (values.raw) {
    emit(stack.rendered, values.output);
    return 0;
  }
  const resolved = {
    resolved: {
      project: stack.project,
      env: stack.env,
      slot: stack.slot,
      namespace: stack.namespace,
      slotted: stack.slotted,
      environment: stack.environment,
    },
    config: stack.config,
  };
  emit(stringify(resolved, { lineWidth: 0 }), values.output);
  return 0;
}
