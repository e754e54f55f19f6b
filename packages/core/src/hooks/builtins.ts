/*
 * Built-in `use:` steps. Each gets its rendered `with:` values, the step's abort signal (its timeout) and the
 * kubectl of the run. The predecessor's names and parameters are kept.
 */
import path from 'node:path';
import { findOnPath, isExecutableFile } from '../kube/which.js';
import { kubectlTimeout, parseGoDuration, parseTimeout } from '../kube/duration.js';
import { KubectlError } from '../kube/errors.js';
import { needKubectl, required, withString, type BuiltinStep } from './context.js';
import { ensureCodexSecrets, reuseDevTlsSecret } from './secrets.js';
import { StepFailure } from './types.js';

/** `kubectl wait --for=condition=<condition> -n <namespace> --timeout=<timeout> -- <kind>/<name>` */
const kubectlWait: BuiltinStep = async (ctx) => {
  const kind = required(ctx, 'kind');
  const name = required(ctx, 'name');
  const namespace = withString(ctx, 'namespace') ?? ctx.stack.namespace;
  const condition = withString(ctx, 'condition') ?? 'Available';
  const timeoutText = withString(ctx, 'timeout') ?? '1200s';
  let timeoutMs: number;
  try {
    timeoutMs = parseTimeout(timeoutText, 'with.timeout');
  } catch (err) {
    throw new StepFailure((err as Error).message);
  }
  // The step's own timeout may be shorter than the wait's: kubectl gets whichever ends first.
  const limit = Math.min(timeoutMs, ctx.remainingMs());
  // Values come last, after `--`, so a kind or name starting with "-" can never be read as a flag.
  const args = [
    'wait',
    `--for=condition=${condition}`,
    ...(namespace ? ['-n', namespace] : []),
    `--timeout=${kubectlTimeout(limit)}`,
    '--',
    `${kind}/${name}`,
  ];
  try {
    await needKubectl(ctx).run(args, { signal: ctx.signal, timeoutMs: limit + 30_000 });
  } catch (err) {
    if (err instanceof KubectlError)
      throw new StepFailure(
        `${kind}/${name}${namespace ? ` in ${namespace}` : ''} did not reach condition ${condition}: ${err.stderr.trim() || err.message}`,
        err.timedOut,
      );
    throw err;
  }
};

const sleep: BuiltinStep = async (ctx) => {
  const text = required(ctx, 'duration');
  let ms: number;
  try {
    ms = parseGoDuration(text);
  } catch (err) {
    throw new StepFailure(`with.duration: ${(err as Error).message}`);
  }
  if (ms > 0) await ctx.sleep(ms, ctx.signal);
};

/** The tools hooks rely on: the kubectl of the run and bash (for `run:` steps). */
const preflight: BuiltinStep = async (ctx) => {
  const pathEnv = ctx.processEnv.PATH ?? '';
  const missing: string[] = [];
  const kubectl = ctx.kubectl?.options.binary ?? 'kubectl';
  const hasKubectl =
    path.isAbsolute(kubectl) || kubectl.includes(path.sep) ? isExecutableFile(kubectl) : !!findOnPath(kubectl, pathEnv);
  if (!hasKubectl) missing.push(`kubectl (${kubectl})`);
  if (!findOnPath('bash', pathEnv)) missing.push('bash');
  if (missing.length) throw new StepFailure(`required tools missing: ${missing.join(', ')}`);
  ctx.log.info('preflight: kubectl and bash are available');
};

const githubComment: BuiltinStep = async () => {
  throw new StepFailure(
    'use: github.comment is not supported here: the status comment of ensure-ready and prompt-run reports the ' +
      'environment and its links; post other comments from a workflow step (for example with actions/github-script)',
  );
};

export const BUILTIN_STEPS: Readonly<Record<string, BuiltinStep>> = {
  'kubectl.wait': kubectlWait,
  sleep,
  preflight,
  'codex.ensure-codex-secrets': ensureCodexSecrets,
  'codex.reuse-dev-tls-secret': reuseDevTlsSecret,
  'github.comment': githubComment,
};
