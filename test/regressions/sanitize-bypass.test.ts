import { describe, expect, it } from '@jest/globals';
import { sanitizeForPrompt } from '../../packages/core/src/github/sanitize.js';

// Each input renders on github.com (or in a browser) without the word SECRET visible; the sanitiser's contract is
// that what a reader cannot see does not reach the agent.
describe('hidden text that survives sanitizeForPrompt', () => {
  it('a hidden element containing a nested element of the same tag is dropped whole', () => {
    // Lazy [\s\S]*? stops at the first </div>, the inner one; the rest of the hidden element leaks.
    expect(sanitizeForPrompt('a<div hidden>x<div>inner</div>SECRET</div>b')).not.toContain('SECRET');
  });

  it('a hidden element whose attribute value contains ">" is dropped', () => {
    // [^<>]{0,2000} cannot cross the quoted ">" so the element is not recognised at all.
    expect(sanitizeForPrompt('a<span title="x>y" hidden>SECRET</span>b')).not.toContain('SECRET');
  });

  it('an unquoted style="display:none" is dropped', () => {
    expect(sanitizeForPrompt('a<span style=display:none>SECRET</span>b')).not.toContain('SECRET');
  });

  it('link reference definitions without a space after the colon, or with the title on the next line, are dropped', () => {
    // CommonMark: optional whitespace (incl. one line ending) between ":" and destination and before the title.
    expect(sanitizeForPrompt('Text.\n\n[x]:https://e.example "SECRET"')).not.toContain('SECRET');
    expect(sanitizeForPrompt('Text.\n\n[x]: https://e.example\n"SECRET"')).not.toContain('SECRET');
    expect(sanitizeForPrompt('Text.\n\n[x]:\nhttps://e.example "SECRET"')).not.toContain('SECRET');
  });

  it('the Arabic letter mark (a bidi control like the ones already stripped) is dropped', () => {
    expect(sanitizeForPrompt('a\u061Cb')).toBe('ab');
  });
});

describe('visible text the sanitiser removes', () => {
  it('text after an empty "<!--->" comment (a closed comment per HTML) is kept', () => {
    expect(sanitizeForPrompt('a<!--->visible')).toContain('visible');
  });
  it('an HTML comment shown literally inside inline code is kept', () => {
    expect(sanitizeForPrompt('Use `<!-- x -->` as a marker')).toContain('<!-- x -->');
  });
});

describe('cost', () => {
  // The style alternative `"[^"]*(display…)[^"]*"` is not bounded like the rest: an unterminated quoted style value
  // full of "display:none" backtracks quadratically (1 MB ≈ 74 s measured; 65 KB, one GitHub comment, ≈ 0.2 s).
  it('an unterminated style value of 300 KB is sanitised in well under a second', () => {
    const hostile = '<a style="' + 'display:none '.repeat(23_000);
    const t = Date.now();
    sanitizeForPrompt(hostile);
    expect(Date.now() - t).toBeLessThan(1000);
  }, 60_000);
});
