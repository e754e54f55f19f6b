/**
 * Go duration strings (`90s`, `5m`, `1h30m`, `1.5h`, `300ms`): the format of every timeout in services.yaml and of
 * kubectl's own `--timeout`, so values written for the predecessor keep their meaning.
 */
import { UserError } from '../util/errors.js';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export class DurationError extends UserError {
  constructor(
    readonly text: string,
    why: string,
  ) {
    super(`invalid duration ${JSON.stringify(text)}: ${why} (write it like 90s, 5m or 1h30m)`);
    this.name = 'DurationError';
  }
}

/** Milliseconds of a Go duration string, with Go's `time.ParseDuration` rules (a bare `0` is the only unitless value). */
export function parseGoDuration(text: string): number {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new DurationError(text, 'empty');
  let total = 0;
  while (s !== '') {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const [whole, intPart, frac] = num;
    if (!intPart && !frac) throw new DurationError(text, 'expected a number');
    s = s.slice(whole.length);
    const unit = /^[^\d.]+/.exec(s)?.[0];
    if (!unit) throw new DurationError(text, `missing unit after ${whole} (ns, us, ms, s, m or h)`);
    const scale = UNIT_MS[unit];
    if (scale === undefined) throw new DurationError(text, `unknown unit "${unit}" (ns, us, ms, s, m or h)`);
    s = s.slice(unit.length);
    total += Number(`${intPart || '0'}.${frac || '0'}`) * scale;
  }
  return sign * total;
}

/** A timeout: a Go duration string, or a number of milliseconds. Zero or negative values are rejected. */
export function parseTimeout(value: string | number, what: string): number {
  let ms: number;
  try {
    ms = typeof value === 'number' ? value : parseGoDuration(value.trim());
  } catch (err) {
    throw new DurationError(String(value), `${what}: ${(err as Error).message}`);
  }
  if (!(ms > 0) || !Number.isFinite(ms)) throw new DurationError(String(value), `${what} must be greater than zero`);
  return ms;
}

/** Go's `Duration.String()` shape (`1m30s`, `1h0m0s`, `500ms`), for messages. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0s';
  if (ms < 1000) return `${+ms.toFixed(3)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = +((ms % 60_000) / 1000).toFixed(3);
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** kubectl's `--timeout` value: whole seconds, rounded up so a wait never ends before our own deadline would. */
export function kubectlTimeout(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}
