export * from './object.js';
export * from './kinds.js';
export * from './labels.js';
export * from './refs.js';
export * from './yaml.js';
