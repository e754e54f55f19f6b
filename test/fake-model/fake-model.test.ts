/** The real Codex CLI against the scripted fake Responses API (no pod: codex runs as a local process). */
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/temp-dir.js';
import { startFakeModel, type FakeModel } from './index.js';

/** `$CODEX`, or the pinned CLI that `bash test/setup/install-tools.sh` puts in `.tools/codex`. */
const CODEX_BIN =
  process.env.CODEX ?? fileURLToPath(new URL('../../.tools/codex/node_modules/.bin/codex', import.meta.url));

function assertCodex(): void {
  if (!existsSync(CODEX_BIN))
    throw new Error(`codex not found at ${CODEX_BIN}: run \`bash test/setup/install-tools.sh\` (or set CODEX)`);
}

/** `-c` overrides that point codex at the fake as a custom provider (no retries, so failures are quick). */
const providerArgs = (url: string): string[] => [
  '-c',
  'model_provider=fake',
  '-c',
  'model_providers.fake.name=fake',
  '-c',
  `model_providers.fake.base_url="${url}"`,
  '-c',
  'model_providers.fake.env_key=OPENAI_API_KEY',
  '-c',
  'model_providers.fake.wire_api=responses',
  '-c',
  'model_providers.fake.request_max_retries=0',
  '-c',
  'model_providers.fake.stream_max_retries=0',
  '-m',
  'fake-model',
];
const EXEC_FLAGS = ['--json', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox'];

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

const running = new Set<ChildProcess>();

/**
 * Starts codex in its own process group: on Node 20 the npm wrapper spawns the native binary as a child, so the
 * group is what has to be killed.
 */
function codex(args: string[], prompt: string, home: string): Run {
  const tmp = join(home, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const child = spawn(CODEX_BIN, args, {
    env: { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: home, TMPDIR: tmp, OPENAI_API_KEY: 'dummy' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end(prompt);
  const done = new Promise<Awaited<Run['done']>>((resolve) =>
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, done };
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
}

const events = (stdout: string): any[] =>
  stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l));

describe('fake model server with the real codex CLI', () => {
  let model: FakeModel | undefined;

  afterEach(async () => {
    for (const c of running) killGroup(c);
    await model?.close();
    model = undefined;
  });

  it('runs an exec_command tool call, then a final message, and reports usage', async () => {
    assertCodex();
    const dir = tempDir('fake-model-work-');
    const home = tempDir('fake-model-home-');
    model = await startFakeModel([
      { kind: 'exec', cmd: `echo made > ${dir}/proof.txt` },
      { kind: 'message', text: 'done', usage: { input_tokens: 120, output_tokens: 7 } },
    ]);
    const run = codex(['exec', ...EXEC_FLAGS, '--ephemeral', '-C', dir, ...providerArgs(model.url), '-'], 'go', home);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'proof.txt'), 'utf8')).toBe('made\n');

    const ev = events(r.stdout);
    expect(ev.find((e) => e.type === 'thread.started')?.thread_id).toEqual(expect.any(String));
    expect(ev).toContainEqual(
      expect.objectContaining({
        type: 'item.completed',
        item: expect.objectContaining({ type: 'agent_message', text: 'done' }),
      }),
    );
    const turn = ev.find((e) => e.type === 'turn.completed');
    expect(turn.usage.input_tokens).toBeGreaterThan(0);
    expect(turn.usage.output_tokens).toBeGreaterThan(0);

    expect(model.requests).toHaveLength(2);
    const [first, second] = model.requests;
    expect(first.path).toBe('/v1/responses');
    expect(first.body).toMatchObject({ model: 'fake-model', stream: true });
    expect(first.authorization).toEqual({ present: true, scheme: 'Bearer' });
    expect(first.headers.authorization).toBeUndefined();
    expect(JSON.stringify(first.body.input)).toContain('go');
    expect(second.body.input).toContainEqual(
      expect.objectContaining({ type: 'function_call_output', call_id: expect.any(String) }),
    );
  });

  it('a stalled response keeps codex waiting until it is killed', async () => {
    assertCodex();
    const dir = tempDir('fake-model-work-');
    const home = tempDir('fake-model-home-');
    model = await startFakeModel([{ kind: 'stall' }]);
    const run = codex(['exec', ...EXEC_FLAGS, '--ephemeral', '-C', dir, ...providerArgs(model.url), '-'], 'go', home);
    let exited = false;
    void run.done.then(() => (exited = true));
    await new Promise((r) => setTimeout(r, 2000));
    expect(exited).toBe(false);
    expect(model.requests.length).toBeGreaterThanOrEqual(1);
    expect(model.requests[0].step).toEqual({ kind: 'stall' });

    killGroup(run.child);
    await model.close();
    const r = await run.done;
    expect(r.signal ?? r.code).not.toBe(0);
    // The wrapper's close comes first; the native binary in the same group is reaped a moment later.
    const deadline = Date.now() + 5000;
    while (groupAlive(run.child.pid!) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    expect(groupAlive(run.child.pid!)).toBe(false);
  });

  it('resumes a stored session with a new prompt from stdin', async () => {
    assertCodex();
    const dir = tempDir('fake-model-work-');
    const home = tempDir('fake-model-home-');
    model = await startFakeModel([
      { kind: 'message', text: 'first answer' },
      { kind: 'message', text: 'second answer' },
    ]);
    // Without --ephemeral the session is stored under CODEX_HOME/sessions.
    const first = await codex(['exec', ...EXEC_FLAGS, '-C', dir, ...providerArgs(model.url), '-'], 'FIRST PROMPT', home)
      .done;
    expect(first.code).toBe(0);
    const threadId = events(first.stdout).find((e) => e.type === 'thread.started')?.thread_id as string;
    expect(threadId).toEqual(expect.any(String));

    // `-C` belongs to `exec` and must come before `resume`; the other options work on either side.
    const second = await codex(
      ['exec', ...EXEC_FLAGS, '-C', dir, ...providerArgs(model.url), 'resume', threadId, '-'],
      'SECOND PROMPT',
      home,
    ).done;
    expect(second.code).toBe(0);
    const ev = events(second.stdout);
    expect(ev.find((e) => e.type === 'thread.started')?.thread_id).toBe(threadId);
    expect(ev).toContainEqual(
      expect.objectContaining({ item: expect.objectContaining({ type: 'agent_message', text: 'second answer' }) }),
    );

    expect(model.requests).toHaveLength(2);
    const texts = (model.requests[1].body.input as any[]).map((i) =>
      (i.content ?? []).map((c: { text?: string }) => c.text ?? '').join(''),
    );
    const at = (t: string): number => texts.findIndex((x) => x === t);
    expect(at('FIRST PROMPT')).toBeGreaterThanOrEqual(0);
    expect(at('first answer')).toBeGreaterThan(at('FIRST PROMPT'));
    expect(at('SECOND PROMPT')).toBeGreaterThan(at('first answer'));
  });
});

describe('fake model server (HTTP only)', () => {
  it('scripts steps in order, repeats the last message, records requests and answers errors', async () => {
    const model = await startFakeModel([
      { kind: 'message', text: 'one' },
      { kind: 'error', status: 429 },
      { kind: 'message', text: 'two', usage: { input_tokens: 3, output_tokens: 4 } },
      { kind: 'exec', cmd: 'true' },
    ]);
    try {
      const post = (): Promise<Response> =>
        fetch(`${model.url}/responses`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk-secret', 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'm', input: [], stream: true }),
        });
      const a = await post();
      expect(a.status).toBe(200);
      expect(a.headers.get('content-type')).toBe('text/event-stream');
      const text = await a.text();
      expect(text).toContain('event: response.output_item.done\ndata: {');
      expect(text).toContain('"text":"one"');
      expect(text).toMatch(/"usage":\{"input_tokens":10,"output_tokens":5,"total_tokens":15\}/);
      const b = await post();
      expect(b.status).toBe(429);
      await b.text();
      expect(await (await post()).text()).toContain('"input_tokens":3,"output_tokens":4,"total_tokens":7');
      expect(await (await post()).text()).toContain('"name":"exec_command","arguments":"{\\"cmd\\":\\"true\\"}"');
      expect(await (await post()).text()).toContain('"text":"two"');
      expect(model.requests).toHaveLength(5);
      expect(model.requests[0].authorization).toEqual({ present: true, scheme: 'Bearer' });
      expect(JSON.stringify(model.requests)).not.toContain('sk-secret');

      model.setScript((req) => ({ kind: 'message', text: `request ${req.index}` }));
      expect(await (await post()).text()).toContain('"text":"request 5"');
    } finally {
      await model.close();
    }
  });

  it('close() ends a stalled stream', async () => {
    const model = await startFakeModel([{ kind: 'stall' }]);
    const res = await fetch(`${model.url}/responses`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    const body = res.text().then(
      () => 'ended',
      () => 'aborted',
    );
    await model.close();
    expect(['ended', 'aborted']).toContain(await body);
  });
});
