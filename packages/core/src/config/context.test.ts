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
const render = (tmpl: string, fields: Partial<typeof base> & { storage?: any; codex?: any } = {}) =>
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
});
