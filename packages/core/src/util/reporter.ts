import type { Diagnostic } from './errors.js';

/**
 * The one logging interface of every layer: progress, problems that do not fail the step, details. A `Reporter`
 * is a Logger; hooks, the slot store and the source sync take a Logger.
 */
export interface Logger {
  info(message: string): void;
  warning(message: string, where?: Diagnostic): void;
  debug(message: string): void;
}

export const silentLogger: Logger = { info: () => undefined, warning: () => undefined, debug: () => undefined };

/**
 * Where an operation tells what it does. The action passes one backed by @actions/core (log groups, annotations,
 * job summary); the CLI passes one that writes to stderr; tests pass one that records.
 */
export interface Reporter extends Logger {
  /** A collapsible phase of the log. */
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
  /** Markdown for the job summary. */
  summary(markdown: string): void;
}

export const silentReporter: Reporter = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  group: (_title, body) => body(),
  summary: () => undefined,
};
