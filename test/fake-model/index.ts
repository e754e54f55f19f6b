/**
 * A scripted fake of the OpenAI Responses API for tests that run the real Codex CLI: `POST /v1/responses` answers
 * with a server-sent-event stream built from the next step of a script. Node's http module only, 127.0.0.1.
 * See README.md.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Token counts reported in `response.completed` (Codex shows them in `turn.completed`). */
export interface ModelUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens?: number;
}

export type ModelStep =
  /** One assistant message, then `response.completed`. */
  | { kind: 'message'; text: string; usage?: Partial<ModelUsage>; delayMs?: number }
  /** One `exec_command` function call (`{"cmd": cmd}`), then `response.completed`. */
  | { kind: 'exec'; cmd: string; usage?: Partial<ModelUsage>; callId?: string; delayMs?: number }
  /** Sends the SSE headers and never finishes (until close()): for deadlines and cancellation. */
  | { kind: 'stall' }
  /** An HTTP error with an OpenAI-style JSON error body. */
  | { kind: 'error'; status: number; message?: string };

export interface RecordedRequest {
  /** 0-based, in arrival order. */
  index: number;
  method: string;
  /** Path and query, e.g. `/v1/responses`. */
  path: string;
  /** Request headers without the authorization header. */
  headers: IncomingHttpHeaders;
  /** Whether an authorization header was sent, and its scheme (`Bearer`); the credential is never kept. */
  authorization: { present: boolean; scheme?: string };
  /** Parsed JSON body (the raw text when it is not JSON; undefined when empty). */
  body: any;
  /** The step that answered (undefined for requests outside `/responses`). */
  step?: ModelStep;
}

/** A script: steps in request order, or a function choosing the step for each request. */
export type ModelScript = ModelStep[] | ((req: RecordedRequest) => ModelStep);

export interface FakeModel {
  /** `http://127.0.0.1:PORT/v1`: the provider's base_url. */
  readonly url: string;
  readonly port: number;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Replaces the script; with an array, counting starts again at its first step. */
  setScript(script: ModelScript): void;
  /** Ends stalled responses, destroys every socket and stops listening. */
  close(): Promise<void>;
}

const DEFAULT_USAGE = { input_tokens: 10, output_tokens: 5 };

/** The step for a request with an array script: step N for response request N, past the end the last message. */
function stepAt(steps: ModelStep[], n: number): ModelStep {
  if (steps.length === 0) return { kind: 'message', text: 'ok' };
  if (n < steps.length) return steps[n];
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i].kind === 'message') return steps[i];
  return steps[steps.length - 1];
}

function usageOf(step: { usage?: Partial<ModelUsage> }): Required<ModelUsage> {
  const input = step.usage?.input_tokens ?? DEFAULT_USAGE.input_tokens;
  const output = step.usage?.output_tokens ?? DEFAULT_USAGE.output_tokens;
  return { input_tokens: input, output_tokens: output, total_tokens: step.usage?.total_tokens ?? input + output };
}

const sse = (event: Record<string, unknown>): string =>
  `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;

/** The SSE events for a finished step (message or exec). */
export function stepEvents(step: ModelStep, responseId: string): string[] {
  const events: Record<string, unknown>[] = [{ type: 'response.created', response: { id: responseId } }];
  if (step.kind === 'message')
    events.push({
      type: 'response.output_item.done',
      item: {
        type: 'message',
        role: 'assistant',
        id: `msg_${responseId}`,
        content: [{ type: 'output_text', text: step.text }],
      },
    });
  else if (step.kind === 'exec') {
    const callId = step.callId ?? `call_${responseId}`;
    events.push({
      type: 'response.output_item.done',
      item: {
        type: 'function_call',
        id: `fc_${responseId}`,
        call_id: callId,
        name: 'exec_command',
        arguments: JSON.stringify({ cmd: step.cmd }),
      },
    });
  } else throw new Error(`fake model: step ${step.kind} has no events`);
  events.push({ type: 'response.completed', response: { id: responseId, usage: usageOf(step) } });
  return events.map(sse);
}

export async function startFakeModel(script: ModelScript): Promise<FakeModel> {
  let current = script;
  let served = 0; // /responses requests answered under the current script
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const stalled = new Set<ServerResponse>();

  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req);
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const { authorization, ...headers } = req.headers;
    const record: RecordedRequest = {
      index: requests.length,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers,
      authorization: authorization
        ? { present: true, scheme: authorization.split(/\s+/)[0] || undefined }
        : { present: false },
      body,
    };
    requests.push(record);

    const pathname = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
    if (req.method !== 'POST' || !pathname.endsWith('/responses')) {
      // Codex may look up /models; an empty list keeps it on the configured model.
      if (req.method === 'GET' && pathname.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [], models: [] }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { message: `fake model: no route ${req.method} ${req.url}`, type: 'not_found' } }),
      );
      return;
    }

    const n = served++;
    const step = typeof current === 'function' ? current(record) : stepAt(current, n);
    record.step = step;
    if (step.kind === 'error') {
      res.writeHead(step.status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { message: step.message ?? `fake model: error ${step.status}`, type: 'fake_error', code: null },
        }),
      );
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    if (step.kind === 'stall') {
      res.flushHeaders();
      stalled.add(res);
      res.on('close', () => stalled.delete(res));
      return;
    }
    if (step.delayMs) {
      // A slow model: the answer comes after the delay (close() ends the wait like a stall).
      res.flushHeaders();
      stalled.add(res);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, step.delayMs);
        res.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      stalled.delete(res);
      if (res.writableEnded || res.destroyed) return;
    }
    res.end(stepEvents(step, `resp_${record.index + 1}`).join(''));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(err), type: 'fake_model_error' } }));
    });
  });
  server.on('connection', (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    setScript(next) {
      current = next;
      served = 0;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const res of stalled) res.destroy();
        stalled.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
}
