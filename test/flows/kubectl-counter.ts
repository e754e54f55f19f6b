/**
 * A `kubectl` first on PATH that notes each call (time in ms and the command's first two words, never the rest)
 * and runs the real one: how many kubectl processes a flow starts, and when.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function kubectlCounter(
  dir: string,
  real: string,
): { binDir: string; calls: () => { time: number; args: string }[] } {
  const binDir = path.join(dir, 'bin');
  const log = path.join(dir, 'calls.log');
  mkdirSync(binDir, { recursive: true });
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    path.join(binDir, 'kubectl'),
    `#!/bin/sh\nprintf '%s %s %s\\n' "$(date +%s%3N)" "$1" "$2" >> ${q(log)}\nexec ${q(real)} "$@"\n`,
  );
  chmodSync(path.join(binDir, 'kubectl'), 0o755);
  const calls = () =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => {
            const i = l.indexOf(' ');
            return { time: Number(l.slice(0, i)), args: l.slice(i + 1).trim() };
          })
      : [];
  return { binDir, calls };
}
