/**
 * busybox, the sync pod's image: tests of the pod-side scripts run them with busybox applets only on PATH, as in the
 * pod. A missing busybox fails those tests (with how to install it) instead of quietly testing GNU tools alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

export function busyboxBinary(): string {
  const found = process.env.BUSYBOX ?? CANDIDATES.find((b) => existsSync(b));
  if (!found || !existsSync(found))
    throw new Error(
      'busybox not found (the sync pod image, needed by the workspace sync tests): run `bash test/setup/install-tools.sh` ' +
        '(installs the Debian package busybox) or set BUSYBOX to its path',
    );
  return found;
}

/** Fills `dir` with one symlink per busybox applet and returns it: a PATH with busybox and nothing else. */
export function busyboxPath(dir: string): string {
  const binary = busyboxBinary();
  const applets = execFileSync(binary, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  mkdirSync(dir, { recursive: true });
  for (const applet of applets) if (!applet.includes('/')) symlinkSync(binary, join(dir, applet));
  return dir;
}
