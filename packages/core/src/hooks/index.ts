export * from './types.js';
export * from './select.js';
export * from './env.js';
export * from './context.js';
export * from './builtins.js';
export * from './secrets.js';
export * from './runner.js';
export * from './lifecycle.js';
