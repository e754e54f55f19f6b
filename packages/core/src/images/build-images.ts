/*
 * images-build for a stack: mirror `type: external` and build `type: build` images, skipping those whose tag the
 * registry already has (unless `force`), a bounded number at a time. A failed image fails the step after the others
 * finished, each failure named. With builder `kaniko` each build is a Job in the cluster (kaniko.ts); its settings
 * are checked before anything runs, in a dry run too.
 */
import type { LoadedStack } from '../config/load.js';
import type { ProcessRunner } from '../kube/runner.js';
import { UserError } from '../util/errors.js';
import type { Reporter } from '../util/reporter.js';
import { buildAndPush, detectBuilder, mirrorImage, type BuilderName } from './builders.js';
import { buildWithKaniko, kanikoPaths, type KanikoBuildContext } from './kaniko.js';
import { checkKanikoCluster, resolveKanikoPlan, type KanikoOptions, type KanikoPlan } from './kaniko-plan.js';
import { planImages, type ImageJob, type PlanSelection } from './plan.js';
import { RegistryClient } from './registry.js';

export interface ImageOutcome {
  name: string;
  /** The reference pushed (or found), with its digest: `ref@sha256:…`. */
  ref: string;
  digest: string;
}

export interface BuildImagesOptions extends PlanSelection {
  stack: LoadedStack;
  runner: ProcessRunner;
  builder?: string;
  force?: boolean;
  /** How many images at once (default 2). */
  parallel?: number;
  insecureRegistries?: readonly string[];
  authFile?: string;
  dryRun?: boolean;
  reporter: Reporter;
  /** Cluster settings of builder `kaniko` (required for it, unused by the others). */
  kaniko?: KanikoOptions;
}

export interface BuildImagesResult {
  built: ImageOutcome[];
  mirrored: ImageOutcome[];
  skipped: ImageOutcome[];
  builder?: BuilderName;
  /** dry run: what would be built or mirrored. */
  planned: ImageJob[];
}

export async function buildImages(o: BuildImagesOptions): Promise<BuildImagesResult> {
  const r = o.reporter;
  const jobs = planImages(o.stack, o);
  const parallel = o.parallel ?? 2;
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 32)
    throw new UserError(`parallel: ${parallel} must be a whole number from 1 to 32`);
  const result: BuildImagesResult = { built: [], mirrored: [], skipped: [], planned: [] };
  if (jobs.length === 0) {
    r.info('no images to build or mirror');
    return result;
  }
  const registry = new RegistryClient({ insecure: o.insecureRegistries, authFile: o.authFile });
  const builds = jobs.filter((j) => j.kind === 'build');
  const kanikoPlan = o.builder === 'kaniko' && builds.length ? resolveKanikoPlan(o.stack, o.kaniko) : undefined;
  // Paths off the workspace volume are found now, not after other images were built.
  if (kanikoPlan) for (const job of builds) kanikoPaths(kanikoPlan, job, o.stack.displayFile);
  if (o.dryRun) {
    for (const job of jobs) {
      const digest = o.force ? undefined : await registry.digestOf(job.target);
      if (digest) result.skipped.push({ name: job.name, ref: `${job.target}@${digest}`, digest });
      else result.planned.push(job);
    }
    r.info(`dry-run=true: would ${result.planned.map((j) => `${j.kind} ${j.target}`).join(', ') || 'do nothing'}`);
    return result;
  }
  const builder = await detectBuilder(o.runner, o.builder ?? 'auto');
  result.builder = builder;
  // The cluster is looked at once, when the first image that is not in the registry yet is built: a run that
  // finds every tag present needs no kubectl at all.
  let kanikoReady: Promise<KanikoBuildContext> | undefined;
  const kanikoContext = (plan: KanikoPlan) =>
    (kanikoReady ??= (async () => {
      const k = o.kaniko!.kubectl;
      const kubectl = typeof k === 'function' ? await k() : k;
      await checkKanikoCluster(kubectl, plan);
      return {
        kubectl,
        plan,
        insecureRegistries: o.insecureRegistries ?? [],
        where: o.stack.displayFile,
        authFile: o.authFile,
        log: r,
      };
    })());
  const failures: string[] = [];
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const current = job;
      await r.group(`${current.kind === 'build' ? 'Build' : 'Mirror'} ${current.name}: ${current.target}`, async () => {
        try {
          const existing = o.force ? undefined : await registry.digestOf(current.target);
          if (existing) {
            r.info(`${current.target} is in the registry (${existing}): skipped (force: true rebuilds it)`);
            result.skipped.push({ name: current.name, ref: `${current.target}@${existing}`, digest: existing });
            return;
          }
          const tools = {
            runner: o.runner,
            builder,
            insecure: o.insecureRegistries ?? [],
            log: (l: string) => r.debug(l.trimEnd()),
          };
          let digest =
            current.kind === 'mirror'
              ? await mirrorImage(tools, current)
              : kanikoPlan
                ? await buildWithKaniko(await kanikoContext(kanikoPlan), current)
                : await buildAndPush(tools, current);
          if (!digest) digest = (await registry.digestOf(current.target)) ?? '';
          const outcome = { name: current.name, ref: `${current.target}@${digest}`, digest };
          (current.kind === 'build' ? result.built : result.mirrored).push(outcome);
          r.info(`${current.kind === 'build' ? 'built' : 'mirrored'} ${outcome.ref}`);
        } catch (err) {
          failures.push(`${current.name} (${current.target}): ${(err as Error).message}`);
          r.warning(`${current.name}: ${(err as Error).message}`);
        }
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));
  const byName = (a: ImageOutcome, b: ImageOutcome) => (a.name < b.name ? -1 : 1);
  result.built.sort(byName);
  result.mirrored.sort(byName);
  result.skipped.sort(byName);
  if (failures.length)
    throw new UserError(`${failures.length} of ${jobs.length} images failed:\n${failures.join('\n')}`);
  return result;
}
