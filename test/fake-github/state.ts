/** The in-memory GitHub: repositories, issues, pull requests, comments, review threads, users and tokens. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type {
  BranchRecord,
  CommentRecord,
  IssueRecord,
  LabelRecord,
  Permission,
  RepoRecord,
  ReviewThreadRecord,
  TokenKind,
  TokenRecord,
  UserRecord,
} from './types.js';

/** GitHub timestamps have no milliseconds. */
export const timestamp = (d = new Date()): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `sha256:` + 12 hex digits: identifies a token in logs without revealing it. */
export function tokenLabel(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

/** A deterministic 40-hex "commit" for seeded branches. */
export const fakeSha = (seed: string): string => createHash('sha1').update(seed).digest('hex');

/** GitHub's prefixes tell the kind of token; anything else counts as classic. */
function kindOf(token: string): TokenKind {
  if (token.startsWith('github_pat_')) return 'fine-grained';
  if (token.startsWith('ghs_')) return 'installation';
  return 'classic';
}

export interface RepoSeed {
  owner: string;
  name: string;
  defaultBranch?: string;
  private?: boolean;
  fork?: boolean;
}

export interface IssueSeed {
  title: string;
  body?: string | null;
  labels?: string[];
  assignees?: string[];
  author: string;
  state?: 'open' | 'closed';
}

export interface CommentSeed {
  author: string;
  body: string;
}

export interface PullSeed {
  title: string;
  body?: string | null;
  author: string;
  /** Head branch; created (with a fresh sha) when missing. */
  head: string;
  /** Repository of the head branch (`owner/name`, default the base repository); seeded as a fork when missing. */
  headRepo?: string;
  /** Base branch (default: the repository's default branch). */
  base?: string;
  state?: 'open' | 'closed';
  draft?: boolean;
  merged?: boolean;
  labels?: string[];
}

export interface ReviewThreadSeed {
  path: string;
  line?: number | null;
  isResolved?: boolean;
  isOutdated?: boolean;
  comments: CommentSeed[];
}

export interface TokenSeed {
  login: string;
  /** Default: from the prefix (ghp_ classic, github_pat_ fine-grained, ghs_ installation; others classic). */
  kind?: TokenKind;
  /** May change workflow files (classic scope `workflow`). Default false. */
  workflows?: boolean;
  /** Classic token scopes (default `repo`, plus `workflow` with `workflows`). */
  scopes?: string[];
}

export class GitHubState {
  readonly repos = new Map<string, RepoRecord>();
  readonly users = new Map<string, UserRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly comments = new Map<number, CommentRecord>();
  private nextId = 1000;

  id(): number {
    return this.nextId++;
  }

  /** The user record of a login, created on first sight (`name[bot]` logins are bots). */
  user(login: string): UserRecord {
    let u = this.users.get(login);
    if (!u) {
      u = { login, id: this.id(), type: login.endsWith('[bot]') ? 'Bot' : 'User' };
      this.users.set(login, u);
    }
    return u;
  }

  addToken(token: string, seed: TokenSeed): TokenRecord {
    this.user(seed.login);
    const workflows = seed.workflows ?? false;
    const record: TokenRecord = {
      login: seed.login,
      kind: seed.kind ?? kindOf(token),
      workflows,
      scopes: seed.scopes ?? (workflows ? ['repo', 'workflow'] : ['repo']),
      label: tokenLabel(token),
    };
    this.tokens.set(token, record);
    return record;
  }

  addRepo(seed: RepoSeed): RepoRecord {
    const fullName = `${seed.owner}/${seed.name}`;
    if (this.repos.has(fullName)) throw new Error(`fake github: repository ${fullName} already exists`);
    this.user(seed.owner);
    const defaultBranch = seed.defaultBranch ?? 'main';
    const repo: RepoRecord = {
      id: this.id(),
      owner: seed.owner,
      name: seed.name,
      fullName,
      defaultBranch,
      private: seed.private ?? false,
      fork: seed.fork ?? false,
      createdAt: timestamp(),
      branches: new Map(),
      issues: new Map(),
      labels: new Map(),
      permissions: new Map([[seed.owner, 'admin']]),
      nextNumber: 1,
    };
    this.repos.set(fullName, repo);
    this.addBranch(fullName, defaultBranch);
    return repo;
  }

  /** The repository `owner/name`; throws (a seeding mistake) when missing. */
  repo(fullName: string): RepoRecord {
    const r = this.repos.get(fullName);
    if (!r) throw new Error(`fake github: no repository ${fullName} (addRepo first)`);
    return r;
  }

  addBranch(repo: string, name: string, options: { sha?: string; protected?: boolean } = {}): BranchRecord {
    const r = this.repo(repo);
    const branch: BranchRecord = {
      name,
      sha: options.sha ?? fakeSha(`${repo}:${name}:${this.id()}`),
      protected: options.protected ?? false,
    };
    r.branches.set(name, branch);
    return branch;
  }

  /**
   * Makes the branches of `repo` those of a local bare repository, read again on every request: what a test pushes
   * there with real git is what the API sees (pull requests need their head branch to exist).
   */
  linkGitRemote(repo: string, bareDir: string): void {
    this.repo(repo).gitDir = bareDir;
  }

  refreshBranches(r: RepoRecord): void {
    if (!r.gitDir) return;
    const out = execFileSync('git', ['for-each-ref', '--format=%(refname:lstrip=2) %(objectname)', 'refs/heads'], {
      cwd: r.gitDir,
      encoding: 'utf8',
    });
    const seen = new Set<string>();
    for (const line of out.split('\n').filter(Boolean)) {
      const [name, sha] = line.split(' ');
      seen.add(name);
      const b = r.branches.get(name);
      if (b) b.sha = sha;
      else r.branches.set(name, { name, sha, protected: false });
    }
    for (const name of [...r.branches.keys()]) if (!seen.has(name)) r.branches.delete(name);
  }

  setPermission(repo: string, login: string, permission: Permission): void {
    this.user(login);
    const r = this.repo(repo);
    if (permission === 'none') r.permissions.delete(login);
    else r.permissions.set(login, permission);
  }

  /** The role of a login on a repository: its collaborator entry, else `read` on public and `none` on private ones. */
  permission(repo: RepoRecord, login: string): Permission {
    return repo.permissions.get(login) ?? (repo.private ? 'none' : 'read');
  }

  label(repo: RepoRecord, name: string): LabelRecord {
    const key = name.toLowerCase();
    let l = repo.labels.get(key);
    if (!l) {
      l = { id: this.id(), name, color: 'ededed', description: null };
      repo.labels.set(key, l);
    }
    return l;
  }

  addIssue(repo: string, seed: IssueSeed): IssueRecord {
    const r = this.repo(repo);
    this.user(seed.author);
    const now = timestamp();
    const state = seed.state ?? 'open';
    const issue: IssueRecord = {
      id: this.id(),
      number: r.nextNumber++,
      title: seed.title,
      body: seed.body ?? null,
      state,
      stateReason: state === 'closed' ? 'completed' : null,
      labels: [],
      assignees: [...(seed.assignees ?? [])],
      author: seed.author,
      createdAt: now,
      updatedAt: now,
      closedAt: state === 'closed' ? now : null,
    };
    for (const l of seed.labels ?? []) this.addLabel(r, issue, l);
    r.issues.set(issue.number, issue);
    return issue;
  }

  /** The issue (or pull request) `number`; throws when missing. */
  issue(repo: string, number: number): IssueRecord {
    const i = this.repo(repo).issues.get(number);
    if (!i) throw new Error(`fake github: no issue ${repo}#${number}`);
    return i;
  }

  addLabel(repo: RepoRecord, issue: IssueRecord, name: string): void {
    const l = this.label(repo, name);
    if (!issue.labels.some((x) => x.toLowerCase() === l.name.toLowerCase())) issue.labels.push(l.name);
  }

  addComment(repo: string, number: number, seed: CommentSeed): CommentRecord {
    const issue = this.issue(repo, number);
    this.user(seed.author);
    const now = timestamp();
    const c: CommentRecord = {
      id: this.id(),
      repo,
      issue: issue.number,
      author: seed.author,
      body: seed.body,
      createdAt: now,
      updatedAt: now,
    };
    this.comments.set(c.id, c);
    return c;
  }

  /** Comments of an issue, oldest first. */
  commentsOf(repo: string, number: number): CommentRecord[] {
    return [...this.comments.values()].filter((c) => c.repo === repo && c.issue === number);
  }

  addPull(repo: string, seed: PullSeed): IssueRecord {
    const r = this.repo(repo);
    const headRepoName = seed.headRepo ?? repo;
    if (!this.repos.has(headRepoName)) {
      const [owner, name] = headRepoName.split('/');
      this.addRepo({ owner: owner!, name: name!, defaultBranch: r.defaultBranch, fork: true });
    }
    const headRepo = this.repo(headRepoName);
    const head = headRepo.branches.get(seed.head) ?? this.addBranch(headRepoName, seed.head);
    const baseRef = seed.base ?? r.defaultBranch;
    const base = r.branches.get(baseRef) ?? this.addBranch(repo, baseRef);
    const issue = this.addIssue(repo, {
      title: seed.title,
      body: seed.body,
      author: seed.author,
      labels: seed.labels,
      state: seed.state ?? (seed.merged ? 'closed' : 'open'),
    });
    issue.pullId = this.id();
    issue.pull = {
      head: { ref: head.name, repo: headRepoName, sha: head.sha },
      base: { ref: base.name, sha: base.sha },
      draft: seed.draft ?? false,
      merged: seed.merged ?? false,
      reviewThreads: [],
    };
    return issue;
  }

  /** The pull request `number`; throws when missing or an issue. */
  pull(repo: string, number: number): IssueRecord & { pull: NonNullable<IssueRecord['pull']> } {
    const i = this.issue(repo, number);
    if (!i.pull) throw new Error(`fake github: ${repo}#${number} is an issue, not a pull request`);
    return i as IssueRecord & { pull: NonNullable<IssueRecord['pull']> };
  }

  addReviewThread(repo: string, number: number, seed: ReviewThreadSeed): ReviewThreadRecord {
    const pr = this.pull(repo, number);
    const id = this.id();
    const thread: ReviewThreadRecord = {
      id: `PRRT_fake${id}`,
      path: seed.path,
      line: seed.line ?? null,
      isResolved: seed.isResolved ?? false,
      isOutdated: seed.isOutdated ?? false,
      comments: seed.comments.map((c) => {
        this.user(c.author);
        return { id: this.id(), author: c.author, body: c.body, createdAt: timestamp() };
      }),
    };
    pr.pull.reviewThreads.push(thread);
    return thread;
  }

  /** The review thread with this GraphQL id, anywhere. */
  findThread(id: string): ReviewThreadRecord | undefined {
    for (const r of this.repos.values())
      for (const i of r.issues.values()) {
        const t = i.pull?.reviewThreads.find((x) => x.id === id);
        if (t) return t;
      }
    return undefined;
  }
}
