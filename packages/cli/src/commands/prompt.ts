import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseTimeout, preparePrompt, promptRun, type PromptInputs } from '@codex-k8s/core';
import { UserError } from '@codex-k8s/core/errors';
import { parseDecimalInt } from '@codex-k8s/core/decimal';
import { apiUrlFromEnv, createGitHubClient, parseRepo } from '@codex-k8s/core/github';
import { parse, STACK_FLAGS, stackArgs } from '../options.js';
import { setLogLevel } from '../output.js';
import { cliReporter } from '../reporter.js';

export const help = `codex-k8s prompt render -c FILE --env ENV --slot N --kind KIND [--lang en|ru] [--issue N] [--pr N]
                       [--repo OWNER/NAME] [--template FILE] [--allowed-users a,b] [--model M]
                       [--reasoning-effort E] [--focus-issue N] [--out DIR]
codex-k8s prompt run    (the same flags, without --out) [--timeout 60m] [--resume] [--agent-deployment codex]
                       [--agent-container codex] [--kubectl PATH]
render: prints the prompt the agent would get (with --out, writes DIR/prompt.md and DIR/config.toml); runs nothing.
run: runs the agent in the slot's agent pod as the prompt-run action does, with its progress here; Ctrl-C stops the
agent in the pod. The final message goes to stdout.
The issue or PR text is read from GitHub with the token in GITHUB_TOKEN, GH_TOKEN or CODEXCTL_GH_PAT, at
GITHUB_API_URL (GitHub Enterprise Server) or api.github.com; --repo defaults to GITHUB_REPOSITORY.
Kinds: dev_issue, plan_issue, dev_review, plan_review, repair_issue, repair_review.`;

const FLAGS = {
  ...STACK_FLAGS,
  kind: { type: 'string' },
  lang: { type: 'string' },
  issue: { type: 'string' },
  pr: { type: 'string' },
  repo: { type: 'string' },
  template: { type: 'string' },
  'allowed-users': { type: 'string' },
  model: { type: 'string' },
  'reasoning-effort': { type: 'string' },
  'focus-issue': { type: 'string' },
  out: { type: 'string' },
  timeout: { type: 'string' },
  resume: { type: 'boolean' },
  'agent-deployment': { type: 'string' },
  'agent-container': { type: 'string' },
  kubectl: { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'render' && sub !== 'run') throw new UserError('prompt: use "prompt render" or "prompt run"');
  const { values } = parse(`prompt ${sub}`, rest, FLAGS);
  setLogLevel(values['log-level']);
  const reporter = cliReporter();
  const number = (flag: 'issue' | 'pr' | 'focus-issue', fallback?: string): number => {
    const text = values[flag] ?? fallback;
    if (text === undefined || text === '') return 0;
    const n = parseDecimalInt(text.trim());
    if (n === undefined) throw new UserError(`prompt ${sub}: --${flag} "${text}" is not a number`);
    return n;
  };
  const args = stackArgs(values, false);
  const token = [process.env.GITHUB_TOKEN, process.env.GH_TOKEN, process.env.CODEXCTL_GH_PAT].find((t) => t?.trim());
  const repoText = values.repo ?? process.env.CODEXCTL_REPO ?? process.env.GITHUB_REPOSITORY ?? '';
  const github =
    token && repoText
      ? { client: createGitHubClient({ token, apiUrl: apiUrlFromEnv() }), repo: parseRepo(repoText, '--repo') }
      : undefined;
  if (!github)
    throw new UserError(
      `prompt ${sub} reads the issue from GitHub: set GITHUB_TOKEN (or GH_TOKEN, CODEXCTL_GH_PAT) and --repo owner/name`,
    );
  const inputs: PromptInputs = {
    load: { ...args, env: args.env || 'ai', slot: args.slot || undefined },
    kind: values.kind ?? process.env.CODEXCTL_KIND ?? 'dev_issue',
    lang: values.lang ?? process.env.CODEXCTL_LANG ?? '',
    issue: number('issue', process.env.CODEXCTL_ISSUE_NUMBER),
    pr: number('pr', process.env.CODEXCTL_PR_NUMBER),
    focusIssue: number('focus-issue', process.env.CODEXCTL_FOCUS_ISSUE_NUMBER),
    template: values.template,
    model: values.model ?? process.env.CODEXCTL_MODEL,
    reasoningEffort: values['reasoning-effort'] ?? process.env.CODEXCTL_MODEL_REASONING_EFFORT,
    resume: !!values.resume,
    agentDeployment: values['agent-deployment'] ?? 'codex',
    allowedUsers: (values['allowed-users'] ?? process.env.CODEXCTL_ALLOWED_USERS ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
    github,
    reporter,
  };

  if (sub === 'render') {
    if (values.timeout || values.resume || values.kubectl)
      throw new UserError('prompt render runs nothing: --timeout, --resume and --kubectl belong to prompt run');
    const p = await preparePrompt(inputs);
    if (values.out) {
      const dir = resolve(values.out);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'prompt.md'), p.prompt);
      writeFileSync(join(dir, 'config.toml'), p.config.toml);
      process.stdout.write(`${join(dir, 'prompt.md')}\n${join(dir, 'config.toml')}\n`);
    } else process.stdout.write(p.prompt.endsWith('\n') ? p.prompt : `${p.prompt}\n`);
    return 0;
  }

  if (values.out) throw new UserError('prompt run: --out belongs to prompt render');
  const timeoutMs = values.timeout === undefined ? 60 * 60_000 : parseTimeout(values.timeout, 'prompt run: --timeout');
  const cancel = new AbortController();
  const onInterrupt = () => {
    reporter.warning('interrupted: stopping the agent in the pod');
    cancel.abort();
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  try {
    const result = await promptRun({
      ...inputs,
      timeoutMs,
      readyTimeoutMs: 5 * 60_000,
      agentContainer: values['agent-container'] ?? 'codex',
      kubectl: { path: values.kubectl },
      signal: cancel.signal,
    });
    reporter.info(
      `agent finished in ${Math.round(result.durationMs / 1000)}s: session ${result.sessionId}, ` +
        `${result.tokensIn} tokens in, ${result.tokensOut} out, ` +
        `${result.changed ? `changed: ${result.changedFiles.join(', ')}` : 'no change'}`,
    );
    process.stdout.write(result.finalMessage.endsWith('\n') ? result.finalMessage : `${result.finalMessage}\n`);
    return 0;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    process.removeListener('SIGTERM', onInterrupt);
  }
}
