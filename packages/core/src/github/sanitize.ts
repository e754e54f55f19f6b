/**
 * Text from issues and comments goes into the agent's prompt. What a reader of the issue on github.com cannot see
 * must not reach the agent either: that is where instructions are hidden from reviewers ("prompt injection").
 */

// Zero-width and joiner characters, word joiner and invisible operators, byte-order mark, soft hyphen, bidi
// embeddings, overrides and isolates, the Unicode tag block (which spells ASCII invisibly) and variation selectors.
const INVISIBLE = new RegExp(
  [
    '[\\u00AD\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF]',
    '[\\u{FE00}-\\u{FE0F}]',
    '[\\u{E0000}-\\u{E007F}]',
    '[\\u{E0100}-\\u{E01EF}]',
  ].join('|'),
  'gu',
);

// Block-level and inline HTML a renderer does not show: <!-- --> comments (an unterminated one hides the rest),
// elements with the hidden attribute or an inline style that hides them, and <template>/<noscript> contents.
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
// Tag names and attribute runs are bounded so that text full of unclosed tags costs linear time, not quadratic.
const HIDDEN_ELEMENT =
  /<([a-zA-Z][a-zA-Z0-9-]{0,30})\b[^<>]{0,2000}?(?:\shidden(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?|\sstyle\s*=\s*(?:"[^"]*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0)[^"]*"|'[^']*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0)[^']*'))[^<>]{0,2000}>[\s\S]*?(?:<\/\1\s*>|$)/gi;
const INERT_ELEMENT = /<(template|noscript|script|style)\b[^<>]{0,2000}>[\s\S]*?(?:<\/\1\s*>|$)/gi;
// Markdown link reference definitions (`[x]: http://... "title"`) render as nothing.
const LINK_DEFINITION = /^ {0,3}\[[^\]\n]+\]:[ \t]+\S+(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*$/gm;

/** The text as a reader sees it on github.com, minus what only machines see. */
export function sanitizeForPrompt(text: string): string {
  let out = text.replace(/\r\n?/g, '\n').replace(INVISIBLE, '');
  // Comments first: a hidden element may be wrapped in one and vice versa; repeat until nothing changes.
  for (let i = 0; i < 10; i++) {
    const next = out.replace(HTML_COMMENT, '').replace(HIDDEN_ELEMENT, '').replace(INERT_ELEMENT, '');
    if (next === out) break;
    out = next;
  }
  return out
    .replace(LINK_DEFINITION, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
