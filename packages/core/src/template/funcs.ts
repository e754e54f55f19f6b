/**
 * Template functions carry Go-like signatures so the engine can check and convert arguments the
 * way text/template's reflection does, and report Go's errors for wrong arguments.
 */

/**
 * A Go parameter type, written as Go prints it: 'string', 'int', 'float64', 'bool', '[]string',
 * 'map[string]interface {}', 'time.Time', ... Two pseudo types exist: 'any' (interface{}: takes
 * every value, nil as null) and 'reflect.Value' (takes the raw value, including the engine's
 * NO_VALUE marker for a missing value, which builtins such as `len` and `eq` need).
 */
export type GoType = string;

export interface FuncSpec {
  name: string;
  /** Fixed parameters, in order. */
  params: readonly GoType[];
  /** Element type of a trailing variadic parameter (`...T`). */
  variadic?: GoType;
  /** Receives the converted arguments; throw an Error to fail like a Go func returning an error. */
  fn: (...args: never[]) => unknown;
  /** Documents a Go (T, error) result; any thrown error is reported the same way regardless. */
  returnsError?: boolean;
}

/** How the engine must treat a builtin specially. */
export type FuncSpecial = 'and' | 'or' | 'rawArgs';

/** Brands declared functions so a function value in data can be recognised by `call`. */
export const FUNC_BRAND: unique symbol = Symbol.for('codex-k8s.template.func');

export interface TemplateFunc extends Readonly<FuncSpec> {
  readonly special?: FuncSpecial;
  /** Internal: the same function taking all arguments as one array, which the engine prefers. */
  readonly list?: (argv: unknown[]) => unknown;
  readonly [FUNC_BRAND]: true;
}

export function isTemplateFunc(v: unknown): v is TemplateFunc {
  return typeof v === 'object' && v !== null && (v as Partial<TemplateFunc>)[FUNC_BRAND] === true;
}

/** A Go-style signature for messages, e.g. "func(string, ...interface {}) interface {}". */
export function funcTypeString(f: TemplateFunc): string {
  const params = f.params.map(goTypeString);
  if (f.variadic !== undefined) params.push('...' + goTypeString(f.variadic));
  return `func(${params.join(', ')}) interface {}`;
}

export type FuncMap = Readonly<Record<string, TemplateFunc>>;

const IDENT_RE = /^[\p{L}_][\p{L}\p{Nd}_]*$/u;

function isIdentifier(name: string): boolean {
  if (name === '') return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (i > 0 && c >= 0x30 && c <= 0x39);
    if (!ok) return c >= 0x80 && IDENT_RE.test(name);
  }
  return true;
}

/** Declares a template function. The name must be a valid identifier, as Go requires. */
export function defineFunc(spec: FuncSpec): TemplateFunc {
  if (!isIdentifier(spec.name)) throw new Error(`function name ${JSON.stringify(spec.name)} is not a valid identifier`);
  return Object.freeze({ ...spec, params: Object.freeze([...spec.params]), [FUNC_BRAND]: true as const });
}

/**
 * Internal: a builtin, possibly needing special evaluation (short-circuit, or raw arguments with
 * their static types), and possibly with an array-taking form the engine calls instead of fn.
 */
export function defineBuiltin(
  spec: FuncSpec,
  special?: FuncSpecial,
  list?: (argv: unknown[]) => unknown,
): TemplateFunc {
  return Object.freeze({
    ...spec,
    params: Object.freeze([...spec.params]),
    special,
    list,
    [FUNC_BRAND]: true as const,
  });
}

/** Whether Go could assign an untyped nil to a parameter of this type. */
export function canBeNil(t: GoType): boolean {
  return (
    t === 'any' ||
    t === 'reflect.Value' ||
    t.startsWith('[]') ||
    t.startsWith('map[') ||
    t.startsWith('*') ||
    t.startsWith('func') ||
    t.startsWith('chan') ||
    t === 'interface {}' ||
    t === 'error'
  );
}

/** How Go prints the type in messages ("expected %s"). */
export function goTypeString(t: GoType): string {
  return t === 'any' ? 'interface {}' : t;
}
