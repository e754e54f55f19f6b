/** The records the fake keeps, and the GitHub REST shapes it answers with (from @octokit/openapi-types). */
import type { components } from '@octokit/openapi-types';

type Schemas = components['schemas'];
export type SimpleUser = Schemas['simple-user'];
export type PrivateUser = Schemas['private-user'];
export type Issue = Schemas['issue'];
export type IssueComment = Schemas['issue-comment'];
export type PullRequest = Schemas['pull-request'];
export type Label = Schemas['label'];
export type Repository = Schemas['repository'];
export type FullRepository = Schemas['full-repository'];
export type CollaboratorPermission = Schemas['repository-collaborator-permission'];
export type Collaborator = Schemas['collaborator'];
export type GitRef = Schemas['git-ref'];
export type BranchWithProtection = Schemas['branch-with-protection'];
export type AuthorAssociation = Schemas['author-association'];
export type BasicError = Schemas['basic-error'];
export type ValidationError = Schemas['validation-error'];

/** Repository roles, strongest first, as the collaborator permission endpoint names them. */
export const PERMISSIONS = ['admin', 'maintain', 'write', 'triage', 'read', 'none'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * What kind of token: `classic` (ghp_, gho_: scopes, `x-oauth-scopes` header), `fine-grained` (github_pat_) or
 * `installation` (ghs_, the Actions GITHUB_TOKEN: a bot, no `GET /user`).
 */
export type TokenKind = 'classic' | 'fine-grained' | 'installation';

export interface TokenRecord {
  login: string;
  kind: TokenKind;
  /** OAuth scopes of a classic token (default `repo`, plus `workflow` when `workflows`). */
  scopes: string[];
  /** May the token change `.github/workflows` (classic `workflow` scope, fine-grained `workflows: write`). */
  workflows: boolean;
  /** Stable label for the request log: `sha256:` + 12 hex digits of the token, never the token. */
  label: string;
}

export interface UserRecord {
  login: string;
  id: number;
  type: 'User' | 'Bot' | 'Organization';
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface BranchRecord {
  name: string;
  sha: string;
  protected: boolean;
}

export interface CommentRecord {
  id: number;
  /** `owner/name` */
  repo: string;
  issue: number;
  author: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface ReviewCommentRecord {
  id: number;
  author: string;
  body: string;
  createdAt: string;
}

export interface ReviewThreadRecord {
  /** GraphQL node id (`PRRT_...`). */
  id: string;
  path: string;
  line: number | null;
  isResolved: boolean;
  isOutdated: boolean;
  comments: ReviewCommentRecord[];
}

export interface PullRecord {
  /** Head branch name and the repository it lives in (`owner/name`; a fork when it differs from the base repo). */
  head: { ref: string; repo: string; sha: string };
  base: { ref: string; sha: string };
  draft: boolean;
  merged: boolean;
  reviewThreads: ReviewThreadRecord[];
}

/** An issue; a pull request is an issue with `pull` set (they share numbers, as on GitHub). */
export interface IssueRecord {
  id: number;
  /** Pull requests have their own REST id besides the issue id. */
  pullId?: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'reopened' | 'not_planned' | 'duplicate' | null;
  labels: string[];
  assignees: string[];
  author: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  pull?: PullRecord;
}

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  /** `owner/name` */
  fullName: string;
  defaultBranch: string;
  private: boolean;
  fork: boolean;
  createdAt: string;
  branches: Map<string, BranchRecord>;
  issues: Map<number, IssueRecord>;
  labels: Map<string, LabelRecord>;
  /** Collaborator roles by login (the owner is `admin`). */
  permissions: Map<string, Permission>;
  nextNumber: number;
  /** A local bare repository whose branches this repository's branches follow (linkGitRemote). */
  gitDir?: string;
}

export interface RequestLogEntry {
  time: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body (the raw text when it is not JSON; undefined when empty). */
  body: unknown;
  /** Request headers, lower-case, without `authorization`. */
  headers: Record<string, string>;
  /** `sha256:` label of the token sent (see `tokenLabel`), whether or not the server knows it. */
  token?: string;
  /** Login of the token, when the server knows it. */
  login?: string;
  status: number;
  durationMs: number;
}
