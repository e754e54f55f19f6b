import { UserError } from '../util/errors.js';
import type { Environment } from './schema.js';

export interface ResolvedEnvironment extends Environment {
  name: string;
  /** The chain followed through `from`, the env itself first. */
  lineage: string[];
}

/** Follows `from` to the root; a child's non-empty fields override its parent's. */
export function resolveEnvironment(
  environments: Record<string, Environment> | undefined,
  name: string,
  file: string,
): ResolvedEnvironment {
  const envs = environments ?? {};
  checkEnvironmentDefined(Object.keys(envs), name, file);
  const lineage: string[] = [];
  let current: string | undefined = name;
  while (current !== undefined) {
    if (lineage.includes(current)) {
      throw new UserError(
        `${file}: environments.${lineage[lineage.length - 1]}.from: inheritance cycle ${[...lineage, current].join(' -> ')}; remove one of the from: links`,
        file,
      );
    }
    if (!Object.hasOwn(envs, current)) {
      throw new UserError(
        `${file}: environments.${lineage[lineage.length - 1]}.from: parent environment "${current}" is not defined`,
        file,
      );
    }
    lineage.push(current);
    current = envs[current].from?.trim() || undefined;
  }
  const resolved: ResolvedEnvironment = { name, lineage };
  for (const envName of [...lineage].reverse()) {
    const env = envs[envName];
    if (env.imagePullPolicy) resolved.imagePullPolicy = env.imagePullPolicy;
    if (env.slotBootstrapInfra?.length) resolved.slotBootstrapInfra = env.slotBootstrapInfra;
    if (env.localRegistry) resolved.localRegistry = env.localRegistry;
    if (env.kubeconfig?.trim()) resolved.kubeconfig = env.kubeconfig;
  }
  resolved.from = lineage.length > 1 ? lineage[lineage.length - 1] : undefined;
  return resolved;
}

/** Fails with the list of defined envs when `name` is not one of them. */
export function checkEnvironmentDefined(known: readonly string[], name: string, file: string): void {
  if (known.includes(name)) return;
  const hint = known.length ? `defined: ${known.join(', ')}` : 'services.yaml defines no environments';
  throw new UserError(
    `${file}: environment "${name}" is not defined (${hint}); add it under environments: or pick one of those`,
    file,
  );
}
