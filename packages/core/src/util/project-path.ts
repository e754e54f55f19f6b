import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { UserError } from './errors.js';

/**
 * Resolves `rel` (as written in services.yaml, relative to the project root) and makes sure it stays inside the
 * root, following symbolic links: a manifest, env file or directory linked to somewhere else would let a
 * project read files of the machine it runs on. Returns the absolute path (links not resolved, for messages).
 * `what` says what the path is for (`manifest "deploy/app.yaml"`); `where` is the file that names it.
 * A path that does not exist is returned as it is: reading it gives the caller's own "not found" message.
 */
export function resolveInProject(root: string, rel: string, what: string, where: string): string {
  if (path.isAbsolute(rel)) {
    throw new UserError(
      `${where}: ${what}: absolute paths are refused; write a path relative to the project root`,
      where,
    );
  }
  const abs = path.resolve(root, rel);
  const realRoot = realOrSelf(root);
  if (!isInside(abs, root)) {
    throw new UserError(
      `${where}: ${what}: leads outside the project root ${root}; keep the file inside the project`,
      where,
    );
  }
  // Walk down from the root: the first link whose target lies outside is the one to name.
  let current = root;
  for (const part of path.relative(root, abs).split(path.sep)) {
    current = path.join(current, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(current).isSymbolicLink();
    } catch {
      return abs;
    }
    if (!isLink) continue;
    const real = realOrSelf(current);
    if (!isInside(real, realRoot)) {
      throw new UserError(
        `${where}: ${what}: the symbolic link ${path.relative(root, current)} -> ${readlinkSync(current)} ` +
          `leads outside the project root ${root}; copy the file into the project instead of linking it`,
        where,
      );
    }
  }
  return abs;
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function isInside(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}
