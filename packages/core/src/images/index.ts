/** Images of a stack: mirrored and built into the registry, skipped when the tag is already there. */
export { buildImages, type BuildImagesOptions, type BuildImagesResult, type ImageOutcome } from './build-images.js';
export { BUILDERS, detectBuilder, type BuilderName } from './builders.js';
export { planImages, type ImageJob, type PlanSelection } from './plan.js';
export {
  DEFAULT_KANIKO_IMAGE,
  DEFAULT_KANIKO_TIMEOUT_MS,
  KANIKO_JOB_TTL_SECONDS,
  kanikoJobManifest,
  kanikoJobName,
  type KanikoJobSpec,
} from './kaniko-job.js';
export { resolveKanikoPlan, type KanikoOptions, type KanikoPlan } from './kaniko-plan.js';
export { parseRef, registryCredentials, RegistryClient, type ImageRef, type RegistryOptions } from './registry.js';
