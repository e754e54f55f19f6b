/*
 * Where a sync puts the tree inside the pod. Paths are POSIX pod paths (never the runner's, which may be Windows),
 * normalised before they are checked, so `/workspace/../etc` cannot pass as "under /workspace".
 */
import { posix } from 'node:path';
import { UserError } from '../util/errors.js';

export interface TargetInput {
  codeRootBase: string;
  workspaceMount: string;
  slot: number;
  env: string;
}

/** Control characters have no business in a pod path and would garble messages and the manifest. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** An env name used as one directory name: no separators, no `.`/`..`, nothing a shell or a reader would trip on. */
const ENV_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Absolute, normalised, without a trailing slash. `/` itself is no mount for a volume. */
export function validateMount(mount: string): string {
  if (typeof mount !== 'string' || !mount.startsWith('/') || CONTROL.test(mount))
    throw new UserError(`workspace-mount: ${JSON.stringify(mount)} must be an absolute path such as /workspace`);
  const norm = stripSlash(posix.normalize(mount));
  if (norm === '/')
    throw new UserError('workspace-mount: "/" cannot be a volume mount; use a directory such as /workspace');
  return norm;
}

/** True when `path` lies inside `dir` and is not `dir` itself (both normalised, absolute). */
export function isStrictlyUnder(path: string, dir: string): boolean {
  return path.startsWith(dir === '/' ? '/' : `${dir}/`) && path !== dir;
}

/**
 * `<codeRootBase>/<slot>/src` for a slotted env (slot > 0), else `<codeRootBase>/<env>/src`, checked to lie strictly
 * under the mount: anything else would be written into the container's own (read-only) filesystem and be lost with
 * the pod, or, with a mount of the whole volume elsewhere, land outside the directory the agent sees.
 */
export function syncTarget(input: TargetInput): string {
  const mount = validateMount(input.workspaceMount);
  const raw = input.codeRootBase;
  const example = `${mount}/codex/envs`;
  if (typeof raw !== 'string' || raw.trim() === '')
    throw new UserError(
      `code-root-base: empty; set it to a directory under workspace-mount (${mount}), e.g. ${example}`,
    );
  if (!raw.startsWith('/') || CONTROL.test(raw))
    throw new UserError(
      `code-root-base: ${JSON.stringify(raw)} must be an absolute pod path under workspace-mount (${mount}), e.g. ${example}`,
    );
  const base = stripSlash(posix.normalize(raw));
  if (!isStrictlyUnder(base, mount))
    throw new UserError(
      `code-root-base: ${JSON.stringify(raw)} is not inside workspace-mount ${mount}: the sources would not land on the ` +
        `workspace volume. Use a directory under it (e.g. ${example}) or set workspace-mount to where the volume is mounted`,
    );
  let segment: string;
  if (input.slot > 0) segment = String(input.slot);
  else {
    const env = input.env;
    if (typeof env !== 'string' || env === '')
      throw new UserError('env: required when slot is 0 (the copy goes to <code-root-base>/<env>/src)');
    if (!ENV_SEGMENT.test(env))
      throw new UserError(
        `env: ${JSON.stringify(env)} cannot be used as a directory name under code-root-base (letters, digits, '.', '_', '-')`,
      );
    segment = env;
  }
  const target = posix.join(base, segment, 'src');
  // Cannot fail after the checks above; kept so a future change to the layout cannot silently escape the mount.
  if (!isStrictlyUnder(target, mount)) throw new UserError(`code-root-base: target ${target} is outside ${mount}`);
  return target;
}

function stripSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}
