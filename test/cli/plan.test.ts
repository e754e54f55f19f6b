import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/index.js';
import { runCli } from '../support/cli.js';

const TOKEN = 'ghp_planResolveRoot00000000000000000000001';

describe('codex-k8s plan resolve-root', () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.state.addToken(TOKEN, { login: 'maria' });
    gh.state.addRepo({ owner: 'acme', name: 'shop', defaultBranch: 'main' });
  });
  afterAll(async () => {
    await gh.close();
  });
  const env = (token = TOKEN) => ({ GITHUB_TOKEN: token, GITHUB_API_URL: gh.url });

  it('prints the root two levels up, as text (the predecessor format) and as JSON', async () => {
    const root = gh.state.addIssue('acme/shop', { title: 'Plan', labels: ['[ai-plan]'], author: 'maria' });
    const child = gh.state.addIssue('acme/shop', {
      title: 'A',
      body: `AI-PLAN-PARENT: #${root.number}`,
      author: 'maria',
    });
    const leaf = gh.state.addIssue('acme/shop', {
      title: 'B',
      body: `AI-PLAN-PARENT: #${child.number}`,
      author: 'maria',
    });
    const text = await runCli(['plan', 'resolve-root', '--issue', String(leaf.number), '--repo', 'acme/shop'], {
      env: env(),
    });
    expect(text).toMatchObject({ code: 0, stdout: `root: ${root.number}\nfocus: ${leaf.number}\n` });
    const json = await runCli(
      ['plan', 'resolve-root', '--issue', String(leaf.number), '--repo', 'acme/shop', '--output', 'json'],
      { env: env() },
    );
    expect(JSON.parse(json.stdout)).toEqual({
      root: root.number,
      focus: leaf.number,
      path: [leaf.number, child.number, root.number],
    });
  });

  it('no root, a bad token, a bad issue or repo: exit 1 with one message', async () => {
    const lone = gh.state.addIssue('acme/shop', { title: 'Lone', body: 'x', author: 'maria' });
    const none = await runCli(['plan', 'resolve-root', '--issue', String(lone.number), '--repo', 'acme/shop'], {
      env: env(),
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: plan root of #\d+: #\d+ has neither the \[ai-plan\] label/);
    const bad = await runCli(['plan', 'resolve-root', '--issue', '1', '--repo', 'acme/shop'], { env: env('ghp_nope') });
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(/GitHub rejected the token/) });
    expect(bad.stderr).not.toContain('ghp_nope');
    const noIssue = await runCli(['plan', 'resolve-root', '--issue', '1e3', '--repo', 'acme/shop'], { env: env() });
    expect(noIssue).toMatchObject({ code: 1, stderr: expect.stringMatching(/--issue "1e3" is not an issue number/) });
    const noRepo = await runCli(['plan', 'resolve-root', '--issue', '1', '--repo', 'acme'], { env: env() });
    expect(noRepo).toMatchObject({ code: 1, stderr: expect.stringMatching(/--repo: "acme" is not owner\/name/) });
    const noToken = await runCli(['plan', 'resolve-root', '--issue', '1', '--repo', 'acme/shop'], { env: {} });
    expect(noToken).toMatchObject({ code: 1, stderr: expect.stringMatching(/set GITHUB_TOKEN/) });
  });

  it('GitHub out of reach: exit 1 with one message naming the address, after plugin-retry’s retries', async () => {
    // A port that was just free: nothing listens there, so every connection is refused.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const r = await runCli(['plan', 'resolve-root', '--issue', '3', '--repo', 'acme/shop'], {
      env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: `http://127.0.0.1:${port}` },
    });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe(
      `error: plan root of #3: reading #3: could not reach GitHub at http://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}); check GITHUB_API_URL and the network access of the machine it runs on\n`,
    );
  });
});
