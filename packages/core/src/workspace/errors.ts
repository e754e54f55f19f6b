/** Which part of a source sync failed: messages and callers (the action's summary) name the step. */
import { UserError } from '../util/errors.js';
export type SyncStep = 'archive' | 'create' | 'wait' | 'copy';

/**
 * A sync that started and failed. The previous workspace content is intact when the step failed before writing
 * (the new tree is unpacked and checked aside first); a copy cut off while writing is finished by the next sync.
 */
export class SyncError extends UserError {
  constructor(
    readonly step: SyncStep,
    message: string,
    /** True when a timeout ended the step (the sync's own `timeoutMs`), false for any other failure. */
    readonly timedOut = false,
    options?: { cause?: unknown },
  ) {
    super(message, undefined, undefined, undefined, options);
    this.name = 'SyncError';
  }
}

/**
 * The workspace holds changes of the agent that the new sources do not contain, so the sync stopped before writing
 * anything. `files` are relative to the workspace.
 */
export class WorkspaceChangedError extends SyncError {
  constructor(
    readonly files: readonly string[],
    message: string,
  ) {
    super('copy', message);
    this.name = 'WorkspaceChangedError';
  }
}
