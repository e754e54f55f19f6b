/**
 * The functions the predecessor (Go) tool added to text/template. Signatures are the Go ones,
 * argument order included: in a pipe the piped value becomes the LAST argument, so
 * `{{ .x | default "d" }}` calls default("d", .x).
 */
import { MAX_OUTPUT_CHARS, describeOutputLimit } from './limits.js';
import { defineFunc, type FuncMap } from './funcs.js';
import { byteSlice, canonical, hasBytePrefix, toLower, trimSpace, utf8Length } from './unicode.js';
import { GoTime, isStringSlice } from './values.js';

export interface PredecessorContext {
  /** Environment visible to envOr. */
  envMap: Readonly<Record<string, string>>;
  /** What `now` returns. */
  now: Date;
}

export const predecessorFuncNames = [
  'default',
  'toLower',
  'slug',
  'truncSHA',
  'envOr',
  'ternary',
  'now',
  'join',
  'indent',
  'trimPrefix',
  'shq',
] as const;

/**
 * POSIX shell single-quoting: the result is one shell word whose value is exactly `s`, whatever it holds (quotes,
 * `$`, newlines). Not the predecessor's: it lets a hook's `run:` carry a value without the shell reading it as code.
 * `{{` is written as `{''{` (the same word to the shell) because a hook's text is rendered a second time at use
 * time, and a value must not become template code there either.
 */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''").replace(/\{(?=\{)/g, "{''")}'`;
}

export function predecessorFuncs(ctx: PredecessorContext): FuncMap {
  const now = new GoTime(new Date(ctx.now.getTime()));
  return {
    default: defineFunc({
      name: 'default',
      params: ['string', 'string'],
      fn: (value: string, fallback: string) => (trimSpace(value) === '' ? fallback : value),
    }),
    toLower: defineFunc({ name: 'toLower', params: ['string'], fn: toLower }),
    slug: defineFunc({
      name: 'slug',
      params: ['string'],
      fn: (s: string) => toLower(trimSpace(s)).replace(/[ _]/g, '-'),
    }),
    truncSHA: defineFunc({
      name: 'truncSHA',
      params: ['string'],
      fn: (s: string) => (utf8Length(s) > 12 ? byteSlice(s, 0, 12) : s),
    }),
    envOr: defineFunc({
      name: 'envOr',
      params: ['string', 'string'],
      fn: (key: string, fallback: string) => {
        const v = Object.prototype.hasOwnProperty.call(ctx.envMap, key) ? ctx.envMap[key] : undefined;
        return v !== undefined && v !== '' ? v : fallback;
      },
    }),
    ternary: defineFunc({
      name: 'ternary',
      params: ['bool', 'any', 'any'],
      fn: (cond: boolean, a: unknown, b: unknown) => (cond ? a : b),
    }),
    now: defineFunc({ name: 'now', params: [], fn: () => now }),
    join: defineFunc({
      name: 'join',
      params: ['[]string', 'string'],
      fn: (list: string[], sep: string) => {
        if (!isStringSlice(list) && list.length > 0) throw new Error('join: list is not a []string');
        return canonical(list.join(sep));
      },
    }),
    indent: defineFunc({
      name: 'indent',
      params: ['int', 'string'],
      fn: (n: number | bigint, s: string) => {
        if (s === '') return '';
        if (n < 0) throw new Error('strings: negative Repeat count');
        const lines = s.split('\n').length;
        if (Number(n) * lines + s.length > MAX_OUTPUT_CHARS) {
          throw new Error(`result too large (above the limit of ${describeOutputLimit()})`);
        }
        const pad = ' '.repeat(Number(n));
        return s
          .replace(/\n+$/, '')
          .split('\n')
          .map((line) => pad + line)
          .join('\n');
      },
    }),
    trimPrefix: defineFunc({
      name: 'trimPrefix',
      params: ['string', 'string'],
      fn: (s: string, prefix: string) => {
        if (prefix === '' || !hasBytePrefix(s, prefix)) return s;
        return s.startsWith(prefix) ? s.slice(prefix.length) : byteSlice(s, utf8Length(prefix), utf8Length(s));
      },
    }),
    shq: defineFunc({ name: 'shq', params: ['string'], fn: shellQuote }),
  };
}
