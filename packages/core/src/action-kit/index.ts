export * from './inputs.js';
export * from './run.js';
export * from './reporter.js';
export * from './status.js';
export { UserError } from '../util/errors.js';
export * from './issue-state.js';
