import * as core from '@actions/core';
import type { Reporter } from '../util/reporter.js';

/**
 * A Reporter on the runner: log groups, annotations that point at the file and line, the job summary. Each
 * warning is printed once per run, however often a step meets it (services.yaml is loaded more than once).
 */
export function actionsReporter(): Reporter & { flushSummary(): Promise<void> } {
  const parts: string[] = [];
  const warned = new Set<string>();
  // GitHub does not nest log groups: a group opened inside another would close the outer one. Inner phases are
  // plain lines with a prefix instead.
  let depth = 0;
  const prefix = () => (depth > 1 ? '  '.repeat(depth - 1) : '');
  return {
    info: (m) => core.info(prefix() + m),
    debug: (m) => core.debug(m),
    warning: (m, where) => {
      const text = where?.path ? `${where.path}: ${m}` : m;
      const key = `${where?.file ?? ''}:${where?.line ?? ''}:${where?.col ?? ''}:${text}`;
      if (warned.has(key)) return;
      warned.add(key);
      core.warning(text, { file: where?.file, startLine: where?.line, startColumn: where?.col });
    },
    group: async (title, body) => {
      if (depth > 0) {
        core.info(`${prefix()}== ${title}`);
        depth++;
        try {
          return await body();
        } finally {
          depth--;
        }
      }
      depth++;
      try {
        return await core.group(title, body);
      } finally {
        depth--;
      }
    },
    summary: (md) => {
      parts.push(md);
    },
    async flushSummary() {
      if (!parts.length || !process.env.GITHUB_STEP_SUMMARY) return;
      try {
        await core.summary.addRaw(parts.join('\n')).write();
      } catch (err) {
        // The step's work is done; a summary that cannot be written must not fail it.
        core.summary.emptyBuffer();
        core.warning(`the job summary could not be written: ${(err as Error).message}`);
      }
      parts.length = 0;
    },
  };
}
