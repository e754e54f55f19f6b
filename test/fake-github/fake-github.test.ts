import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { startFakeGitHub, tokenLabel, type FakeGitHub } from './index.js';

const TOKEN = 'ghp_fakeMaintainerToken000000000000000001';
const BOT_TOKEN = 'ghs_fakeInstallationToken00000000000000002';
const REPO = { owner: 'acme', repo: 'shop' };

interface ReviewThreadsPage {
  repository: {
    pullRequest: {
      threads: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: {
          id: string;
          isResolved: boolean;
          isOutdated: boolean;
          path: string;
          line: number | null;
          comments: { nodes: { author: { login: string }; body: string; createdAt: string; url: string }[] };
        }[];
      };
    };
  };
}

const REVIEW_THREADS = `
  query Threads($owner: String!, $name: String!, $number: Int!, $after: String) {
    repository(owner: $owner, name: $name) {
      pullRequest(number: $number) {
        threads: reviewThreads(first: 2, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes {
            id isResolved isOutdated path line
            comments(first: 10) { nodes { author { login } body createdAt url } }
          }
        }
      }
    }
  }`;

describe('fake GitHub with the real octokit', () => {
  let gh: FakeGitHub;
  const octokit = () => getOctokit(TOKEN, { baseUrl: gh.url });

  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.state.addToken(TOKEN, { login: 'maria', workflows: true });
    gh.state.addToken(BOT_TOKEN, { login: 'github-actions[bot]' });
    gh.state.addRepo({ owner: 'acme', name: 'shop', defaultBranch: 'main' });
    gh.state.setPermission('acme/shop', 'maria', 'maintain');
    gh.state.setPermission('acme/shop', 'github-actions[bot]', 'write');
  });

  afterAll(async () => {
    await gh.close();
  });

  beforeEach(() => {
    gh.clearFaults();
  });

  it('pages issue comments with per_page/page and a link header that octokit.paginate follows', async () => {
    const issue = gh.state.addIssue('acme/shop', { title: 'Paginate me', author: 'maria', labels: ['codex'] });
    for (let i = 1; i <= 7; i++) gh.state.addComment('acme/shop', issue.number, { author: 'maria', body: `c${i}` });
    gh.clearRequests();

    const comments = await octokit().paginate(octokit().rest.issues.listComments, {
      ...REPO,
      issue_number: issue.number,
      per_page: 3,
    });

    expect(comments.map((c) => c.body)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7']);
    expect(gh.requests.map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3']);
    const first = await octokit().rest.issues.listComments({ ...REPO, issue_number: issue.number, per_page: 3 });
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain('page=3>; rel="last"');
    expect(first.data[0]).toMatchObject({
      user: { login: 'maria', type: 'User' },
      author_association: 'COLLABORATOR',
      html_url: `${gh.url}/html/acme/shop/issues/${issue.number}#issuecomment-${first.data[0]!.id}`,
    });
    const { data } = await octokit().rest.issues.get({ ...REPO, issue_number: issue.number });
    expect(data).toMatchObject({ number: issue.number, state: 'open', comments: 7, labels: [{ name: 'codex' }] });
  });

  it('creates and edits a comment, answering with GitHub headers', async () => {
    const issue = gh.state.addIssue('acme/shop', { title: 'Comment here', author: 'someone' });
    const created = await octokit().rest.issues.createComment({ ...REPO, issue_number: issue.number, body: 'first' });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ body: 'first', user: { login: 'maria' } });
    expect(created.headers['x-github-request-id']).toMatch(/^[0-9A-F:]+$/);
    expect(created.headers['x-oauth-scopes']).toBe('repo, workflow');
    expect(Number(created.headers['x-ratelimit-remaining'])).toBeLessThan(5000);

    const edited = await octokit().rest.issues.updateComment({ ...REPO, comment_id: created.data.id, body: 'edited' });
    expect(edited.data.body).toBe('edited');
    const fetched = await octokit().rest.issues.getComment({ ...REPO, comment_id: created.data.id });
    expect(fetched.data.body).toBe('edited');
    expect(gh.state.comments.get(Number(created.data.id))?.body).toBe('edited');

    // Labels and state through the issue endpoints.
    await octokit().rest.issues.addLabels({ ...REPO, issue_number: issue.number, labels: ['a', 'b'] });
    const left = await octokit().rest.issues.removeLabel({ ...REPO, issue_number: issue.number, name: 'a' });
    expect(left.data.map((l) => l.name)).toEqual(['b']);
    const closed = await octokit().rest.issues.update({ ...REPO, issue_number: issue.number, state: 'closed' });
    expect(closed.data).toMatchObject({ state: 'closed', state_reason: 'completed' });
  });

  it('creates a pull request; a second one for the same head is a 422 Validation Failed', async () => {
    gh.state.addBranch('acme/shop', 'codex/issue-1');
    const created = await octokit().rest.pulls.create({
      ...REPO,
      title: 'Fix it',
      head: 'acme:codex/issue-1',
      base: 'main',
      body: 'Closes #1',
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      state: 'open',
      head: { ref: 'codex/issue-1', repo: { full_name: 'acme/shop', fork: false } },
      base: { ref: 'main', repo: { full_name: 'acme/shop' } },
      user: { login: 'maria' },
    });

    const duplicate = octokit().rest.pulls.create({
      ...REPO,
      title: 'Again',
      head: 'acme:codex/issue-1',
      base: 'main',
    });
    await expect(duplicate).rejects.toMatchObject({
      status: 422,
      response: {
        data: {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: 'A pull request already exists for acme:codex/issue-1.',
            },
          ],
        },
      },
    });

    const listed = await octokit().rest.pulls.list({ ...REPO, head: 'acme:codex/issue-1', state: 'open' });
    expect(listed.data.map((p) => p.number)).toEqual([created.data.number]);
    const ref = await octokit().rest.git.getRef({ ...REPO, ref: 'heads/codex/issue-1' });
    expect(ref.data.object.sha).toBe(created.data.head.sha);
    await octokit().rest.git.deleteRef({ ...REPO, ref: 'heads/codex/issue-1' });
    await expect(octokit().rest.repos.getBranch({ ...REPO, branch: 'codex/issue-1' })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('pages review threads over GraphQL through two pages', async () => {
    const pr = gh.state.addPull('acme/shop', { title: 'Review me', author: 'maria', head: 'codex/review' });
    for (let i = 1; i <= 3; i++)
      gh.state.addReviewThread('acme/shop', pr.number, {
        path: `src/f${i}.ts`,
        line: i * 10,
        isResolved: i === 2,
        comments: [
          { author: 'reviewer', body: `fix ${i}` },
          { author: 'maria', body: `done ${i}` },
        ],
      });
    gh.state.setPermission('acme/shop', 'reviewer', 'write');

    const pages: ReviewThreadsPage[] = [];
    let after: string | null = null;
    do {
      const page: ReviewThreadsPage = await octokit().graphql<ReviewThreadsPage>(REVIEW_THREADS, {
        owner: 'acme',
        name: 'shop',
        number: pr.number,
        after,
      });
      pages.push(page);
      const info = page.repository.pullRequest.threads.pageInfo;
      after = info.hasNextPage ? info.endCursor : null;
    } while (after);

    expect(pages).toHaveLength(2);
    const threads = pages.flatMap((p) => p.repository.pullRequest.threads.nodes);
    expect(threads.map((t) => [t.path, t.line, t.isResolved])).toEqual([
      ['src/f1.ts', 10, false],
      ['src/f2.ts', 20, true],
      ['src/f3.ts', 30, false],
    ]);
    expect(threads[0]!.comments.nodes.map((c) => `${c.author.login}: ${c.body}`)).toEqual([
      'reviewer: fix 1',
      'maria: done 1',
    ]);
    expect(threads[0]!.comments.nodes[0]!.url).toContain(`${gh.url}/html/acme/shop/pull/${pr.number}#discussion_r`);

    const missing = octokit().graphql(`{ repository(owner: "acme", name: "nope") { id } }`);
    await expect(missing).rejects.toMatchObject({ errors: [{ type: 'NOT_FOUND' }] });
  });

  it('answers collaborator permissions (legacy permission, exact role_name)', async () => {
    const maintainer = await octokit().rest.repos.getCollaboratorPermissionLevel({ ...REPO, username: 'maria' });
    expect(maintainer.data).toMatchObject({ permission: 'write', role_name: 'maintain', user: { login: 'maria' } });
    const owner = await octokit().rest.repos.getCollaboratorPermissionLevel({ ...REPO, username: 'acme' });
    expect(owner.data).toMatchObject({ permission: 'admin', role_name: 'admin' });
    gh.state.user('drive-by');
    const outsider = await octokit().rest.repos.getCollaboratorPermissionLevel({ ...REPO, username: 'drive-by' });
    expect(outsider.data).toMatchObject({ permission: 'read', role_name: 'read' });
    await expect(
      octokit().rest.repos.getCollaboratorPermissionLevel({ ...REPO, username: 'no-such-user' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('rejects a bad token with 401 Bad credentials; GET /user is the token identity', async () => {
    const bad = getOctokit('ghp_notAKnownToken', { baseUrl: gh.url });
    await expect(bad.rest.issues.get({ ...REPO, issue_number: 1 })).rejects.toMatchObject({
      status: 401,
      response: { data: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' } },
    });
    const me = await octokit().rest.users.getAuthenticated();
    expect(me.data.login).toBe('maria');
    const bot = getOctokit(BOT_TOKEN, { baseUrl: gh.url });
    await expect(bot.rest.users.getAuthenticated()).rejects.toMatchObject({ status: 403 });
    const repo = await bot.rest.repos.get(REPO);
    expect(repo.data).toMatchObject({
      default_branch: 'main',
      full_name: 'acme/shop',
      private: false,
      permissions: { push: true, admin: false },
    });
  });

  it('retries a 502 from the proxy with plugin-retry', async () => {
    const issue = gh.state.addIssue('acme/shop', { title: 'Flaky', author: 'maria' });
    gh.fail({ method: 'GET', path: `/repos/acme/shop/issues/${issue.number}`, times: 1, status: 502 });
    gh.clearRequests();
    const client = getOctokit(TOKEN, { baseUrl: gh.url, retry: { retryAfterBaseValue: 50 } }, retry);

    const { data } = await client.rest.issues.get({ ...REPO, issue_number: issue.number });

    expect(data.title).toBe('Flaky');
    expect(gh.requests.map((r) => r.status)).toEqual([502, 200]);
    expect(gh.pendingFaults()).toBe(0);
  });

  it('waits out a secondary rate limit (retry-after 1) with plugin-throttling', async () => {
    const issue = gh.state.addIssue('acme/shop', { title: 'Busy', author: 'maria' });
    gh.fail({ path: /\/issues\/\d+$/, times: 1, status: 403, secondary: true, retryAfter: 1 });
    gh.clearRequests();
    const waits: number[] = [];
    const client = getOctokit(
      TOKEN,
      {
        baseUrl: gh.url,
        throttle: {
          onRateLimit: () => false,
          onSecondaryRateLimit: (retryAfter: number) => {
            waits.push(retryAfter);
            return true;
          },
        },
      },
      throttling,
    );

    const started = Date.now();
    const { data } = await client.rest.issues.get({ ...REPO, issue_number: issue.number });

    expect(data.title).toBe('Busy');
    expect(waits).toEqual([1]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(gh.requests.map((r) => r.status)).toEqual([403, 200]);
  });

  it('signals a primary rate limit with x-ratelimit-remaining 0 and the reset time, twice then stops', async () => {
    gh.fail({ path: '/repos/acme/shop/git/matching-refs/', times: 2, status: 403, retryAfter: 30 });
    gh.state.addBranch('acme/shop', 'limits/a');
    gh.state.addBranch('acme/shop', 'limits/b');
    const list = () => octokit().rest.git.listMatchingRefs({ ...REPO, ref: 'heads/limits/' });
    for (let i = 0; i < 2; i++) {
      const err: unknown = await list().catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 403, response: { headers: { 'x-ratelimit-remaining': '0' } } });
      const reset = Number(
        (err as { response: { headers: Record<string, string> } }).response.headers['x-ratelimit-reset'],
      );
      expect(reset - Date.now() / 1000).toBeGreaterThan(25);
    }
    const { data } = await list();
    expect(data.map((r) => r.ref)).toEqual(['refs/heads/limits/a', 'refs/heads/limits/b']);
  });

  it('never logs a raw token, only its label', async () => {
    await octokit().rest.repos.get(REPO);
    const bad = getOctokit('ghp_secretButWrong', { baseUrl: gh.url });
    await bad.rest.repos.get(REPO).catch(() => undefined);
    const logged = JSON.stringify(gh.requests);
    for (const t of [TOKEN, BOT_TOKEN, 'ghp_secretButWrong']) expect(logged).not.toContain(t);
    expect(gh.requests.some((r) => 'authorization' in r.headers)).toBe(false);
    expect(gh.requests.some((r) => r.token === tokenLabel(TOKEN) && r.login === 'maria')).toBe(true);
    expect(gh.requests.some((r) => r.token === tokenLabel('ghp_secretButWrong') && r.status === 401)).toBe(true);
  });
});
