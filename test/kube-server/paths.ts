/**
 * Pod paths on the local disk. A pod's volume mounts map to local directories:
 *   persistentVolumeClaim X -> <root>/pvc/<ns>/<X>[/<subPath>]
 *   emptyDir/configMap/secret/other -> <root>/pods/<ns>/<pod>/volumes/<volume>[/<subPath>]
 *   hostPath P -> <root>/hostpath/<P> (never the real host path)
 * Exec'd processes get the mapping as env vars (KUBE_TEST_PATH_MAP, KUBE_TEST_MOUNT_<path>); `mapPath` turns a
 * pod path into the local one (usable inside the exec'd process and in tests).
 */
import { join, posix } from 'node:path';

export interface Mount {
  /** Path inside the pod (`/workspace`). */
  mountPath: string;
  /** Local directory. */
  local: string;
  readOnly?: boolean;
}

/** `/workspace` -> `KUBE_TEST_MOUNT__workspace`, `/data/x-y` -> `KUBE_TEST_MOUNT__data_x_y`. */
export const mountEnvName = (mountPath: string): string => `KUBE_TEST_MOUNT_${mountPath.replace(/[^A-Za-z0-9]/g, '_')}`;

export const pvcDir = (root: string, namespace: string, claim: string): string => join(root, 'pvc', namespace, claim);

export const podDir = (root: string, namespace: string, pod: string): string => join(root, 'pods', namespace, pod);

/** The mapping a process receives in KUBE_TEST_PATH_MAP (JSON object: pod path -> local path). */
export function pathMapFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  try {
    return JSON.parse(env.KUBE_TEST_PATH_MAP ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

/** Maps a pod path to the local path (longest mount first); other paths are returned unchanged. */
export function mapPath(podPath: string, map: Record<string, string> | Mount[] = pathMapFromEnv()): string {
  const mounts: Mount[] = Array.isArray(map)
    ? map
    : Object.entries(map).map(([mountPath, local]) => ({ mountPath, local }));
  const p = posix.normalize(podPath);
  for (const m of [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length)) {
    const mp = m.mountPath.replace(/\/+$/, '') || '/';
    if (mp === '/') continue;
    if (p === mp) return m.local;
    if (p.startsWith(mp + '/')) return join(m.local, p.slice(mp.length + 1));
  }
  return podPath;
}

const DELIM = `\\s'"=:;|&<>,()\``;
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Rewrites pod mount paths inside argv strings (also inside `sh -c` scripts): an occurrence of a mount path that
 * starts a word and ends at `/`, a delimiter or the end is replaced by its local directory.
 */
export function rewriteMountPaths(arg: string, mounts: Mount[]): string {
  const byPath = new Map<string, string>();
  for (const m of mounts) {
    const mp = m.mountPath.replace(/\/+$/, '');
    if (mp) byPath.set(mp, m.local);
  }
  if (byPath.size === 0) return arg;
  const alternatives = [...byPath.keys()].sort((a, b) => b.length - a.length).map(escapeRe);
  // One pass, longest mount first, so a replacement is never rewritten again.
  const re = new RegExp(`(^|[${DELIM}])(${alternatives.join('|')})(?=$|[/${DELIM}])`, 'g');
  return arg.replace(re, (_all, pre: string, mp: string) => `${pre}${byPath.get(mp)}`);
}

/**
 * argv for the local process. With `rewrite`, mount paths are mapped; for `tar` that creates an archive
 * (kubectl cp from a pod), member names are mapped back to pod paths with --transform.
 */
export function localArgv(argv: string[], mounts: Mount[], rewrite: boolean): string[] {
  if (!rewrite || mounts.length === 0) return argv;
  const out = argv.map((a, i) => (i === 0 ? a : rewriteMountPaths(a, mounts)));
  const creates = /^-?[a-zA-Z]*c/.test(argv[1] ?? '') || argv.includes('-c') || argv.includes('--create');
  if (posix.basename(argv[0] ?? '') === 'tar' && creates && out.some((a, i) => a !== argv[i])) {
    const transforms = mounts
      .filter((m) => m.mountPath.replace(/\/+$/, ''))
      .map((m) => {
        const from = m.local.replace(/^\/+/, '');
        const to = m.mountPath.replace(/^\/+/, '').replace(/\/+$/, '');
        return `--transform=s|^${escapeRe(from).replace(/\|/g, '\\|')}|${to}|`;
      });
    // Appended: GNU tar takes old-style letters (`cf`) only as the first argument, and options after operands.
    return [...out, ...transforms];
  }
  return out;
}
