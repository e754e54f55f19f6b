import { describe, expect, it } from '@jest/globals';
import { TemplateError } from './errors.js';
import { MAX_NESTING_DEPTH } from './limits.js';
import { parseTemplate } from './template.js';

const nested = (n: number) => '{{if true}}'.repeat(n) + 'x' + '{{end}}'.repeat(n);

/** How many trivial frames fit on the stack from here. */
function freeFrames(n = 0): number {
  try {
    return freeFrames(n + 1);
  } catch {
    return n;
  }
}

/** Calls `body` with only a little room left on the stack. */
function nearStackEnd<T>(frames: number, body: () => T): T {
  return frames === 0 ? body() : nearStackEnd(frames - 1, body);
}

function caught(body: () => unknown): unknown {
  try {
    body();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('nesting limit', () => {
  it('parses and runs nesting up to the limit, and names the limit past it', () => {
    expect(parseTemplate('t', nested(MAX_NESTING_DEPTH)).execute({})).toBe('x');
    const err = caught(() => parseTemplate('t', nested(MAX_NESTING_DEPTH + 1)));
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as Error).message).toMatch(/^template: t:1:\d+: max nesting depth exceeded: more than 1000 levels/);
  });

  it('counts a parenthesis as two levels', () => {
    const parens = (n: number) => '{{len ' + '(print '.repeat(n) + '1' + ')'.repeat(n) + '}}';
    expect(parseTemplate('t', parens(MAX_NESTING_DEPTH / 2)).execute({})).toBe('1');
    expect(() => parseTemplate('t', parens(MAX_NESTING_DEPTH / 2 + 1))).toThrow(/max nesting depth exceeded/);
  });

  it('reports a stack that runs out anyway as a template error, not a RangeError', () => {
    const tmpl = parseTemplate('t', nested(MAX_NESTING_DEPTH));
    const room = Math.floor(freeFrames() * 0.85);
    const execErr = nearStackEnd(room, () => caught(() => tmpl.execute({})));
    expect(execErr).toBeInstanceOf(TemplateError);
    expect((execErr as Error).message).toBe('template: t: nested too deeply to execute (the JS stack ran out)');
    const parseErr = nearStackEnd(room, () => caught(() => parseTemplate('u', nested(MAX_NESTING_DEPTH))));
    expect(parseErr).toBeInstanceOf(TemplateError);
    expect((parseErr as Error).message).toBe('template: u: nested too deeply to parse (the JS stack ran out)');
  });
});
