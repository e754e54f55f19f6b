import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  DEFAULT_KUBECTL_VERSION,
  findKubectl,
  findOnPath,
  installKubectl,
  kubectlDownloadUrl,
  kubernetesArch,
  normalizeVersion,
} from './install.js';

const FAKE = '#!/bin/sh\necho "fake kubectl $*"\n';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('kubectl install', () => {
  let server: Server;
  let base: string;
  let dir: string;
  const requests: string[] = [];
  let checksum = sha(FAKE);

  // @actions/tool-cache's own test hooks: a server error is retried after 10-20 s, which would make this file take
  // half a minute (and every mutant of install.ts as long). The retries still happen, without the wait.
  const retryHooks = ['TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS', 'TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS'];

  beforeAll(async () => {
    for (const hook of retryHooks) (globalThis as Record<string, unknown>)[hook] = 0;
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const m = /^\/release\/(v[^/]+)\/bin\/(?:linux|darwin)\/amd64\/kubectl(\.sha256)?$/.exec(req.url ?? '');
      if (req.url === '/release/stable.txt') return res.end('v1.35.2\n');
      // v9.9.9 does not exist, v9.9.8 has no checksum, v9.9.7 a checksum file without one, v9.9.6 a failing server.
      if (!m || m[1] === 'v9.9.9' || (m[1] === 'v9.9.8' && m[2])) {
        res.statusCode = 404;
        return res.end('not found');
      }
      if (m[1] === 'v9.9.6') {
        res.statusCode = 500;
        return res.end('broken');
      }
      if (m[1] === 'v9.9.7' && m[2]) return res.end('checksum: to be published\n');
      res.end(m[2] ? `${checksum}\n` : FAKE);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/release`;
  });
  afterAll(async () => {
    for (const hook of retryHooks) delete (globalThis as Record<string, unknown>)[hook];
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kubectl-install-'));
    requests.length = 0;
    checksum = sha(FAKE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const opts = () => ({
    baseUrl: base,
    arch: 'x64',
    platform: 'linux' as const,
    toolCacheDir: path.join(dir, 'cache'),
    tempDir: path.join(dir, 'tmp'),
    pathEnv: path.join(dir, 'empty-bin'),
  });

  it('default version is the one the tests pin', () => {
    expect(DEFAULT_KUBECTL_VERSION).toBe('v1.35.0');
  });

  it('builds dl.k8s.io URLs and rejects versions that are not releases', () => {
    expect(kubectlDownloadUrl('1.35.0', { arch: 'x64', platform: 'linux' })).toBe(
      'https://dl.k8s.io/release/v1.35.0/bin/linux/amd64/kubectl',
    );
    expect(kubectlDownloadUrl('v1.34.1', { arch: 'arm64', platform: 'darwin', baseUrl: 'http://m/r/' })).toBe(
      'http://m/r/v1.34.1/bin/darwin/arm64/kubectl',
    );
    expect(normalizeVersion('v1.35.0-rc.1')).toBe('v1.35.0-rc.1');
    expect(() => normalizeVersion('1.35; rm -rf /')).toThrow(/not a release version/);
  });

  it('downloads, checks the SHA-256, caches; the second time comes from the cache', async () => {
    const first = await installKubectl('1.35.0', opts());
    expect(first.source).toBe('download');
    expect(first.version).toBe('v1.35.0');
    expect(first.path).toBe(path.join(dir, 'cache', 'kubectl', '1.35.0', 'amd64', 'kubectl'));
    expect(execFileSync(first.path, ['version', '--client']).toString()).toBe('fake kubectl version --client\n');
    expect(requests).toEqual([
      '/release/v1.35.0/bin/linux/amd64/kubectl',
      '/release/v1.35.0/bin/linux/amd64/kubectl.sha256',
    ]);
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);

    requests.length = 0;
    const second = await findKubectl({ ...opts(), version: 'v1.35.0' });
    expect(second).toEqual({ path: first.path, source: 'cache', version: 'v1.35.0' });
    expect(requests).toEqual([]);
  });

  it('a wrong checksum fails clearly and leaves nothing cached', async () => {
    checksum = sha('something else');
    await expect(installKubectl('v1.35.0', opts())).rejects.toThrow(
      new RegExp(
        `kubectl v1.35.0 from ${base}/v1.35.0/bin/linux/amd64/kubectl failed its SHA-256 check \\(expected ${checksum}, got ${sha(FAKE)}\\); nothing was cached`,
      ),
    );
    expect(existsSync(path.join(dir, 'cache', 'kubectl'))).toBe(false);
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    // Fixed upstream: the next run installs it.
    checksum = sha(FAKE);
    expect((await installKubectl('v1.35.0', opts())).source).toBe('download');
  });

  it('a version that does not exist says so', async () => {
    await expect(installKubectl('v9.9.9', opts())).rejects.toThrow(
      /cannot download kubectl v9.9.9 from .*: not found \(HTTP 404\): check kubectl-version/,
    );
  });

  it('"stable" resolves through stable.txt', async () => {
    const r = await installKubectl('stable', opts());
    expect(r.version).toBe('v1.35.2');
    expect(requests[0]).toBe('/release/stable.txt');
  });

  it('explicit path first, then an explicit version, then PATH, then the default version', async () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    const onPath = path.join(bin, 'kubectl');
    writeFileSync(onPath, FAKE);
    chmodSync(onPath, 0o755);
    expect(await findKubectl({ ...opts(), path: onPath })).toEqual({ path: onPath, source: 'explicit' });
    await expect(findKubectl({ ...opts(), path: path.join(dir, 'nope') })).rejects.toThrow(
      /kubectl not found at .*nope/,
    );
    writeFileSync(path.join(dir, 'plain'), 'x');
    await expect(findKubectl({ ...opts(), path: path.join(dir, 'plain') })).rejects.toThrow(
      /is not an executable file/,
    );

    expect(await findKubectl({ ...opts(), pathEnv: `${path.join(dir, 'x')}:${bin}` })).toEqual({
      path: onPath,
      source: 'path',
    });
    expect((await findKubectl({ ...opts(), pathEnv: bin, version: '1.35.0' })).source).toBe('download');
    // No PATH kubectl, no version: the default version (cached by the call above).
    const fallback = await findKubectl({ ...opts() });
    expect(fallback).toMatchObject({ source: 'cache', version: 'v1.35.0' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('Windows names, architectures, mirrors with trailing slashes, and strict release versions', () => {
    expect(kubectlDownloadUrl('1.35.0', { arch: 'x64', platform: 'win32', baseUrl: 'http://m/r//' })).toBe(
      'http://m/r/v1.35.0/bin/windows/amd64/kubectl.exe',
    );
    expect(['x64', 'arm64', 'arm', 'ppc64', 's390x', 'riscv64'].map((a) => kubernetesArch(a))).toEqual([
      'amd64',
      'arm64',
      'arm',
      'ppc64le',
      's390x',
      'riscv64',
    ]);
    expect(normalizeVersion(' 10.35.12 ')).toBe('v10.35.12');
    for (const bad of ['kubectl-1.35.0', '1.35.0.4', '1.35.0 v2', '1.35'])
      expect(() => normalizeVersion(bad)).toThrow(/not a release version/);
  });

  it('the tool-cache environment is put back as it was', async () => {
    const saved = { cache: process.env.RUNNER_TOOL_CACHE, temp: process.env.RUNNER_TEMP };
    try {
      delete process.env.RUNNER_TOOL_CACHE;
      process.env.RUNNER_TEMP = '/somewhere/else';
      await installKubectl('1.35.0', opts());
      expect(process.env.RUNNER_TOOL_CACHE).toBeUndefined();
      expect(process.env.RUNNER_TEMP).toBe('/somewhere/else');
    } finally {
      for (const [k, v] of [
        ['RUNNER_TOOL_CACHE', saved.cache],
        ['RUNNER_TEMP', saved.temp],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('a server error is not taken for a missing version; a missing or empty checksum fails clearly', async () => {
    await expect(installKubectl('v9.9.6', opts())).rejects.toThrow(/cannot download kubectl v9.9.6 from .*: HTTP 500$/);
    // A server error is worth another try; tool-cache makes three in all.
    expect(requests.filter((r) => r.includes('/v9.9.6/'))).toHaveLength(3);
    await expect(installKubectl('v9.9.8', opts())).rejects.toThrow(
      /cannot download the checksum of kubectl v9.9.8 from .*kubectl\.sha256: not found/,
    );
    await expect(installKubectl('v9.9.7', opts())).rejects.toThrow(
      /kubectl\.sha256 does not contain a SHA-256 checksum; nothing was installed/,
    );
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('"stable" only as a whole word, and the stable.txt download is not left behind', async () => {
    for (const v of ['unstable', 'stable1']) await expect(installKubectl(v, opts())).rejects.toThrow(/not a release/);
    expect((await installKubectl(' Stable ', opts())).version).toBe('v1.35.2');
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('the platform asked for is the one downloaded and looked for on PATH', async () => {
    const r = await installKubectl('1.35.0', { ...opts(), platform: 'darwin' });
    expect(requests[0]).toBe('/release/v1.35.0/bin/darwin/amd64/kubectl');
    expect(r.path).toBe(path.join(dir, 'cache', 'kubectl', '1.35.0', 'amd64', 'kubectl'));

    const bin = path.join(dir, 'winbin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'kubectl.exe'), FAKE);
    chmodSync(path.join(bin, 'kubectl.exe'), 0o755);
    expect(await findKubectl({ ...opts(), platform: 'win32', pathEnv: bin })).toEqual({
      path: path.join(bin, 'kubectl.exe'),
      source: 'path',
    });
  });

  it('a cached kubectl that is not executable any more is downloaded again', async () => {
    const first = await installKubectl('1.35.0', opts());
    chmodSync(first.path, 0o644);
    requests.length = 0;
    const again = await installKubectl('1.35.0', opts());
    expect(again.source).toBe('download');
    expect(requests).toHaveLength(2);
  });

  it('explicit path and version are read without surrounding blanks', async () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'kubectl'), FAKE);
    chmodSync(path.join(bin, 'kubectl'), 0o755);
    expect(await findKubectl({ ...opts(), path: ` ${path.join(bin, 'kubectl')}\n` })).toEqual({
      path: path.join(bin, 'kubectl'),
      source: 'explicit',
    });
    expect(await findKubectl({ ...opts(), version: '  ', pathEnv: bin })).toEqual({
      path: path.join(bin, 'kubectl'),
      source: 'path',
    });
  });

  it('a directory named kubectl on PATH is not kubectl', () => {
    const first = path.join(dir, 'first');
    const second = path.join(dir, 'second');
    mkdirSync(path.join(first, 'kubectl'), { recursive: true });
    mkdirSync(second);
    writeFileSync(path.join(second, 'kubectl'), FAKE);
    chmodSync(path.join(second, 'kubectl'), 0o755);
    expect(findOnPath('kubectl', `${first}${path.delimiter}${second}`)).toBe(path.join(second, 'kubectl'));
  });
});
