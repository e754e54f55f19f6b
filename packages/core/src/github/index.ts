export { ActorPolicy } from './actors.js';
export {
  apiUrlFromEnv,
  createGitHubClient,
  explainGitHubError,
  parseRepo,
  statusOf,
  type GitHubClient,
  type GitHubClientOptions,
  type RepoRef,
} from './client.js';
export { fetchIssueContext, type ContextComment, type IssueContext, type ReviewComment } from './context.js';
export { PLAN_LABEL, resolvePlanRoot, type PlanRoot } from './plan-root.js';
export { sanitizeForPrompt } from './sanitize.js';
export {
  decodeState,
  encodeState,
  isStatusComment,
  renderStatus,
  runUrlFromEnv,
  StatusComment,
  StatusState,
} from './status-comment.js';
export { LANGS, parseLang, type Lang } from './status-text.js';
export {
  closeLinkedIssue,
  deleteAgentBranch,
  issueOfAgentBranch,
  type BranchOutcome,
  type IssueOutcome,
} from './branches.js';
