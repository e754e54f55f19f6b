import { createHash } from 'node:crypto';

/** The labels and field manager that mark what codex-k8s created. */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_PROJECT = 'codex-k8s.io/project';
export const LABEL_ENV = 'codex-k8s.io/env';
export const LABEL_SLOT = 'codex-k8s.io/slot';
export const MANAGER_NAME = 'codex-k8s';
/** Which infra group or service of services.yaml rendered the object: prune of a filtered apply stays inside it. */
export const LABEL_INFRA = 'codex-k8s.io/infra';
export const LABEL_SERVICE = 'codex-k8s.io/service';

const LABEL_VALUE = /^(([a-z0-9][-a-z0-9_.]*)?[a-z0-9])?$/;

/**
 * The label value naming an infra group or service: its name in lower case (filters compare names
 * case-insensitively), or, for a name that is no valid label value (spaces, over 63 characters), a digest of it.
 */
export function componentLabelValue(name: string): string {
  const value = name.trim().toLowerCase();
  if (value && value.length <= 63 && LABEL_VALUE.test(value)) return value;
  return `name-${createHash('sha256').update(value).digest('hex').slice(0, 16)}`;
}
