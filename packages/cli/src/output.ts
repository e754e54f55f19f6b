import { writeFileSync } from 'node:fs';
import { formatDiagnostic, type Diagnostic } from '@codex-k8s/core/errors';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: LogLevel[] = ['debug', 'info', 'warn', 'error'];
let level: LogLevel = 'info';

/** An explicit --log-level beats CODEXCTL_LOG_LEVEL. */
export function setLogLevel(flag: string | undefined): void {
  const v = (flag ?? process.env.CODEXCTL_LOG_LEVEL ?? 'info')
    .trim()
    .toLowerCase()
    .replace(/^warning$/, 'warn');
  level = (ORDER as string[]).includes(v) ? (v as LogLevel) : 'info';
}

const PREFIX: Record<LogLevel, string> = { debug: 'debug: ', info: '', warn: 'warning: ', error: 'error: ' };
/** Warnings already printed: services.yaml may be loaded several times in one run; each warning shows once. */
const warned = new Set<string>();

/** Back to a fresh process's state, for a host that runs several commands in one process (the tests). */
export function resetLog(): void {
  level = 'info';
  warned.clear();
}

export function log(at: LogLevel, message: string): void {
  if (ORDER.indexOf(at) < ORDER.indexOf(level)) return;
  if (at === 'warn') {
    if (warned.has(message)) return;
    warned.add(message);
  }
  process.stderr.write(`${PREFIX[at]}${message}\n`);
}

export function warnAll(warnings: readonly Diagnostic[]): void {
  for (const w of warnings) log('warn', formatDiagnostic(w));
}

/** Writes the command's result to stdout, or to the file given with -o. */
export function emit(text: string, file: string | undefined): void {
  if (file && file !== '-') writeFileSync(file, text);
  else process.stdout.write(text);
}
