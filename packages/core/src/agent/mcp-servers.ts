import type { MCPServer } from '../config/schema.js';
import { UserError } from '../util/errors.js';
import { redact, refuseLiteralSecret, requireEnvName } from './secrets.js';

/**
 * services.yaml `codex.mcp.servers` as Codex `[mcp_servers.<name>]` tables. Types, case-insensitive: `stdio`
 * (command, args, env), `http`/`https`/`streamable_http` (url, headers), and `cluster` (a Service in the slot
 * namespace reached by its cluster DNS name, then as http). Secrets go by variable NAME only: an `envRef` becomes
 * `env_vars` (stdio) or `env_http_headers` (http); a literal value is written only when it is not a secret.
 */

/** Codex refuses other server names; they are also TOML bare keys, so the table header needs no quoting. */
const SERVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export type McpTable = Record<string, unknown>;

/** A variable Codex must find in its own environment, and where its value comes from. */
export interface PassedEnv {
  /** The name Codex (and the MCP server) sees. */
  name: string;
  /** `env`: the runner's environment/EnvMap variable `from`; `var`: the `vars` entry `from`. */
  source: 'env' | 'var';
  from: string;
  /** The server and field that need it, for messages. */
  field: string;
}

export interface McpInputs {
  servers: readonly MCPServer[];
  namespace: string;
  envMap: Readonly<Record<string, string>>;
  vars: Readonly<Record<string, string>>;
}

export interface McpOutput {
  tables: Record<string, McpTable>;
  passEnv: PassedEnv[];
}

type Kind = 'stdio' | 'http' | 'cluster';

function kindOf(s: MCPServer, field: string): { kind: Kind; https: boolean } {
  const t = (s.type ?? '').trim().toLowerCase().replace(/-/g, '_');
  if (t === 'stdio') return { kind: 'stdio', https: false };
  if (t === 'http' || t === 'streamable_http' || t === 'streamable') return { kind: 'http', https: false };
  if (t === 'https') return { kind: 'http', https: true };
  if (t === 'cluster' || t === 'service') return { kind: 'cluster', https: false };
  // No type: the fields say which one was meant.
  if (t === '') {
    if (s.command) return { kind: 'stdio', https: false };
    if (s.endpoint) return { kind: 'http', https: false };
    if (s.service) return { kind: 'cluster', https: false };
  }
  throw new UserError(`${field}.type: unknown MCP server type "${s.type ?? ''}"; use stdio, http, https or cluster`);
}

export function buildMcpServers(inputs: McpInputs): McpOutput {
  const tables: Record<string, McpTable> = {};
  const passEnv: PassedEnv[] = [];
  const seen = new Map<string, number>();
  inputs.servers.forEach((server, i) => {
    const field = `codex.mcp.servers[${i}]`;
    const name = server.name.trim();
    if (!SERVER_NAME.test(name)) {
      throw new UserError(
        `${field}.name: "${server.name}" is not a valid MCP server name; use letters, digits, "_" and "-" (at most 64)`,
      );
    }
    const previous = seen.get(name.toLowerCase());
    if (previous !== undefined) {
      throw new UserError(
        `${field}.name: "${name}" is already used by codex.mcp.servers[${previous}] (names are compared ` +
          'case-insensitively); rename one of them',
      );
    }
    seen.set(name.toLowerCase(), i);
    tables[name] = buildOne(server, field, inputs, passEnv);
  });
  return { tables, passEnv };
}

function buildOne(s: MCPServer, field: string, inputs: McpInputs, passEnv: PassedEnv[]): McpTable {
  const { kind, https } = kindOf(s, field);
  const table: McpTable = {};
  if (kind === 'stdio') {
    if (!s.command?.trim()) throw new UserError(`${field}.command: required for a stdio MCP server`);
    table.command = s.command;
    if (s.args?.length) table.args = [...s.args];
    stdioEnv(s, field, inputs, passEnv, table);
  } else {
    table.url = kind === 'http' ? httpUrl(s, field, https) : clusterUrl(s, field, inputs.namespace);
    if (s.bearer_token_env_var?.trim()) {
      table.bearer_token_env_var = requireEnvName(s.bearer_token_env_var.trim(), `${field}.bearer_token_env_var`);
    }
    httpHeaders(s, field, inputs, table);
  }
  if (s.startup_timeout_sec && s.startup_timeout_sec > 0) table.startup_timeout_sec = s.startup_timeout_sec;
  if (s.tool_timeout_sec && s.tool_timeout_sec > 0) table.tool_timeout_sec = s.tool_timeout_sec;
  return table;
}

/**
 * stdio `env`: `envRef`/`varRef` entries become `env_vars = ["KEY"]`, so Codex hands the variable from its own
 * environment to the server; the caller exports KEY there (from the referenced source, see `passEnv`). Literal
 * `value` entries go into `[env]` unless they look like secrets.
 */
function stdioEnv(s: MCPServer, field: string, inputs: McpInputs, passEnv: PassedEnv[], table: McpTable): void {
  const literal: Record<string, string> = {};
  const byName: string[] = [];
  for (const [key, ref] of Object.entries(s.env ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const at = `${field}.env.${key}`;
    requireEnvName(key, at);
    const source = refSource(ref, at);
    if (source.kind === 'value') {
      refuseLiteralSecret(key, source.name, `${at}.value`, `write envRef: <VARIABLE> instead of value`);
      literal[key] = source.name;
      continue;
    }
    const present = source.kind === 'envRef' ? inputs.envMap[source.name] : inputs.vars[source.name];
    if (present === undefined || present === '') {
      if (ref.optional) continue;
      throw missing(at, source);
    }
    byName.push(key);
    passEnv.push({ name: key, source: source.kind === 'envRef' ? 'env' : 'var', from: source.name, field: at });
  }
  if (byName.length) table.env_vars = byName;
  if (Object.keys(literal).length) table.env = literal;
}

/** http headers: `envRef` → `env_http_headers` (the NAME); a literal or `varRef` value → `http_headers`. */
function httpHeaders(s: MCPServer, field: string, inputs: McpInputs, table: McpTable): void {
  const literal: Record<string, string> = {};
  const byName: Record<string, string> = {};
  for (const [header, ref] of Object.entries(s.headers ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const at = `${field}.headers.${header}`;
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) {
      throw new UserError(`${at}: "${header}" is not a valid HTTP header name`);
    }
    const source = refSource(ref, at);
    if (source.kind === 'envRef') {
      if (!inputs.envMap[source.name]) {
        if (ref.optional) continue;
        throw missing(at, source);
      }
      byName[header] = source.name;
      continue;
    }
    const value = source.kind === 'value' ? source.name : inputs.vars[source.name];
    if (value === undefined || value === '') {
      if (ref.optional) continue;
      if (source.kind === 'varRef') throw missing(at, source);
    }
    refuseLiteralSecret(
      header,
      value ?? '',
      `${at}.${source.kind}`,
      `write envRef: <VARIABLE> (sent as env_http_headers) or use bearer_token_env_var for a bearer token`,
    );
    literal[header] = value ?? '';
  }
  if (Object.keys(literal).length) table.http_headers = literal;
  if (Object.keys(byName).length) table.env_http_headers = byName;
}

type Source = { kind: 'value' | 'envRef' | 'varRef'; name: string };

/** A ValueRef has exactly one source (the predecessor's rule). */
function refSource(ref: { value?: string; envRef?: string; varRef?: string }, at: string): Source {
  const set = (['value', 'envRef', 'varRef'] as const).filter((k) => ref[k] !== undefined);
  if (set.length !== 1) {
    throw new UserError(`${at}: set exactly one of value, envRef, varRef (found ${set.join(', ') || 'none'})`);
  }
  const kind = set[0];
  const name = ref[kind] as string;
  if (kind !== 'value') requireEnvName(name, `${at}.${kind}`);
  return { kind, name };
}

function missing(at: string, source: Source): UserError {
  const where = source.kind === 'envRef' ? 'the environment (or envFiles)' : 'vars / var-file';
  return new UserError(
    `${at}.${source.kind}: ${source.name} is not set in ${where}; set it, or mark the entry optional: true`,
  );
}

function httpUrl(s: MCPServer, field: string, https: boolean): string {
  const endpoint = s.endpoint?.trim();
  if (!endpoint) throw new UserError(`${field}.endpoint: required for an ${https ? 'https' : 'http'} MCP server`);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `${https ? 'https' : 'http'}://${endpoint}`;
  return checkUrl(withScheme, `${field}.endpoint`);
}

/** The predecessor's form: `<scheme|http>://<name>.<namespace|slot namespace>.svc.cluster.local:<port|80><path|/mcp>`. */
function clusterUrl(s: MCPServer, field: string, namespace: string): string {
  const svc = s.service;
  const name = svc?.name?.trim();
  if (!name) throw new UserError(`${field}.service.name: required for a cluster MCP server`);
  const ns = svc?.namespace?.trim() || namespace;
  if (!ns) throw new UserError(`${field}.service.namespace: no namespace is known; set it`);
  const scheme = svc?.scheme?.trim() || 'http';
  const port = svc?.port && svc.port > 0 ? svc.port : 80;
  const rawPath = svc?.path?.trim() || '/mcp';
  const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  return checkUrl(`${scheme}://${name}.${ns}.svc.cluster.local:${port}${path}`, `${field}.service`);
}

/** A URL must parse, use http(s), and carry no password (that would be a secret in the file). */
function checkUrl(url: string, field: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`${field}: "${url}" is not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UserError(`${field}: "${url}" must be an http:// or https:// URL`);
  }
  if (parsed.password || parsed.username) {
    throw new UserError(
      `${field}: the URL carries credentials ("${redact(parsed.username)}:…@"); pass them in a header with envRef ` +
        'or bearer_token_env_var instead',
    );
  }
  for (const [key, value] of parsed.searchParams) {
    refuseLiteralSecret(key, value, `${field} (query parameter ${key})`, 'pass the credential in a header with envRef');
  }
  return url;
}
