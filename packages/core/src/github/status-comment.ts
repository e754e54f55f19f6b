import * as z from 'zod';
import { silentLogger, type Logger } from '../util/reporter.js';
import { explainGitHubError, type GitHubClient, type RepoRef } from './client.js';
import { WORDS, type Lang } from './status-text.js';

/** What the status comment shows; each action fills in its part and keeps the rest. */
export const StatusState = z.object({
  slot: z.number().int().optional(),
  namespace: z.string().optional(),
  env: z.string().optional(),
  links: z.array(z.object({ name: z.string(), url: z.string() })).optional(),
  phase: z.string().optional(),
  agent: z
    .object({
      state: z.string(),
      message: z.string().optional(),
      tokensIn: z.number().optional(),
      tokensOut: z.number().optional(),
    })
    .optional(),
  pr: z.object({ number: z.number(), url: z.string() }).optional(),
  failure: z.object({ step: z.string(), reason: z.string() }).optional(),
  /** Something the reader should know about the result (e.g. that CI will not run on the PR). */
  note: z.string().optional(),
  runUrl: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type StatusState = z.infer<typeof StatusState>;

const MARKER = 'codex-k8s:status';
// The state rides in the comment as base64 JSON, so no text of ours or the agent's can end the HTML comment early.
// Only the marker that ends the body counts: untrusted text (a failure reason, the agent's message) comes before
// it and has its own comment openers neutralised, so it can neither forge nor wipe the state.
const MARKER_RE = new RegExp(`<!-- ${MARKER} ([A-Za-z0-9+/=]*) -->\\s*$`);
/** GitHub refuses comments over 65536 characters; long texts are cut well below that. */
const MAX_TEXT = 4000;

/** A long text as the comment keeps it. */
export function cutText(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}\n\n…` : s;
}

export function encodeState(state: StatusState): string {
  return `<!-- ${MARKER} ${Buffer.from(JSON.stringify(state)).toString('base64')} -->`;
}

/** The state a comment body carries, or undefined when it is not a status comment (or was edited beyond reading). */
export function decodeState(body: string | null | undefined): StatusState | undefined {
  const m = MARKER_RE.exec(body ?? '');
  if (!m) return undefined;
  try {
    const parsed = StatusState.safeParse(JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

export function isStatusComment(body: string | null | undefined): boolean {
  return MARKER_RE.test(body ?? '');
}

const cut = cutText;
/** Untrusted text shown in the comment: no HTML comment can start inside it. */
const inert = (s: string) => s.replace(/<!--/g, '&lt;!--');
const phaseWord = (words: Record<string, string>, key: string) => (Object.hasOwn(words, key) ? words[key] : key);
// Values of ours in table cells: no line breaks or pipes that would break the table.
const cell = (s: string) => s.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');

export function renderStatus(full: StatusState, lang: Lang): string {
  // The hidden state holds the texts as shown (cut), so the body stays far below GitHub's 65536 characters.
  const state: StatusState = { ...full };
  if (state.failure) state.failure = { ...state.failure, reason: cutText(state.failure.reason) };
  if (state.agent?.message) state.agent = { ...state.agent, message: cutText(state.agent.message) };
  if (state.note) state.note = cutText(state.note);
  const w = WORDS[lang];
  const rows: string[] = [];
  const row = (k: string, v: string) => rows.push(`| ${k} | ${cell(v)} |`);
  if (state.phase) row(w.phase, phaseWord(w.phases, state.phase));
  if (state.slot !== undefined) row(w.slot, String(state.slot));
  if (state.namespace) row(w.namespace, `\`${state.namespace}\``);
  if (state.env) row(w.env, state.env);
  if (state.links?.length) row(w.links, state.links.map((l) => `[${l.name}](${l.url})`).join(', '));
  if (state.agent) row(w.agent, phaseWord(w.phases, state.agent.state));
  if (state.agent?.tokensIn !== undefined || state.agent?.tokensOut !== undefined)
    row(w.tokens, `${state.agent?.tokensIn ?? 0} / ${state.agent?.tokensOut ?? 0}`);
  if (state.pr) row(w.pr, `[#${state.pr.number}](${state.pr.url})`);
  if (state.updatedAt) row(w.updated, state.updatedAt);
  const parts = [`### ${w.title}`, '', '| | |', '|---|---|', ...rows];
  if (state.failure) {
    const run = state.runUrl ? ` ([${w.run}](${state.runUrl}))` : '';
    parts.push(
      '',
      `**${w.failed}: ${cell(state.failure.step)}**${run}`,
      '',
      '```text',
      cut(state.failure.reason).replace(/```/g, "'''"),
      '```',
    );
  }
  if (state.agent?.message) parts.push('', `**${w.result}**`, '', inert(cut(state.agent.message)));
  if (state.note) parts.push('', `> ${cell(cut(state.note))}`);
  parts.push('', encodeState(state));
  return parts.join('\n');
}

export interface StatusCommentOptions {
  lang?: Lang;
  log?: Logger;
  /** The login our token writes as, when known; otherwise only comments by bots count as ours. */
  identity?: string;
  now?: () => Date;
}

/** The link to this workflow run, from the runner's environment. */
export function runUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  if (!server || !repo || !run) return undefined;
  const attempt = env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1' ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
  return `${server}/${repo}/actions/runs/${run}${attempt}`;
}

/**
 * One status comment per issue or PR, found again by its hidden marker and edited in place, so a flow of several
 * actions and reruns leaves one comment that tells where things stand.
 */
export class StatusComment {
  private id: number | undefined;
  private state: StatusState = {};
  private loaded = false;

  constructor(
    private readonly client: GitHubClient,
    private readonly repo: RepoRef,
    private readonly number: number,
    private readonly options: StatusCommentOptions = {},
  ) {}

  /** Merges `patch` into the comment's state and writes it (creating the comment the first time). */
  async update(patch: Partial<StatusState>): Promise<StatusState> {
    await this.load();
    const next: StatusState = {
      ...this.state,
      ...patch,
      updatedAt: (this.options.now?.() ?? new Date()).toISOString(),
    };
    if (patch.phase && patch.phase !== 'failed' && !('failure' in patch)) delete next.failure;
    const body = renderStatus(next, this.options.lang ?? 'en');
    try {
      if (this.id !== undefined) {
        await this.client.rest.issues.updateComment({ ...this.repo, comment_id: this.id, body });
      } else {
        const { data } = await this.client.rest.issues.createComment({ ...this.repo, issue_number: this.number, body });
        this.id = data.id;
      }
    } catch (err) {
      throw explainGitHubError(err, `writing the status comment on #${this.number}`);
    }
    this.state = next;
    return next;
  }

  /** Like update, but a failure to write is a warning: the status comment never fails a step that worked. */
  async tryUpdate(patch: Partial<StatusState>): Promise<boolean> {
    try {
      await this.update(patch);
      return true;
    } catch (err) {
      (this.options.log ?? silentLogger).warning(`status comment not updated: ${(err as Error).message}`);
      return false;
    }
  }

  get commentId(): number | undefined {
    return this.id;
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    let comments;
    try {
      comments = await this.client.paginate(this.client.rest.issues.listComments, {
        ...this.repo,
        issue_number: this.number,
        per_page: 100,
      });
    } catch (err) {
      throw explainGitHubError(err, `reading the comments of #${this.number}`);
    }
    // The newest comment of ours with the marker wins; a marker pasted by a person is not ours.
    const identity = this.options.identity?.toLowerCase();
    const ours = comments.filter(
      (c) =>
        isStatusComment(c.body) &&
        (c.user?.type === 'Bot' || (identity !== undefined && c.user?.login.toLowerCase() === identity)),
    );
    const found = ours.at(-1);
    if (found) {
      this.id = found.id;
      this.state = decodeState(found.body) ?? {};
    }
    this.loaded = true;
  }
}
