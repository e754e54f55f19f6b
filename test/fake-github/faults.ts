/** Fault injection (`fail()`): what a client sees when GitHub, or the proxy in front of it, misbehaves. */

export interface FailSpec {
  /** Only requests with this method (case-insensitive; default any). */
  method?: string;
  /** Only requests whose path starts with this string or matches this expression (default any). */
  path?: string | RegExp;
  /** How many matching requests fail before the fault stops (default 1). */
  times?: number;
  /**
   * 502: an HTML page from the proxy. 401: Bad credentials. 403: a rate limit, secondary with `secondary: true`
   * (`retry-after`), otherwise primary (`x-ratelimit-remaining: 0`, `x-ratelimit-reset` `retryAfter` seconds away);
   * with `forbidden: true` a plain "Resource not accessible by integration".
   */
  status: 502 | 401 | 403;
  /** Seconds: `retry-after` of a secondary limit, time until `x-ratelimit-reset` of a primary one (default 60). */
  retryAfter?: number;
  secondary?: true;
  forbidden?: true;
}

interface Pending {
  spec: FailSpec;
  left: number;
}

function matches(spec: FailSpec, method: string, path: string): boolean {
  if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  if (spec.path === undefined) return true;
  return typeof spec.path === 'string' ? path.startsWith(spec.path) : spec.path.test(path);
}

export class Faults {
  private pending: Pending[] = [];

  add(spec: FailSpec): void {
    this.pending.push({ spec, left: spec.times ?? 1 });
  }

  clear(): void {
    this.pending = [];
  }

  /** Takes one use of the first fault matching this request. */
  take(method: string, path: string): FailSpec | undefined {
    const p = this.pending.find((x) => x.left > 0 && matches(x.spec, method, path));
    if (!p) return undefined;
    p.left--;
    this.pending = this.pending.filter((x) => x.left > 0);
    return p.spec;
  }

  get remaining(): number {
    return this.pending.reduce((n, p) => n + p.left, 0);
  }
}

/** What nginx in front of api.github.com answers when the backend is gone. */
export const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
