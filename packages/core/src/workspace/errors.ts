/** Which part of a source sync failed: messages and callers (the action's summary) name the step. */
import { UserError } from '../util/errors.js';
export type SyncStep = 'archive' | 'create' | 'wait' | 'copy';

/**
 * A sync that started and failed. The previous workspace content is intact whatever the step (the copy swaps in
 * the new tree only after it arrived completely), so the message says what to fix, not how to repair the volume.
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
