import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { buildTemplateContext } from '../config/context.js';
import type { CodexConfig } from '../config/schema.js';
import { predecessorFuncs } from '../template/index.js';
import { buildCodexConfig, type CodexConfigInput } from './codex-config.js';

const now = new Date(Date.UTC(2026, 1, 6, 10, 0, 0));
const FAKE_SECRET = 'ghp_FAKEsecretVALUE0123456789abcdef';

function input(codex: CodexConfig, extra: Partial<CodexConfigInput> = {}, envMap: Record<string, string> = {}) {
  const variables = { envMap: { GITHUB_TOKEN: FAKE_SECRET, ...envMap }, vars: { API_KEY: FAKE_SECRET }, userVars: {} };
  const context = buildTemplateContext({
    env: 'ai',
    namespace: 'shop-dev-3',
    project: 'shop',
    projectRoot: '/p',
    slot: 3,
    now,
    variables,
    versions: { api: '1.2' },
    baseDomain: {},
    codex,
  });
  return {
    codex,
    context,
    funcs: predecessorFuncs({ envMap: variables.envMap, now }),
    variables,
    namespace: 'shop-dev-3',
    projectRoot: '/p',
    ...extra,
  } satisfies CodexConfigInput;
}
const build = (...args: Parameters<typeof input>) => {
  const result = buildCodexConfig(input(...args));
  return { ...result, data: parse(result.toml) as any };
};

describe('buildCodexConfig: run settings', () => {
  it('writes the predecessor defaults with Codex’s real keys', () => {
    const { data } = build({});
    expect(data).toEqual({
      model: 'gpt-5.3-codex',
      model_reasoning_effort: 'medium',
      approval_policy: 'never',
      sandbox_mode: 'danger-full-access',
    });
  });

  it('model and effort: explicit input, then labels, then services.yaml', () => {
    const codex = { model: 'gpt-5.2', modelReasoningEffort: 'Low' };
    expect(build(codex).data).toMatchObject({ model: 'gpt-5.2', model_reasoning_effort: 'low' });
    const labels = ['[AI-Model-gpt-5.1-codex-max]', 'ai-reasoning-high', 'bug'];
    expect(build(codex, { labels }).data).toMatchObject({ model: 'gpt-5.1-codex-max', model_reasoning_effort: 'high' });
    const r = build(codex, { labels, overrides: { model: 'o3', reasoningEffort: 'minimal' } });
    expect(r.data).toMatchObject({ model: 'o3', model_reasoning_effort: 'minimal' });
    expect(r.choice).toMatchObject({ modelSource: 'input', effortSource: 'input' });
    expect(build({}, { labels: ['ai-reasoning-extra-high', 'ai-low'] }).data.model_reasoning_effort).toBe('xhigh');
  });

  it('refuses a bad effort, model or policy, naming the field', () => {
    expect(() => build({ modelReasoningEffort: 'huge' })).toThrow(
      /codex\.modelReasoningEffort: unsupported reasoning effort "huge"/,
    );
    expect(() => build({}, { overrides: { model: 'a b' } })).toThrow(/model: unsupported model "a b"/);
    expect(() => build({}, { overrides: { sandboxMode: 'yolo' } })).toThrow(/sandbox-mode: "yolo" is not one of/);
    expect(
      build({}, { overrides: { approvalPolicy: 'on-request', sandboxMode: 'workspace-write' } }).data,
    ).toMatchObject({
      approval_policy: 'on-request',
      sandbox_mode: 'workspace-write',
    });
  });
});

describe('buildCodexConfig: MCP servers', () => {
  it('stdio: command, args, literal env, secrets by name in env_vars', () => {
    const r = build({
      mcp: {
        servers: [
          {
            name: 'github',
            type: 'STDIO',
            command: 'npx',
            args: ['-y', '@modelcontextprotocol/server-github'],
            env: {
              GITHUB_TOKEN: { envRef: 'GITHUB_TOKEN' },
              LOG_LEVEL: { value: 'debug' },
              API_KEY: { varRef: 'API_KEY' },
            },
            startup_timeout_sec: 20,
            tool_timeout_sec: 60,
          },
        ],
      },
    });
    expect(r.data.mcp_servers.github).toEqual({
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-github'],
      env_vars: ['API_KEY', 'GITHUB_TOKEN'],
      env: { LOG_LEVEL: 'debug' },
      startup_timeout_sec: 20,
      tool_timeout_sec: 60,
    });
    expect(r.passEnv.map((p) => [p.name, p.source, p.from])).toEqual([
      ['API_KEY', 'var', 'API_KEY'],
      ['GITHUB_TOKEN', 'env', 'GITHUB_TOKEN'],
    ]);
    expect(r.toml).not.toContain(FAKE_SECRET);
  });

  it('http: url (scheme added), bearer token and headers by env name, plain headers as values', () => {
    const { data, toml } = build(
      {
        mcp: {
          servers: [
            {
              name: 'docs',
              type: 'https',
              endpoint: 'mcp.example.com/v1',
              bearer_token_env_var: 'DOCS_TOKEN',
              headers: { Authorization: { envRef: 'DOCS_AUTH' }, 'X-Team': { value: 'shop' } },
            },
            { name: 'plain', type: 'streamable_http', endpoint: 'http://10.0.0.1:8080/mcp' },
          ],
        },
      },
      {},
      { DOCS_AUTH: `Bearer ${FAKE_SECRET}` },
    );
    expect(data.mcp_servers.docs).toEqual({
      url: 'https://mcp.example.com/v1',
      bearer_token_env_var: 'DOCS_TOKEN',
      http_headers: { 'X-Team': 'shop' },
      env_http_headers: { Authorization: 'DOCS_AUTH' },
    });
    expect(data.mcp_servers.plain).toEqual({ url: 'http://10.0.0.1:8080/mcp' });
    expect(toml).not.toContain(FAKE_SECRET);
  });

  it('cluster: a Service in the slot namespace by its cluster DNS name', () => {
    const { data } = build({
      mcp: {
        servers: [
          {
            name: 'tracker',
            type: 'cluster',
            service: { name: 'tracker-mcp', port: 8080, path: 'rpc' },
            tool_timeout_sec: 5,
          },
          { name: 'shared', type: 'Cluster', service: { name: 'kb', namespace: 'tools', scheme: 'https' } },
        ],
      },
    });
    expect(data.mcp_servers.tracker).toEqual({
      url: 'http://tracker-mcp.shop-dev-3.svc.cluster.local:8080/rpc',
      tool_timeout_sec: 5,
    });
    expect(data.mcp_servers.shared.url).toBe('https://kb.tools.svc.cluster.local:80/mcp');
  });

  it('refuses literal secrets and bad names, naming the field', () => {
    const one =
      (server: any, env: Record<string, string> = {}) =>
      () =>
        build({ mcp: { servers: [server] } }, {}, env);
    expect(one({ name: 'g', type: 'stdio', command: 'x', env: { GITHUB_TOKEN: { value: FAKE_SECRET } } })).toThrow(
      /codex\.mcp\.servers\[0\]\.env\.GITHUB_TOKEN\.value: .*looks like a secret.*envRef/,
    );
    expect(
      one({ name: 'h', type: 'http', endpoint: 'h:1', headers: { Authorization: { value: 'Bearer abcdefgh' } } }),
    ).toThrow(/servers\[0\]\.headers\.Authorization\.value: .*environment variable name only/);
    expect(one({ name: 'h', type: 'http', endpoint: 'h:1', bearer_token_env_var: FAKE_SECRET })).toThrow(
      /bearer_token_env_var: "ghp_\*\*\*" is not an environment variable name.*looks like a secret/,
    );
    expect(one({ name: 'h', type: 'http', endpoint: 'http://u:pw@h:1/' })).toThrow(/carries credentials/);
    expect(one({ name: 'h', type: 'http', endpoint: 'h:1', headers: { 'X-Key': { envRef: 'MISSING' } } })).toThrow(
      /headers\.X-Key\.envRef: MISSING is not set/,
    );
    expect(one({ name: 'g', type: 'stdio', command: 'x', env: { 'BAD-NAME': { envRef: 'A' } } })).toThrow(
      /env\.BAD-NAME: "BAD-NAME" is not an environment variable name/,
    );
    expect(one({ name: 'has space', type: 'stdio', command: 'x' })).toThrow(
      /servers\[0\]\.name: "has space" is not a valid/,
    );
    expect(one({ name: 'x', type: 'ftp' })).toThrow(/servers\[0\]\.type: unknown MCP server type "ftp"/);
    expect(() =>
      build({
        mcp: {
          servers: [
            { name: 'A', command: 'x' },
            { name: 'a', command: 'y' },
          ],
        },
      }),
    ).toThrow(/servers\[1\]\.name: "a" is already used by codex\.mcp\.servers\[0\]/);
    // optional and missing: left out
    const r = build({
      mcp: { servers: [{ name: 'g', command: 'x', env: { OPT: { envRef: 'NOPE', optional: true } } }] },
    });
    expect(r.data.mcp_servers.g).toEqual({ command: 'x' });
  });
});

describe('buildCodexConfig: secret values never reach the file', () => {
  it('a secret in process env and vars appears nowhere, whatever the config asks', () => {
    process.env.CODEX_CFG_TEST_TOKEN = FAKE_SECRET;
    try {
      const codex: CodexConfig = {
        mcp: {
          servers: [
            {
              name: 's',
              command: 'srv',
              env: { CODEX_CFG_TEST_TOKEN: { envRef: 'CODEX_CFG_TEST_TOKEN' }, K: { varRef: 'API_KEY' } },
            },
            {
              name: 'h',
              endpoint: 'h:1',
              bearer_token_env_var: 'CODEX_CFG_TEST_TOKEN',
              headers: { 'X-Api-Key': { envRef: 'GITHUB_TOKEN' } },
            },
          ],
        },
      };
      const { toml } = build(codex, {}, { CODEX_CFG_TEST_TOKEN: process.env.CODEX_CFG_TEST_TOKEN });
      expect(toml).not.toContain(FAKE_SECRET);
      expect(toml).toContain('CODEX_CFG_TEST_TOKEN');
      // A block that reads the secret through the template is refused, not written.
      expect(() => build({ configBlocks: [{ toml: 'x = "{{ envOr "GITHUB_TOKEN" "" }}"' }] })).toThrow(
        /would contain the value of GITHUB_TOKEN/,
      );
      expect(() => build({ configBlocks: [{ toml: 'x = "{{ .Vars.API_KEY }}"' }] })).toThrow(
        /would contain the value of (GITHUB_TOKEN|API_KEY)/,
      );
    } finally {
      delete process.env.CODEX_CFG_TEST_TOKEN;
    }
  });
});

describe('buildCodexConfig: configBlocks and configTemplate', () => {
  it('merges blocks table by table; a block wins over generated keys with a warning', () => {
    const r = build({
      mcp: { servers: [{ name: 'g', command: 'srv' }] },
      configBlocks: [
        { name: 'tui', toml: '[tui]\nnotifications = false\n\n[mcp_servers.g]\nstartup_timeout_sec = 9' },
        { toml: 'sandbox_mode = "workspace-write"\n[features]\nweb_search_request = {{ eq .Env "ai" }}' },
        { toml: '   \n' },
      ],
    });
    expect(r.data.tui).toEqual({ notifications: false });
    expect(r.data.mcp_servers.g).toEqual({ command: 'srv', startup_timeout_sec: 9 });
    expect(r.data.sandbox_mode).toBe('workspace-write');
    expect(r.data.features).toEqual({ web_search_request: true });
    expect(r.warnings.map((w) => w.message)).toEqual(['codex.configBlocks[1] overrides "sandbox_mode"']);
  });

  it('names the block and the TOML error', () => {
    expect(() => build({ configBlocks: [{ toml: 'a = 1' }, { name: 'broken', toml: 'a = [1,' }] })).toThrow(
      /codex\.configBlocks\[1\] \(broken\): invalid TOML at line 1, column \d+/,
    );
    expect(() => build({ configBlocks: [{ toml: 'a = 1', file: 'b.toml' }] })).toThrow(
      /set exactly one of toml and file/,
    );
  });

  it('renders configTemplate with the Go engine and the services.yaml context', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'codex-cfg-'));
    try {
      mkdirSync(path.join(root, 'ai'));
      writeFileSync(
        path.join(root, 'ai/codex.toml.tmpl'),
        [
          '{{- /* the project template */ -}}',
          'model = "{{ default .Codex.Model "gpt-5.2" }}"',
          'approval_policy = "on-request"',
          '{{ $ns := .Namespace -}}',
          '[projects."/workspace"]',
          'trust_level = "trusted"',
          '{{ range $i, $s := .Codex.MCP.Servers }}',
          '[mcp_servers.{{ $s.Name }}]',
          'url = "http://{{ $s.Name }}.{{ $ns }}:{{ printf "%d" (len (printf "%05d" $i)) }}/"',
          '{{ end -}}',
          '[shell_environment_policy]',
          'set = { SLOT = "{{ .Slot }}", API = "{{ index .Versions "api" }}" }',
        ].join('\n'),
      );
      writeFileSync(path.join(root, 'ai/block.toml'), 'model_verbosity = "{{ toLower "LOW" }}"\n');
      const r = build(
        {
          configTemplate: 'ai/codex.toml.tmpl',
          configBlocks: [{ file: 'ai/block.toml' }],
          mcp: { servers: [{ name: 'tracker', type: 'cluster', service: { name: 'tr' } }] },
        },
        { projectRoot: root, labels: ['ai-reasoning-high'] },
      );
      expect(r.data).toEqual({
        model: 'gpt-5.2',
        model_reasoning_effort: 'high',
        approval_policy: 'on-request',
        sandbox_mode: 'danger-full-access',
        model_verbosity: 'low',
        projects: { '/workspace': { trust_level: 'trusted' } },
        mcp_servers: { tracker: { url: 'http://tr.shop-dev-3.svc.cluster.local:80/mcp' } },
        shell_environment_policy: { set: { SLOT: '3', API: '1.2' } },
      });
      expect(r.warnings.map((w) => w.message)).toEqual([
        'MCP server "tracker" of codex.configTemplate is replaced by the one in codex.mcp.servers',
      ]);
      writeFileSync(path.join(root, 'bad.tmpl'), 'model = {{ .Nope }}');
      expect(() => build({ configTemplate: 'bad.tmpl' }, { projectRoot: root })).toThrow(/can't evaluate field Nope/);
      writeFileSync(path.join(root, 'bad2.tmpl'), 'model = "{{ .Env }}\n');
      expect(() => build({ configTemplate: 'bad2.tmpl' }, { projectRoot: root })).toThrow(
        /codex\.configTemplate \(bad2\.tmpl, after rendering\): invalid TOML at line 1/,
      );
      expect(() => build({ configTemplate: '../outside.tmpl' }, { projectRoot: root })).toThrow(
        /outside the project root/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
