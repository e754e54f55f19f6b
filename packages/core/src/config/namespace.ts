import { UserError } from '../util/errors.js';

/**
 * Namespace patterns used when services.yaml sets none for an env. They are the predecessor's fixed names, kept as
 * overridable defaults so existing projects land in the same namespaces.
 */
export const DEFAULT_NAMESPACE_PATTERNS: Readonly<Record<string, string>> = {
  ai: '{{ .Project }}-dev-{{ .Slot }}',
  'ai-repair': '{{ .Project }}-ai-staging',
};

/** An env is slotted when its namespace pattern depends on the slot number. */
export function isSlottedPattern(pattern: string): boolean {
  return /\.Slot\b/.test(pattern);
}

/** The pattern in force for `env`: the project's own, else the default, else `<project>-<env>`. */
export function namespacePattern(patterns: Record<string, string> | undefined, env: string): string {
  const own = patterns?.[env];
  if (own !== undefined && own.trim() !== '') return own;
  return DEFAULT_NAMESPACE_PATTERNS[env] ?? `{{ .Project }}-${env}`;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkNamespaceName(namespace: string, env: string, file: string, explicit: boolean): void {
  if (DNS1123_LABEL.test(namespace) && namespace.length <= 63) return;
  const rule = 'lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters';
  const fix = explicit
    ? 'pass a valid namespace'
    : `set namespace.patterns.${env} in ${file} to a valid name, e.g. "{{ .Project }}-${env.toLowerCase().replace(/[^a-z0-9-]/g, '-')}"`;
  throw new UserError(
    `${file}: namespace "${namespace}" for env "${env}" is not a valid Kubernetes namespace name (${rule}): ${fix}`,
    file,
  );
}
