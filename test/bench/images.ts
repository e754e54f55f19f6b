/**
 * (i) images: `codex-k8s images build` of 10 images whose tags the registry already has (wall time and registry
 * requests, counted by a proxy in front of Debian's docker-registry), and `codex-k8s images mirror` of one image
 * against `skopeo copy` of the same image (wall time ratio).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { buildahEnv, startRegistry } from '../support/registry.js';
import { removeTempDirs, tempDir } from '../support/temp-dir.js';

const IMAGES = 10;

/** An HTTP proxy that counts the requests it forwards to `target` (host:port). */
async function countingProxy(target: string) {
  const [hostname, port] = target.split(':');
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    const upstream = http.request(
      { hostname, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    host: `127.0.0.1:${address.port}`,
    take: () => {
      const n = count;
      count = 0;
      return n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

export async function benchImages(cli: string): Promise<string> {
  const registry = await startRegistry();
  const proxy = await countingProxy(registry.host);
  const env = { ...process.env, ...buildahEnv() };
  try {
    const project = tempDir('bench-images-');
    const images = Array.from({ length: IMAGES }, (_, i) => `img${i}`);
    let yaml = 'project: bench\nenvironments:\n  dev: {}\nimages:\n';
    for (const name of images) {
      yaml += `  ${name}:\n    type: build\n    repository: ${proxy.host}/bench/${name}\n    tag: v1\n    dockerfile: ${name}/Dockerfile\n    context: ${name}\n`;
      mkdirSync(path.join(project, name));
      writeFileSync(path.join(project, name, 'Dockerfile'), 'FROM scratch\nCOPY app.txt /app.txt\n');
      writeFileSync(path.join(project, name, 'app.txt'), `${name}\n`);
    }
    // The mirrored image: one 8 MiB layer, pushed straight to the registry.
    const upstream = tempDir('bench-upstream-');
    writeFileSync(path.join(upstream, 'Dockerfile'), 'FROM scratch\nCOPY blob /blob\n');
    writeFileSync(path.join(upstream, 'blob'), randomBytes(8 << 20));
    const from = `${registry.host}/upstream/base:1`;
    execFileSync('buildah', ['bud', '-q', '-t', from, upstream], { env, stdio: 'ignore' });
    execFileSync('buildah', ['push', '--tls-verify=false', from], { env, stdio: 'ignore' });
    yaml += `  base:\n    type: external\n    from: ${from}\n    local: ${registry.host}/mirror/base:1\n`;
    writeFileSync(path.join(project, 'services.yaml'), `${yaml}services: []\n`);

    // Asynchronous: the counting proxy runs in this process and must keep serving while the CLI runs.
    const images_ = (sub: string, ...extra: string[]) =>
      new Promise<{ ms: number; out: string }>((resolve, reject) => {
        const started = performance.now();
        const args = ['images', sub, '-c', 'services.yaml', '--env', 'dev', '--insecure-registry', proxy.host];
        const child = spawn(process.execPath, [cli, ...args, ...extra], { cwd: project, env });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('error', reject);
        child.on('close', (code) =>
          code === 0 ? resolve({ ms: performance.now() - started, out }) : reject(new Error(`images ${sub}: ${err}`)),
        );
      });
    await images_('build', '--images', images.join(','), '--parallel', '4');
    proxy.take();
    const second = await images_('build', '--images', images.join(','), '--parallel', '4');
    const requests = proxy.take();
    const skipped = second.out.split('\n').filter((l) => l.startsWith('skipped ')).length;

    const ours: number[] = [];
    const skopeo: number[] = [];
    // The same command with --dry-run does all but the copy: start-up, loading the stack, planning.
    const dry: number[] = [];
    for (let i = 0; i < 3; i++) {
      dry.push(
        (await images_('mirror', '--images', 'base', '--force', '--dry-run', '--insecure-registry', registry.host)).ms,
      );
      ours.push((await images_('mirror', '--images', 'base', '--force', '--insecure-registry', registry.host)).ms);
      const started = performance.now();
      execFileSync(
        'skopeo',
        [
          'copy',
          '-q',
          '--src-tls-verify=false',
          '--dest-tls-verify=false',
          `docker://${from}`,
          `docker://${registry.host}/skopeo/base:1`,
        ],
        { env, stdio: 'ignore' },
      );
      skopeo.push(performance.now() - started);
    }
    return (
      `(i) images build, second run of ${IMAGES} images already in the registry: ${second.ms.toFixed(0)} ms wall, ` +
      `${requests} registry requests, ${skipped} skipped; mirror of one 8 MiB image: ${median(ours).toFixed(0)} ms ` +
      `vs skopeo copy ${median(skopeo).toFixed(0)} ms = ${(median(ours) / median(skopeo)).toFixed(2)}x as a whole ` +
      `command; less the same command's --dry-run (${median(dry).toFixed(0)} ms): ` +
      `${((median(ours) - median(dry)) / median(skopeo)).toFixed(2)}x (medians of 3)`
    );
  } finally {
    await proxy.close();
    await registry.close();
    removeTempDirs();
  }
}
