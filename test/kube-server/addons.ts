/** Ingress addresses and cert-manager Issuer/ClusterIssuer/Certificate Ready conditions (+ the Certificate's TLS Secret). */
import { createHash } from 'node:crypto';
import { cond, type ControllerKit } from './controller-kit.js';
import type { ResourceInfo } from './resources.js';
import { nowIso } from './store.js';
import type { JsonObject, KubeObject } from './types.js';

export function reconcileIngress(k: ControllerKit, ing: KubeObject): void {
  const status = { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } };
  k.writeStatus(k.ri.Ingress, ing, status);
}

export function reconcileCertManager(k: ControllerKit, ri: ResourceInfo, o: KubeObject): void {
  const b = k.behaviourOf(o);
  const left = k.remaining(o, b);
  const prev = o.status?.conditions as JsonObject[] | undefined;
  let ready: JsonObject;
  if (left > 0) {
    k.wakeAt(o.metadata.uid!, ri, o, left);
    ready = cond(prev, 'Ready', false, 'Pending', 'kube test server: not ready yet');
  } else if (b.mode === 'ready') ready = cond(prev, 'Ready', true, 'Ready', 'kube test server: ready');
  else if (b.mode === 'fail') ready = cond(prev, 'Ready', false, 'Failed', 'kube test server: failed (behaviour fail)');
  else ready = cond(prev, 'Ready', false, 'Pending', 'kube test server: never ready (behaviour never)');
  const { lastUpdateTime: _u, ...condition } = ready;
  const status: JsonObject = {
    ...(o.status ?? {}),
    conditions: [{ ...condition, observedGeneration: o.metadata.generation }],
  };
  if (ri.kind === 'Certificate' && ready.status === 'True') {
    const notBefore = o.status?.notBefore ?? nowIso();
    status.notBefore = notBefore;
    status.notAfter = new Date(Date.parse(notBefore) + 90 * 86400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    status.renewalTime = new Date(Date.parse(notBefore) + 60 * 86400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    status.revision = 1;
    certificateSecret(k, o);
  }
  k.writeStatus(ri, o, status);
}

function certificateSecret(k: ControllerKit, cert: KubeObject): void {
  const name = cert.spec?.secretName;
  const ns = cert.metadata.namespace;
  if (typeof name !== 'string' || k.store.has(k.ri.Secret, ns, name)) return;
  const pem = (label: string): string =>
    Buffer.from(
      `-----BEGIN ${label}-----\n${createHash('sha256').update(`${ns}/${name}/${label}`).digest('base64')}\n-----END ${label}-----\n`,
    ).toString('base64');
  k.api.create(
    k.ri.Secret,
    ns,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name,
        namespace: ns,
        annotations: {
          'cert-manager.io/certificate-name': cert.metadata.name!,
          'cert-manager.io/issuer-name': cert.spec?.issuerRef?.name ?? '',
          'cert-manager.io/issuer-kind': cert.spec?.issuerRef?.kind ?? 'Issuer',
        },
      },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': pem('CERTIFICATE'), 'tls.key': pem('PRIVATE KEY'), 'ca.crt': pem('CERTIFICATE') },
    },
    { manager: 'cert-manager-certificates-issuing' },
  );
}
