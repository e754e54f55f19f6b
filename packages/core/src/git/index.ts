/** git on the runner: the agent's change committed on its branch, rebased when the branch moved, and pushed. */
export { Git, GitError, tokenEnv, type GitCall } from './git.js';
export { publishChange, type PublishOptions, type PublishResult } from './publish.js';
