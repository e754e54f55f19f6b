/**
 * Executes parse trees with text/template's semantics (exec.go). The current node is tracked
 * exactly where Go tracks it, because Go's error messages quote that node as their context.
 *
 * Values follow values.ts. One more distinction matters here: a value read out of a map or an
 * []interface{} is still "interface-typed" until a pipeline stage finishes; Go then names its
 * type "interface {}" in errors and keeps nil as a typed nil. That flag travels beside values.
 */
import {
  NodeType,
  nodeString,
  type AnyNode,
  type ArgNode,
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  type ItemNode,
  type ListNode,
  type NumberNode,
  type PipeNode,
  type TemplateNode,
  type VariableNode,
} from './ast.js';
import { TemplateError, locate } from './errors.js';
import { formatValue, sprintf } from './fmt.js';
import { canBeNil, goTypeString, type GoType, type TemplateFunc } from './funcs.js';
import { quote } from './quote.js';
import { lookupMethod, type MethodSpec } from './time.js';
import { canonical } from './unicode.js';
import {
  GoComplex,
  GoFloat,
  GoNamedInt,
  GoNilPointer,
  GoStruct,
  Kind,
  NO_VALUE,
  isStringMap,
  isStringSlice,
  isTrue,
  kindOf,
  mapGet,
  sortedKeys,
  stringMap,
  stringSlice,
  typeName,
  type GoMap,
} from './values.js';

/** Marks "no value piped in" (Go's missingVal), distinct from a piped-in missing value. */
const NO_FINAL: unique symbol = Symbol('no final');
type Final = unknown;

const BREAK = 1;
const CONTINUE = 2;

/**
 * Go's maxExecDepth. A JS stack runs out long before it; that overflow is reported with Go's
 * message at the innermost {{template}} call, which is what Go says for runaway recursion.
 */
const MAX_EXEC_DEPTH = 100000;

const exportedCache = new Map<string, boolean>();

/** Whether a struct field name is exported (starts with an upper-case letter). */
function isExported(name: string): boolean {
  let r = exportedCache.get(name);
  if (r === undefined) {
    r = /^\p{Lu}/u.test(name);
    exportedCache.set(name, r);
  }
  return r;
}

interface Variable {
  name: string;
  value: unknown;
  /** True when the value is still interface-typed (see the file comment). */
  iface: boolean;
}

export interface ExecContext {
  /** The name given to parseTemplate: error locations use it. */
  parseName: string;
  text: string;
  trees: ReadonlyMap<string, ListNode>;
}

function isHexInt(s: string): boolean {
  return s.length > 2 && s[0] === '0' && (s[1] === 'x' || s[1] === 'X') && !/[pP]/.test(s);
}

function intOf(b: bigint): number | bigint {
  const n = Number(b);
  return Number.isSafeInteger(n) ? n : b;
}

function floatOf(f: number): number | GoFloat {
  return Number.isInteger(f) ? new GoFloat(f) : f;
}

function zeroOf(t: GoType): unknown {
  if (t === 'reflect.Value') return NO_VALUE;
  if (t === '[]string') return stringSlice([]);
  if (t.startsWith('[]')) return [];
  if (t === 'map[string]string') return stringMap({});
  if (t.startsWith('map[')) return {};
  if (t.startsWith('*')) return new GoNilPointer(t.slice(1));
  return null;
}

function isIntType(t: GoType): boolean {
  return t === 'int' || t === 'int64' || t === 'int32' || t === 'int16' || t === 'int8';
}

function isUintType(t: GoType): boolean {
  return t === 'uint' || t === 'uint64' || t === 'uint32' || t === 'uint16' || t === 'uint8' || t === 'uintptr';
}

/** Wraps engine errors so they pass through the catch that turns function exceptions into "error calling". */
class Failure {
  constructor(readonly error: TemplateError) {}
}

class State {
  out = '';
  private node: AnyNode | null = null;
  private vars: Variable[];
  private depth = 0;
  private tmplName: string;
  /** Side channel: whether the value just produced by a field, variable or dot is interface-typed. */
  private iface = false;
  /** Where the JS stack overflowed, recorded on the way out (allocating there could overflow again). */
  private overflow: { node: TemplateNode; tmplName: string } | null = null;

  constructor(
    private readonly ctx: ExecContext,
    name: string,
    data: unknown,
  ) {
    this.tmplName = name;
    this.vars = [{ name: '$', value: data, iface: false }];
  }

  run(root: ListNode, dot: unknown): string {
    try {
      this.walk(dot, false, root);
    } catch (e) {
      let failure = e;
      if (e instanceof RangeError && this.overflow) {
        this.node = this.overflow.node;
        this.tmplName = this.overflow.tmplName;
        try {
          this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
        } catch (f) {
          failure = f;
        }
      }
      if (failure instanceof Failure) {
        failure.error.partialOutput = canonical(this.out);
        throw failure.error;
      }
      throw failure;
    }
    return canonical(this.out);
  }

  private errorf(message: string): never {
    const node = this.node;
    if (node === null)
      throw new Failure(TemplateError.plain(this.ctx.parseName, `template: ${this.tmplName}: ${message}`));
    const loc = locate(this.ctx.text, node.pos);
    throw new Failure(TemplateError.exec(this.ctx.parseName, loc, this.tmplName, nodeString(node), message));
  }

  // Variables.

  private push(name: string, value: unknown, iface: boolean): void {
    this.vars.push({ name, value, iface });
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i] = { name, value, iface: false };
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown, iface: boolean): void {
    const v = this.vars[this.vars.length - n];
    this.vars[this.vars.length - n] = { name: v.name, value, iface };
  }

  private varValue(name: string): Variable {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i];
    this.errorf(`undefined variable: ${name}`);
  }

  // Walking.

  private walk(dot: unknown, di: boolean, node: ItemNode | ListNode): number {
    this.node = node;
    switch (node.type) {
      case NodeType.Text:
        this.out += node.text;
        return 0;
      case NodeType.Action: {
        const val = this.evalPipeline(dot, di, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return 0;
      }
      case NodeType.List: {
        const nodes = node.nodes;
        for (let i = 0; i < nodes.length; i++) {
          const r = this.walk(dot, di, nodes[i]);
          if (r !== 0) return r;
        }
        return 0;
      }
      case NodeType.If:
      case NodeType.With:
        return this.walkIfOrWith(dot, di, node);
      case NodeType.Range:
        return this.walkRange(dot, di, node);
      case NodeType.Template:
        this.walkTemplate(dot, di, node);
        return 0;
      case NodeType.Break:
        return BREAK;
      case NodeType.Continue:
        return CONTINUE;
    }
  }

  private walkIfOrWith(dot: unknown, di: boolean, node: BranchNode): number {
    const mark = this.vars.length;
    const val = this.evalPipeline(dot, di, node.pipe);
    let r = 0;
    if (isTrue(val)) {
      r = node.type === NodeType.With ? this.walk(val, false, node.list) : this.walk(dot, di, node.list);
    } else if (node.elseList) {
      r = this.walk(dot, di, node.elseList);
    }
    this.vars.length = mark;
    return r;
  }

  private walkRange(dot: unknown, di: boolean, r: BranchNode): number {
    this.node = r;
    const outer = this.vars.length;
    const val = this.evalPipeline(dot, di, r.pipe);
    const mark = this.vars.length;
    const ndecl = r.pipe.decl.length;
    const iteration = (index: unknown, elem: unknown, elemIface: boolean): number => {
      if (ndecl > 0) this.setTopVar(1, elem, elemIface);
      if (ndecl > 1) this.setTopVar(2, index, false);
      const res = this.walk(elem, elemIface, r.list);
      this.vars.length = mark;
      return res;
    };
    let ranOnce = false;
    switch (kindOf(val)) {
      case Kind.Slice: {
        const a = val as readonly unknown[];
        const elemIface = !isStringSlice(a);
        for (let i = 0; i < a.length; i++) {
          ranOnce = true;
          const e = a[i];
          if (iteration(i, e === undefined ? null : e, elemIface) === BREAK) break;
        }
        break;
      }
      case Kind.Map: {
        const m = val as GoMap;
        const elemIface = !isStringMap(m);
        for (const k of sortedKeys(m)) {
          ranOnce = true;
          const e = mapGet(m, k);
          if (iteration(k, e === undefined ? null : e, elemIface) === BREAK) break;
        }
        break;
      }
      case Kind.Invalid:
        break;
      default:
        this.errorf(`range can't iterate over ${sprintf('%v', val)}`);
    }
    let res = 0;
    // Go's walkRange recovers only walkBreak: a {{continue}} in the else branch reaches the enclosing range.
    if (!ranOnce && r.elseList && this.walk(dot, di, r.elseList) === CONTINUE) res = CONTINUE;
    this.vars.length = outer;
    return res;
  }

  private walkTemplate(dot: unknown, di: boolean, t: TemplateNode): void {
    this.node = t;
    const root = this.ctx.trees.get(t.name);
    if (root === undefined) this.errorf(`template ${quote(t.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = this.evalPipeline(dot, di, t.pipe);
    const savedVars = this.vars;
    const savedName = this.tmplName;
    const savedNode = this.node;
    this.vars = [{ name: '$', value: newDot, iface: false }];
    this.tmplName = t.name;
    this.depth++;
    try {
      this.walk(newDot, false, root);
    } catch (e) {
      if (e instanceof RangeError && this.overflow === null) this.overflow = { node: t, tmplName: savedName };
      throw e;
    } finally {
      this.depth--;
      this.vars = savedVars;
      this.tmplName = savedName;
    }
    this.node = savedNode;
  }

  private printValue(node: AnyNode, v: unknown): void {
    this.node = node;
    if (typeof v === 'string') {
      this.out += v;
      return;
    }
    if (kindOf(v) === Kind.Func) this.errorf(`can't print ${nodeString(node)} of type ${typeName(v)}`);
    this.out += formatValue(v);
  }

  // Evaluation.

  private evalPipeline(dot: unknown, di: boolean, pipe: PipeNode | null): unknown {
    if (pipe === null) return NO_VALUE;
    this.node = pipe;
    let value: unknown = NO_FINAL;
    const cmds = pipe.cmds;
    for (let i = 0; i < cmds.length; i++) {
      value = this.evalCommand(dot, di, cmds[i], value);
      // Unwrapping the interface{} turns a nil element into "no value".
      if (value === null || value === undefined) value = NO_VALUE;
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0], value);
      else this.push(v.ident[0], value, false);
    }
    return value;
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== NO_FINAL)
      this.errorf(`can't give argument to non-function ${nodeString(args[0])}`);
  }

  private evalCommand(dot: unknown, di: boolean, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0];
    switch (first.type) {
      case NodeType.Field:
        this.node = first;
        return this.evalFieldChain(dot, dot, di, first, first.ident, 0, cmd.args, final);
      case NodeType.Chain:
        return this.evalChainNode(dot, di, first, cmd.args, final);
      case NodeType.Identifier:
        return this.evalFunction(dot, di, first, cmd, cmd.args, final);
      case NodeType.Pipe:
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, di, first);
      case NodeType.Variable:
        return this.evalVariableNode(dot, di, first, cmd.args, final);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case NodeType.Bool:
        return first.value;
      case NodeType.Dot:
        return dot;
      case NodeType.Nil:
        return this.errorf('nil is not a command');
      case NodeType.Number:
        return this.idealConstant(first);
      case NodeType.String:
        return first.text;
    }
  }

  private idealConstant(n: NumberNode): unknown {
    this.node = n;
    if (n.isComplex) return new GoComplex(n.re, n.im);
    if (n.isFloat && !isHexInt(n.text) && n.text[0] !== "'" && /[.eEpP]/.test(n.text)) return floatOf(n.float64);
    if (n.isInt) return intOf(n.int64);
    if (n.isUint) this.errorf(`${n.text} overflows int`);
    return NO_VALUE;
  }

  private evalChainNode(dot: unknown, di: boolean, chain: ChainNode, args: readonly ArgNode[] | null, final: Final) {
    this.node = chain;
    if (chain.node.type === NodeType.Nil) this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.evalArg(dot, di, null, chain.node);
    return this.evalFieldChain(dot, receiver, this.iface, chain, chain.field, 0, args, final);
  }

  private evalVariableNode(
    dot: unknown,
    di: boolean,
    v: VariableNode,
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    this.node = v;
    const variable = this.varValue(v.ident[0]);
    if (v.ident.length === 1) {
      this.notAFunction(args ?? [v], final);
      this.iface = variable.iface;
      return variable.value;
    }
    return this.evalFieldChain(dot, variable.value, variable.iface, v, v.ident, 1, args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    recvIface: boolean,
    node: FieldNode | ChainNode | VariableNode,
    ident: readonly string[],
    start: number,
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    const n = ident.length;
    for (let i = start; i < n - 1; i++) {
      receiver = this.evalField(dot, node, ident[i], null, NO_FINAL, receiver, recvIface);
      recvIface = this.iface;
    }
    return this.evalField(dot, node, ident[n - 1], args, final, receiver, recvIface);
  }

  /** Reads one field (or map key) of the receiver; sets this.iface for the result. */
  private evalField(
    dot: unknown,
    node: FieldNode | ChainNode | VariableNode,
    fieldName: string,
    args: readonly ArgNode[] | null,
    final: Final,
    receiver: unknown,
    recvIface: boolean,
  ): unknown {
    this.iface = false;
    if (receiver === NO_VALUE) return NO_VALUE;
    if (receiver === null || receiver === undefined) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const typ = recvIface ? 'interface {}' : typeName(receiver);
    const kind = kindOf(receiver);
    if (kind === Kind.Time || receiver instanceof GoNamedInt) {
      // Go looks methods up before fields.
      const method = lookupMethod(receiver, fieldName);
      if (method === 'unsupported') {
        this.errorf(`can't call method ${fieldName} on type ${typeName(receiver)}: not supported by this engine`);
      }
      if (method !== undefined) return this.evalMethod(dot, node, receiver, method, fieldName, args, final);
    }
    const hasArgs = (args !== null && args.length > 1) || final !== NO_FINAL;
    switch (kind) {
      case Kind.Struct: {
        const fields = (receiver as GoStruct).fields;
        if (!Object.prototype.hasOwnProperty.call(fields, fieldName)) break;
        if (!isExported(fieldName)) this.errorf(`${fieldName} is an unexported field of struct type ${typ}`);
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        const v = fields[fieldName];
        if (v === null || v === undefined) {
          this.iface = true;
          return null;
        }
        return v;
      }
      case Kind.Map: {
        if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
        const v = mapGet(receiver as GoMap, fieldName);
        this.iface = v !== NO_VALUE && !isStringMap(receiver as GoMap);
        return v === undefined ? null : v;
      }
      case Kind.NilPointer: {
        // Go names the nil pointer only for fields the struct really has.
        const known = (receiver as GoNilPointer).fieldNames;
        if (!known || known.includes(fieldName)) this.errorf(`nil pointer evaluating ${typ}.${fieldName}`);
        break;
      }
      case Kind.Time:
        if (fieldName === 'wall' || fieldName === 'ext' || fieldName === 'loc') {
          this.errorf(`${fieldName} is an unexported field of struct type ${typ}`);
        }
        break;
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
  }

  private evalMethod(
    dot: unknown,
    node: AnyNode,
    receiver: unknown,
    method: MethodSpec,
    name: string,
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    const impl = method.fn as ((recv: unknown, ...a: unknown[]) => unknown) | undefined;
    const fn = {
      name,
      params: method.params,
      fn: (...a: unknown[]) => (impl as (recv: unknown, ...a: unknown[]) => unknown)(receiver, ...a),
    } as unknown as TemplateFunc;
    return this.evalCall(dot, false, fn, node, name, args, final, method.badResults);
  }

  private evalFunction(
    dot: unknown,
    di: boolean,
    node: IdentifierNode,
    cmd: CommandNode | IdentifierNode,
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    this.node = node;
    return this.evalCall(dot, di, node.fn, cmd, node.ident, args, final);
  }

  private evalCall(
    dot: unknown,
    di: boolean,
    fn: TemplateFunc,
    node: AnyNode,
    name: string,
    args: readonly ArgNode[] | null,
    final: Final,
    badResults?: number,
  ): unknown {
    const nargs = args === null ? 0 : args.length - 1;
    const hasFinal = final !== NO_FINAL;
    const numIn = nargs + (hasFinal ? 1 : 0);
    const params = fn.params;
    let numFixed = nargs;
    if (fn.variadic !== undefined) {
      numFixed = params.length;
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${nargs}`);
    } else if (numIn !== params.length) {
      this.errorf(`wrong number of args for ${name}: want ${params.length} got ${numIn}`);
    }
    if (badResults !== undefined) this.errorf(`can't call method/function ${quote(name)} with ${badResults} results`);

    if (fn.special === 'and' || fn.special === 'or') {
      let v: unknown = NO_VALUE;
      for (let i = 1; i <= nargs; i++) {
        v = this.evalArg(dot, di, 'reflect.Value', (args as readonly ArgNode[])[i]);
        if (isTrue(v) === (fn.special === 'or')) return v;
      }
      if (hasFinal) v = this.validateType(final, 'reflect.Value');
      return v;
    }

    const argv: unknown[] = new Array(numIn);
    const ifaces: boolean[] | null = fn.special === 'rawArgs' ? new Array(numIn).fill(false) : null;
    let i = 0;
    for (; i < numFixed && i < nargs; i++) {
      argv[i] = this.evalArg(dot, di, params[i], (args as readonly ArgNode[])[i + 1]);
      if (ifaces) ifaces[i] = this.iface;
    }
    if (fn.variadic !== undefined) {
      for (; i < nargs; i++) {
        argv[i] = this.evalArg(dot, di, fn.variadic, (args as readonly ArgNode[])[i + 1]);
        if (ifaces) ifaces[i] = this.iface;
      }
    }
    if (hasFinal) {
      let t: GoType;
      if (fn.variadic !== undefined) t = numIn - 1 < numFixed ? params[numIn - 1] : fn.variadic;
      else t = params[params.length - 1];
      argv[i] = this.validateType(final, t);
    }
    let result: unknown;
    try {
      const call = fn.fn as unknown as (...a: unknown[]) => unknown;
      result = ifaces ? call(argv, ifaces) : call(...argv);
    } catch (e) {
      if (e instanceof Failure || e instanceof RangeError) throw e;
      this.node = node;
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : sprintf('%v', e)}`);
    }
    return result === undefined ? null : result;
  }

  /** Checks a computed value against a parameter type like Go's validateType. */
  private validateType(value: unknown, typ: GoType | null): unknown {
    if (value === NO_VALUE) {
      if (typ === null) return NO_VALUE;
      if (typ === 'any') return null;
      if (canBeNil(typ)) return zeroOf(typ);
      this.errorf(`invalid value; expected ${goTypeString(typ)}`);
    }
    if (typ === null || typ === 'any' || typ === 'reflect.Value') return value;
    if (value === null || value === undefined) {
      this.errorf(`wrong type for value; expected ${goTypeString(typ)}; got interface {}`);
    }
    const actual = typeName(value);
    if (actual === typ) return value;
    this.errorf(`wrong type for value; expected ${goTypeString(typ)}; got ${actual}`);
  }

  /** Evaluates an argument for a parameter of type typ (null: untyped, as for a chain's receiver). */
  private evalArg(dot: unknown, di: boolean, typ: GoType | null, n: ArgNode): unknown {
    this.node = n;
    let v: unknown;
    let iface = false;
    switch (n.type) {
      case NodeType.Dot:
        v = this.validateType(dot, typ);
        this.iface = di;
        return v;
      case NodeType.Nil:
        if (typ !== null && canBeNil(typ)) {
          this.iface = false;
          return zeroOf(typ);
        }
        return this.errorf(`cannot assign nil to ${typ === null ? '<nil>' : goTypeString(typ)}`);
      case NodeType.Field:
        v = this.evalFieldChain(dot, dot, di, n, n.ident, 0, null, NO_FINAL);
        iface = this.iface;
        v = this.validateType(v, typ);
        this.iface = iface;
        return v;
      case NodeType.Variable:
        v = this.evalVariableNode(dot, di, n, null, NO_FINAL);
        iface = this.iface;
        v = this.validateType(v, typ);
        this.iface = iface;
        return v;
      case NodeType.Pipe:
        v = this.validateType(this.evalPipeline(dot, di, n), typ);
        this.iface = false;
        return v;
      case NodeType.Identifier:
        v = this.validateType(this.evalFunction(dot, di, n, n, null, NO_FINAL), typ);
        this.iface = false;
        return v;
      case NodeType.Chain:
        v = this.evalChainNode(dot, di, n, null, NO_FINAL);
        iface = this.iface;
        v = this.validateType(v, typ);
        this.iface = iface;
        return v;
    }
    this.iface = false;
    if (typ === null || typ === 'any' || typ === 'reflect.Value') return this.evalEmptyInterface(n);
    if (typ === 'bool') {
      if (n.type === NodeType.Bool) return n.value;
      this.errorf(`expected bool; found ${nodeString(n)}`);
    }
    if (typ === 'string') {
      if (n.type === NodeType.String) return n.text;
      this.errorf(`expected string; found ${nodeString(n)}`);
    }
    if (typ === 'time.Duration') {
      if (n.type === NodeType.Number && n.isInt) return new GoNamedInt('time.Duration', n.int64);
      this.errorf(`expected integer; found ${nodeString(n)}`);
    }
    if (isIntType(typ)) {
      if (n.type === NodeType.Number && n.isInt) return intOf(n.int64);
      this.errorf(`expected integer; found ${nodeString(n)}`);
    }
    if (isUintType(typ)) {
      if (n.type === NodeType.Number && n.isUint) return intOf(n.uint64);
      this.errorf(`expected unsigned integer; found ${nodeString(n)}`);
    }
    if (typ === 'float64' || typ === 'float32') {
      if (n.type === NodeType.Number && n.isFloat) return floatOf(n.float64);
      this.errorf(`expected float; found ${nodeString(n)}`);
    }
    if (typ === 'complex128' || typ === 'complex64') {
      if (n.type === NodeType.Number && n.isComplex) return new GoComplex(n.re, n.im);
      this.errorf(`expected complex; found ${nodeString(n)}`);
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${goTypeString(typ)}`);
  }

  private evalEmptyInterface(n: ArgNode): unknown {
    this.node = n;
    switch (n.type) {
      case NodeType.Bool:
        return n.value;
      case NodeType.Number:
        return this.idealConstant(n);
      case NodeType.String:
        return n.text;
    }
    this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }
}

/** Runs the named template of a parsed set; throws TemplateError on failure. */
export function execute(ctx: ExecContext, name: string, data: unknown): string {
  const root = ctx.trees.get(name);
  const dot = data === null || data === undefined ? NO_VALUE : data;
  if (root === undefined) {
    throw TemplateError.plain(
      ctx.parseName,
      `template: no template ${quote(name)} associated with template ${quote(ctx.parseName)}`,
    );
  }
  return new State(ctx, name, dot).run(root, dot);
}
