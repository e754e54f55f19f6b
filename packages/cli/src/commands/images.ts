import { ChildProcessRunner, images, loadStack } from '@codex-k8s/core';
import { UserError } from '@codex-k8s/core/errors';
import { parseDecimalInt } from '@codex-k8s/core/decimal';
import { parse, STACK_FLAGS, stackArgs } from '../options.js';
import { setLogLevel } from '../output.js';
import { cliReporter } from '../reporter.js';

export const help = `codex-k8s images build  -c FILE [--env ENV] [--slot N] [--images a,b] [--builder auto|buildah|docker]
                        [--force] [--parallel 2] [--insecure-registry HOST:PORT ...] [--dry-run]
codex-k8s images mirror (the same flags)
build: builds the type build images of services.yaml and pushes them; mirror: copies the type external images to
their local names. A tag the registry already has is skipped unless --force. Prints one line per image:
built|mirrored|skipped|would-build|would-mirror and the reference (with its digest). Registry credentials come from
REGISTRY_AUTH_FILE or ~/.docker/config.json.`;

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
