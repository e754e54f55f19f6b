/**
 * The agent's prompt: one Handlebars template per kind and language (templates/<lang>/<kind>.hbs) with shared
 * sections as partials (templates/partials/<lang>/*.hbs), embedded into templates.generated.ts at build time so the
 * same code works from sources, from dist/ and from a single-file action bundle. A user's own template replaces
 * the built-in one: `.hbs` is rendered by Handlebars with the same data, `.tmpl`/`.gotmpl` by the Go engine with
 * the predecessor's data (`.Namespace`, `.Slot`, `.IssueComments`, ...), so its prompt files keep working.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import Handlebars from 'handlebars';
import { buildTemplateContext } from '../config/context.js';
import { renderTemplate } from '../config/load.js';
import type { CodexConfig, StackConfig } from '../config/schema.js';
import type { Variables } from '../config/vars.js';
import type { IssueContext } from '../github/context.js';
import { sanitizeForPrompt, type Lang } from '../github/index.js';
import { GoStruct, GoTime, predecessorFuncs } from '../template/index.js';
import { UserError } from '../util/errors.js';
import { readInputFile } from '../util/input-file.js';
import { parsePromptKind, parsePromptLang, type PromptKind } from './kinds.js';
import { EMBEDDED_TEMPLATES } from './templates.generated.js';

/** A service of the stack as the agent should reach it inside the cluster. */
export interface PromptService {
  name: string;
  /** In-cluster host name, e.g. `api.shop-dev-1.svc.cluster.local`. */
  host?: string;
  ports?: number[];
  description?: string;
}

export interface PromptLink {
  title: string;
  url: string;
}

/** Where the agent runs and what it works on, besides the issue text. */
export interface PromptContext {
  project: string;
  env: string;
  namespace: string;
  slot: number;
  projectRoot?: string;
  /** The `codex:` block of services.yaml: project context, services overview, extra tools, MCP servers, links. */
  codex?: CodexConfig;
  services?: PromptService[];
  /** Environment links, already absolute (the `codex.links` paths resolved against the slot's host). */
  links?: PromptLink[];
  registryHost?: string;
  /** The agent's own deployment, which it must never apply (default `codex`). */
  agentService?: string;
  /** The repository checkout inside the agent pod (default `/workspace`). */
  workdir?: string;
  branch?: string;
  /** The issue the work is for (review kinds: the issue the PR implements). */
  issueNumber?: number;
  prNumber?: number;
  /** Plan kinds: the root plan issue (default: the issue). */
  planRoot?: number;
  /** plan_review: the issue where the new request was made. */
  focusIssueNumber?: number;
  infraUnhealthy?: boolean;
  /** The environment was recreated since the previous run on this task. */
  recreated?: boolean;
  /** The agent's previous session is resumed: review kinds leave out the environment briefing. */
  resume?: boolean;
  // Only for Go template overrides (the predecessor's data root):
  now?: Date;
  variables?: Variables;
  versions?: Record<string, string>;
  baseDomain?: Record<string, string>;
  storage?: StackConfig['storage'];
}

/** A user's template: a file (relative paths against the project root) or its text under a name. */
export type PromptTemplate = string | { file: string; text: string };

export interface RenderPromptOptions {
  /** One of PROMPT_KINDS, or a predecessor alias (`ai-repair_issue`). */
  kind: string;
  /** `en` or `ru`; empty is `en`. */
  lang?: string;
  context: PromptContext;
  /** The issue (issue kinds) or pull request (review kinds), as fetchIssueContext returns it. */
  issue: IssueContext;
  /** plan_review: the issue where the new request was made, when it is not the root. */
  focus?: IssueContext;
  template?: PromptTemplate;
}

const HANDLEBARS_EXT = /\.(hbs|handlebars)$/i;
const GO_EXT = /\.(tmpl|gotmpl)$/i;

/** Renders the prompt for a kind and language; every text from GitHub is presented as delimited data. */
export function renderPrompt(options: RenderPromptOptions): string {
  const kind = parsePromptKind(options.kind);
  const lang = parsePromptLang(options.lang);
  const issue = sanitizeIssue(options.issue);
  const focus = options.focus ? sanitizeIssue(options.focus) : undefined;
  const { context } = options;
  if (options.template === undefined) {
    return renderHandlebars(
      `templates/${lang}/${kind}.hbs`,
      builtinTemplate(lang, kind),
      lang,
      kind,
      context,
      issue,
      focus,
    );
  }
  const { file, text } = readOverride(options.template, context.projectRoot);
  if (HANDLEBARS_EXT.test(file)) return renderHandlebars(file, text, lang, kind, context, issue, focus);
  if (GO_EXT.test(file)) return renderGo(file, text, lang, kind, context, issue, focus);
  throw new UserError(
    `template ${file}: unknown template type; name the file *.hbs (Handlebars) or *.tmpl / *.gotmpl (Go text/template)`,
    file,
  );
}

function builtinTemplate(lang: Lang, kind: PromptKind): string {
  const text = EMBEDDED_TEMPLATES[`${lang}/${kind}.hbs`];
  if (text === undefined) throw new Error(`prompt template ${lang}/${kind}.hbs is not embedded: rebuild the package`);
  return text;
}

function readOverride(template: PromptTemplate, projectRoot: string | undefined): { file: string; text: string } {
  if (typeof template !== 'string') return template;
  const path = isAbsolute(template) ? template : resolve(projectRoot ?? process.cwd(), template);
  try {
    return { file: template, text: readInputFile(path, template) };
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(
      `template ${template}: cannot read it (${(err as Error).message})`,
      template,
      undefined,
      undefined,
      {
        cause: err,
      },
    );
  }
}

/** Defensive: fetchIssueContext already sanitises, and sanitising twice changes nothing. */
function sanitizeIssue(issue: IssueContext): IssueContext {
  return {
    ...issue,
    title: sanitizeForPrompt(issue.title).replace(/\s*\n\s*/g, ' '),
    body: sanitizeForPrompt(issue.body),
    comments: issue.comments.map((c) => ({ ...c, body: sanitizeForPrompt(c.body) })),
    reviewComments: issue.reviewComments.map((c) => ({ ...c, body: sanitizeForPrompt(c.body) })),
  };
}

/**
 * The delimiters of untrusted text carry a tag derived from all of that text: a comment cannot close the block
 * early, because it would have to contain the hash of itself. Deterministic, so prompts are reproducible.
 */
function fenceFor(issue: IssueContext, focus: IssueContext | undefined): { open: string; close: string } {
  const hash = createHash('sha256');
  for (const i of [issue, ...(focus ? [focus] : [])]) {
    hash.update(`${i.title}\0${i.body}\0`);
    for (const c of [...i.comments, ...i.reviewComments]) hash.update(`${c.body}\0`);
  }
  const tag = hash.digest('hex').slice(0, 12);
  return { open: `<<<UNTRUSTED DATA ${tag}`, close: `UNTRUSTED DATA ${tag}>>>` };
}

function issueView(issue: IssueContext, lang: Lang) {
  const kindName = issue.isPullRequest ? 'Pull request' : lang === 'ru' ? 'Задача' : 'Issue';
  return {
    number: issue.number,
    kindName,
    title: issue.title,
    body: issue.body,
    url: issue.url,
    author: issue.author,
    labels: issue.labels.join(', '),
    hasLabels: issue.labels.length > 0,
    comments: issue.comments.map((c) => ({ author: c.author, url: c.url, body: c.body, createdAt: c.createdAt })),
    hasComments: issue.comments.length > 0,
  };
}

/** Review comments grouped by thread, in the order the threads came (oldest comment first within each). */
function threadsOf(issue: IssueContext) {
  const byId = new Map<string, { id: string; location: string; comments: IssueContext['reviewComments'] }>();
  for (const c of issue.reviewComments) {
    let t = byId.get(c.threadId);
    if (!t) {
      t = { id: c.threadId, location: c.line === null ? c.path : `${c.path}:${c.line}`, comments: [] };
      byId.set(c.threadId, t);
    }
    t.comments.push(c);
  }
  return [...byId.values()].map((t, i) => ({
    index: i + 1,
    id: t.id,
    location: t.location,
    comments: t.comments.map((c) => ({ author: c.author, url: c.url, body: c.body, createdAt: c.createdAt })),
  }));
}

/** The data of Handlebars templates. Every field is present (strict mode): absent values are null or empty. */
export function promptData(
  lang: Lang,
  kind: PromptKind,
  context: PromptContext,
  issue: IssueContext,
  focus?: IssueContext,
): Record<string, unknown> {
  const codex = context.codex ?? {};
  const services = (context.services ?? []).map((s) => ({
    name: s.name,
    host: s.host ?? null,
    ports: s.ports?.length ? s.ports.join(', ') : null,
    description: s.description ?? null,
  }));
  const links = (context.links ?? []).filter((l) => l.title && l.url);
  const extraTools = codex.extraTools ?? [];
  const mcpServers = (codex.mcp?.servers ?? []).map((m) => ({
    name: m.name,
    type: m.type ?? '',
    description: m.description ?? null,
    tools: (m.tools ?? []).map((t) => ({ name: t.name, description: t.description ?? null })),
  }));
  const threads = threadsOf(issue);
  const issueNumber = context.issueNumber ?? (issue.isPullRequest ? null : issue.number);
  return {
    kind,
    lang,
    project: context.project,
    env: context.env,
    namespace: context.namespace,
    slot: context.slot,
    workdir: context.workdir ?? '/workspace',
    agentService: context.agentService ?? 'codex',
    registryHost: context.registryHost ?? null,
    branch: context.branch ?? null,
    issueNumber,
    prNumber: context.prNumber ?? (issue.isPullRequest ? issue.number : null),
    planRoot: context.planRoot ?? issueNumber ?? issue.number,
    focusIssueNumber: context.focusIssueNumber ?? focus?.number ?? null,
    infraUnhealthy: context.infraUnhealthy ?? false,
    recreated: context.recreated ?? false,
    resume: context.resume ?? false,
    services,
    hasServices: services.length > 0,
    servicesOverview: codex.servicesOverview?.trim() || null,
    projectContext: codex.projectContext?.trim() || null,
    links,
    hasLinks: links.length > 0,
    extraTools: extraTools.join(', '),
    hasExtraTools: extraTools.length > 0,
    mcpServers,
    hasMcpServers: mcpServers.length > 0,
    fence: fenceFor(issue, focus),
    issue: issueView(issue, lang),
    focus: focus && focus.number !== issue.number ? issueView(focus, lang) : null,
    threads,
    hasThreads: threads.length > 0,
    omitted: issue.omitted.map((o) => `@${o.author} (${o.count})`).join(', '),
    hasOmitted: issue.omitted.length > 0,
  };
}

const environments = new Map<Lang, typeof Handlebars>();

/** One Handlebars environment per language, with that language's partials. */
function handlebarsFor(lang: Lang): typeof Handlebars {
  let hb = environments.get(lang);
  if (!hb) {
    hb = Handlebars.create();
    const prefix = `partials/${lang}/`;
    for (const [key, text] of Object.entries(EMBEDDED_TEMPLATES)) {
      if (key.startsWith(prefix)) hb.registerPartial(key.slice(prefix.length).replace(/\.hbs$/, ''), text);
    }
    environments.set(lang, hb);
  }
  return hb;
}

function renderHandlebars(
  file: string,
  text: string,
  lang: Lang,
  kind: PromptKind,
  context: PromptContext,
  issue: IssueContext,
  focus: IssueContext | undefined,
): string {
  const hb = handlebarsFor(lang);
  try {
    const template = hb.compile(text, { strict: true, noEscape: true });
    const out = template(promptData(lang, kind, context, issue, focus), {
      allowProtoPropertiesByDefault: false,
      allowProtoMethodsByDefault: false,
    });
    return tidy(out);
  } catch (err) {
    throw new UserError(`template ${file}: ${(err as Error).message}`, file, undefined, undefined, { cause: err });
  }
}

/** At most one blank line in a row and one newline at the end: conditional sections leave gaps. */
function tidy(text: string): string {
  return `${text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

function goTimeOf(s: string): unknown {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : new GoTime(d);
}

/** The predecessor's data root: its TemplateContext with the comments, and its CODEXCTL_* variables for envOr. */
function renderGo(
  file: string,
  text: string,
  lang: Lang,
  kind: PromptKind,
  context: PromptContext,
  issue: IssueContext,
  focus: IssueContext | undefined,
): string {
  const data = promptData(lang, kind, context, issue, focus);
  const base = context.variables ?? { envMap: {}, vars: {}, userVars: {} };
  const injected: Record<string, string> = {
    CODEXCTL_SLOT: String(context.slot),
    CODEXCTL_LANG: lang,
    CODEXCTL_KIND: kind,
    CODEXCTL_PROMPT_MODE: context.resume ? 'short' : 'full',
  };
  if (data.issueNumber !== null) injected.CODEXCTL_ISSUE_NUMBER = String(data.issueNumber);
  if (data.prNumber !== null) injected.CODEXCTL_PR_NUMBER = String(data.prNumber);
  if (data.focusIssueNumber !== null) injected.CODEXCTL_FOCUS_ISSUE_NUMBER = String(data.focusIssueNumber);
  if (context.infraUnhealthy) injected.CODEXCTL_INFRA_UNHEALTHY = 'true';
  if (context.recreated) injected.CODEXCTL_PROMPT_CONTINUATION = 'true';
  if (context.registryHost) injected.CODEXCTL_REGISTRY_HOST = context.registryHost;
  const variables: Variables = {
    envMap: { ...base.envMap, ...injected },
    vars: { ...base.vars, ...injected },
    userVars: { ...base.userVars },
  };
  const now = context.now ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const issueComments = [issue, ...(focus && focus.number !== issue.number ? [focus] : [])].flatMap((i) =>
    i.comments.map(
      (c) =>
        new GoStruct('prompt.IssueComment', {
          IssueNumber: i.number,
          ID: c.id,
          Author: c.author,
          URL: c.url,
          Body: c.body,
          CreatedAt: goTimeOf(c.createdAt),
        }),
    ),
  );
  const reviewComments = issue.reviewComments.map(
    (c) =>
      new GoStruct('prompt.ReviewComment', {
        PRNumber: issue.number,
        ID: c.id,
        Author: c.author,
        URL: c.url,
        Body: c.body,
        ThreadID: c.threadId,
        Path: c.path,
        Line: c.line ?? 0,
        CreatedAt: goTimeOf(c.createdAt),
      }),
  );
  const root = buildTemplateContext({
    env: context.env,
    namespace: context.namespace,
    project: context.project,
    projectRoot: context.projectRoot ?? '',
    slot: context.slot,
    now,
    variables,
    versions: context.versions ?? {},
    baseDomain: context.baseDomain ?? {},
    codex: context.codex,
    storage: context.storage,
    extra: { IssueComments: issueComments, ReviewComments: reviewComments },
  });
  const funcs = predecessorFuncs({ envMap: variables.envMap, now });
  return renderTemplate(file, text, funcs, root, file);
}
