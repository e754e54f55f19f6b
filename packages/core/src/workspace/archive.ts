/*
 * The gzipped tar the pod unpacks, built by the local GNU tar from the listed entries (no recursion: the list
 * already applied the excludes). It is written to a temp file and read back as bytes, because a ProcessRunner's
 * stdout is text and would corrupt binary data.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessRunner } from '../kube/runner.js';
import { SyncError } from './errors.js';

/**
 * The archive travels base64-encoded on kubectl's stdin, held in memory as one string; V8 strings stop at about
 * 512 MiB, and a checkout that big without build output is almost certainly a missing exclude.
 */
export const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;

export interface PackOptions {
  source: string;
  entries: readonly string[];
  tarBinary?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A second tree packed after the sources (the git snapshot): its directory and entries. */
  extra?: { dir: string; entries: readonly string[] };
}

/** Arguments of the local tar: owner ids zeroed (the runner's uid means nothing in the pod), names taken verbatim. */
export function tarCreateArgs(archive: string, source: string, list: string, extra?: ExtraList): string[] {
  return [
    '--create',
    '--gzip',
    `--file=${archive}`,
    `--directory=${source}`,
    '--no-recursion',
    '--null',
    '--verbatim-files-from', // a name starting with '-' is a name, not an option
    `--files-from=${list}`,
    '--format=gnu', // long names as GNU records, which busybox tar reads
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    // GNU tar applies a --directory to the names of the lists that follow it.
    ...(extra ? [`--directory=${extra.dir}`, `--files-from=${extra.list}`] : []),
  ];
}

interface ExtraList {
  dir: string;
  list: string;
}

export async function packSources(runner: ProcessRunner, o: PackOptions): Promise<Buffer> {
  // RUNNER_TEMP is emptied by the runner after every job, so a run killed mid-sync leaves nothing behind there.
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'codex-k8s-sync-'));
  try {
    const list = join(dir, 'files');
    const archive = join(dir, 'sources.tar.gz');
    await writeFile(list, o.entries.map((e) => `${e}\0`).join(''));
    let extra: ExtraList | undefined;
    if (o.extra) {
      extra = { dir: o.extra.dir, list: join(dir, 'extra') };
      await writeFile(extra.list, o.extra.entries.map((e) => `${e}\0`).join(''));
    }
    const tar = o.tarBinary ?? 'tar';
    let res;
    try {
      res = await runner.run(tar, tarCreateArgs(archive, o.source, list, extra), {
        timeoutMs: o.timeoutMs,
        signal: o.signal,
        env: { LC_ALL: 'C' },
      });
    } catch (err) {
      throw new SyncError('archive', `could not run ${tar} to pack ${o.source}: ${(err as Error).message}`, false, {
        cause: err,
      });
    }
    if (res.timedOut || res.aborted)
      throw new SyncError(
        'archive',
        `packing ${o.source} ${res.timedOut ? 'timed out' : 'was cancelled'}`,
        res.timedOut,
      );
    if (res.code !== 0) {
      const why = res.stderr.trim().split('\n').slice(-3).join('; ') || `exit code ${res.code}`;
      throw new SyncError(
        'archive',
        `packing ${o.source} failed: ${why}. Files changing or disappearing during the sync cause this; run it again`,
      );
    }
    const size = (await stat(archive)).size;
    if (size > MAX_ARCHIVE_BYTES)
      throw new SyncError(
        'archive',
        `the packed sources are ${(size / 1048576).toFixed(0)} MiB, over the ${MAX_ARCHIVE_BYTES / 1048576} MiB limit: ` +
          'add build output and large data to the sync excludes',
      );
    return await readFile(archive);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
