export * from './inputs.js';
export * from './run.js';
export * from './reporter.js';
