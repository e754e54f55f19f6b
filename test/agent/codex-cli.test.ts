import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCodexConfig } from '../../packages/core/src/agent/index.js';
import { buildTemplateContext } from '../../packages/core/src/config/context.js';
import type { CodexConfig } from '../../packages/core/src/config/schema.js';
import { predecessorFuncs } from '../../packages/core/src/template/index.js';

/** `$CODEX`, or the pinned CLI that `bash test/setup/install-tools.sh` puts in `.tools/codex`. */
const CODEX_BIN =
  process.env.CODEX ?? fileURLToPath(new URL('../../.tools/codex/node_modules/.bin/codex', import.meta.url));
const SECRET = 'ghp_FAKEsecretVALUE0123456789abcdef';

describe('the real Codex CLI reads the generated config.toml', () => {
  it('lists the MCP servers with their transports, env names and headers', () => {
    if (!existsSync(CODEX_BIN)) {
      throw new Error(`codex not found at ${CODEX_BIN}: run \`bash test/setup/install-tools.sh\` (or set CODEX)`);
    }
    const now = new Date();
    const variables = { envMap: { GITHUB_TOKEN: SECRET, DOCS_AUTH: `Bearer ${SECRET}` }, vars: {}, userVars: {} };
    const codex: CodexConfig = {
      model: 'gpt-5.2',
      mcp: {
        servers: [
          {
            name: 'github',
            type: 'stdio',
            command: 'github-mcp',
            args: ['--stdio'],
            env: { GITHUB_TOKEN: { envRef: 'GITHUB_TOKEN' }, LOG_LEVEL: { value: 'info' } },
            tool_timeout_sec: 30,
          },
          {
            name: 'docs',
            type: 'http',
            endpoint: 'https://docs.example.com/mcp',
            bearer_token_env_var: 'DOCS_TOKEN',
            headers: { Authorization: { envRef: 'DOCS_AUTH' }, 'X-Team': { value: 'shop' } },
          },
          { name: 'tracker', type: 'cluster', service: { name: 'tracker', port: 8080 } },
        ],
      },
      configBlocks: [{ toml: '[tui]\nnotifications = false' }],
    };
    const context = buildTemplateContext({
      env: 'ai',
      namespace: 'shop-dev-1',
      project: 'shop',
      projectRoot: '/p',
      slot: 1,
      now,
      variables,
      versions: {},
      baseDomain: {},
      codex,
    });
    const { toml } = buildCodexConfig({
      codex,
      context,
      funcs: predecessorFuncs({ envMap: variables.envMap, now }),
      variables,
      namespace: 'shop-dev-1',
      projectRoot: '/p',
      labels: ['ai-reasoning-high'],
    });
    expect(toml).not.toContain(SECRET);

    const home = mkdtempSync(path.join(tmpdir(), 'codex-home-'));
    try {
      writeFileSync(path.join(home, 'config.toml'), toml, { mode: 0o600 });
      const env = { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: home };
      const out = execFileSync(CODEX_BIN, ['mcp', 'list', '--json'], { env, encoding: 'utf8', timeout: 30_000 });
      const servers = Object.fromEntries((JSON.parse(out) as any[]).map((s) => [s.name, s]));
      expect(servers.github.transport).toMatchObject({
        type: 'stdio',
        command: 'github-mcp',
        args: ['--stdio'],
        env: { LOG_LEVEL: 'info' },
        env_vars: ['GITHUB_TOKEN'],
      });
      expect(servers.github.tool_timeout_sec).toBe(30);
      expect(servers.docs.transport).toMatchObject({
        type: 'streamable_http',
        url: 'https://docs.example.com/mcp',
        bearer_token_env_var: 'DOCS_TOKEN',
        http_headers: { 'X-Team': 'shop' },
        env_http_headers: { Authorization: 'DOCS_AUTH' },
      });
      expect(servers.tracker.transport).toMatchObject({
        type: 'streamable_http',
        url: 'http://tracker.shop-dev-1.svc.cluster.local:8080/mcp',
      });

      // Every field is one this Codex version knows: `exec --strict-config` loads the config before anything else
      // and refuses unknown fields with file:line:col; with no prompt it then stops without calling a model.
      const strictLoad = () =>
        spawnSync(CODEX_BIN, ['exec', '--strict-config', '--skip-git-repo-check', '-'], {
          env,
          encoding: 'utf8',
          input: '',
          timeout: 30_000,
        });
      const strict = strictLoad();
      expect(strict.stderr).not.toMatch(/Error loading config\.toml|unknown configuration field/);
      expect(strict.stderr).toMatch(/No prompt provided/);
      writeFileSync(
        path.join(home, 'config.toml'),
        toml.replace('[mcp_servers.github]', '[mcp_servers.github]\nbogus_key = 1'),
      );
      const unknown = strictLoad();
      expect(unknown.status).not.toBe(0);
      expect(unknown.stderr).toMatch(/unknown configuration field `mcp_servers\.github\.bogus_key`/);

      // The same binary refuses a broken file, so acceptance above means the file was read.
      writeFileSync(path.join(home, 'config.toml'), `${toml}\nbroken = [\n`);
      const bad = spawnSync(CODEX_BIN, ['mcp', 'list', '--json'], { env, encoding: 'utf8', timeout: 30_000 });
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/config\.toml:\d+:\d+/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
