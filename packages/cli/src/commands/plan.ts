import { UserError } from '@codex-k8s/core/errors';
import { parseDecimalInt } from '@codex-k8s/core/decimal';
import { apiUrlFromEnv, createGitHubClient, parseRepo, resolvePlanRoot } from '@codex-k8s/core/github';
import { parse } from '../options.js';

export const help = `codex-k8s plan resolve-root --issue N --repo OWNER/NAME [--output json]
Prints the root plan issue of issue N: the first issue, following "AI-PLAN-PARENT: #N" lines in issue bodies
upwards, that carries the [ai-plan] label. Reads GitHub with the token in GITHUB_TOKEN, GH_TOKEN or
CODEXCTL_GH_PAT, at GITHUB_API_URL (GitHub Enterprise Server) or api.github.com. Exit 1 when there is no root.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    'plan',
    argv,
    { issue: { type: 'string' }, repo: { type: 'string' }, output: { type: 'string', short: 'o' } },
    true,
  );
  if (positionals[0] !== 'resolve-root' || positionals.length !== 1)
    throw new UserError(
      'plan: the subcommand is resolve-root (codex-k8s plan resolve-root --issue N --repo owner/name)',
    );
  const issueText = values.issue ?? process.env.CODEXCTL_ISSUE_NUMBER ?? '';
  const issue = parseDecimalInt(issueText.trim());
  if (issue === undefined || issue <= 0)
    throw new UserError(`plan resolve-root: --issue "${issueText}" is not an issue number`);
  const repo = parseRepo(values.repo ?? process.env.CODEXCTL_REPO ?? process.env.GITHUB_REPOSITORY ?? '', '--repo');
  const token = [process.env.GITHUB_TOKEN, process.env.GH_TOKEN, process.env.CODEXCTL_GH_PAT].find((t) => t?.trim());
  if (!token) throw new UserError('plan resolve-root reads GitHub: set GITHUB_TOKEN (or GH_TOKEN, CODEXCTL_GH_PAT)');
  const format = values.output ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UserError(`plan: --output "${format}" is text or json`);
  const root = await resolvePlanRoot(createGitHubClient({ token, apiUrl: apiUrlFromEnv() }), repo, issue);
  process.stdout.write(
    format === 'json'
      ? `${JSON.stringify({ root: root.root, focus: root.focus, path: root.path })}\n`
      : `root: ${root.root}\nfocus: ${root.focus}\n`,
  );
  return 0;
}
