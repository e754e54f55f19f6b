/*
 * Asks a registry (HTTP API v2) whether a tag exists, without pulling anything: `HEAD /v2/<repo>/manifests/<tag>`,
 * authenticated the way the registry asks (anonymous, Basic, or a Bearer token from its realm), with credentials
 * from the containers/docker auth file. HTTPS, except for registries listed as insecure.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';

export interface ImageRef {
  registry: string;
  repository: string;
  tag: string;
}

/** `host[:port]/path:tag`; Docker Hub names (`postgres:16`, `library/x`) get their registry and `library/`. */
export function parseRef(ref: string): ImageRef {
  let rest = ref;
  let tag = 'latest';
  // A digest pins the manifest; it is asked for in place of the tag.
  const pin = rest.indexOf('@');
  if (pin >= 0) {
    tag = rest.slice(pin + 1);
    rest = rest.slice(0, pin);
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) rest = rest.slice(0, colon);
    return withRegistry(rest, tag);
  }
  const at = rest.lastIndexOf(':');
  if (at > rest.lastIndexOf('/')) {
    tag = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  return withRegistry(rest, tag);
}

function withRegistry(rest: string, tag: string): ImageRef {
  const first = rest.split('/')[0];
  if (rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost'))
    return { registry: first, repository: rest.slice(first.length + 1), tag };
  return { registry: 'registry-1.docker.io', repository: rest.includes('/') ? rest : `library/${rest}`, tag };
}

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RegistryOptions {
  /** Hosts (`host:port`) spoken to over plain HTTP. */
  insecure?: readonly string[];
  /** Auth file (containers auth.json or docker config.json); default REGISTRY_AUTH_FILE, then ~/.docker/config.json. */
  authFile?: string;
  timeoutMs?: number;
}

export class RegistryClient {
  constructor(private readonly o: RegistryOptions = {}) {}

  isInsecure(registry: string): boolean {
    return (this.o.insecure ?? []).includes(registry);
  }

  /** The manifest digest of `ref`, or undefined when the tag does not exist. */
  async digestOf(ref: string): Promise<string | undefined> {
    const r = parseRef(ref);
    const url = `${this.isInsecure(r.registry) ? 'http' : 'https'}://${r.registry}/v2/${r.repository}/manifests/${encodeURIComponent(r.tag)}`;
    let res = await this.request(url, r.registry, {});
    if (res.status === 401) {
      const auth = await this.authorize(res.headers.get('www-authenticate') ?? '', r);
      res = await this.request(url, r.registry, { authorization: auth });
    }
    if (res.status === 404) return undefined;
    if (res.status === 401 || res.status === 403)
      throw new UserError(
        `registry ${r.registry} refused to say whether ${ref} exists (${res.status}): give credentials in the auth file ` +
          '(REGISTRY_AUTH_FILE or ~/.docker/config.json, e.g. written by docker/login-action)',
      );
    if (!res.ok) throw new UserError(`registry ${r.registry}: HEAD ${ref} answered ${res.status} ${res.statusText}`);
    return res.headers.get('docker-content-digest') ?? undefined;
  }

  private async request(url: string, registry: string, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(url, {
        method: 'HEAD',
        headers: { accept: ACCEPT, ...headers },
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new UserError(
        `registry ${registry} is not reachable (${cause?.code ?? cause?.message ?? (err as Error).message})` +
          (this.isInsecure(registry) ? '' : '; a registry without TLS must be listed in insecure-registries'),
      );
    }
  }

  /** The Authorization header the registry's challenge asks for. */
  private async authorize(challenge: string, r: ImageRef): Promise<string> {
    const basic = this.credentials(r.registry);
    if (/^basic\b/i.test(challenge)) {
      if (!basic) throw new UserError(`registry ${r.registry} needs credentials: none found in the auth file`);
      return `Basic ${basic}`;
    }
    const params = Object.fromEntries(
      [...challenge.replace(/^bearer\s+/i, '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (!/^bearer\b/i.test(challenge) || !params.realm)
      throw new UserError(`registry ${r.registry}: unsupported authentication challenge "${challenge}"`);
    const url = new URL(params.realm);
    // Credentials go only to an HTTPS token service (or to the plain-HTTP registry the user marked insecure).
    if (basic && url.protocol !== 'https:' && !this.isInsecure(r.registry))
      throw new UserError(
        `registry ${r.registry}: its token service ${url.origin} is not HTTPS; no credentials were sent`,
      );
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${r.repository}:pull`);
    const res = await fetch(url, {
      headers: basic ? { authorization: `Basic ${basic}` } : {},
      signal: AbortSignal.timeout(this.o.timeoutMs ?? 30_000),
    }).catch((err: Error) => {
      throw new UserError(`registry ${r.registry}: its token service ${url.host} is not reachable (${err.message})`);
    });
    if (!res.ok) throw new UserError(`registry ${r.registry}: its token service answered ${res.status}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new UserError(`registry ${r.registry}: its token service gave no token`);
    return `Bearer ${token}`;
  }

  private credentials(registry: string): string | undefined {
    return registryCredentials(registry, this.o.authFile)?.auth;
  }
}

/** The auth file's key names a registry may be stored under (Docker Hub has its historical ones). */
export function authKeys(registry: string): string[] {
  return registry === 'registry-1.docker.io'
    ? ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io', registry]
    : [registry, `https://${registry}`, `http://${registry}`];
}

/**
 * base64 `user:password` for a registry, and the key it is stored under, from the first auth file that has it:
 * `authFile`, then REGISTRY_AUTH_FILE, then `$DOCKER_CONFIG/config.json` (default ~/.docker/config.json).
 */
export function registryCredentials(registry: string, authFile?: string): { key: string; auth: string } | undefined {
  const files = [
    authFile,
    process.env.REGISTRY_AUTH_FILE,
    join(process.env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json'),
  ].filter((f): f is string => !!f);
  for (const file of files) {
    let auths: Record<string, { auth?: string }> | undefined;
    try {
      auths = (JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, { auth?: string }> }).auths;
    } catch {
      continue;
    }
    for (const key of authKeys(registry)) {
      const auth = auths?.[key]?.auth;
      if (auth) return { key, auth };
    }
  }
  return undefined;
}
