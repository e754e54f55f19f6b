/**
 * Runs the Kubernetes API test server as its own process:
 *
 *   npx tsx test/kube-server/main.ts [--port 0] [--root DIR] [--ready-delay 200] [--kubeconfig-dir DIR] [--namespace NS]...
 *     [--exec-sandbox [--sandbox-bind HOST:POD[:ro]]... [--sandbox-env NAME=VALUE]...]
 *
 * The first line on stdout is JSON: {"url": "http://127.0.0.1:PORT", "kubeconfig": "/tmp/.../kubeconfig", "root": "...", "pid": N}.
 * Control it through the /_test endpoints (see admin.ts). SIGTERM or SIGINT closes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startKubeServer } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string' },
    root: { type: 'string' },
    'ready-delay': { type: 'string' },
    'namespace-termination-delay': { type: 'string' },
    'kubeconfig-dir': { type: 'string' },
    namespace: { type: 'string', multiple: true },
    'no-rewrite-paths': { type: 'boolean', default: false },
    'exec-sandbox': { type: 'boolean', default: false },
    'sandbox-bind': { type: 'string', multiple: true },
    'sandbox-env': { type: 'string', multiple: true },
    quiet: { type: 'boolean', default: false },
  },
});

/** `HOST:POD` or `HOST:POD:ro`. */
const parseBind = (text: string): { host: string; pod: string; readOnly: boolean } => {
  const parts = text.split(':');
  const readOnly = parts.length > 2 && parts[parts.length - 1] === 'ro';
  if (readOnly) parts.pop();
  if (parts.length !== 2 || !parts[0] || !parts[1])
    throw new Error(`kube test server: --sandbox-bind wants HOST:POD[:ro], got ${text}`);
  return { host: parts[0], pod: parts[1], readOnly };
};
const sandboxEnv = Object.fromEntries(
  (values['sandbox-env'] ?? []).map((kv) => {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`kube test server: --sandbox-env wants NAME=VALUE, got ${kv}`);
    return [kv.slice(0, i), kv.slice(i + 1)];
  }),
);

const server = await startKubeServer({
  port: Number(values.port),
  host: values.host,
  root: values.root,
  readyDelayMs: values['ready-delay'] !== undefined ? Number(values['ready-delay']) : undefined,
  namespaceTerminationDelayMs:
    values['namespace-termination-delay'] !== undefined ? Number(values['namespace-termination-delay']) : undefined,
  namespaces: values.namespace,
  execRewritePaths: !values['no-rewrite-paths'],
  execSandbox: values['exec-sandbox']
    ? { binds: (values['sandbox-bind'] ?? []).map(parseBind), env: sandboxEnv }
    : undefined,
});
const ownDir = values['kubeconfig-dir'] ? undefined : mkdtempSync(join(tmpdir(), 'kube-test-kubeconfig-'));
const kubeconfig = server.writeKubeconfig(values['kubeconfig-dir'] ?? ownDir);
process.stdout.write(JSON.stringify({ url: server.url, kubeconfig, root: server.root, pid: process.pid }) + '\n');

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await server.close();
  if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  if (!values.quiet) process.stderr.write(`kube test server: closed (${server.requests.length} requests)\n`);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
