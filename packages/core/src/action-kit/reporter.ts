import * as core from '@actions/core';
import type { Reporter } from '../util/reporter.js';

/** A Reporter on the runner: log groups, annotations that point at the file and line, the job summary. */
export function actionsReporter(): Reporter & { flushSummary(): Promise<void> } {
  const parts: string[] = [];
  return {
    info: (m) => core.info(m),
    debug: (m) => core.debug(m),
    warning: (m, where) =>
      core.warning(where?.path ? `${where.path}: ${m}` : m, {
        file: where?.file,
        startLine: where?.line,
        startColumn: where?.col,
      }),
    group: (title, body) => core.group(title, body),
    summary: (md) => {
      parts.push(md);
    },
    async flushSummary() {
      if (!parts.length || !process.env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(parts.join('\n')).write();
      parts.length = 0;
    },
  };
}
