/**
 * An error caused by the user's input (a file, a flag, an input of an action). Commands print its message alone,
 * never a stack trace, and exit 1. The message names the file and position or field path, and the fix.
 */
export class UserError extends Error {
  /** Marks an expected failure also where `instanceof` cannot tell (another copy of this module). */
  readonly expected = true;

  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly col?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'UserError';
  }
}

/**
 * Whether an error is an expected failure (a UserError or a subclass: bad input, a failing hook, kubectl, apply,
 * wait, slot state, YAML limits), reported with its message alone and exit code 1.
 */
export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError || (err as { expected?: unknown } | undefined)?.expected === true;
}

/** `file:line:col` (or the parts that are known) for messages. */
export function formatLocation(file?: string, line?: number, col?: number): string {
  if (!file) return '';
  if (line === undefined) return file;
  return col === undefined ? `${file}:${line}` : `${file}:${line}:${col}`;
}

/** A warning about the input: reported (annotation, stderr), not fatal unless the config asks for strictness. */
export interface Diagnostic {
  message: string;
  file?: string;
  line?: number;
  col?: number;
  /** Dotted field path inside services.yaml, e.g. `services[2].overlays.ai.pvcMounts[0].mountPath`. */
  path?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = formatLocation(d.file, d.line, d.col);
  const field = d.path ? `${d.path}: ` : '';
  return where ? `${where}: ${field}${d.message}` : `${field}${d.message}`;
}

/**
 * Several problems found in one pass (schema errors, warnings made fatal by `strict: true`): one UserError whose
 * message lists them all, and which still knows each, so a report can count and deduplicate them.
 */
export class DiagnosticsError extends UserError {
  constructor(
    readonly problems: readonly Diagnostic[],
    heading?: string,
  ) {
    const first = problems[0];
    super(
      [...(heading ? [heading] : []), ...problems.map((p) => `${heading ? '  ' : ''}${formatDiagnostic(p)}`)].join(
        '\n',
      ),
      first?.file,
      first?.line,
      first?.col,
    );
  }
}
