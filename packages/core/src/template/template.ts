/** Parse once, execute many times. */
import type { Tree } from './ast.js';
import { builtinFuncs } from './builtins.js';
import { execute, type ExecContext } from './exec.js';
import type { FuncMap, TemplateFunc } from './funcs.js';
import { parse } from './parser.js';

export interface ParseOptions {
  /** Extra functions; they take precedence over builtins of the same name, as in Go. */
  funcs?: FuncMap;
  /** Go's Option("missingkey=..."): "default" prints `<no value>` for a missing map key, "error" fails. */
  missingKey?: 'default' | 'error';
}

/** A parsed template together with the templates it defines. */
export class Template {
  private readonly ctx: ExecContext;

  /** @internal Use parseTemplate. */
  constructor(
    readonly name: string,
    tree: Tree,
    trees: ReadonlyMap<string, number>,
    missingKeyError = false,
  ) {
    this.ctx = { parseName: name, tree, trees, missingKeyError };
  }

  /** Runs the main template; throws TemplateError like Go's Execute would return it. */
  execute(data: unknown): string {
    return execute(this.ctx, this.name, data);
  }

  /** Runs one of the templates defined in the text (Go's ExecuteTemplate). */
  executeTemplate(name: string, data: unknown): string {
    return execute(this.ctx, name, data);
  }

  /** Names of the main template and every defined template. */
  templateNames(): string[] {
    return [...this.ctx.trees.keys()];
  }
}

/** Parses a Go text/template; throws TemplateError (with Go's message) on a syntax error. */
export function parseTemplate(name: string, text: string, options: ParseOptions = {}): Template {
  const funcs = options.funcs ?? {};
  // Functions are resolved while parsing: the map cannot change afterwards, unlike Go's Funcs.
  const findFunction = (fn: string): TemplateFunc | undefined =>
    Object.hasOwn(funcs, fn) ? funcs[fn] : Object.hasOwn(builtinFuncs, fn) ? builtinFuncs[fn] : undefined;
  const { tree, trees } = parse(name, text, findFunction);
  return new Template(name, tree, trees, options.missingKey === 'error');
}
