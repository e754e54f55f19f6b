import type { PromptRunResult, Reporter } from '@codex-k8s/core';

const MAX_MESSAGE = 20_000;

/** The job summary: duration, tokens, what changed, the agent's final message. */
export function writeSummary(reporter: Reporter, r: PromptRunResult): void {
  const minutes = Math.floor(r.durationMs / 60_000);
  const seconds = Math.round((r.durationMs % 60_000) / 1000);
  const message = r.finalMessage.length > MAX_MESSAGE ? `${r.finalMessage.slice(0, MAX_MESSAGE)}\n…` : r.finalMessage;
  // File names are the agent's: nothing in them may break the table or the markup.
  const files = r.changedFiles.slice(0, 50).map((f) => `\`${f.replace(/[`|\r\n]/g, '?')}\``);
  reporter.summary(
    [
      `### codex-k8s agent in \`${r.namespace}\``,
      '',
      '| | |',
      '|---|---|',
      `| Duration | ${minutes}m${String(seconds).padStart(2, '0')}s |`,
      `| Model | \`${r.model}\` (reasoning ${r.reasoningEffort}) |`,
      `| Tokens (in / out) | ${r.tokensIn} / ${r.tokensOut} |`,
      `| Session | \`${r.sessionId || 'unknown'}\` |`,
      `| Changed | ${r.changed ? `${r.changedFiles.length} file(s): ${files.join(', ')}${r.changedFiles.length > files.length ? ', …' : ''}` : 'nothing'} |`,
      '',
      '<details open><summary>Final message</summary>',
      '',
      '````text',
      message.replace(/````/g, '```\u200b`'),
      '````',
      '',
      '</details>',
      '',
    ].join('\n'),
  );
}
