/**
 * `${{ }}` evaluation for the workflow harness, with @actions/expressions: the contexts as plain JSON turned into
 * expression data, the status functions (success, failure, always, cancelled) bound to the job or step being
 * evaluated, and template tokens (from @actions/workflow-parser) turned into values the way the runner does.
 */
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';

export const CONTEXT_NAMES = [
  'github',
  'env',
  'vars',
  'secrets',
  'inputs',
  'steps',
  'needs',
  'job',
  'jobs',
  'runner',
  'matrix',
  'strategy',
] as const;
export type ContextName = (typeof CONTEXT_NAMES)[number];
export type Contexts = Partial<Record<ContextName, unknown>>;

/**
 * What the status functions answer: at step level, the job's status so far; at job level, the results of the jobs
 * it depends on (all of them, transitively, as the runner checks them).
 */
export interface Status {
  /** A step before (or a needed job) failed. */
  failed: boolean;
  /** Everything before succeeded (skipped needs count as not succeeded). */
  succeeded: boolean;
}

type Data = data.ExpressionData;

/** Plain JSON into expression data (undefined becomes null). */
export function toData(value: unknown): Data {
  return JSON.parse(JSON.stringify(value ?? null), data.reviver) as Data;
}

/** Expression data back into plain JSON. */
export function fromData(value: Data): unknown {
  return JSON.parse(JSON.stringify(value, data.replacer)) as unknown;
}

const fn = (name: string, minArgs: number, maxArgs: number, call: (...a: Data[]) => Data): FunctionDefinition => ({
  name,
  minArgs,
  maxArgs,
  call,
});

function functions(status: Status): Map<string, FunctionDefinition> {
  const list = [
    fn('success', 0, 0, () => new data.BooleanData(status.succeeded && !status.failed)),
    fn('failure', 0, 0, () => new data.BooleanData(status.failed)),
    fn('always', 0, 0, () => new data.BooleanData(true)),
    // Nothing cancels a harness run.
    fn('cancelled', 0, 0, () => new data.BooleanData(false)),
    fn('hashFiles', 1, 255, () => {
      throw new Error('hashFiles() is not supported by the workflow harness (test/flows)');
    }),
  ];
  return new Map(list.map((f) => [f.name.toLowerCase(), f]));
}

/** Evaluates one expression (without `${{ }}`) against the contexts; throws naming the expression on errors. */
export function evaluate(expression: string, contexts: Contexts, status: Status, where = 'expression'): unknown {
  const statusFunctions = functions(status);
  try {
    const lexed = new Lexer(expression).lex();
    const tree = new Parser(lexed.tokens, [...CONTEXT_NAMES], [...statusFunctions.values()]).parse();
    const dict = new data.Dictionary(
      ...CONTEXT_NAMES.map((name) => ({ key: name, value: toData(contexts[name] ?? {}) })),
    );
    return fromData(new Evaluator(tree, dict, statusFunctions).evaluate());
  } catch (err) {
    throw new Error(`${where}: cannot evaluate \${{ ${expression} }}: ${(err as Error).message}`);
  }
}

/** The runner's truthiness: false, 0, -0, NaN, '' and null are false. */
export function truthy(value: unknown): boolean {
  return !(
    value === false ||
    value === 0 ||
    value === '' ||
    value === null ||
    value === undefined ||
    Number.isNaN(value)
  );
}

/** The runner's string coercion of an expression result (objects and arrays as JSON). */
export function asString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return JSON.stringify(value, null, 2);
}

/**
 * A template token as a value: literals as they are, expressions evaluated (a string with text around `${{ }}` is
 * already a `format(...)` expression in the token), mappings and sequences recursively.
 */
export function tokenValue(token: TemplateToken, contexts: Contexts, status: Status, where: string): unknown {
  if (isBasicExpression(token)) return evaluate(token.expression, contexts, status, where);
  if (isString(token)) return token.value;
  if (isBoolean(token)) return token.value;
  if (isNumber(token)) return token.value;
  if (isSequence(token)) return [...token].map((t, i) => tokenValue(t, contexts, status, `${where}[${i}]`));
  if (isMapping(token)) {
    const out: Record<string, unknown> = {};
    for (const { key, value } of token) {
      const k = asString(tokenValue(key, contexts, status, where));
      out[k] = tokenValue(value, contexts, status, `${where}.${k}`);
    }
    return out;
  }
  if (token.templateTokenType === 7) return null;
  throw new Error(`${where}: \${{ insert }} and other template directives are not supported by the harness`);
}

/** A mapping token (env:, with:, outputs:) as strings, the way the runner hands them to a step. */
export function tokenStrings(
  token: TemplateToken | undefined,
  contexts: Contexts,
  status: Status,
  where: string,
): Record<string, string> {
  if (!token) return {};
  const value = tokenValue(token, contexts, status, where);
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: expected a mapping`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asString(v)]));
}
