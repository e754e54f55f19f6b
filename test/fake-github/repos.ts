/** Repositories, the authenticated user, collaborator permissions and branches. */
import { GitHubError, notFound } from './errors.js';
import { json, repoOf, route, type Route } from './routes.js';
import type { CollaboratorPermission, Permission } from './types.js';

/**
 * GitHub's `permission` field keeps the legacy base roles (maintain → write, triage → read); `role_name` has the
 * actual role.
 */
const LEGACY: Record<Permission, string> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
  none: 'none',
};

export const repoRoutes: Route[] = [
  route('GET', '/user', (ctx) => {
    // An installation token (the Actions GITHUB_TOKEN) is not a user.
    if (ctx.token.kind === 'installation')
      throw new GitHubError(403, 'Resource not accessible by integration', {
        docs: '/users/users#get-the-authenticated-user',
      });
    return json(200, ctx.shapes.privateUser(ctx.token.login));
  }),
  route('GET', '/repos/:owner/:repo', (ctx) => json(200, ctx.shapes.fullRepository(repoOf(ctx), ctx.token.login))),
  route('GET', '/repos/:owner/:repo/collaborators/:user/permission', (ctx) => {
    const repo = repoOf(ctx);
    const login = ctx.params.user!;
    // A login the fake has never seen is a user that does not exist: 404, as GitHub answers for unknown users.
    if (!ctx.state.users.has(login))
      throw notFound('/collaborators/collaborators#get-repository-permissions-for-a-user');
    const p = ctx.state.permission(repo, login);
    const body: CollaboratorPermission = {
      permission: LEGACY[p],
      role_name: p,
      user: ctx.shapes.collaborator(repo, login),
    };
    return json(200, body);
  }),
  route('GET', '/repos/:owner/:repo/branches/*branch', (ctx) => {
    const repo = repoOf(ctx);
    const b = repo.branches.get(ctx.params.branch!);
    if (!b) throw new GitHubError(404, 'Branch not found', { docs: '/branches/branches#get-a-branch' });
    return json(200, ctx.shapes.branch(repo, b));
  }),
];
