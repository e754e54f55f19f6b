import { runDoctor } from '@codex-k8s/core';
import { parse, STACK_FLAGS, stackArgs } from '../options.js';
import { setLogLevel } from '../output.js';

export const help = `codex-k8s doctor -c FILE --env ENV [--slot N] [--kubectl PATH]
Preflight: kubectl present and its version, the cluster reachable, and the permissions this env needs. Exit 1 when
a check fails.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse('doctor', argv, { ...STACK_FLAGS, kubectl: { type: 'string' } });
  setLogLevel(values['log-level']);
  const checks = await runDoctor({ load: stackArgs(values), kubectlPath: values.kubectl });
  for (const c of checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
  return checks.every((c) => c.ok) ? 0 : 1;
}
