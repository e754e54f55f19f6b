import { UserError } from '@codex-k8s/core/errors';
import { readInputFile } from '@codex-k8s/core/input-file';
import { fromJSON, parseTemplate, predecessorFuncs, TemplateError } from '@codex-k8s/core/template';
import { parse } from '../options.js';
import { emit, setLogLevel } from '../output.js';

export const help = `codex-k8s template FILE [--data data.json] [--env K=V ...] [--now RFC3339] [-o OUT]
codex-k8s template --jsonl  < cases.jsonl
Renders a Go template with the same functions services.yaml gets. --jsonl reads {"name","tmpl","data","env"} lines
and writes {"name","ok","out","error"} lines.`;

function parseNow(value: string | undefined): Date {
  if (!value) return new Date(Math.floor(Date.now() / 1000) * 1000);
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new UserError(`--now: "${value}" is not an RFC 3339 time`);
  return d;
}

// Cases of one --jsonl run mostly share their env: build the function map once per distinct env.
const funcsByEnv = new Map<string, ReturnType<typeof predecessorFuncs>>();

function renderOne(name: string, tmpl: string, data: unknown, env: Record<string, string>, now: Date): string {
  const key = JSON.stringify(env);
  let funcs = funcsByEnv.get(key);
  if (!funcs) {
    funcs = predecessorFuncs({ envMap: env, now });
    funcsByEnv.set(key, funcs);
  }
  return parseTemplate(name, tmpl, { funcs }).execute(fromJSON(data));
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    'template',
    argv,
    {
      data: { type: 'string' },
      env: { type: 'string', multiple: true },
      jsonl: { type: 'boolean' },
      now: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'log-level': { type: 'string' },
    },
    true,
  );
  setLogLevel(values['log-level']);
  const now = parseNow(values.now);
  if (values.jsonl) return runJsonl(now);
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UserError('template: give exactly one template FILE (or --jsonl)');
  let text: string;
  try {
    text = readInputFile(file, file);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read template file`);
  }
  let data: unknown = {};
  if (values.data) {
    try {
      data = JSON.parse(readInputFile(values.data, values.data));
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`${values.data}: --data must be a readable JSON file: ${(err as Error).message}`);
    }
  }
  const env: Record<string, string> = {};
  for (const kv of values.env ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UserError(`--env "${kv}": expected KEY=VALUE`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  try {
    emit(renderOne(file, text, data, env, now), values.output);
  } catch (err) {
    if (err instanceof TemplateError) throw new UserError(err.message, file, err.line, err.col);
    throw err;
  }
  return 0;
}

/** Largest --jsonl input (64 MiB): a batch of many cases, read at once. */
const MAX_JSONL_BYTES = 64 * 1024 * 1024;

async function runJsonl(now: Date): Promise<number> {
  // The whole input at once: splitting one buffer is much cheaper than a line reader per case.
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSONL_BYTES) {
      throw new UserError(
        `stdin: --jsonl input is above the ${MAX_JSONL_BYTES / (1024 * 1024)} MiB limit; split the batch`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  const lines = Buffer.concat(chunks).toString('utf8').split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const c = readCase(line);
    const name = typeof c === 'string' || typeof c.name !== 'string' ? `case${i + 1}` : c.name;
    // A bad line is one failed case: the rest of the batch still runs.
    if (typeof c === 'string') {
      out.push(JSON.stringify({ name, ok: false, out: '', error: `stdin:${i + 1}: ${c}` }));
      return;
    }
    try {
      const result = renderOne(name, c.tmpl ?? '', c.data ?? {}, c.env ?? {}, now);
      out.push(JSON.stringify({ name, ok: true, out: result, error: '' }));
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      out.push(JSON.stringify({ name, ok: false, out: '', error: err.message }));
    }
  });
  if (out.length) process.stdout.write(out.join('\n') + '\n');
  return 0;
}

interface JsonlCase {
  name?: string;
  tmpl?: string;
  data?: unknown;
  env?: Record<string, string>;
}

/** One --jsonl line as a case, or what is wrong with it. */
function readCase(line: string): JsonlCase | string {
  let c: unknown;
  try {
    c = JSON.parse(line);
  } catch (err) {
    return `not a JSON object: ${(err as Error).message}`;
  }
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return 'not a JSON object';
  const { tmpl, env } = c as Record<string, unknown>;
  if (tmpl !== undefined && typeof tmpl !== 'string') return '"tmpl" must be a string';
  if (env !== undefined) {
    if (env === null || typeof env !== 'object' || Array.isArray(env)) return '"env" must be an object of strings';
    if (Object.values(env).some((v) => typeof v !== 'string')) return '"env" must be an object of strings';
  }
  return c as JsonlCase;
}
