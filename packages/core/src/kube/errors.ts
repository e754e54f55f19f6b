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
  | string;

const TRANSIENT_REASONS = new Set(['InternalError', 'ServiceUnavailable', 'Timeout', 'ServerTimeout', 'TooManyRequests']);
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
export class KubectlError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number,
    readonly stderr: string,
    readonly timedOut = false,
  ) {
    const first = stderr.trim().split('\n').filter(Boolean).slice(-3).join('; ') || `exit code ${code}`;
    super(timedOut ? `kubectl ${args[0] ?? ''} timed out: ${first}` : `kubectl ${args.slice(0, 2).join(' ')} failed: ${first}`);
    this.name = 'KubectlError';
  }

  /** The API server's reason (AlreadyExists, NotFound, Conflict, ...), from kubectl's own error line. */
  get reason(): ApiReason | undefined {
    const m = /Error from server \(([A-Za-z]+)\)/.exec(this.stderr);
    if (m) return m[1];
    if (/\(NotFound\)|not found/i.test(this.stderr) && /NotFound/.test(this.stderr)) return 'NotFound';
    return undefined;
  }

  /** Worth retrying: the server or the network failed, not the request. Decided on the reason where there is one. */
  get transient(): boolean {
    if (this.timedOut) return false;
    const reason = this.reason;
    if (reason) return TRANSIENT_REASONS.has(reason);
    return TRANSIENT_TEXT.some((re) => re.test(this.stderr));
  }
}
