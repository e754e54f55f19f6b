/** Authorization reviews (`kubectl auth can-i`) and TokenRequest (`kubectl create token`). */
import { randomBytes } from 'node:crypto';
import type { JsonObject } from './types.js';

/** A denied access: every set field must match (`*` or missing = any). */
export interface DenyRule {
  verb?: string;
  resource?: string;
  group?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const fits = (rule: string | undefined, value: unknown): boolean =>
  rule === undefined || rule === '*' || rule === String(value ?? '');

export class Authorizer {
  private deny: DenyRule[] = [];

  setDenyList(rules: DenyRule[]): void {
    this.deny = [...rules];
  }

  denyList(): DenyRule[] {
    return [...this.deny];
  }

  isDenied(attrs: JsonObject | undefined): DenyRule | undefined {
    if (!attrs) return undefined;
    return this.deny.find(
      (r) =>
        fits(r.verb, attrs.verb) &&
        fits(r.resource, attrs.resource) &&
        fits(r.group, attrs.group) &&
        fits(r.namespace, attrs.namespace) &&
        fits(r.name, attrs.name) &&
        fits(r.subresource, attrs.subresource),
    );
  }

  /** Answers a SelfSubjectAccessReview / SubjectAccessReview / SelfSubjectRulesReview; returns the object to send back. */
  review(kind: string, body: JsonObject): JsonObject {
    const out: JsonObject = { ...body, kind, apiVersion: 'authorization.k8s.io/v1' };
    out.metadata = { ...(body.metadata ?? {}), creationTimestamp: null };
    if (kind === 'SelfSubjectRulesReview') {
      out.status = {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      };
      return out;
    }
    const attrs = body.spec?.resourceAttributes;
    const denied = this.isDenied(attrs);
    out.status = denied
      ? { allowed: false, denied: true, reason: 'denied by the kube test server deny list' }
      : { allowed: true, reason: 'kube test server allows everything not on its deny list' };
    return out;
  }
}

export function tokenRequest(namespace: string, serviceAccount: string, body: JsonObject | undefined): JsonObject {
  const seconds = Number(body?.spec?.expirationSeconds ?? 3600);
  const token = `kube-test.${Buffer.from(`${namespace}:${serviceAccount}`).toString('base64url')}.${randomBytes(8).toString('hex')}`;
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: serviceAccount, namespace, creationTimestamp: null },
    spec: { audiences: body?.spec?.audiences ?? ['https://kubernetes.default.svc'], expirationSeconds: seconds },
    status: {
      token,
      expirationTimestamp: new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  };
}
