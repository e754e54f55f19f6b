/** services.yaml and stack rendering only: what `render`, `config` and `validate` need, without the cluster layers. */
export * from './util/errors.js';
export * from './config/load.js';
export * from './config/schema.js';
export * from './config/vars.js';
export * from './config/when.js';
export * from './config/namespace.js';
export * from './config/environments.js';
export * from './render/stack.js';
export * from './render/filters.js';
export * from './render/overlays.js';
export * from './render/manifests.js';
