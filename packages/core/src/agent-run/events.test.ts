import { describe, expect, it } from '@jest/globals';
import { CodexEventReader } from './events.js';

const sink = () => {
  const lines: string[] = [];
  return {
    lines,
    sink: {
      info: (m: string) => lines.push(`info ${m}`),
      warning: (m: string) => lines.push(`warn ${m}`),
      debug: (m: string) => lines.push(`debug ${m}`),
    },
  };
};
const ev = (o: object) => `${JSON.stringify(o)}\n`;

describe('CodexEventReader', () => {
  it('collects the session, the last message and the tokens of every turn', () => {
    const { sink: s, lines } = sink();
    const r = new CodexEventReader(s);
    r.push(Buffer.from(ev({ type: 'thread.started', thread_id: 'th-1' })));
    r.push(Buffer.from(ev({ type: 'item.completed', item: { type: 'agent_message', text: 'first' } })));
    r.push(Buffer.from(ev({ type: 'turn.completed', usage: { input_tokens: 10, output_tokens: 2 } })));
    r.push(Buffer.from(ev({ type: 'item.completed', item: { type: 'agent_message', text: 'second' } })));
    r.push(
      Buffer.from(
        ev({ type: 'turn.completed', usage: { input_tokens: 5, output_tokens: 1, cached_input_tokens: 99 } }),
      ),
    );
    r.end();
    expect(r.result).toEqual({
      sessionId: 'th-1',
      finalMessage: 'second',
      tokensIn: 15,
      tokensOut: 3,
      errors: [],
      commands: 0,
    });
    expect(lines).toContain('info agent session th-1');
    expect(lines).toContain('info agent: second');
  });

  it('reads lines split anywhere, even inside a UTF-8 character, and a last line without a newline', () => {
    const { sink: s } = sink();
    const r = new CodexEventReader(s);
    const bytes = Buffer.from(
      ev({ type: 'item.completed', item: { type: 'agent_message', text: 'héllo ✓' } }) +
        JSON.stringify({ type: 'thread.started', thread_id: 'z' }),
    );
    for (let i = 0; i < bytes.length; i++) r.push(bytes.subarray(i, i + 1));
    expect(r.result.finalMessage).toBe('héllo ✓');
    expect(r.result.sessionId).toBe('');
    r.end();
    expect(r.result.sessionId).toBe('z');
  });

  it('counts commands, reports failures as warnings, ignores non-JSON and unknown events, and bad numbers', () => {
    const { sink: s, lines } = sink();
    const r = new CodexEventReader(s);
    r.push(Buffer.from('not json at all\n\n'));
    r.push(Buffer.from(ev({ type: 'item.started', item: { type: 'command_execution', command: 'npm test' } })));
    r.push(
      Buffer.from(
        ev({ type: 'item.completed', item: { type: 'command_execution', exit_code: 2, aggregated_output: 'boom' } }),
      ),
    );
    r.push(Buffer.from(ev({ type: 'turn.failed', error: { message: 'model overloaded' } })));
    r.push(Buffer.from(ev({ type: 'error', message: 'Reconnecting... 1/5' })));
    r.push(Buffer.from(ev({ type: 'error', message: 'stream error' })));
    r.push(Buffer.from(ev({ type: 'something.new' })));
    r.push(Buffer.from(ev({ type: 'turn.completed', usage: { input_tokens: -5, output_tokens: 'x' } })));
    r.end();
    expect(r.result.commands).toBe(1);
    expect(r.result.errors).toEqual(['model overloaded', 'stream error']);
    expect(r.result.tokensIn).toBe(0);
    expect(r.result.tokensOut).toBe(0);
    expect(lines).toContain('info agent runs: npm test');
    expect(lines).toContain('info   (exit 2)');
    expect(lines).toContain('warn agent: model overloaded');
    expect(lines).toContain('debug agent: Reconnecting... 1/5');
    expect(lines).toContain('debug agent event something.new');
    expect(lines).toContain('debug agent: not json at all');
  });

  it('shows long texts cut, keeps the full final message', () => {
    const { sink: s, lines } = sink();
    const r = new CodexEventReader(s);
    const long = 'x'.repeat(1000);
    r.push(Buffer.from(ev({ type: 'item.completed', item: { type: 'agent_message', text: long } })));
    expect(r.result.finalMessage).toBe(long);
    const shown = lines.find((l) => l.startsWith('info agent: '))!;
    expect(shown.length).toBeLessThan(420);
    expect(shown.endsWith('…')).toBe(true);
  });
});
