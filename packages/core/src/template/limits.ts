/*
 * Bounds that keep one template from exhausting memory or the JS stack; README.md ("Limits") documents them.
 * Go has no output bound, and grows its stack where JS cannot, so these are the engine's own.
 */

/** Characters one execution may produce (64 Mi); also the longest string a function may return. */
export const MAX_OUTPUT_CHARS = 64 * 1024 * 1024;

/**
 * Nesting of {{if}}, {{range}}, {{with}}, {{block}}, {{else if}} and parentheses, a parenthesis counting as two
 * levels (evaluating one takes about twice the stack). Go allows 10000 levels of parentheses and any nesting of
 * control structures; the parser and executor here recurse per level, and 1000 levels leave room on a default
 * Node.js stack for the callers and the functions a template calls. A caller already deep in its own stack may
 * still run out first: that is reported as "nested too deeply", never as a crash.
 */
export const MAX_NESTING_DEPTH = 1000;

/**
 * {{template}} calls in one execution. A chain of templates that each call the next twice runs 2^n calls: this
 * stops it in about a second even when it prints nothing (the output limit alone would let it run for minutes).
 */
export const MAX_TEMPLATE_CALLS = 1_000_000;

export function describeOutputLimit(): string {
  return `${MAX_OUTPUT_CHARS / (1024 * 1024)} Mi characters`;
}
