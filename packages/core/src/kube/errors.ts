import { UserError } from '../util/errors.js';

/** Reasons the API server gives in `Error from server (<Reason>): ...`. */
export type ApiReason =
  | 'AlreadyExists'
  | 'NotFound'
  | 'Conflict'
  | 'Forbidden'
  | 'Unauthorized'
  | 'Invalid'
  | 'BadRequest'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'ServerTimeout'
  | 'TooManyRequests'
  /** Not from the server: the kind is not served by the cluster (a CRD that is not installed). */
  | 'NoKindMatch'
  | string;

const TRANSIENT_REASONS = new Set([
  'InternalError',
  'ServiceUnavailable',
  'Timeout',
  'ServerTimeout',
  'TooManyRequests',
]);
const TRANSIENT_TEXT = [
  /connection refused/i,
  /connection reset by peer/i,
  /i\/o timeout/i,
  /TLS handshake timeout/i,
  /unexpected EOF/i,
  /the server is currently unable to handle the request/i,
  /an error on the server .* has prevented the request from succeeding/i,
  /http2: client connection lost/i,
];

/** A failed kubectl call: what ran (without stdin), how it ended, and the server's reason when it gave one. */
export class KubectlError extends UserError {
  constructor(
    readonly args: readonly string[],
    readonly code: number,
    readonly stderr: string,
    readonly timedOut = false,
  ) {
    const first = stderr.trim().split('\n').filter(Boolean).slice(-3).join('; ') || `exit code ${code}`;
    super(
      timedOut
        ? `kubectl ${args[0] ?? ''} timed out: ${first}`
        : `kubectl ${args.slice(0, 2).join(' ')} failed: ${first}`,
    );
    this.name = 'KubectlError';
  }

  /** The API server's reason (AlreadyExists, NotFound, Conflict, ...), from kubectl's own error line. */
  get reason(): ApiReason | undefined {
    return this.reasons[0];
  }

  /**
   * Every reason kubectl reported, in order: one call applying several objects can fail on several of them. Some
   * errors come without the `Error from server (X)` prefix (validation, SSA conflicts, unknown kinds); they are
   * recognised by kubectl's fixed wording.
   */
  get reasons(): ApiReason[] {
    const out: ApiReason[] = [];
    for (const line of this.stderr.split('\n')) {
      const m = /Error from server \(([A-Za-z]+)\)/.exec(line);
      if (m) out.push(m[1]);
      else if (/^The \S+ "[^"]*" is invalid: /.test(line)) out.push('Invalid');
      else if (/Apply failed with \d+ conflicts?/.test(line)) out.push('Conflict');
      else if (
        /no matches for kind|the server doesn't have a resource type|could not find the requested resource/.test(line)
      )
        out.push('NoKindMatch');
    }
    return out;
  }

  /**
   * Worth retrying: the server or the network failed, not the request. Decided on the reasons where there are some
   * (all must be transient: retrying a call that also hit Invalid or Forbidden cannot succeed).
   */
  get transient(): boolean {
    if (this.timedOut) return false;
    const reasons = this.reasons;
    if (reasons.length) return reasons.every((r) => TRANSIENT_REASONS.has(r));
    return TRANSIENT_TEXT.some((re) => re.test(this.stderr));
  }
}

/** Only errors of the server or the network are worth another try (see util/retry.ts). */
export function isRetryable(err: unknown): err is KubectlError {
  return err instanceof KubectlError && err.transient;
}
