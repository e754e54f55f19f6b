/*
 * `codex exec --json` events (one JSON object per line) turned into readable progress and the run's result.
 * Event shapes of the pinned CLI: thread.started {thread_id}, turn.started, item.started / item.completed with
 * item.type agent_message {text} | reasoning {text} | command_execution {command, exit_code, status,
 * aggregated_output} | file_change {changes[{path, kind}]} | mcp_tool_call {server, tool} | web_search {query} |
 * error {message}, turn.completed {usage: {input_tokens, cached_input_tokens, output_tokens}}, turn.failed {error},
 * error {message}. Unknown events are shown at debug level only: a newer CLI must not break the log.
 */

export interface AgentResult {
  sessionId: string;
  /** The agent's last message. */
  finalMessage: string;
  tokensIn: number;
  tokensOut: number;
  /** Errors Codex reported (turn.failed, error events). */
  errors: string[];
  /** Commands the agent ran. */
  commands: number;
}

export interface ProgressSink {
  info(line: string): void;
  warning(line: string): void;
  debug(line: string): void;
}

/** Longest line of an agent's text shown in the log; the full message is an output. */
const SHOWN = 400;
/** A line longer than this without a newline is not an event of Codex: it is dropped, not buffered forever. */
const MAX_LINE = 8 * 1024 * 1024;

const one = (s: string, max = SHOWN): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export class CodexEventReader {
  readonly result: AgentResult = {
    sessionId: '',
    finalMessage: '',
    tokensIn: 0,
    tokensOut: 0,
    errors: [],
    commands: 0,
  };
  private pending = Buffer.alloc(0);

  constructor(private readonly sink: ProgressSink) {}

  /** Raw bytes of the events file, in order; lines may be split anywhere (even inside a UTF-8 character). */
  push(chunk: Buffer): void {
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let nl: number;
    while ((nl = data.indexOf(0x0a)) >= 0) {
      this.line(data.subarray(0, nl).toString('utf8'));
      data = data.subarray(nl + 1);
    }
    if (data.length > MAX_LINE) {
      this.sink.warning(`agent events: a line of more than ${MAX_LINE} bytes was dropped`);
      data = Buffer.alloc(0);
    }
    this.pending = Buffer.from(data);
  }

  /** The end of the events: a last line without a newline still counts. */
  end(): void {
    if (this.pending.length) this.line(this.pending.toString('utf8'));
    this.pending = Buffer.alloc(0);
  }

  private line(text: string): void {
    const trimmed = text.trim();
    if (!trimmed) return;
    let ev: Record<string, unknown>;
    try {
      ev = JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      this.sink.debug(`agent: ${one(trimmed)}`);
      return;
    }
    if (!ev || typeof ev !== 'object') return;
    this.event(ev);
  }

  private event(ev: Record<string, unknown>): void {
    const type = String(ev.type ?? '');
    const r = this.result;
    switch (type) {
      case 'thread.started':
        r.sessionId = String(ev.thread_id ?? '');
        this.sink.info(`agent session ${r.sessionId}`);
        return;
      case 'turn.completed': {
        const usage = (ev.usage ?? {}) as Record<string, unknown>;
        r.tokensIn += num(usage.input_tokens);
        r.tokensOut += num(usage.output_tokens);
        this.sink.info(`agent turn done: ${num(usage.input_tokens)} tokens in, ${num(usage.output_tokens)} out`);
        return;
      }
      case 'turn.failed': {
        const message = messageOf(ev.error) || 'the turn failed';
        r.errors.push(message);
        this.sink.warning(`agent: ${one(message)}`);
        return;
      }
      case 'error': {
        const message = messageOf(ev) || 'error';
        // Codex retrying a dropped model stream is progress, not an error of the run.
        if (/^Reconnecting\b/i.test(message)) {
          this.sink.debug(`agent: ${one(message)}`);
          return;
        }
        r.errors.push(message);
        this.sink.warning(`agent: ${one(message)}`);
        return;
      }
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        this.item(type, (ev.item ?? {}) as Record<string, unknown>);
        return;
      default:
        this.sink.debug(`agent event ${type || '(no type)'}`);
    }
  }

  private item(type: string, item: Record<string, unknown>): void {
    const kind = String(item.type ?? '');
    const done = type === 'item.completed';
    switch (kind) {
      case 'agent_message':
        if (!done) return;
        this.result.finalMessage = String(item.text ?? '');
        this.sink.info(`agent: ${one(this.result.finalMessage)}`);
        return;
      case 'reasoning':
        if (done) this.sink.debug(`agent thinks: ${one(String(item.text ?? ''))}`);
        return;
      case 'command_execution':
        if (type === 'item.started') {
          this.result.commands++;
          this.sink.info(`agent runs: ${one(String(item.command ?? ''), 200)}`);
        } else if (done) {
          const code = item.exit_code;
          const status = code === 0 ? 'ok' : `exit ${code ?? String(item.status ?? '?')}`;
          this.sink.debug(`  ${status}: ${one(String(item.aggregated_output ?? ''), 300)}`);
          if (code !== 0 && code !== undefined && code !== null) this.sink.info(`  (${status})`);
        }
        return;
      case 'file_change':
        if (done) {
          const changes = Array.isArray(item.changes) ? (item.changes as Record<string, unknown>[]) : [];
          this.sink.info(
            `agent edits: ${changes.map((c) => `${String(c.kind ?? '')} ${String(c.path ?? '')}`).join(', ')}`,
          );
        }
        return;
      case 'mcp_tool_call':
        if (done) this.sink.info(`agent calls ${String(item.server ?? '')}.${String(item.tool ?? '')}`);
        return;
      case 'web_search':
        if (done) this.sink.info(`agent searches: ${one(String(item.query ?? ''), 200)}`);
        return;
      case 'error':
        if (done) this.sink.debug(`agent notice: ${one(String(item.message ?? ''))}`);
        return;
      default:
        if (done) this.sink.debug(`agent item ${kind || '(no type)'}`);
    }
  }
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0;
}

function messageOf(v: unknown): string {
  if (!v || typeof v !== 'object') return typeof v === 'string' ? v : '';
  const m = (v as Record<string, unknown>).message;
  return typeof m === 'string' ? m : '';
}
