/*
 * The predecessor's secret steps, without its leaks: values are read from the process environment only (a
 * committed envFile can neither supply nor override them), are sent to kubectl as a manifest on stdin (never as
 * `--from-literal` arguments, which `ps` shows and kubectl repeats in its errors), and are handed to `maskSecret`
 * as soon as they are read.
 */
import { KubectlError } from '../kube/errors.js';
import { applyArgs } from '../kube/apply.js';
import { manifestStream } from '../objects/refs.js';
import type { KubeObject } from '../objects/object.js';
import { LABEL_MANAGED_BY, MANAGER_NAME } from '../objects/labels.js';
import { needKubectl, withString, type BuiltinContext, type BuiltinStep } from './context.js';
import { StepFailure } from './types.js';

/** The Secrets the agent's pod mounts: name, key, and the process variable holding the value. */
export const CODEX_SECRETS: readonly { secret: string; key: string; warnIfMissing?: boolean }[] = [
  { secret: 'openai-secret', key: 'OPENAI_API_KEY' },
  { secret: 'github-secret', key: 'CODEXCTL_GH_PAT', warnIfMissing: true },
  { secret: 'context7-secret', key: 'CONTEXT7_API_KEY' },
];

export function secretManifest(name: string, namespace: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { [LABEL_MANAGED_BY]: MANAGER_NAME } },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  };
}

/** `codex.ensure-codex-secrets`: one server-side apply of every secret whose variable is set. */
export const ensureCodexSecrets: BuiltinStep = async (ctx) => {
  const ns = ctx.stack.namespace;
  if (!ns) {
    ctx.log.debug('codex.ensure-codex-secrets: no namespace, nothing to do');
    return;
  }
  const manifests: KubeObject[] = [];
  for (const s of CODEX_SECRETS) {
    const value = ctx.processEnv[s.key];
    if (!value) {
      if (s.warnIfMissing)
        ctx.log.warning(`codex.ensure-codex-secrets: ${s.key} is not set; Secret ${s.secret} not created`);
      continue;
    }
    ctx.maskSecret?.(value);
    manifests.push(secretManifest(s.secret, ns, { [s.key]: value }));
  }
  if (!manifests.length) return;
  try {
    await needKubectl(ctx).run(applyArgs(), {
      input: manifestStream(manifests),
      signal: ctx.signal,
      timeoutMs: ctx.remainingMs(),
    });
  } catch (err) {
    // kubectl's stderr never holds stdin, but stay safe: name the secrets, not the values.
    const why =
      err instanceof KubectlError
        ? (err.reasons.join(', ') || `exit code ${err.code}`) + `: ${firstLine(err.stderr)}`
        : (err as Error).message;
    throw new StepFailure(`cannot apply ${manifests.map((m) => m.metadata!.name).join(', ')} in ${ns}: ${why}`);
  }
  ctx.log.info(`codex.ensure-codex-secrets: ${manifests.map((m) => m.metadata!.name).join(', ')} applied in ${ns}`);
};

const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';

/** A secret of one namespace as a manifest for another: identity, ownership and server fields dropped. */
export function copyOfSecret(secret: KubeObject, namespace: string): KubeObject {
  const labels = secret.metadata?.labels;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secret.metadata?.name, namespace, ...(labels && Object.keys(labels).length ? { labels } : {}) },
    ...(secret.type ? { type: secret.type } : {}),
    ...(secret.data ? { data: secret.data } : {}),
    ...(secret.immutable !== undefined ? { immutable: secret.immutable } : {}),
  };
}

async function getSecret(ctx: BuiltinContext, name: string, namespace: string): Promise<KubeObject | undefined> {
  const out = await needKubectl(ctx).run(
    ['get', 'secret', '-n', namespace, '-o', 'json', '--ignore-not-found', '--', name],
    {
      signal: ctx.signal,
      timeoutMs: Math.min(60_000, ctx.remainingMs()),
    },
  );
  return out.trim() ? (JSON.parse(out) as KubeObject) : undefined;
}

async function putSecret(ctx: BuiltinContext, secret: KubeObject, namespace: string): Promise<void> {
  await needKubectl(ctx).run(applyArgs(), {
    input: manifestStream([copyOfSecret(secret, namespace)]),
    signal: ctx.signal,
    timeoutMs: Math.min(60_000, ctx.remainingMs()),
  });
}

function stagingNamespace(ctx: BuiltinContext): string {
  const given = withString(ctx, 'stagingNamespace');
  if (given) return given;
  const pattern = ctx.stack.config.namespace?.patterns?.['ai-staging']?.trim();
  if (pattern) {
    try {
      const ns = ctx.stack.renderField('namespace.patterns.ai-staging', pattern).trim();
      if (ns) return ns;
    } catch {
      /* fall back to the default name */
    }
  }
  return `${ctx.stack.project}-ai-staging`;
}

/**
 * `codex.reuse-dev-tls-secret`: a slot reuses the TLS certificate staging already holds (issuing one per slot
 * would hit the CA's rate limits), and once the slot has one, staging keeps a copy for the next slot. Copy
 * staging → slot, wait for the secret in the slot, copy it back. Best effort: problems are warnings.
 */
export const reuseDevTlsSecret: BuiltinStep = async (ctx) => {
  const { namespace: ns, slot, project } = ctx.stack;
  if (!ns || slot <= 0 || !project) {
    ctx.log.debug('codex.reuse-dev-tls-secret: needs a namespace, a slot and a project; nothing to do');
    return;
  }
  const name = withString(ctx, 'secretName') ?? `${project}-dev-${slot}-tls`;
  const staging = stagingNamespace(ctx);
  const warn = (what: string, err: unknown) =>
    ctx.log.warning(
      `codex.reuse-dev-tls-secret: ${what}: ${err instanceof KubectlError ? firstLine(err.stderr) || err.message : (err as Error).message}`,
    );
  if (staging === ns) return;

  try {
    const fromStaging = await getSecret(ctx, name, staging);
    if (fromStaging) {
      await putSecret(ctx, fromStaging, ns);
      ctx.log.info(`codex.reuse-dev-tls-secret: copied Secret ${name} from ${staging} to ${ns}`);
    }
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    warn(`cannot copy Secret ${name} from ${staging}`, err);
  }

  const poll = ctx.tlsSecretPoll ?? { attempts: 120, intervalMs: 2000 };
  let found: KubeObject | undefined;
  for (let i = 0; i < poll.attempts && !found; i++) {
    try {
      found = await getSecret(ctx, name, ns);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      warn(`cannot read Secret ${name} in ${ns}`, err);
    }
    if (!found && i + 1 < poll.attempts) await ctx.sleep(poll.intervalMs, ctx.signal);
  }
  if (!found) {
    ctx.log.warning(`codex.reuse-dev-tls-secret: Secret ${name} did not appear in ${ns}; staging keeps what it had`);
    return;
  }
  try {
    await putSecret(ctx, found, staging);
    ctx.log.info(`codex.reuse-dev-tls-secret: Secret ${name} saved to ${staging} for the next slots`);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    warn(`cannot copy Secret ${name} back to ${staging}`, err);
  }
};
