/** Helpers of the image tests: an image pushed straight to a registry, a reporter that keeps lines, a store watch. */
import { createHash } from 'node:crypto';
import type { KubeObject, KubeServer } from '../kube-server/index.js';
import type { Reporter } from '../../packages/core/src/util/reporter.js';

/** Pushes an image with no layers (a config blob and an OCI manifest) over the registry API; returns its digest. */
export async function pushEmptyImage(host: string, repository: string, tag: string): Promise<string> {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  const start = await fetch(`http://${host}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`registry: blob upload start answered ${start.status}`);
  const upload = new URL(start.headers.get('location')!, `http://${host}`);
  upload.searchParams.set('digest', configDigest);
  const put = await fetch(upload, {
    method: 'PUT',
    body: config,
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (put.status !== 201) throw new Error(`registry: blob upload answered ${put.status}`);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [],
  });
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  if (res.status !== 201) throw new Error(`registry: manifest upload answered ${res.status}: ${await res.text()}`);
  return `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
}

export interface RecordingReporter extends Reporter {
  lines: string[];
}

export function recordingReporter(): RecordingReporter {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`warning: ${m}`),
    debug: () => undefined,
    group: (_title, body) => body(),
    summary: () => undefined,
  };
}

/**
 * Keeps a copy of every object of a label selector seen in a namespace while a promise runs (the build deletes
 * its Jobs and Secrets when it is done, so they are looked at while they exist).
 */
export function watchObjects(server: KubeServer, namespace: string, selector: string) {
  const seen = new Map<string, KubeObject>();
  const look = () => {
    for (const kind of ['Job', 'Secret'])
      for (const o of server.store.list(kind, namespace, selector))
        seen.set(`${kind}/${o.metadata.name}`, structuredClone(o));
  };
  return {
    async during<T>(work: Promise<T>): Promise<T> {
      let done = false;
      const settled = work.finally(() => {
        done = true;
      });
      settled.catch(() => undefined);
      while (!done) {
        look();
        await new Promise((r) => setTimeout(r, 10));
      }
      return work;
    },
    all: (kind: string) => [...seen].filter(([k]) => k.startsWith(`${kind}/`)).map(([, o]) => o),
    /** The one object of `kind` whose name starts with `prefix`. */
    seen(kind: string, prefix: string): KubeObject {
      const found = [...seen].filter(([k]) => k.startsWith(`${kind}/${prefix}`)).map(([, o]) => o);
      if (found.length !== 1)
        throw new Error(`${found.length} ${kind} objects named ${prefix}*: ${[...seen.keys()].join(', ')}`);
      return found[0];
    },
  };
}
