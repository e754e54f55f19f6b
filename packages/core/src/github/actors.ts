import { UserError } from '../util/errors.js';
import { explainGitHubError, statusOf, type GitHubClient, type RepoRef } from './client.js';

/** Roles that may start the agent when no allowed-users list is given. */
const WRITE_ROLES = new Set(['admin', 'maintain', 'write']);

/**
 * Who may start the agent, and whose text the agent may read: the `allowed-users` list when there is one, else
 * anyone with write access to the repository (asked once per login through the API).
 */
export class ActorPolicy {
  private readonly cache = new Map<string, Promise<boolean>>();
  private readonly allowed: Set<string>;

  constructor(
    private readonly client: GitHubClient | undefined,
    private readonly repo: RepoRef,
    allowedUsers: readonly string[] = [],
  ) {
    this.allowed = new Set(allowedUsers.map((u) => u.trim().toLowerCase()).filter(Boolean));
  }

  get usesList(): boolean {
    return this.allowed.size > 0;
  }

  isAllowed(login: string): Promise<boolean> {
    const key = login.trim().toLowerCase();
    if (!key) return Promise.resolve(false);
    if (this.allowed.size > 0) return Promise.resolve(this.allowed.has(key));
    let answer = this.cache.get(key);
    if (!answer) {
      answer = this.hasWriteAccess(login.trim());
      this.cache.set(key, answer);
      // An answer is kept; a failed question is asked again next time.
      answer.catch(() => this.cache.delete(key));
    }
    return answer;
  }

  /** Stops the step, naming the actor and how to let them in. */
  async requireAllowed(actor: string): Promise<void> {
    if (await this.isAllowed(actor)) return;
    const how = this.usesList
      ? `is not in allowed-users; add the login to allowed-users to let them start the agent`
      : `has no write access to ${this.repo.owner}/${this.repo.repo}; only collaborators with write, maintain or admin may start the agent (or list the login in allowed-users)`;
    throw new UserError(`${actor || 'the triggering user'} ${how}: the agent was not started.`);
  }

  private async hasWriteAccess(username: string): Promise<boolean> {
    if (!this.client) return false;
    try {
      const { data } = await this.client.rest.repos.getCollaboratorPermissionLevel({ ...this.repo, username });
      // `permission` keeps GitHub's old names (maintain shows as write); role_name is exact where present.
      const role = (data as { role_name?: string }).role_name ?? data.permission;
      return WRITE_ROLES.has(role) || WRITE_ROLES.has(data.permission);
    } catch (err) {
      // Not a collaborator, or a login GitHub does not know: no access.
      if (statusOf(err) === 404) return false;
      throw explainGitHubError(err, `checking the permission of ${username}`);
    }
  }
}
