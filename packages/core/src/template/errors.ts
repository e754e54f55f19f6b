/** Errors in Go's wording, always located by line and (0-based, byte) column. */
import { quote } from './quote.js';
import { utf8Length } from './unicode.js';

export interface Location {
  line: number;
  /** Byte offset within the line, counted from 0 as Go's ErrorContext does. */
  col: number;
}

export function locate(text: string, pos: number): Location {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: utf8Length(text.slice(lineStart, pos)) };
}

export class TemplateError extends Error {
  /** The name of the template text where the error is located (the name given to parseTemplate). */
  readonly templateName: string;
  readonly line: number;
  readonly col: number;
  readonly phase: 'parse' | 'exec';
  /** Go's exact message; for parse errors Go shows no column, unlike `message`. */
  readonly goMessage: string;
  /** Exec errors: the template being executed (differs from templateName inside a define). */
  readonly executing?: string;
  /** Exec errors: output written before the failure, as Go leaves it in the writer. */
  partialOutput?: string;

  private constructor(
    message: string,
    goMessage: string,
    templateName: string,
    loc: Location,
    phase: 'parse' | 'exec',
    executing?: string,
  ) {
    super(message);
    this.name = 'TemplateError';
    this.templateName = templateName;
    this.line = loc.line;
    this.col = loc.col;
    this.phase = phase;
    this.goMessage = goMessage;
    this.executing = executing;
  }

  static parse(templateName: string, loc: Location, message: string): TemplateError {
    return new TemplateError(
      `template: ${templateName}:${loc.line}:${loc.col}: ${message}`,
      `template: ${templateName}:${loc.line}: ${message}`,
      templateName,
      loc,
      'parse',
    );
  }

  /** An error Go reports without a location, such as an unknown template name. */
  static plain(templateName: string, message: string): TemplateError {
    return new TemplateError(message, message, templateName, { line: 0, col: 0 }, 'exec');
  }

  static exec(templateName: string, loc: Location, executing: string, context: string, message: string): TemplateError {
    const text = `template: ${templateName}:${loc.line}:${loc.col}: executing ${quote(executing)} at <${context}>: ${message}`;
    return new TemplateError(text, text, templateName, loc, 'exec', executing);
  }
}
