import { UserError } from '../util/errors.js';

/**
 * Secrets reach Codex and its MCP servers by environment variable NAME only (DESIGN §10): config.toml lives in the
 * agent pod, where the agent itself can read it. These checks catch a literal secret written where a name belongs.
 */

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Field or header names whose value is a credential. */
const SECRET_NAME = /(token|secret|passw(or)?d|api[_-]?key|apikey|private[_-]?key|credentials?|^auth$|^pat$|_pat$)/i;
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key']);

/** Shapes of well-known credentials: GitHub, OpenAI, Slack, GitLab, AWS, bearer/basic headers, JWTs. */
const SECRET_VALUE =
  /^(gh[pousr]_[A-Za-z0-9]{10,}|github_pat_\w{10,}|sk-[\w-]{10,}|xox[abpr]-[\w-]{10,}|glpat-[\w-]{10,}|AKIA[A-Z0-9]{12,}|(bearer|basic|token)\s+\S{6,}|eyJ[\w-]{10,}\.[\w-]+\.[\w-]*)$/i;

export function looksLikeSecretName(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase()) || SECRET_NAME.test(name);
}

export function looksLikeSecretValue(value: string): boolean {
  return SECRET_VALUE.test(value.trim());
}

/** Refuses `value` unless it is a valid environment variable name; `field` is the services.yaml path. */
export function requireEnvName(value: string, field: string): string {
  // A token such as ghp_… is also a valid name: its shape decides.
  if (ENV_NAME.test(value) && !looksLikeSecretValue(value)) return value;
  const secret = looksLikeSecretValue(value);
  const shown = secret ? redact(value) : value;
  throw new UserError(
    `${field}: "${shown}" is not an environment variable name (^[A-Za-z_][A-Za-z0-9_]*$)` +
      `${secret ? ' and looks like a secret value: never write the secret itself' : ''}; put secrets in environment ` +
      'variables of the agent and write only the variable’s NAME here',
  );
}

/** Refuses a literal value that is, or is named as, a credential. */
export function refuseLiteralSecret(name: string, value: string, field: string, fix: string): void {
  if (!looksLikeSecretName(name) && !looksLikeSecretValue(value)) return;
  throw new UserError(
    `${field}: "${name}" holds a literal value that looks like a secret; config.toml is readable inside the agent ` +
      `pod, so secrets are passed by environment variable name only: ${fix}`,
  );
}

/** Enough of a value to recognise it in a message, never the whole secret. */
export function redact(value: string): string {
  return value.length <= 4 ? '***' : `${value.slice(0, 4)}***`;
}

/**
 * The last guard: no value of a secret-named variable (process env, env files, vars) may appear in the generated
 * text, whichever way it got there (a template's `envOr "GITHUB_TOKEN" ""`, a block, a `varRef`).
 */
export function assertNoSecretValues(text: string, sources: Readonly<Record<string, string>>[]): void {
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) {
      if (value.length < 8 || !(looksLikeSecretName(name) || looksLikeSecretValue(value))) continue;
      if (text.includes(value)) {
        throw new UserError(
          `the generated Codex config.toml would contain the value of ${name}, which looks like a secret; ` +
            `reference it by name instead (env_vars = ["${name}"], bearer_token_env_var, env_http_headers, or ` +
            `envRef in codex.mcp.servers) rather than reading it with envOr or .EnvMap in codex.configTemplate or ` +
            'codex.configBlocks',
        );
      }
    }
  }
}
