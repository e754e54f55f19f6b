/** Images of a stack: mirrored and built into the registry, skipped when the tag is already there. */
export { buildImages, type BuildImagesOptions, type BuildImagesResult, type ImageOutcome } from './build-images.js';
export { BUILDERS, detectBuilder, type BuilderName } from './builders.js';
export { planImages, type ImageJob, type PlanSelection } from './plan.js';
export { parseRef, RegistryClient, type ImageRef, type RegistryOptions } from './registry.js';
