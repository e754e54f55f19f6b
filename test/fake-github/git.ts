/**
 * Git references under refs/heads (branches): get, match by prefix, create, move, delete. On a repository linked to
 * a local bare repository (linkGitRemote), whose branches the fake reads again on every request, a delete goes to
 * that repository too (or the branch would come back on the next request).
 */
import { execFileSync } from 'node:child_process';
import { GitHubError, notFound, validationFailed } from './errors.js';
import { bodyObject, json, optionalString, repoOf, route, type Context, type Route } from './routes.js';

const GIT = '/repos/:owner/:repo/git';

/** Deletes the branch in the linked bare repository, if any. */
function deleteLinkedBranch(gitDir: string | undefined, name: string): void {
  if (gitDir) execFileSync('git', ['update-ref', '-d', `refs/heads/${name}`], { cwd: gitDir, stdio: 'pipe' });
}

/** `heads/feature/x` → `feature/x`; other namespaces (tags) are not kept by the fake. */
function branchName(ctx: Context): string | undefined {
  const ref = ctx.params.ref!.replace(/^refs\//, '');
  return ref.startsWith('heads/') ? ref.slice('heads/'.length) : undefined;
}

export const gitRoutes: Route[] = [
  route('GET', `${GIT}/ref/*ref`, (ctx) => {
    const repo = repoOf(ctx);
    const name = branchName(ctx);
    const b = name === undefined ? undefined : repo.branches.get(name);
    if (!b) throw notFound('/git/refs#get-a-reference');
    return json(200, ctx.shapes.ref(repo, b));
  }),
  route('GET', `${GIT}/matching-refs/*ref`, (ctx) => {
    const repo = repoOf(ctx);
    const prefix = branchName(ctx);
    const refs =
      prefix === undefined
        ? []
        : [...repo.branches.values()]
            .filter((b) => b.name.startsWith(prefix))
            .sort((a, b) => (a.name < b.name ? -1 : 1))
            .map((b) => ctx.shapes.ref(repo, b));
    return json(200, refs);
  }),
  route('POST', `${GIT}/refs`, (ctx) => {
    const repo = repoOf(ctx);
    const o = bodyObject(ctx);
    const ref = optionalString(o, 'ref') ?? '';
    const sha = optionalString(o, 'sha') ?? '';
    if (!/^refs\/heads\/.+/.test(ref) || !/^[0-9a-f]{40}$/.test(sha))
      throw validationFailed([{ resource: 'Reference', code: 'invalid', field: ref ? 'sha' : 'ref' }]);
    const name = ref.slice('refs/heads/'.length);
    if (repo.branches.has(name))
      throw new GitHubError(422, 'Reference already exists', { docs: '/git/refs#create-a-reference' });
    const b = ctx.state.addBranch(repo.fullName, name, { sha });
    return json(201, ctx.shapes.ref(repo, b));
  }),
  route('PATCH', `${GIT}/refs/*ref`, (ctx) => {
    const repo = repoOf(ctx);
    const name = branchName(ctx);
    const b = name === undefined ? undefined : repo.branches.get(name);
    if (!b) throw new GitHubError(422, 'Reference does not exist', { docs: '/git/refs#update-a-reference' });
    const sha = optionalString(bodyObject(ctx), 'sha');
    if (!sha || !/^[0-9a-f]{40}$/.test(sha))
      throw validationFailed([{ resource: 'Reference', code: 'invalid', field: 'sha' }]);
    b.sha = sha;
    return json(200, ctx.shapes.ref(repo, b));
  }),
  route('DELETE', `${GIT}/refs/*ref`, (ctx) => {
    const repo = repoOf(ctx);
    const name = branchName(ctx);
    const b = name === undefined ? undefined : repo.branches.get(name);
    if (!b) throw new GitHubError(422, 'Reference does not exist', { docs: '/git/refs#delete-a-reference' });
    if (b.protected || b.name === repo.defaultBranch)
      throw new GitHubError(422, b.protected ? 'Cannot delete protected branch' : 'Cannot delete the default branch', {
        docs: '/git/refs#delete-a-reference',
      });
    deleteLinkedBranch(repo.gitDir, b.name);
    repo.branches.delete(b.name);
    return { status: 204 };
  }),
];
