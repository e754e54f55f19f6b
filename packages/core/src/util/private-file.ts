/*
 * Files holding rendered manifests (Secret data in clear): readable by their owner only (0600), never written
 * through a symbolic link. In a shared temp directory another user can plant a link at a predictable name to make
 * us overwrite one of our files, or create the file first to read it; creating exclusively rules both out.
 */
import { closeSync, constants, fchmodSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from './errors.js';

const MODE = 0o600;

function writeAll(fd: number, text: string): void {
  try {
    fchmodSync(fd, MODE);
    const data = Buffer.from(text, 'utf8');
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off, data.length - off);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `text` to a path we chose (a temp or runner file): created exclusively. When something is already there
 * (a planted link, a file of an earlier step), the file is created under the same name in a fresh private directory
 * next to it instead. Returns the path written.
 */
export function writeNewPrivateFile(file: string, text: string): string {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  let fd: number;
  let written = file;
  try {
    fd = openSync(file, flags, MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    written = join(mkdtempSync(join(dirname(file), 'codex-k8s-')), basename(file));
    fd = openSync(written, flags, MODE);
  }
  writeAll(fd, text);
  return written;
}

/** Writes `text` to a path the user gave (`-o`): a regular file is replaced, a symbolic link is refused. */
export function writeUserPrivateFile(file: string, text: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP')
      throw new UserError(
        `${file} is a symbolic link: the rendered stack holds Secret data and is never written through a link; give the path of a regular file`,
      );
    throw new UserError(`cannot write the rendered stack to ${file}: ${(err as Error).message}`);
  }
  writeAll(fd, text);
  return file;
}
