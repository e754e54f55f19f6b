/**
 * `kubectl exec` / `kubectl cp` over WebSocket (v5.channel.k8s.io, also v4): the command runs as a local child
 * process (argv as given, no shell added) in the pod's directory, with the pod's volume mounts mapped to local
 * directories (see paths.ts). Channels: 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize, 255 close (v5).
 *
 * Sandbox mode (`sandbox` option): the command runs under bubblewrap instead, in a private mount namespace where
 * every volume mount sits at its real mountPath (no argv rewriting; processes the command starts see the same
 * tree). The host's /usr and /etc are read-only, /tmp and /root are empty tmpfs, network and PIDs are shared.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname, join, posix } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, badRequest, notFound } from './errors.js';
import { isObject } from './json.js';
import { localArgv, mapPath, mountEnvName, podDir, pvcDir, type Mount } from './paths.js';
import { resolveResource } from './resources.js';
import { writeRawStatus } from './server.js';
import type { Store } from './store.js';
import type { JsonObject, KubeObject } from './types.js';

export interface ExecOptions {
  /** Root of the local pod and PVC directories. */
  root: string;
  /** Map pod mount paths inside argv to local directories (default true). */
  rewritePaths: boolean;
  /** Extra environment for every exec'd process. */
  env?: Record<string, string>;
  /** Run each command under bubblewrap with the mounts at their pod paths (see ExecSandbox). */
  sandbox?: ExecSandbox;
}

/** A host path bound into the sandbox at a pod path. */
export interface SandboxBind {
  host: string;
  pod: string;
  readOnly?: boolean;
}

export interface ExecSandbox {
  /** Host paths bound into every sandbox besides the volume mounts (tools, caches). */
  binds?: SandboxBind[];
  /** Environment on top of the container's (applied last). */
  env?: Record<string, string>;
  /** bubblewrap binary (default /usr/bin/bwrap). */
  bwrap?: string;
}

const DEFAULT_BWRAP = '/usr/bin/bwrap';
/** PATH inside the sandbox unless the container or the sandbox env sets one. */
const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** The host's system tree: read-only /usr and /etc, merged-/usr symlinks, fresh /proc, /dev, /tmp and /root. */
// prettier-ignore
const SANDBOX_BASE = [
  '--ro-bind', '/usr', '/usr',
  '--symlink', 'usr/bin', '/bin',
  '--symlink', 'usr/lib', '/lib',
  '--symlink', 'usr/lib64', '/lib64',
  '--symlink', 'usr/sbin', '/sbin',
];
const SANDBOX_AFTER_ETC = ['--proc', '/proc', '--dev', '/dev', '--tmpfs', '/root'];

const under = (path: string, dir: string): boolean => path === dir || path.startsWith(dir + '/');
const depth = (path: string): number => path.split('/').filter(Boolean).length;

/**
 * The bwrap argv for a command: system tree, extra binds and volume mounts (parents before nested paths), the
 * working directory, then `/usr/bin/env -- command...` (so a missing command exits 127 and a non-executable one
 * 126, as in a container). Host directories for nested mount points are created, since a read-only parent bind
 * cannot get new directories inside the sandbox.
 */
export function sandboxArgv(
  bwrap: string,
  command: string[],
  mounts: Mount[],
  binds: SandboxBind[],
  workingDir: string,
  /** The container's own /tmp (kept from one exec to the next, as in a container); unset: an empty tmpfs. */
  tmpDir?: string,
): string[] {
  const all = [
    ...binds.map((b) => ({ host: b.host, pod: posix.normalize(b.pod), readOnly: !!b.readOnly })),
    ...mounts.map((m) => ({ host: m.local, pod: posix.normalize(m.mountPath), readOnly: !!m.readOnly })),
  ]
    .map((b, i) => ({ ...b, i }))
    .sort((a, b) => depth(a.pod) - depth(b.pod) || a.i - b.i);
  const argv = [bwrap, ...SANDBOX_BASE];
  // A mount below /etc cannot get its mount point inside a read-only bind of /etc: rebuild /etc on a tmpfs
  // from the host's entries instead.
  if (all.some((b) => b.pod.startsWith('/etc/'))) {
    argv.push('--tmpfs', '/etc');
    for (const e of readdirSync('/etc', { withFileTypes: true })) {
      const p = `/etc/${e.name}`;
      if (all.some((b) => b.pod === p)) continue;
      if (e.isSymbolicLink()) argv.push('--symlink', readlinkSync(p), p);
      else argv.push('--ro-bind', p, p);
    }
  } else argv.push('--ro-bind', '/etc', '/etc');
  argv.push(...SANDBOX_AFTER_ETC);
  if (tmpDir) {
    mkdirSync(tmpDir, { recursive: true });
    argv.push('--bind', tmpDir, '/tmp');
  } else argv.push('--tmpfs', '/tmp');
  for (const [k, b] of all.entries()) {
    if (!existsSync(b.host)) mkdirSync(b.host, { recursive: true });
    const parent = all
      .slice(0, k)
      .reverse()
      .find((p) => p.pod !== b.pod && under(b.pod, p.pod));
    if (parent && statSync(parent.host).isDirectory()) {
      const point = join(parent.host, posix.relative(parent.pod, b.pod));
      if (!existsSync(point)) {
        if (statSync(b.host).isDirectory()) mkdirSync(point, { recursive: true });
        else {
          mkdirSync(dirname(point), { recursive: true });
          writeFileSync(point, '');
        }
      }
    }
    argv.push(b.readOnly ? '--ro-bind' : '--bind', b.host, b.pod);
  }
  const cwd = posix.normalize(workingDir || '/');
  const system = ['/usr', '/etc', '/proc', '/dev', '/bin', '/lib', '/lib64', '/sbin'];
  if (cwd !== '/' && !all.some((b) => under(cwd, b.pod)) && !system.some((d) => under(cwd, d))) argv.push('--dir', cwd);
  argv.push('--chdir', cwd, '--', '/usr/bin/env', '--', ...command);
  return argv;
}

/** One finished or running exec, for tests that want to see what ran. */
export interface ExecRecord {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  /** argv actually started (after path mapping; in sandbox mode the whole bwrap command line). */
  argv: string[];
  /** Local cwd of the process; in sandbox mode the working directory inside the sandbox. */
  cwd: string;
  exitCode?: number;
}

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 };

export class Exec {
  private readonly wss: WebSocketServer;
  private readonly children = new Set<ChildProcess>();
  private readonly sockets = new Set<WebSocket>();
  /** bwrap children (sandbox mode): their own child is the command. */
  private readonly sandboxed = new Set<ChildProcess>();
  private readonly podRi = resolveResource('v1/Pod');
  private readonly cmRi = resolveResource('v1/ConfigMap');
  private readonly secretRi = resolveResource('v1/Secret');
  readonly history: ExecRecord[] = [];

  constructor(
    private readonly store: Store,
    private readonly options: ExecOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      handleProtocols: (offered: Set<string>) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
    });
  }

  /**
   * Cuts every open exec connection, as an API server restart or a load balancer's idle timeout does; the server
   * kills each command's process the way it does when a client goes away. Returns how many were cut.
   */
  dropConnections(): number {
    const open = [...this.sockets];
    for (const ws of open) ws.terminate();
    return open.length;
  }

  close(): void {
    for (const c of this.children) this.kill(c, 'SIGKILL');
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }

  /**
   * Signals the command: the direct child, or in sandbox mode the sandboxed command (bwrap's child, which would
   * outlive bwrap) and bwrap itself only when the command is not found. Processes the command started are left
   * alone, as a container runtime's exec would.
   */
  private kill(child: ChildProcess, signal: NodeJS.Signals): void {
    const pids = this.sandboxed.has(child) && child.pid ? childPids(child.pid) : [];
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
    if (pids.length === 0 || signal === 'SIGKILL') child.kill(signal);
  }

  /** Local directories for a container's volume mounts (created on demand; configMap/secret files written). */
  mounts(pod: KubeObject, container: JsonObject): Mount[] {
    const ns = pod.metadata.namespace!;
    const dir = podDir(this.options.root, ns, pod.metadata.name!);
    const volumes = (pod.spec?.volumes ?? []) as JsonObject[];
    const out: Mount[] = [];
    for (const vm of (container.volumeMounts ?? []) as JsonObject[]) {
      const vol = volumes.find((v) => v.name === vm.name);
      let base = join(dir, 'volumes', String(vm.name));
      if (vol?.persistentVolumeClaim?.claimName)
        base = pvcDir(this.options.root, ns, vol.persistentVolumeClaim.claimName);
      else if (vol?.hostPath?.path) base = join(this.options.root, 'hostpath', vol.hostPath.path);
      mkdirSync(base, { recursive: true });
      if (vol?.configMap || vol?.secret) this.materialize(ns, vol, base);
      const local = vm.subPath ? join(base, String(vm.subPath)) : base;
      mkdirSync(vm.subPath && (vol?.configMap || vol?.secret) ? dirname(local) : local, { recursive: true });
      out.push({ mountPath: String(vm.mountPath), local, readOnly: !!vm.readOnly });
    }
    return out;
  }

  private materialize(ns: string, vol: JsonObject, base: string): void {
    const src = vol.configMap ?? vol.secret;
    const obj = vol.configMap
      ? this.store.get(this.cmRi, ns, src.name)
      : this.store.get(this.secretRi, ns, src.secretName);
    if (!obj) return;
    const files: Record<string, Buffer> = {};
    if (vol.configMap) {
      for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>)) files[k] = Buffer.from(v);
      for (const [k, v] of Object.entries((obj.binaryData ?? {}) as Record<string, string>))
        files[k] = Buffer.from(v, 'base64');
    } else
      for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>))
        files[k] = Buffer.from(v, 'base64');
    const items = src.items as JsonObject[] | undefined;
    const list = items?.length
      ? items.map((i) => [String(i.key), String(i.path)])
      : Object.keys(files).map((k) => [k, k]);
    for (const [key, path] of list) {
      if (!files[key]) continue;
      const target = join(base, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, files[key]);
    }
  }

  private env(pod: KubeObject, container: JsonObject, mounts: Mount[], dir: string): NodeJS.ProcessEnv {
    const env = this.containerEnv(pod, container, { ...process.env, ...(this.options.env ?? {}) });
    env.KUBE_TEST_ROOT = this.options.root;
    env.KUBE_TEST_POD_DIR = dir;
    // The container's own temporary directory: kept between execs of a pod, never shared with another pod.
    env.TMPDIR = join(dir, 'tmp');
    mkdirSync(env.TMPDIR, { recursive: true });
    env.KUBE_TEST_PATH_MAP = JSON.stringify(Object.fromEntries(mounts.map((m) => [m.mountPath, m.local])));
    for (const m of mounts) env[mountEnvName(m.mountPath)] = m.local;
    return env;
  }

  /**
   * Sandbox environment: a container's own (PATH, HOME=/root, the server's execEnv, then env/envFrom/fieldRefs),
   * then the sandbox env; nothing from the server's environment and no local paths.
   */
  private sandboxEnv(pod: KubeObject, container: JsonObject, sandbox: ExecSandbox): NodeJS.ProcessEnv {
    const env = this.containerEnv(pod, container, {
      PATH: SANDBOX_PATH,
      HOME: '/root',
      ...(this.options.env ?? {}),
    });
    Object.assign(env, sandbox.env ?? {});
    return env;
  }

  /** `base` plus the container's envFrom and env (configMap/secret refs, fieldRefs), HOSTNAME and pod identity. */
  private containerEnv(pod: KubeObject, container: JsonObject, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const ns = pod.metadata.namespace!;
    const env: NodeJS.ProcessEnv = { ...base };
    const fromObj = (kind: 'cm' | 'secret', name: string): Record<string, string> => {
      const o = this.store.get(kind === 'cm' ? this.cmRi : this.secretRi, ns, name);
      const data = (o?.data ?? {}) as Record<string, string>;
      return kind === 'cm'
        ? data
        : Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    };
    for (const ef of (container.envFrom ?? []) as JsonObject[]) {
      const values = ef.configMapRef
        ? fromObj('cm', ef.configMapRef.name)
        : ef.secretRef
          ? fromObj('secret', ef.secretRef.name)
          : {};
      for (const [k, v] of Object.entries(values)) env[`${ef.prefix ?? ''}${k}`] = v;
    }
    for (const e of (container.env ?? []) as JsonObject[]) {
      if (typeof e.value === 'string')
        env[e.name] = e.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, n) => env[n] ?? all);
      else if (isObject(e.valueFrom)) {
        const vf = e.valueFrom;
        if (vf.configMapKeyRef) env[e.name] = fromObj('cm', vf.configMapKeyRef.name)[vf.configMapKeyRef.key];
        else if (vf.secretKeyRef) env[e.name] = fromObj('secret', vf.secretKeyRef.name)[vf.secretKeyRef.key];
        else if (vf.fieldRef?.fieldPath) {
          const path = String(vf.fieldRef.fieldPath);
          env[e.name] =
            path === 'metadata.name'
              ? pod.metadata.name
              : path === 'metadata.namespace'
                ? ns
                : path === 'status.podIP'
                  ? pod.status?.podIP
                  : path === 'spec.nodeName'
                    ? pod.spec?.nodeName
                    : path === 'spec.serviceAccountName'
                      ? pod.spec?.serviceAccountName
                      : '';
        }
      }
    }
    env.HOSTNAME = pod.metadata.name;
    env.KUBE_TEST_NAMESPACE = ns;
    env.KUBE_TEST_POD = pod.metadata.name;
    env.KUBE_TEST_CONTAINER = String(container.name);
    return env;
  }

  /** Resolves the pod and container and validates the request; throws ApiError. */
  private prepare(url: URL): { pod: KubeObject; container: JsonObject; command: string[]; q: URLSearchParams } {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)$/.exec(url.pathname);
    if (!m) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (m[3] === 'attach') throw badRequest('kube test server: attach is not supported');
    const ns = decodeURIComponent(m[1]);
    const name = decodeURIComponent(m[2]);
    const pod = this.store.get(this.podRi, ns, name);
    if (!pod) throw notFound('pods', '', name);
    const q = url.searchParams;
    const containers = (pod.spec?.containers ?? []) as JsonObject[];
    const cname = q.get('container') ?? containers[0]?.name;
    const container = containers.find((c) => c.name === cname);
    if (!container) throw badRequest(`container ${cname} is not valid for pod ${name}`);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed')
      throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
    if (phase !== 'Running') throw badRequest(`pod ${name} does not have a host assigned`);
    const command = q.getAll('command');
    if (command.length === 0) throw badRequest('you must specify at least one command for the container');
    return { pod, container, command, q };
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    let prepared: ReturnType<Exec['prepare']>;
    try {
      prepared = this.prepare(url);
    } catch (err) {
      writeRawStatus(socket, err instanceof ApiError ? err : badRequest(String(err)));
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.run(ws, prepared));
  }

  private run(ws: WebSocket, { pod, container, command, q }: ReturnType<Exec['prepare']>): void {
    this.sockets.add(ws);
    const v5 = ws.protocol === 'v5.channel.k8s.io';
    const ns = pod.metadata.namespace!;
    const dir = podDir(this.options.root, ns, pod.metadata.name!);
    mkdirSync(dir, { recursive: true });
    const mounts = this.mounts(pod, container);
    const workingDir = typeof container.workingDir === 'string' ? container.workingDir : '';
    const sandbox = this.options.sandbox;
    let cwd = dir;
    let argv: string[];
    let env: NodeJS.ProcessEnv;
    let sandboxError: string | undefined;
    if (sandbox) {
      // bwrap itself starts in the pod directory; the command's cwd is the workingDir inside the sandbox.
      const bwrap = sandbox.bwrap ?? DEFAULT_BWRAP;
      argv = [bwrap];
      env = {};
      if (!existsSync(bwrap))
        sandboxError =
          `kube test server: exec sandbox needs bubblewrap, but ${bwrap} does not exist ` +
          `(apt-get install bubblewrap, or bash test/setup/install-tools.sh)\n`;
      else {
        try {
          argv = sandboxArgv(bwrap, command, mounts, sandbox.binds ?? [], workingDir, join(dir, 'tmp'));
          env = this.sandboxEnv(pod, container, sandbox);
        } catch (err) {
          sandboxError = `kube test server: exec sandbox: ${(err as Error).message}\n`;
        }
      }
    } else {
      if (workingDir) {
        const mapped = mapPath(workingDir, mounts);
        cwd = mapped !== workingDir ? mapped : join(dir, 'root', workingDir);
        mkdirSync(cwd, { recursive: true });
      }
      argv = localArgv(command, mounts, this.options.rewritePaths);
      env = this.env(pod, container, mounts, dir);
    }
    const record: ExecRecord = {
      namespace: ns,
      pod: pod.metadata.name!,
      container: String(container.name),
      command,
      argv,
      cwd: sandbox ? posix.normalize(workingDir || '/') : cwd,
    };
    this.history.push(record);
    const wantStdin = q.get('stdin') === 'true' || q.get('stdin') === '1';
    const tty = q.get('tty') === 'true' || q.get('tty') === '1';
    const wantStderr = q.get('stderr') !== 'false' && q.get('stderr') !== '0';

    const send = (channel: number, data: Buffer | string): void => {
      if (ws.readyState !== ws.OPEN) return;
      const payload = typeof data === 'string' ? Buffer.from(data) : data;
      ws.send(Buffer.concat([Buffer.from([channel]), payload]));
    };
    const finish = (status: JsonObject): void => {
      send(3, JSON.stringify(status));
      if (ws.readyState === ws.OPEN) ws.close(1000);
    };

    if (sandboxError) {
      send(2, sandboxError);
      record.exitCode = 126;
      finish(exitStatus(command, 126));
      return;
    }

    let child: ChildProcess;
    try {
      child = spawn(argv[0], argv.slice(1), {
        cwd,
        env,
        stdio: [wantStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      send(2, `${(err as Error).message}\n`);
      finish(exitStatus(command, 126));
      return;
    }
    this.children.add(child);
    if (sandbox) this.sandboxed.add(child);
    let spawnError: Error | undefined;
    child.on('error', (err) => {
      spawnError = err;
    });
    child.stdout?.on('data', (d: Buffer) => send(1, d));
    child.stderr?.on('data', (d: Buffer) => (wantStderr ? send(2, d) : tty ? send(1, d) : undefined));
    child.stdin?.on('error', () => undefined);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const buf = isBinary ? data : Buffer.from(data);
      if (buf.length === 0) return;
      const ch = buf[0];
      if (ch === 0) child.stdin?.write(buf.subarray(1));
      else if (ch === 255 && v5 && buf[1] === 0) child.stdin?.end();
    });
    ws.on('close', () => {
      this.sockets.delete(ws);
      if (child.exitCode === null && child.signalCode === null) this.kill(child, 'SIGTERM');
    });
    child.on('close', (code, signal) => {
      this.children.delete(child);
      this.sandboxed.delete(child);
      if (spawnError) {
        const notFoundErr = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
        send(
          2,
          notFoundErr
            ? `exec: "${command[0]}": executable file not found in $PATH\n`
            : `exec: "${command[0]}": ${spawnError.message}\n`,
        );
        record.exitCode = notFoundErr ? 127 : 126;
        finish(exitStatus(command, record.exitCode));
        return;
      }
      const exit = code ?? 128 + (signal ? (SIGNALS[signal] ?? 1) : 1);
      record.exitCode = exit;
      finish(exit === 0 ? { metadata: {}, status: 'Success' } : exitStatus(command, exit));
    });
  }
}

/**
 * Pids whose parent is `ppid` (from /proc/<pid>/stat). bwrap's info fd would give the same without a scan, but
 * the sandboxed command inherits that descriptor, and a background process holding it keeps the exec open.
 */
function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function exitStatus(command: string[], code: number): JsonObject {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}
