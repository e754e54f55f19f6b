import { describe, expect, it } from '@jest/globals';
import { parseTemplate, predecessorFuncs } from '../template/index.js';
import { buildTemplateContext } from './context.js';

const now = new Date(Date.UTC(2026, 1, 6, 10, 0, 0));
const base = {
  env: 'ai',
  namespace: 'shop-ai-3',
  project: 'shop',
  projectRoot: '/p',
  slot: 3,
  now,
  variables: { envMap: { A: 'a' }, vars: { V: 'v' }, userVars: {} },
  versions: { web: '1.0' },
  baseDomain: {},
};
const render = (
  tmpl: string,
  fields: Partial<Omit<typeof base, 'variables' | 'baseDomain'>> & {
    variables?: any;
    baseDomain?: Record<string, string>;
    storage?: any;
    codex?: any;
  } = {},
) =>
  parseTemplate('t', tmpl, { funcs: predecessorFuncs({ envMap: { A: 'a' }, now }) }).execute(
    buildTemplateContext({ ...base, ...fields }),
  );

describe('template context', () => {
  it('behaves as the predecessor’s struct: known fields, Go map semantics', () => {
    expect(render('{{ .Env }}/{{ .Namespace }}/{{ .Slot }}/{{ printf "%d" .Slot }}')).toBe('ai/shop-ai-3/3/3');
    expect(render('[{{ index .Versions "web" }}][{{ index .Versions "nope" }}][{{ .Vars.nope }}][{{ .Vars.V }}]')).toBe(
      '[1.0][][<no value>][v]',
    );
    expect(render('{{ .Now }}')).toBe('2026-02-06 10:00:00 +0000 UTC');
    expect(() => render('{{ .Envv }}')).toThrow(/can't evaluate field Envv in type config\.TemplateContext/);
  });

  it('treats a missing storage block as a nil pointer that and/if can test', () => {
    const t = '{{ if and .Storage .Storage.Workspace }}{{ .Storage.Workspace.Size }}{{ else }}none{{ end }}';
    expect(render(t)).toBe('none');
    expect(render(t, { storage: { workspace: { size: '5Gi' } } })).toBe('5Gi');
    expect(render(t, { storage: { data: { size: '1Gi' } } })).toBe('none');
    expect(() => render('{{ .Storage.Workspace }}')).toThrow(
      /nil pointer evaluating \*config\.StorageConfig\.Workspace/,
    );
  });

  it('exposes codex settings as typed fields ([]string for join)', () => {
    const codex = { extraTools: ['psql', 'go'], mcp: { servers: [{ name: 'c7', tools: [{ name: 'x' }] }] } };
    expect(
      render('{{ join .Codex.ExtraTools ", " }}|{{ range .Codex.MCP.Servers }}{{ .Name }}:{{ len .Tools }}{{ end }}', {
        codex,
      }),
    ).toBe('psql, go|c7:1');
  });

  it('carries every variable map, and empty comment lists', () => {
    const fields = {
      variables: { envMap: { E: 'env' }, vars: { V: 'var' }, userVars: { U: 'user' } },
      baseDomain: { ai: 'ai.example' },
    };
    expect(
      render('{{.UserVars.U}}|{{.EnvMap.E}}|{{.BaseDomain.ai}}|{{len .IssueComments}}|{{len .ReviewComments}}', fields),
    ).toBe('user|env|ai.example|0|0');
  });

  it('fills unset fields of storage and MCP servers with Go zero values, and typed nil pointers name their type', () => {
    const storage = {
      workspace: { size: '1Gi', storageClass: 'fast', accessModes: ['ReadWriteOnce'] },
      data: { size: '2Gi' },
    };
    expect(
      render('{{.Storage.Workspace.StorageClass}}|{{.Storage.Data.StorageClass}}|{{.Storage.Data.AccessModes}}', {
        storage,
      }),
    ).toBe('fast||[]');
    expect(() => render('{{.Storage.Registry.Size}}', { storage })).toThrow(
      /nil pointer evaluating \*config\.PVCSpec\.Size/,
    );
    expect(() => render('{{.Storage.Nope}}', { storage })).toThrow(
      /can't evaluate field Nope in type config\.StorageConfig/,
    );
    const codex = {
      mcp: {
        servers: [
          { name: 'bare' },
          {
            name: 'full',
            type: 'http',
            description: 'd',
            tool_timeout_sec: 5,
            startup_timeout_sec: 7,
            command: 'c',
            endpoint: 'e',
          },
        ],
      },
    };
    const line =
      '{{range .Codex.MCP.Servers}}{{.Name}}:{{.Type}}/{{.Description}}/{{.ToolTimeoutSec}}/{{.StartupTimeoutSec}}/{{.Command}}/{{.Endpoint}};{{end}}';
    expect(render(line, { codex })).toBe('bare://0/0//;full:http/d/5/7/c/e;');
    expect(() => render('{{range .Codex.MCP.Servers}}{{.Nope}}{{end}}', { codex })).toThrow(
      /can't evaluate field Nope/,
    );
  });

  it('gives every Codex field, set or unset, and names each struct type in errors like the predecessor', () => {
    const all =
      '{{with .Codex}}{{.ConfigTemplate}}|{{.PromptLang}}|{{.Model}}|{{.ModelReasoningEffort}}|' +
      '{{range .Links}}{{.Title}}={{.Path}};{{end}}|{{.ExtraTools}}|{{.ProjectContext}}|{{.ServicesOverview}}|' +
      '{{.Timeouts.Exec}},{{.Timeouts.Rollout}},{{.Timeouts.DeployWait}}|{{.ReviewMCPEnabled}}|' +
      '{{range .MCP.Servers}}{{.BearerTokenEnvVar}}:{{range .Tools}}{{.Name}}/{{.Description}};{{end}}{{end}}{{end}}';
    const codex = {
      configTemplate: 'c.toml',
      promptLang: 'ru',
      model: 'm',
      modelReasoningEffort: 'high',
      links: [{ title: 'T', path: 'p' }],
      extraTools: ['jq'],
      projectContext: 'ctx',
      servicesOverview: 'svc',
      timeouts: { exec: '1h', rollout: '5m', deployWait: '2m' },
      reviewMCPEnabled: true,
      mcp: {
        servers: [{ name: 's', bearer_token_env_var: 'TOK', tools: [{ name: 'a', description: 'b' }, { name: 'c' }] }],
      },
    };
    expect(render(all, { codex })).toBe('c.toml|ru|m|high|T=p;|[jq]|ctx|svc|1h,5m,2m|true|TOK:a/b;c/;');
    expect(render(all, { codex: { mcp: { servers: [{ name: 's' }] } } })).toBe('|||||[]|||,,|false|:');
    for (const [tmpl, type] of [
      ['{{.Codex.Nope}}', 'config.CodexConfig'],
      ['{{.Codex.Timeouts.Nope}}', 'config.CodexTimeouts'],
      ['{{.Codex.MCP.Nope}}', 'config.CodexMCP'],
      ['{{(index .Codex.Links 0).Nope}}', 'config.CodexLink'],
      ['{{(index (index .Codex.MCP.Servers 0).Tools 0).Nope}}', 'config.MCPTool'],
      ['{{.Storage.Workspace.Nope}}', 'config.PVCSpec'],
    ] as const) {
      expect(() => render(tmpl, { codex, storage: { workspace: {} } })).toThrow(`in type ${type}`);
    }
  });
});
