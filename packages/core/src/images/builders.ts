/*
 * The programs that build, push and mirror images: buildah (daemonless) or docker buildx to build, skopeo (or
 * `docker buildx imagetools`) to copy an image between registries with its digest. Build argument values go
 * through the environment (`--build-arg NAME` takes the value from there), never on a command line.
 * `kaniko` builds in the cluster instead (kaniko.ts); its mirrors still use skopeo here, since a kaniko "mirror"
 * would rebuild the image and change its digest.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessRunner } from '../kube/runner.js';
import { UserError } from '../util/errors.js';
import type { ImageJob } from './plan.js';
import { parseRef } from './registry.js';

export const BUILDERS = ['buildah', 'docker', 'kaniko'] as const;
export type BuilderName = (typeof BUILDERS)[number];

export interface BuildTools {
  runner: ProcessRunner;
  builder: BuilderName;
  /** Registries spoken to without TLS. */
  insecure: readonly string[];
  log: (line: string) => void;
  timeoutMs?: number;
}

/** The builder to use: the one asked for, else buildah when installed, else docker with buildx (never kaniko). */
export async function detectBuilder(runner: ProcessRunner, wanted: string): Promise<BuilderName> {
  if (wanted && wanted !== 'auto') {
    if (!(BUILDERS as readonly string[]).includes(wanted))
      throw new UserError(`builder: "${wanted}" is not one of auto, ${BUILDERS.join(', ')}`);
    return wanted as BuilderName;
  }
  const works = async (cmd: string, args: string[]) =>
    (await runner.run(cmd, args, { timeoutMs: 30_000 }).catch(() => undefined))?.code === 0;
  if (await works('buildah', ['--version'])) return 'buildah';
  if (await works('docker', ['buildx', 'version'])) return 'docker';
  throw new UserError(
    'no image builder found: install buildah (apt-get install buildah skopeo) or docker with buildx, or set builder',
  );
}

async function run(t: BuildTools, cmd: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  t.log(`${cmd} ${args.join(' ')}`);
  const res = await t.runner
    .run(cmd, args, { env, timeoutMs: t.timeoutMs ?? 3_600_000, onStdout: t.log, onStderr: t.log })
    .catch((err: Error) => {
      throw new UserError(`could not run ${cmd}: ${err.message}`);
    });
  if (res.timedOut) throw new UserError(`${cmd} ${args[0]} timed out`);
  if (res.code !== 0)
    throw new UserError(
      `${cmd} ${args[0]} failed (exit ${res.code}): ${res.stderr.trim().split('\n').slice(-3).join('; ')}`,
    );
}

const tls = (t: BuildTools, ref: string, flag: string) =>
  t.insecure.includes(parseRef(ref).registry) ? [`${flag}=false`] : [];

/** Builds and pushes one image; returns the pushed manifest digest. */
export async function buildAndPush(t: BuildTools, job: ImageJob): Promise<string> {
  if (t.builder === 'kaniko') throw new Error('kaniko builds run as Jobs (buildWithKaniko), not on the runner');
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'codex-k8s-image-'));
  try {
    const digestFile = join(dir, 'digest');
    const argNames = Object.keys(job.buildArgs).flatMap((k) => ['--build-arg', k]);
    if (t.builder === 'buildah') {
      await run(
        t,
        'buildah',
        ['bud', '--layers', '-f', job.dockerfile!, '-t', job.target, ...argNames, job.context!],
        job.buildArgs,
      );
      await run(t, 'buildah', [
        'push',
        ...tls(t, job.target, '--tls-verify'),
        '--digestfile',
        digestFile,
        job.target,
        `docker://${job.target}`,
      ]);
      return (await readFile(digestFile, 'utf8')).trim();
    }
    const meta = join(dir, 'metadata.json');
    await run(
      t,
      'docker',
      [
        'buildx',
        'build',
        '--push',
        '-f',
        job.dockerfile!,
        '-t',
        job.target,
        ...argNames,
        '--metadata-file',
        meta,
        job.context!,
      ],
      job.buildArgs,
    );
    const digest = (JSON.parse(await readFile(meta, 'utf8')) as Record<string, string>)['containerimage.digest'];
    if (!digest) throw new UserError(`docker buildx did not report the digest of ${job.target}`);
    return digest;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Copies `job.source` to `job.target` keeping its digest; returns it. */
export async function mirrorImage(t: BuildTools, job: ImageJob): Promise<string> {
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'codex-k8s-mirror-'));
  try {
    const digestFile = join(dir, 'digest');
    if (t.builder === 'docker') {
      await run(t, 'docker', ['buildx', 'imagetools', 'create', '-t', job.target, job.source!]);
      return '';
    }
    await run(t, 'skopeo', [
      'copy',
      '--preserve-digests',
      ...tls(t, job.source!, '--src-tls-verify'),
      ...tls(t, job.target, '--dest-tls-verify'),
      '--digestfile',
      digestFile,
      `docker://${job.source}`,
      `docker://${job.target}`,
    ]);
    return (await readFile(digestFile, 'utf8')).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
