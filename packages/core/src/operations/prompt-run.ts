/*
 * prompt-run end to end: the prompt (kind x language, the issue or PR as GitHub shows it to allowed authors, the
 * environment), Codex's config.toml, then the agent's run in the slot's agent pod (agent-run/). `preparePrompt` is
 * also what `codex-k8s prompt render` prints.
 */
import { randomBytes } from 'node:crypto';
import { buildCodexConfig, type CodexConfigResult } from '../agent/index.js';
import { runAgentInPod, type AgentRunOutcome, type ProgressSink } from '../agent-run/index.js';
import { loadStack, type LoadedStack, type LoadOptions } from '../config/load.js';
import { ActorPolicy, fetchIssueContext, type GitHubClient, type IssueContext, type RepoRef } from '../github/index.js';
import type { Kubectl } from '../kube/kubectl.js';
import { parsePromptKind, renderPrompt, type PromptContext, type PromptService } from '../prompt/index.js';
import { renderStack } from '../render/stack.js';
import { UserError } from '../util/errors.js';
import type { Reporter } from '../util/reporter.js';
import { kubectlFor, type KubectlChoice } from './kubectl-setup.js';
import { slotStoreFor } from './slot-store.js';

export interface PromptInputs {
  load: LoadOptions;
  kind: string;
  lang?: string;
  issue: number;
  pr: number;
  /** plan_review: the issue where the new request was made. */
  focusIssue?: number;
  /** A template file overriding the built-in prompt (`.hbs`, `.tmpl`, `.gotmpl`). */
  template?: string;
  model?: string;
  reasoningEffort?: string;
  resume?: boolean;
  agentDeployment?: string;
  /** GitHub: where the issue text comes from. */
  github?: { client: GitHubClient; repo: RepoRef };
  /** Logins whose text the agent reads; empty: those with write access (asked through the API). */
  allowedUsers?: readonly string[];
  reporter: Reporter;
}

export interface PreparedPrompt {
  stack: LoadedStack;
  prompt: string;
  config: CodexConfigResult;
  issue: IssueContext;
  kind: string;
}

/** Renders the prompt and the config; reads GitHub, touches no cluster. */
export async function preparePrompt(o: PromptInputs): Promise<PreparedPrompt> {
  const { kind, review, number } = promptTarget(o);
  if (!o.github)
    throw new UserError(
      'the prompt needs the text of the issue or PR from the GitHub API: pass github-token (or set GITHUB_TOKEN) and run in a repository (GITHUB_REPOSITORY)',
    );
  const stack = loadStack(o.load);
  for (const w of stack.warnings) o.reporter.warning(w.message, w);
  const policy = new ActorPolicy(o.github.client, o.github.repo, o.allowedUsers ?? []);
  const issue = await fetchIssueContext(o.github.client, o.github.repo, number, { policy });
  for (const om of issue.omitted)
    o.reporter.info(`left out ${om.count} item(s) by ${om.author}: not an allowed author`);
  const focus =
    o.focusIssue && o.focusIssue !== number
      ? await fetchIssueContext(o.github.client, o.github.repo, o.focusIssue, { policy })
      : undefined;

  const domain = stack.config.baseDomain?.[stack.env]?.trim();
  const context: PromptContext = {
    project: stack.project,
    env: stack.env,
    namespace: stack.namespace,
    slot: stack.slot,
    projectRoot: stack.projectRoot,
    codex: stack.config.codex,
    services: servicesOf(stack),
    links: domain
      ? (stack.config.codex?.links ?? []).map((l) => ({
          title: l.title,
          url: `https://${domain}${l.path.startsWith('/') ? '' : '/'}${l.path}`,
        }))
      : [],
    agentService: o.agentDeployment ?? 'codex',
    issueNumber: review ? undefined : number,
    prNumber: review ? number : undefined,
    focusIssueNumber: o.focusIssue || undefined,
    resume: o.resume ?? false,
    now: o.load.now,
    versions: stack.config.versions,
    baseDomain: stack.config.baseDomain,
    storage: stack.config.storage,
    variables: stack.variables,
  };
  const prompt = renderPrompt({
    kind,
    lang: o.lang || stack.config.codex?.promptLang,
    context,
    issue,
    focus,
    template: o.template || undefined,
  });
  const config = buildCodexConfig({
    codex: stack.config.codex,
    context: stack.context,
    funcs: stack.funcs,
    variables: stack.variables,
    namespace: stack.namespace,
    projectRoot: stack.projectRoot,
    displayFile: stack.displayFile,
    strict: stack.strict,
    labels: issue.labels,
    overrides: { model: o.model || undefined, reasoningEffort: o.reasoningEffort || undefined },
  });
  for (const w of config.warnings) o.reporter.warning(w.message, w);
  return { stack, prompt, config, issue, kind };
}

/** The kind and the issue or PR it works on; fails before anything is read when there is none. */
function promptTarget(o: Pick<PromptInputs, 'kind' | 'issue' | 'pr'>) {
  const kind = parsePromptKind(o.kind);
  const review = kind.endsWith('_review');
  const number = review ? o.pr || o.issue : o.issue || o.pr;
  if (!(number > 0))
    throw new UserError(
      review ? `kind ${kind} works on a pull request: pass pr` : `kind ${kind} works on an issue: pass issue`,
    );
  return { kind, review, number };
}

/** The Services the stack renders, as the agent reaches them inside the cluster. */
function servicesOf(stack: LoadedStack): PromptService[] {
  try {
    return renderStack(stack)
      .documents.map((d) => d.object)
      .filter((obj) => obj.kind === 'Service' && obj.metadata?.name)
      .map((obj) => {
        const ns = obj.metadata?.namespace ?? stack.namespace;
        const ports = ((obj.spec?.ports ?? []) as { port?: number }[])
          .map((p) => p.port)
          .filter((p): p is number => typeof p === 'number');
        return { name: obj.metadata!.name!, host: `${obj.metadata!.name}.${ns}.svc.cluster.local`, ports };
      });
  } catch {
    return []; // the overview in services.yaml still tells the agent; apply reports render errors
  }
}

export interface PromptRunOptions extends PromptInputs {
  /** The agent's wall-clock limit. */
  timeoutMs: number;
  readyTimeoutMs: number;
  agentContainer?: string;
  kubectl?: KubectlChoice;
  client?: Kubectl;
  /** The Codex CLI in the pod (default `codex`). */
  codexBinary?: string;
  signal?: AbortSignal;
  /** Called once the agent runs (status comment). */
  onStarted?: (info: { pod: string; model: string }) => Promise<void> | void;
}

export interface PromptRunResult extends AgentRunOutcome {
  namespace: string;
  model: string;
  reasoningEffort: string;
  changed: boolean;
}

export async function promptRun(o: PromptRunOptions): Promise<PromptRunResult> {
  const r = o.reporter;
  promptTarget(o);
  const load = await slotOfRun(o);
  const prepared = await r.group('Prompt and Codex config', async () => {
    const p = await preparePrompt({ ...o, load });
    r.info(
      `kind ${p.kind}, #${p.issue.number} "${p.issue.title}", model ${p.config.model} (${p.config.choice.modelSource}), ` +
        `reasoning ${p.config.reasoningEffort}, prompt ${Buffer.byteLength(p.prompt)} bytes`,
    );
    if (p.config.passEnv.length)
      r.info(`MCP servers read ${p.config.passEnv.map((e) => e.name).join(', ')} from the agent pod's environment`);
    return p;
  });
  const kubectl = o.client ?? (o.client = await kubectlFor(prepared.stack, o.kubectl));
  const sink: ProgressSink = {
    info: (m) => r.info(m),
    warning: (m) => r.warning(m),
    debug: (m) => r.debug(m),
  };
  const outcome = await r.group('Agent', async () => {
    await o.onStarted?.({ pod: o.agentDeployment ?? 'codex', model: prepared.config.model });
    return runAgentInPod(kubectl, {
      namespace: prepared.stack.namespace,
      deployment: o.agentDeployment ?? 'codex',
      container: o.agentContainer ?? 'codex',
      config: prepared.config.toml,
      prompt: prepared.prompt,
      timeoutMs: o.timeoutMs,
      readyTimeoutMs: o.readyTimeoutMs,
      ...(o.resume ? { resumeSession: '--last' } : {}),
      codexBinary: o.codexBinary,
      runId: runIdOf(),
      kind: prepared.kind,
      sink,
      signal: o.signal,
    });
  });
  const changed = outcome.changedFiles.length > 0;
  if (!outcome.finalMessage.trim() && !changed)
    throw new UserError(
      `the agent ran but did nothing: no final message and no change in ${outcome.workdir} ` +
        `(session ${outcome.sessionId || 'unknown'}; events in ${outcome.workdir}/.codex-k8s/runs/${outcome.runId}/events.jsonl)`,
    );
  return {
    ...outcome,
    namespace: prepared.stack.namespace,
    model: prepared.config.model,
    reasoningEffort: prepared.config.reasoningEffort,
    changed,
  };
}

/**
 * The slot the agent works in: the `slot` or `namespace` given (ensure-slot's outputs), else the slot the store
 * holds for the issue or PR. One kubectl call in the last case.
 */
async function slotOfRun(o: PromptRunOptions): Promise<LoadOptions> {
  if (o.load.slot || o.load.namespace) return o.load;
  const base = loadStack({ ...o.load, settingsOnly: true });
  if (!base.slotted) return o.load;
  const kubectl = o.client ?? (o.client = await kubectlFor(base, o.kubectl));
  const query = { env: base.env, issue: o.issue || undefined, pr: o.pr || undefined };
  // A claim still pending belongs to a run that may yet lose it: a reported record comes first.
  const records = o.issue || o.pr ? await slotStoreFor(base, kubectl, o.reporter).find(query) : [];
  const [record] = [...records.filter((r) => !r.pending), ...records.filter((r) => r.pending)];
  if (!record)
    throw new UserError(
      `env ${base.env} has a namespace per slot, and no slot is held for ${o.pr ? `PR #${o.pr}` : o.issue ? `issue #${o.issue}` : 'this run'}: ` +
        'pass slot (the ensure-slot or ensure-ready output), or run ensure-ready first',
    );
  return { ...o.load, slot: record.slot };
}

/** The run's directory name in the pod: the workflow run when there is one, unique either way. */
function runIdOf(): string {
  const gh = process.env.GITHUB_RUN_ID ? `${process.env.GITHUB_RUN_ID}-${process.env.GITHUB_RUN_ATTEMPT ?? '1'}-` : '';
  return `${gh}${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
}
