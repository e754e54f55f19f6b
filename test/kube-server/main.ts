/**
 * Runs the Kubernetes API test server as its own process:
 *
 *   npx tsx test/kube-server/main.ts [--port 0] [--root DIR] [--ready-delay 200] [--kubeconfig-dir DIR] [--namespace NS]...
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
    quiet: { type: 'boolean', default: false },
  },
});

const server = await startKubeServer({
  port: Number(values.port),
  host: values.host,
  root: values.root,
  readyDelayMs: values['ready-delay'] !== undefined ? Number(values['ready-delay']) : undefined,
  namespaceTerminationDelayMs:
    values['namespace-termination-delay'] !== undefined ? Number(values['namespace-termination-delay']) : undefined,
  namespaces: values.namespace,
  execRewritePaths: !values['no-rewrite-paths'],
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
