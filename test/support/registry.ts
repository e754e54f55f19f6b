/**
 * Debian's docker-registry on 127.0.0.1 for a test (plain HTTP; optional htpasswd basic auth), and an isolated
 * buildah/skopeo environment: vfs storage in a temp directory, chroot isolation, an auth file.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';
import { waitFor } from './wait-for.js';

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  dir: string;
  close(): Promise<void>;
}

/** A port nothing listens on (it was free a moment ago). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export function assertImageTools(): void {
  for (const bin of ['/usr/bin/docker-registry', '/usr/bin/buildah', '/usr/bin/skopeo'])
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run bash test/setup/install-tools.sh`);
}

export async function startRegistry(options: { user?: string; password?: string } = {}): Promise<TestRegistry> {
  assertImageTools();
  const dir = tempDir('registry-');
  const port = await freePort();
  mkdirSync(join(dir, 'data'));
  const auth = options.user ? `auth:\n  htpasswd:\n    realm: test\n    path: ${join(dir, 'htpasswd')}\n` : '';
  if (options.user)
    writeFileSync(
      join(dir, 'htpasswd'),
      execFileSync('htpasswd', ['-Bbn', options.user, options.password ?? ''], { encoding: 'utf8' }),
    );
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const host = `127.0.0.1:${port}`;
  await waitFor(
    async () => {
      try {
        const res = await fetch(`http://${host}/v2/`);
        return res.status === 200 || res.status === 401;
      } catch {
        return false;
      }
    },
    { timeoutMs: 15_000, intervalMs: 50, what: `docker-registry on ${host}` },
  );
  return {
    host,
    dir,
    close: async () => {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    },
  };
}

/** Environment for buildah and skopeo in a test: private vfs storage, chroot isolation, an auth file. */
export function buildahEnv(auth?: { host: string; user: string; password: string }): Record<string, string> {
  const dir = tempDir('buildah-');
  writeFileSync(
    join(dir, 'storage.conf'),
    `[storage]\ndriver = "vfs"\ngraphroot = "${join(dir, 'root')}"\nrunroot = "${join(dir, 'run')}"\n`,
  );
  const authFile = join(dir, 'auth.json');
  writeFileSync(
    authFile,
    JSON.stringify({
      auths: auth ? { [auth.host]: { auth: Buffer.from(`${auth.user}:${auth.password}`).toString('base64') } } : {},
    }),
  );
  return {
    CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    BUILDAH_ISOLATION: 'chroot',
    REGISTRY_AUTH_FILE: authFile,
  };
}
