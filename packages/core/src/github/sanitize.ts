/**
 * Text from issues and comments goes into the agent's prompt. What a reader of the issue on github.com cannot see
 * must not reach the agent either: that is where instructions are hidden from reviewers ("prompt injection").
 * Every pattern below is bounded, so hostile text costs linear time.
 */

// Zero-width and joiner characters, word joiner and invisible operators, byte-order mark, soft hyphen, bidi
// embeddings, overrides, isolates and marks, Hangul fillers, the Unicode tag block (which spells ASCII invisibly)
// and variation selectors; also U+E000, which marks set-aside code below, so that no text can forge the mark.
const INVISIBLE = new RegExp(
  [
    '[\\u00AD\\u061C\\u115F\\u1160\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\u3164\\uE000\\uFEFF\\uFFA0]',
    '[\\u{FE00}-\\u{FE0F}]',
    '[\\u{E0000}-\\u{E007F}]',
    '[\\u{E0100}-\\u{E01EF}]',
  ].join('|'),
  'gu',
);

// An HTML comment as browsers end it: `<!-->` and `<!--->` are complete; an unterminated one hides the rest.
const HTML_COMMENT = /<!--(?:>|->|[\s\S]*?(?:--!?>|$))/g;
// An opening tag: a name and up to 50 attributes, each value quoted (may hold `>`) or bare.
const OPEN_TAG =
  /<([a-zA-Z][a-zA-Z0-9-]{0,30})((?:\s+[^\s"'<>/=]{1,100}(?:\s*=\s*(?:"[^"]{0,2000}"|'[^']{0,2000}'|[^\s"'<>]{1,2000}))?){0,50})\s*\/?>/g;
const HIDING_ATTRIBUTE =
  /(?:^|\s)hidden(?:\s|=|$)|style\s*=\s*["']?[^"'>]{0,2000}?(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0)/i;
const INERT_TAGS = new Set(['template', 'noscript', 'script', 'style']);
// Markdown link reference definitions (`[x]: http://... "title"`, parts may sit on the next line) render as nothing.
const LINK_DEFINITION =
  /^ {0,3}\[[^\]\n]{1,999}\]:[ \t]*\n?[ \t]*\S+(?:(?:[ \t]+|[ \t]*\n[ \t]*)(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*$/gm;
// Code shows its text literally: fenced blocks and inline spans are kept as they are.
const CODE = /^(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^\1[ \t]*$|(?![\s\S]))|(`+)[^`\n]{1,5000}?\2(?!`)/gm;

/** Drops every element a renderer hides, with all it contains (nested elements of the same name included). */
function dropHiddenElements(text: string): string {
  let out = '';
  let from = 0;
  OPEN_TAG.lastIndex = 0;
  for (let m = OPEN_TAG.exec(text); m; m = OPEN_TAG.exec(text)) {
    const name = m[1].toLowerCase();
    if (!INERT_TAGS.has(name) && !HIDING_ATTRIBUTE.test(m[2])) continue;
    out += text.slice(from, m.index);
    const end = matchingClose(text, name, OPEN_TAG.lastIndex);
    from = end;
    OPEN_TAG.lastIndex = end;
  }
  return out + text.slice(from);
}

/** Where the element opened before `start` ends: after its matching close tag, or the end of the text. */
function matchingClose(text: string, name: string, start: number): number {
  const tags = new RegExp(`<(/?)${name}\\b[^>]{0,2000}>`, 'gi');
  tags.lastIndex = start;
  let depth = 1;
  for (let m = tags.exec(text); m; m = tags.exec(text)) {
    depth += m[1] ? -1 : m[0].endsWith('/>') ? 0 : 1;
    if (depth === 0) return tags.lastIndex;
  }
  return text.length;
}

/** The text as a reader sees it on github.com, minus what only machines see. */
export function sanitizeForPrompt(text: string): string {
  const visible = text.replace(/\r\n?/g, '\n').replace(INVISIBLE, '');
  // Code is set aside so that markup shown literally in it survives, then put back.
  const code: string[] = [];
  let out = visible.replace(CODE, (c) => `\uE000${code.push(c) - 1}\uE000`);
  for (let i = 0; i < 10; i++) {
    const next = dropHiddenElements(out.replace(HTML_COMMENT, ''));
    if (next === out) break;
    out = next;
  }
  out = out.replace(LINK_DEFINITION, '').replace(/\uE000(\d+)\uE000/g, (_, n: string) => code[Number(n)] ?? '');
  return out.replace(/\n{3,}/g, '\n\n').trim();
}
