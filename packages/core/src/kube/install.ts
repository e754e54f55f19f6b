/*
 * Where kubectl comes from, in this order:
 *   1. an explicit path (an input, `$KUBECTL`): used as is, or a clear error when it is not an executable file;
 *   2. an explicit version: that release from the tool cache, downloaded once and SHA-256-checked (a workflow that
 *      pins a version gets that version even though the runner image has another kubectl on PATH);
 *   3. kubectl on PATH;
 *   4. DEFAULT_KUBECTL_VERSION, installed like 2.
 * The download URL is dl.k8s.io's (`<base>/<version>/bin/<os>/<arch>/kubectl` and its `.sha256`); the base is an
 * option so tests and air-gapped mirrors can serve it. Nothing enters the tool cache before its checksum matched.
 */
import { createHash } from 'node:crypto';
import { createReadStream, chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tc from '@actions/tool-cache';
import { findOnPath, isExecutableFile } from './which.js';
import { UserError } from '../util/errors.js';

export { findOnPath } from './which.js';

export const DEFAULT_KUBECTL_VERSION = 'v1.35.0';
export const KUBECTL_DOWNLOAD_BASE = 'https://dl.k8s.io/release';

export interface FindKubectlOptions {
  /** An explicit kubectl binary. */
  path?: string;
  /** `v1.35.0`, `1.35.0`, or `stable` (the release dl.k8s.io calls stable). */
  version?: string;
  /** Download base (default https://dl.k8s.io/release). */
  baseUrl?: string;
  /** Node's (`x64`) or Kubernetes' (`amd64`) name; default this machine's. */
  arch?: string;
  platform?: NodeJS.Platform;
  /** The PATH searched (default `$PATH`). */
  pathEnv?: string;
  /** Tool cache root (default `$RUNNER_TOOL_CACHE`, else ~/.cache/codex-k8s/tool-cache). */
  toolCacheDir?: string;
  /** Download directory (default `$RUNNER_TEMP`, else the OS temp dir). */
  tempDir?: string;
  log?: (message: string) => void;
}

export interface KubectlInstall {
  path: string;
  source: 'explicit' | 'path' | 'cache' | 'download';
  /** The version installed (unknown for explicit and PATH binaries). */
  version?: string;
}

export class KubectlInstallError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'KubectlInstallError';
  }
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

export function kubernetesArch(arch = os.arch()): string {
  return ARCH[arch] ?? arch;
}

const exeName = (platform: NodeJS.Platform) => (platform === 'win32' ? 'kubectl.exe' : 'kubectl');

/** `v1.35.0` from `1.35.0` or `v1.35.0`; anything else is rejected before it reaches a URL. */
export function normalizeVersion(version: string): string {
  const v = version.trim();
  const m = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(v);
  if (!m)
    throw new KubectlInstallError(
      `kubectl-version "${version}" is not a release version (write it like v1.35.0, or "stable")`,
    );
  return `v${m[1]}`;
}

export function kubectlDownloadUrl(
  version: string,
  options: Pick<FindKubectlOptions, 'baseUrl' | 'arch' | 'platform'> = {},
): string {
  const base = (options.baseUrl ?? KUBECTL_DOWNLOAD_BASE).replace(/\/+$/, '');
  const platform = options.platform ?? process.platform;
  const goos = platform === 'win32' ? 'windows' : platform;
  return `${base}/${normalizeVersion(version)}/bin/${goos}/${kubernetesArch(options.arch)}/${exeName(platform)}`;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** tool-cache reads its directories from the environment only; set them for the duration of `fn`. */
async function withToolCacheEnv<T>(options: FindKubectlOptions, fn: () => Promise<T>): Promise<T> {
  const wanted: Record<string, string> = {
    RUNNER_TOOL_CACHE:
      options.toolCacheDir ??
      process.env.RUNNER_TOOL_CACHE ??
      path.join(os.homedir(), '.cache', 'codex-k8s', 'tool-cache'),
    RUNNER_TEMP: options.tempDir ?? process.env.RUNNER_TEMP ?? os.tmpdir(),
  };
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(wanted)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function download(url: string, what: string): Promise<string> {
  try {
    return await tc.downloadTool(url);
  } catch (err) {
    const status = err instanceof tc.HTTPError ? err.httpStatusCode : undefined;
    const why =
      status === 404
        ? 'not found (HTTP 404): check kubectl-version'
        : status
          ? `HTTP ${status}`
          : (err as Error).message;
    throw new KubectlInstallError(`cannot download ${what} from ${url}: ${why}`);
  }
}

async function resolveStable(options: FindKubectlOptions): Promise<string> {
  const base = (options.baseUrl ?? KUBECTL_DOWNLOAD_BASE).replace(/\/+$/, '');
  const file = await download(`${base}/stable.txt`, 'the stable kubectl version');
  try {
    return normalizeVersion(readFileSync(file, 'utf8').trim());
  } finally {
    rmSync(file, { force: true });
  }
}

/** The version from the tool cache, else downloaded, checked against its published SHA-256, and cached. */
export async function installKubectl(version: string, options: FindKubectlOptions = {}): Promise<KubectlInstall> {
  const log = options.log ?? (() => undefined);
  const platform = options.platform ?? process.platform;
  const arch = kubernetesArch(options.arch);
  return withToolCacheEnv(options, async () => {
    const wanted = /^(stable|latest)$/i.test(version.trim()) ? await resolveStable(options) : normalizeVersion(version);
    const cached = tc.find('kubectl', wanted, arch);
    if (cached) {
      const file = path.join(cached, exeName(platform));
      if (isExecutableFile(file)) {
        log(`kubectl ${wanted} from the tool cache: ${file}`);
        return { path: file, source: 'cache', version: wanted };
      }
    }
    const url = kubectlDownloadUrl(wanted, { ...options, arch, platform });
    log(`downloading kubectl ${wanted} from ${url}`);
    const binary = await download(url, `kubectl ${wanted}`);
    let checksumFile: string | undefined;
    try {
      checksumFile = await download(`${url}.sha256`, `the checksum of kubectl ${wanted}`);
      const expected = /\b[0-9a-f]{64}\b/i.exec(readFileSync(checksumFile, 'utf8'))?.[0]?.toLowerCase();
      if (!expected)
        throw new KubectlInstallError(`${url}.sha256 does not contain a SHA-256 checksum; nothing was installed`);
      const actual = await sha256File(binary);
      if (actual !== expected)
        throw new KubectlInstallError(
          `kubectl ${wanted} from ${url} failed its SHA-256 check (expected ${expected}, got ${actual}); nothing was cached. ` +
            'The download was corrupted or altered on the way: run again, and check any proxy or mirror in between.',
        );
      chmodSync(binary, 0o755);
      const dir = await tc.cacheFile(binary, exeName(platform), 'kubectl', wanted, arch);
      const file = path.join(dir, exeName(platform));
      chmodSync(file, 0o755);
      log(`kubectl ${wanted} installed: ${file}`);
      return { path: file, source: 'download', version: wanted };
    } finally {
      rmSync(binary, { force: true });
      if (checksumFile) rmSync(checksumFile, { force: true });
    }
  });
}

/** Finds or installs kubectl (see the order at the top of this file). */
export async function findKubectl(options: FindKubectlOptions = {}): Promise<KubectlInstall> {
  const explicit = options.path?.trim();
  if (explicit) {
    const file = path.resolve(explicit);
    if (!existsSync(file))
      throw new KubectlInstallError(`kubectl not found at ${explicit} (the explicit kubectl path)`);
    if (!isExecutableFile(file))
      throw new KubectlInstallError(`${explicit} is not an executable file (the explicit kubectl path)`);
    return { path: file, source: 'explicit' };
  }
  const version = options.version?.trim();
  if (version) return installKubectl(version, options);
  const onPath = findOnPath(exeName(options.platform ?? process.platform), options.pathEnv);
  if (onPath) return { path: onPath, source: 'path' };
  return installKubectl(DEFAULT_KUBECTL_VERSION, options);
}
