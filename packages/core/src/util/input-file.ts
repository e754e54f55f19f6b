import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { UserError } from './errors.js';
import { MAX_INPUT_BYTES, formatBytes } from './limits.js';

/**
 * Reads a file the user named (services.yaml, a manifest, an env or var file, a template) as UTF-8. Only regular
 * files of at most `maxBytes` are read: a device such as /dev/zero or a FIFO would never end, and a huge file would
 * exhaust memory long before it failed. `label` names the file in messages. Errors of the file system (missing
 * file, directory, permissions) are thrown as they come, for the caller's own message.
 */
export function readInputFile(file: string, label: string, maxBytes = MAX_INPUT_BYTES): string {
  // stat before open: opening a FIFO for reading blocks until a writer appears.
  const before = statSync(file);
  if (before.isDirectory()) return readDirectoryError(file);
  if (!before.isFile()) {
    throw new UserError(
      `${label}: not a regular file (a device, FIFO or socket), refused: input files must be regular files`,
      label,
    );
  }
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    checkSize(size, label, maxBytes);
    const buf = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
      // The file grew while being read.
      if (length > maxBytes) checkSize(length, label, maxBytes);
      if (length === buf.length) break;
    }
    return buf.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

function checkSize(size: number, label: string, maxBytes: number): void {
  if (size > maxBytes) {
    throw new UserError(
      `${label}: ${formatBytes(size)} is above the ${formatBytes(maxBytes)} limit for input files; split the file`,
      label,
    );
  }
}

/** Lets readFileSync's own EISDIR error reach the caller, as for any other unreadable path. */
function readDirectoryError(file: string): never {
  const err = new Error(`EISDIR: illegal operation on a directory, read '${file}'`) as NodeJS.ErrnoException;
  err.code = 'EISDIR';
  throw err;
}
