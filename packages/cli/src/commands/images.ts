import { ChildProcessRunner, images, kubectlFor, loadStack, parseGoDuration, syncTarget } from '@codex-k8s/core';
import { UserError } from '@codex-k8s/core/errors';
import { parseDecimalInt } from '@codex-k8s/core/decimal';
import { parse, STACK_FLAGS, stackArgs } from '../options.js';
import { setLogLevel } from '../output.js';
import { cliReporter } from '../reporter.js';

export const help = `codex-k8s images build  -c FILE [--env ENV] [--slot N] [--images a,b] [--builder auto|buildah|docker|kaniko]
                        [--force] [--parallel 2] [--insecure-registry HOST:PORT ...] [--dry-run]
                        [kaniko: --code-root-base DIR [--source .] [--workspace-mount /workspace] [--workspace-pvc NAME]
                         [--kaniko-image IMAGE] [--kaniko-timeout 30m] [--registry-secret NAME] [--kubectl PATH]]
codex-k8s images mirror (the same flags)
build: builds the type build images of services.yaml and pushes them; mirror: copies the type external images to
their local names. A tag the registry already has is skipped unless --force. Prints one line per image:
built|mirrored|skipped|would-build|would-mirror and the reference (with its digest). Registry credentials come from
REGISTRY_AUTH_FILE or ~/.docker/config.json.
--builder kaniko runs each build as a Job in the environment's namespace (--slot, or --namespace), from the sources
ensure-ready copied into the workspace volume under --code-root-base (contexts must lie inside --source); mirrors
still use skopeo here.`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'build' && sub !== 'mirror') throw new UserError('images: use "images build" or "images mirror"');
  const { values } = parse(`images ${sub}`, rest, {
    ...STACK_FLAGS,
    images: { type: 'string' },
    builder: { type: 'string' },
    force: { type: 'boolean' },
    parallel: { type: 'string' },
    'insecure-registry': { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
    'kaniko-image': { type: 'string' },
    'kaniko-timeout': { type: 'string' },
    'registry-secret': { type: 'string' },
    source: { type: 'string' },
    'code-root-base': { type: 'string' },
    'workspace-mount': { type: 'string' },
    'workspace-pvc': { type: 'string' },
    kubectl: { type: 'string' },
  });
  setLogLevel(values['log-level']);
  const args = stackArgs(values, false);
  const parallel = values.parallel === undefined ? 2 : parseDecimalInt(values.parallel);
  if (parallel === undefined) throw new UserError(`images: --parallel "${values.parallel}" is not a number`);
  const stack = loadStack({ ...args, env: args.env || 'dev', settingsOnly: !args.slot && !args.namespace });
  const reporter = cliReporter();
  for (const w of stack.warnings) reporter.warning(w.message, w);
  const result = await images.buildImages({
    stack,
    runner: new ChildProcessRunner(),
    names: (values.images ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    mirror: sub === 'mirror',
    build: sub === 'build',
    builder: values.builder,
    force: !!values.force,
    parallel,
    insecureRegistries: values['insecure-registry'] ?? [],
    dryRun: !!values['dry-run'],
    reporter,
    kaniko: values.builder === 'kaniko' ? kanikoOptions(values, stack, args.namespace) : undefined,
  });
  const lines = [
    ...result.built.map((o) => `built ${o.ref}`),
    ...result.mirrored.map((o) => `mirrored ${o.ref}`),
    ...result.skipped.map((o) => `skipped ${o.ref}`),
    ...result.planned.map((j) => `would-${j.kind} ${j.target}`),
  ];
  process.stdout.write(lines.map((l) => `${l}\n`).join(''));
  return 0;
}

/** Builder kaniko's settings: the slot's sources where the source sync puts them (syncTarget). */
function kanikoOptions(
  values: Record<string, string | boolean | string[] | undefined>,
  stack: ReturnType<typeof loadStack>,
  namespace: string | undefined,
): images.KanikoOptions {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const timeout = text('kaniko-timeout');
  let timeoutMs: number | undefined;
  if (timeout !== undefined)
    try {
      timeoutMs = parseGoDuration(timeout.trim());
    } catch {
      throw new UserError(`images: --kaniko-timeout "${timeout}" is not a duration; write e.g. 30m or 1h`);
    }
  const base = (text('code-root-base') ?? process.env.CODEXCTL_CODE_ROOT_BASE ?? '').trim();
  const mount = (text('workspace-mount') ?? process.env.CODEXCTL_WORKSPACE_MOUNT ?? '').trim() || '/workspace';
  return {
    kubectl: () => kubectlFor(stack, { path: text('kubectl') }),
    namespace,
    image: text('kaniko-image'),
    timeoutMs,
    registrySecret: text('registry-secret'),
    source: text('source') ?? process.env.CODEXCTL_SOURCE,
    sources: base
      ? { mount, dir: syncTarget({ codeRootBase: base, workspaceMount: mount, slot: stack.slot, env: stack.env }) }
      : undefined,
    workspacePvc: text('workspace-pvc') ?? process.env.CODEXCTL_WORKSPACE_PVC,
  };
}
