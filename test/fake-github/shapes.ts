/**
 * Records → GitHub REST objects, typed with @octokit/openapi-types so every required field is there. URLs point at
 * the fake: API URLs under its base URL, web (html_url) URLs under `${url}/html`.
 */
import type { GitHubState } from './state.js';
import type {
  AuthorAssociation,
  BranchRecord,
  BranchWithProtection,
  Collaborator,
  CommentRecord,
  FullRepository,
  GitRef,
  Issue,
  IssueComment,
  IssueRecord,
  Label,
  LabelRecord,
  Permission,
  PrivateUser,
  PullRequest,
  RepoRecord,
  Repository,
  SimpleUser,
} from './types.js';

/** Legacy-style global node id (`base64("0:Type<id>")`), unique per type and id. */
export const nodeId = (type: string, id: number): string => Buffer.from(`0:${type}${id}`).toString('base64');

type RepoPermissions = { admin: boolean; maintain: boolean; push: boolean; triage: boolean; pull: boolean };

/** Role → the `permissions` booleans of repository and collaborator objects. */
export function permissionFlags(p: Permission): RepoPermissions {
  const rank = ['none', 'read', 'triage', 'write', 'maintain', 'admin'].indexOf(p);
  return { pull: rank >= 1, triage: rank >= 2, push: rank >= 3, maintain: rank >= 4, admin: rank >= 5 };
}

export class Shapes {
  /** Web URLs (`html_url`): the fake has no web UI, but clients link to them. */
  readonly html: string;

  constructor(
    readonly url: string,
    private readonly state: GitHubState,
  ) {
    this.html = `${url}/html`;
  }

  user(login: string): SimpleUser {
    const u = this.state.user(login);
    const api = `${this.url}/users/${encodeURIComponent(login)}`;
    return {
      login,
      id: u.id,
      node_id: nodeId(u.type, u.id),
      avatar_url: `${this.html}/avatars/u/${u.id}`,
      gravatar_id: '',
      url: api,
      html_url: `${this.html}/${login}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: u.type,
      site_admin: false,
      user_view_type: 'public',
    };
  }

  privateUser(login: string): PrivateUser {
    return {
      ...this.user(login),
      name: login,
      company: null,
      blog: '',
      location: null,
      email: null,
      hireable: null,
      bio: null,
      public_repos: [...this.state.repos.values()].filter((r) => r.owner === login && !r.private).length,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: '2020-01-01T00:00:00Z',
      updated_at: '2020-01-01T00:00:00Z',
      private_gists: 0,
      total_private_repos: [...this.state.repos.values()].filter((r) => r.owner === login && r.private).length,
      owned_private_repos: 0,
      disk_usage: 0,
      collaborators: 0,
      two_factor_authentication: true,
    };
  }

  collaborator(repo: RepoRecord, login: string): Collaborator {
    const p = this.state.permission(repo, login);
    return { ...this.user(login), permissions: permissionFlags(p), role_name: p };
  }

  /** How GitHub relates an author to a repository (no organizations here, so no MEMBER). */
  association(repo: RepoRecord, login: string): AuthorAssociation {
    if (login === repo.owner) return 'OWNER';
    return repo.permissions.has(login) ? 'COLLABORATOR' : 'NONE';
  }

  repository(repo: RepoRecord, viewer?: string): Repository {
    const api = `${this.url}/repos/${repo.fullName}`;
    const html = `${this.html}/${repo.fullName}`;
    const openIssues = [...repo.issues.values()].filter((i) => i.state === 'open').length;
    return {
      id: repo.id,
      node_id: nodeId('Repository', repo.id),
      name: repo.name,
      full_name: repo.fullName,
      license: null,
      forks: 0,
      ...(viewer ? { permissions: permissionFlags(this.state.permission(repo, viewer)) } : {}),
      owner: this.user(repo.owner),
      private: repo.private,
      html_url: html,
      description: null,
      fork: repo.fork,
      url: api,
      archive_url: `${api}/{archive_format}{/ref}`,
      assignees_url: `${api}/assignees{/user}`,
      blobs_url: `${api}/git/blobs{/sha}`,
      branches_url: `${api}/branches{/branch}`,
      collaborators_url: `${api}/collaborators{/collaborator}`,
      comments_url: `${api}/comments{/number}`,
      commits_url: `${api}/commits{/sha}`,
      compare_url: `${api}/compare/{base}...{head}`,
      contents_url: `${api}/contents/{+path}`,
      contributors_url: `${api}/contributors`,
      deployments_url: `${api}/deployments`,
      downloads_url: `${api}/downloads`,
      events_url: `${api}/events`,
      forks_url: `${api}/forks`,
      git_commits_url: `${api}/git/commits{/sha}`,
      git_refs_url: `${api}/git/refs{/sha}`,
      git_tags_url: `${api}/git/tags{/sha}`,
      git_url: `${html.replace(/^http/, 'git')}.git`,
      issue_comment_url: `${api}/issues/comments{/number}`,
      issue_events_url: `${api}/issues/events{/number}`,
      issues_url: `${api}/issues{/number}`,
      keys_url: `${api}/keys{/key_id}`,
      labels_url: `${api}/labels{/name}`,
      languages_url: `${api}/languages`,
      merges_url: `${api}/merges`,
      milestones_url: `${api}/milestones{/number}`,
      notifications_url: `${api}/notifications{?since,all,participating}`,
      pulls_url: `${api}/pulls{/number}`,
      releases_url: `${api}/releases{/id}`,
      ssh_url: `git@fake-github.test:${repo.fullName}.git`,
      stargazers_url: `${api}/stargazers`,
      statuses_url: `${api}/statuses/{sha}`,
      subscribers_url: `${api}/subscribers`,
      subscription_url: `${api}/subscription`,
      tags_url: `${api}/tags`,
      teams_url: `${api}/teams`,
      trees_url: `${api}/git/trees{/sha}`,
      clone_url: `${html}.git`,
      mirror_url: null,
      hooks_url: `${api}/hooks`,
      svn_url: html,
      homepage: null,
      language: null,
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      size: 0,
      default_branch: repo.defaultBranch,
      open_issues_count: openIssues,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: true,
      has_wiki: true,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: repo.private ? 'private' : 'public',
      pushed_at: repo.createdAt,
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
      allow_forking: true,
      web_commit_signoff_required: false,
      open_issues: openIssues,
      watchers: 0,
    };
  }

  fullRepository(repo: RepoRecord, viewer?: string): FullRepository {
    const r = this.repository(repo, viewer);
    const parent = repo.fork ? this.forkParent(repo) : undefined;
    return {
      ...r,
      has_discussions: false,
      pushed_at: repo.createdAt,
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
      subscribers_count: 0,
      network_count: 0,
      ...(parent ? { parent: this.repository(parent), source: this.repository(parent) } : {}),
    };
  }

  /** A fork's parent: the seeded repository of the same name under another owner, if any. */
  private forkParent(repo: RepoRecord): RepoRecord | undefined {
    return [...this.state.repos.values()].find((r) => r !== repo && r.name === repo.name && !r.fork);
  }

  label(repo: RepoRecord, l: LabelRecord): Label {
    return {
      id: l.id,
      node_id: nodeId('Label', l.id),
      url: `${this.url}/repos/${repo.fullName}/labels/${encodeURIComponent(l.name)}`,
      name: l.name,
      description: l.description,
      color: l.color,
      default: false,
    };
  }

  labels(repo: RepoRecord, issue: IssueRecord): Label[] {
    return issue.labels.map((name) => this.label(repo, this.state.label(repo, name)));
  }

  issue(repo: RepoRecord, i: IssueRecord): Issue {
    const api = `${this.url}/repos/${repo.fullName}/issues/${i.number}`;
    const pullApi = `${this.url}/repos/${repo.fullName}/pulls/${i.number}`;
    const pullHtml = `${this.html}/${repo.fullName}/pull/${i.number}`;
    return {
      id: i.id,
      node_id: nodeId('Issue', i.id),
      url: api,
      repository_url: `${this.url}/repos/${repo.fullName}`,
      labels_url: `${api}/labels{/name}`,
      comments_url: `${api}/comments`,
      events_url: `${api}/events`,
      html_url: i.pull ? pullHtml : `${this.html}/${repo.fullName}/issues/${i.number}`,
      number: i.number,
      state: i.state,
      state_reason: i.stateReason,
      title: i.title,
      body: i.body,
      user: this.user(i.author),
      labels: this.labels(repo, i),
      assignee: i.assignees[0] ? this.user(i.assignees[0]) : null,
      assignees: i.assignees.map((a) => this.user(a)),
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: this.state.commentsOf(repo.fullName, i.number).length,
      ...(i.pull
        ? {
            pull_request: {
              url: pullApi,
              html_url: pullHtml,
              diff_url: `${pullHtml}.diff`,
              patch_url: `${pullHtml}.patch`,
              merged_at: i.pull.merged ? i.closedAt : null,
            },
            draft: i.pull.draft,
          }
        : {}),
      closed_at: i.closedAt,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_by: null,
      timeline_url: `${api}/timeline`,
      performed_via_github_app: null,
      author_association: this.association(repo, i.author),
    };
  }

  comment(repo: RepoRecord, c: CommentRecord): IssueComment {
    const issue = repo.issues.get(c.issue);
    const kind = issue?.pull ? 'pull' : 'issues';
    return {
      id: c.id,
      node_id: nodeId('IssueComment', c.id),
      url: `${this.url}/repos/${repo.fullName}/issues/comments/${c.id}`,
      html_url: `${this.html}/${repo.fullName}/${kind}/${c.issue}#issuecomment-${c.id}`,
      body: c.body,
      user: this.user(c.author),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      issue_url: `${this.url}/repos/${repo.fullName}/issues/${c.issue}`,
      author_association: this.association(repo, c.author),
      performed_via_github_app: null,
    };
  }

  pull(repo: RepoRecord, i: IssueRecord, viewer?: string): PullRequest {
    const p = i.pull;
    if (!p) throw new Error(`fake github: ${repo.fullName}#${i.number} is not a pull request`);
    const id = i.pullId ?? i.id;
    const api = `${this.url}/repos/${repo.fullName}/pulls/${i.number}`;
    const html = `${this.html}/${repo.fullName}/pull/${i.number}`;
    const issueApi = `${this.url}/repos/${repo.fullName}/issues/${i.number}`;
    const headRepo = this.state.repos.get(p.head.repo) ?? repo;
    const link = (href: string): { href: string } => ({ href });
    const comments = this.state.commentsOf(repo.fullName, i.number).length;
    const reviewComments = p.reviewThreads.reduce((n, t) => n + t.comments.length, 0);
    return {
      url: api,
      id,
      node_id: nodeId('PullRequest', id),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: issueApi,
      commits_url: `${api}/commits`,
      review_comments_url: `${api}/comments`,
      review_comment_url: `${this.url}/repos/${repo.fullName}/pulls/comments{/number}`,
      comments_url: `${issueApi}/comments`,
      statuses_url: `${this.url}/repos/${repo.fullName}/statuses/${p.head.sha}`,
      number: i.number,
      state: i.state,
      locked: false,
      title: i.title,
      user: this.user(i.author),
      body: i.body,
      labels: this.labels(repo, i),
      milestone: null,
      active_lock_reason: null,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_at: i.closedAt,
      merged_at: p.merged ? i.closedAt : null,
      merge_commit_sha: null,
      assignee: i.assignees[0] ? this.user(i.assignees[0]) : null,
      assignees: i.assignees.map((a) => this.user(a)),
      requested_reviewers: [],
      requested_teams: [],
      head: {
        label: `${headRepo.owner}:${p.head.ref}`,
        ref: p.head.ref,
        repo: this.repository(headRepo, viewer),
        sha: p.head.sha,
        user: this.user(headRepo.owner),
      },
      base: {
        label: `${repo.owner}:${p.base.ref}`,
        ref: p.base.ref,
        repo: this.repository(repo, viewer),
        sha: p.base.sha,
        user: this.user(repo.owner),
      },
      _links: {
        self: link(api),
        html: link(html),
        issue: link(issueApi),
        comments: link(`${issueApi}/comments`),
        review_comments: link(`${api}/comments`),
        review_comment: link(`${this.url}/repos/${repo.fullName}/pulls/comments{/number}`),
        commits: link(`${api}/commits`),
        statuses: link(`${this.url}/repos/${repo.fullName}/statuses/${p.head.sha}`),
      },
      author_association: this.association(repo, i.author),
      auto_merge: null,
      draft: p.draft,
      merged: p.merged,
      mergeable: i.state === 'open' ? true : null,
      rebaseable: i.state === 'open' ? true : null,
      mergeable_state: i.state === 'open' ? 'clean' : 'unknown',
      merged_by: null,
      comments,
      review_comments: reviewComments,
      maintainer_can_modify: false,
      commits: 1,
      additions: 0,
      deletions: 0,
      changed_files: 0,
    };
  }

  ref(repo: RepoRecord, b: BranchRecord): GitRef {
    return {
      ref: `refs/heads/${b.name}`,
      node_id: nodeId('Ref', repo.id) + Buffer.from(b.name).toString('base64url'),
      url: `${this.url}/repos/${repo.fullName}/git/refs/heads/${b.name}`,
      object: { type: 'commit', sha: b.sha, url: `${this.url}/repos/${repo.fullName}/git/commits/${b.sha}` },
    };
  }

  branch(repo: RepoRecord, b: BranchRecord): BranchWithProtection {
    const api = `${this.url}/repos/${repo.fullName}`;
    const author = { name: repo.owner, email: `${repo.owner}@users.noreply.fake-github.test`, date: repo.createdAt };
    return {
      name: b.name,
      commit: {
        url: `${api}/commits/${b.sha}`,
        sha: b.sha,
        node_id: nodeId('Commit', repo.id) + b.sha.slice(0, 8),
        html_url: `${this.html}/${repo.fullName}/commit/${b.sha}`,
        comments_url: `${api}/commits/${b.sha}/comments`,
        commit: {
          url: `${api}/git/commits/${b.sha}`,
          author,
          committer: author,
          message: `head of ${b.name}`,
          comment_count: 0,
          tree: { sha: b.sha, url: `${api}/git/trees/${b.sha}` },
        },
        author: this.user(repo.owner),
        committer: this.user(repo.owner),
        parents: [],
      },
      _links: {
        self: `${api}/branches/${encodeURIComponent(b.name)}`,
        html: `${this.html}/${repo.fullName}/tree/${b.name}`,
      },
      protected: b.protected,
      protection: b.protected
        ? { enabled: true, required_status_checks: { enforcement_level: 'everyone', contexts: [], checks: [] } }
        : { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
      protection_url: `${api}/branches/${encodeURIComponent(b.name)}/protection`,
    };
  }
}
