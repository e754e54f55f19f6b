/*
 * The list of what a sync copies: every directory, regular file and symlink of the source that no exclude matches.
 * Listing first (instead of letting tar recurse) gives the counts for the result and the check on the pod side,
 * and keeps sockets and FIFOs out (tar would fail or hang on them).
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExcludeMatcher } from './excludes.js';

export interface SourceList {
  /** Relative paths (`/`-separated), parents before children, sorted: the order tar packs them in. */
  entries: string[];
  /** Regular files among the entries. */
  files: number;
  /** Their total size. */
  bytes: number;
  /**
   * What `find <dir> -type f | wc -l` prints for these files in the pod (the copy script's completeness check):
   * one line per file, plus one per newline in its name (legal, if rare).
   */
  findLines: number;
  /** Entries left out because an exclude matched (a directory counts once, not with its contents). */
  excluded: number;
  /** Paths that are neither directory, file nor symlink (sockets, FIFOs, devices): never copied. */
  skipped: string[];
}

export async function listSources(root: string, isExcluded: ExcludeMatcher): Promise<SourceList> {
  const out: SourceList = { entries: [], files: 0, bytes: 0, findLines: 0, excluded: 0, skipped: [] };
  const visit = async (rel: string): Promise<void> => {
    const dirents = await readdir(rel ? join(root, rel) : root, { withFileTypes: true });
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of dirents) {
      const path = rel ? `${rel}/${d.name}` : d.name;
      if (isExcluded(path, d.isDirectory())) {
        out.excluded++;
        continue;
      }
      if (d.isDirectory()) {
        out.entries.push(path);
        await visit(path);
      } else if (d.isFile()) {
        out.entries.push(path);
        out.files++;
        out.findLines += 1 + (path.match(/\n/g)?.length ?? 0);
        out.bytes += (await lstat(join(root, path))).size;
      } else if (d.isSymbolicLink()) {
        // Copied as a link, never followed: a link out of the checkout must not pull in the runner's files.
        out.entries.push(path);
      } else out.skipped.push(path);
    }
  };
  await visit('');
  return out;
}
