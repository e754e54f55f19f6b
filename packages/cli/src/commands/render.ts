import { loadStack, renderStack, stackToYaml } from '@codex-k8s/core/stack';
import { FILTER_FLAGS, parse, STACK_FLAGS, stackArgs } from '../options.js';
import { emit, log, setLogLevel, warnAll } from '../output.js';

export const help = `codex-k8s render -c FILE --env ENV [--slot N] [--namespace NS] [--only-services a,b] [--skip-services ...]
                 [--only-infra ...] [--skip-infra ...] [--vars K=V ...] [--var-file F] [-o OUT]
Prints the rendered stack (infra groups, then services) as one YAML stream.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse('render', argv, { ...STACK_FLAGS, ...FILTER_FLAGS });
  setLogLevel(values['log-level']);
  const args = stackArgs(values);
  const stack = loadStack({ ...args });
  const rendered = renderStack(stack, {
    onlyServices: values['only-services'],
    skipServices: values['skip-services'],
    onlyInfra: values['only-infra'],
    skipInfra: values['skip-infra'],
  });
  warnAll([...stack.warnings, ...rendered.warnings]);
  log(
    'debug',
    `rendered ${rendered.documents.length} ${rendered.documents.length === 1 ? 'document' : 'documents'} for env ${stack.env} in namespace ${stack.namespace}`,
  );
  emit(stackToYaml(rendered.documents), values.output);
  return 0;
}
