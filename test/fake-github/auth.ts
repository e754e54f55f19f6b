/** Tokens from the `authorization` header, and the rate-limit budget each token spends. */
import { tokenLabel } from './state.js';

/**
 * The token of `token X`, `bearer X` (octokit sends either) or Basic `x-access-token:X` (git over HTTPS style);
 * undefined when there is none.
 */
export function tokenFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^(token|bearer|basic)\s+(.+)$/i.exec(header.trim());
  if (!m) return undefined;
  if (m[1]!.toLowerCase() !== 'basic') return m[2]!.trim();
  const decoded = Buffer.from(m[2]!, 'base64').toString();
  const i = decoded.indexOf(':');
  return i < 0 ? decoded : decoded.slice(i + 1);
}

export interface RateLimitState {
  limit: number;
  used: number;
  /** Epoch seconds the window ends. */
  reset: number;
  resource: 'core' | 'graphql';
}

/** An hourly budget per token and resource, like GitHub's (5000 core and 5000 GraphQL points by default). */
export class RateLimits {
  private readonly windows = new Map<string, RateLimitState>();

  constructor(private readonly limit: number) {}

  /** Counts one request; the state after it. */
  spend(token: string | undefined, resource: 'core' | 'graphql', limit = this.limit): RateLimitState {
    const key = `${token ? tokenLabel(token) : 'anonymous'}/${resource}`;
    const now = Math.floor(Date.now() / 1000);
    let w = this.windows.get(key);
    if (!w || w.reset <= now) {
      w = { limit, used: 0, reset: now + 3600, resource };
      this.windows.set(key, w);
    }
    w.used = Math.min(w.limit, w.used + 1);
    return { ...w };
  }

  /** Whether the window had no requests left before this one. */
  exhausted(token: string | undefined, resource: 'core' | 'graphql'): boolean {
    const w = this.windows.get(`${token ? tokenLabel(token) : 'anonymous'}/${resource}`);
    return !!w && w.used >= w.limit && w.reset > Math.floor(Date.now() / 1000);
  }
}

export function rateLimitHeaders(r: RateLimitState, remaining = r.limit - r.used): Record<string, string> {
  return {
    'x-ratelimit-limit': String(r.limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(r.reset),
    'x-ratelimit-used': String(r.used),
    'x-ratelimit-resource': r.resource,
  };
}
