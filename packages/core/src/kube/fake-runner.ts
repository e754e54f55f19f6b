import type { ProcessRunner, RunOptions, RunResult } from './runner.js';

export interface RecordedCall {
  command: string;
  args: string[];
  options: RunOptions;
}

export type FakeReply = Partial<RunResult> | ((call: RecordedCall) => Partial<RunResult> | Promise<Partial<RunResult>>);

/**
 * A ProcessRunner for unit tests: records every call and answers from rules (first matching rule wins; a rule
 * with `times` is used that many times). Unmatched calls succeed with empty output.
 */
export class FakeRunner implements ProcessRunner {
  readonly calls: RecordedCall[] = [];
  private rules: { match: (c: RecordedCall) => boolean; reply: FakeReply; times?: number }[] = [];

  /** Answers calls whose arguments (after kubectl's global flags) contain `needle` (all words, in order). */
  on(needle: string | ((c: RecordedCall) => boolean), reply: FakeReply, times?: number): this {
    const match = typeof needle === 'function' ? needle : (c: RecordedCall) => c.args.join(' ').includes(needle);
    this.rules.push({ match, reply, times });
    return this;
  }

  async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const call: RecordedCall = { command, args: [...args], options };
    this.calls.push(call);
    const i = this.rules.findIndex((r) => r.match(call) && (r.times === undefined || r.times > 0));
    let reply: Partial<RunResult> = {};
    if (i >= 0) {
      const rule = this.rules[i];
      if (rule.times !== undefined) rule.times--;
      reply = typeof rule.reply === 'function' ? await rule.reply(call) : rule.reply;
    }
    return { code: 0, stdout: '', stderr: '', timedOut: false, ...reply };
  }

  /** Arguments of every call as one string each (global flags included). */
  get commands(): string[] {
    return this.calls.map((c) => c.args.join(' '));
  }
}
