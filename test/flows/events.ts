/**
 * Webhook payloads for the harness, built from what the fake GitHub answers for the same objects (so `issue`,
 * `pull_request` and `repository` have GitHub's REST shapes), and the state change the event stands for made first
 * (a label added, a pull request closed).
 */
import type { FakeGitHub } from '../fake-github/index.js';

type Obj = Record<string, unknown>;

async function api(gh: FakeGitHub, token: string, route: string): Promise<Obj> {
  const res = await fetch(`${gh.url}${route}`, {
    headers: { authorization: `token ${token}`, accept: 'application/vnd.github+json' },
  });
  if (!res.ok) throw new Error(`fake GitHub: GET ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Obj;
}

function sender(gh: FakeGitHub, login: string): Obj {
  const u = gh.state.user(login);
  return { login: u.login, id: u.id, type: u.type };
}

/** `issues` / `labeled`: `label` is put on the issue by `by`. */
export async function issueLabeled(
  gh: FakeGitHub,
  token: string,
  repo: string,
  issue: number,
  label: string,
  by: string,
): Promise<Obj> {
  const r = gh.state.repo(repo);
  gh.state.addLabel(r, gh.state.issue(repo, issue), label);
  return {
    action: 'labeled',
    issue: await api(gh, token, `/repos/${repo}/issues/${issue}`),
    label: { name: label, color: 'ededed' },
    repository: await api(gh, token, `/repos/${repo}`),
    sender: sender(gh, by),
  };
}

/** `issue_comment` / `created`: a comment by `by` on an issue or pull request. */
export async function issueComment(
  gh: FakeGitHub,
  token: string,
  repo: string,
  issue: number,
  body: string,
  by: string,
): Promise<Obj> {
  const c = gh.state.addComment(repo, issue, { author: by, body });
  return {
    action: 'created',
    issue: await api(gh, token, `/repos/${repo}/issues/${issue}`),
    comment: await api(gh, token, `/repos/${repo}/issues/comments/${c.id}`),
    repository: await api(gh, token, `/repos/${repo}`),
    sender: sender(gh, by),
  };
}

/** `pull_request_review` / `submitted`: a review by `by` with a body and a state (`changes_requested`, ...). */
export async function reviewSubmitted(
  gh: FakeGitHub,
  token: string,
  repo: string,
  pr: number,
  review: { state: 'changes_requested' | 'commented' | 'approved'; body: string },
  by: string,
): Promise<Obj> {
  const pull = await api(gh, token, `/repos/${repo}/pulls/${pr}`);
  const id = gh.state.id();
  return {
    action: 'submitted',
    review: {
      id,
      node_id: `PRR_fake${id}`,
      user: sender(gh, by),
      body: review.body,
      state: review.state,
      commit_id: (pull.head as Obj).sha,
      submitted_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      author_association: 'COLLABORATOR',
      html_url: `${String(pull.html_url)}#pullrequestreview-${id}`,
      pull_request_url: pull.url,
    },
    pull_request: pull,
    repository: await api(gh, token, `/repos/${repo}`),
    sender: sender(gh, by),
  };
}

/** `pull_request` / `closed`: the pull request is closed (merged or not) by `by`. */
export async function pullRequestClosed(
  gh: FakeGitHub,
  token: string,
  repo: string,
  pr: number,
  merged: boolean,
  by: string,
): Promise<Obj> {
  const p = gh.state.pull(repo, pr);
  p.state = 'closed';
  p.closedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  p.pull.merged = merged;
  return {
    action: 'closed',
    number: pr,
    pull_request: await api(gh, token, `/repos/${repo}/pulls/${pr}`),
    repository: await api(gh, token, `/repos/${repo}`),
    sender: sender(gh, by),
  };
}
