/**
 * Executes parse trees with text/template's semantics (exec.go). The current node is tracked
 * exactly where Go tracks it, because Go's error messages quote that node as their context.
 *
 * Values follow values.ts. One more distinction matters here: a value read out of a map or an
 * []interface{} is still "interface-typed" until a pipeline stage finishes; Go then names its
 * type "interface {}" in errors and keeps nil as a typed nil. That flag travels beside values.
 */
import { F_A, F_B, F_C, F_POS, NONE, NodeType, STRIDE, type NumberInfo, type Tree } from './ast.js';
import { TemplateError, locate } from './errors.js';
import { formatValue, sprintf } from './fmt.js';
import { canBeNil, goTypeString, type GoType, type TemplateFunc } from './funcs.js';
import { quote } from './quote.js';
import { MAX_OUTPUT_CHARS, MAX_TEMPLATE_CALLS, describeOutputLimit } from './limits.js';
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

/** Pieces of output kept apart before they are joined into one chunk. */
const PIECES_PER_CHUNK = 4096;

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

export interface ExecContext {
  /** The name given to parseTemplate: error locations use it. */
  parseName: string;
  tree: Tree;
  /** Template name to its body (a List node of the tree). */
  trees: ReadonlyMap<string, number>;
  /** Go's Option("missingkey=error"): reading a missing map key through a field chain is an error. */
  missingKeyError?: boolean;
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

/** Argument arrays reused from call to call (see evalCall); one execution at a time uses them. */
const sharedPool: unknown[][] = [];
const sharedParts: string[] = [];
let sharedPoolBusy = false;

class State {
  /**
   * The output, as pieces joined at the end. The array is reused by the next execution (all its
   * slots are '' between executions), so building the output makes no garbage.
   */
  private readonly parts: string[];
  private np = 0;
  /** Characters written so far, bounded by MAX_OUTPUT_CHARS. */
  private written = 0;
  /** {{template}} calls so far, bounded by MAX_TEMPLATE_CALLS. */
  private calls = 0;
  /** Output joined so far, once it took more than PIECES_PER_CHUNK pieces (a huge output of tiny pieces). */
  private chunks: string[] | null = null;
  /** The node being evaluated (NONE before the first one), which errors locate and quote. */
  private node = NONE;
  /** Variables, innermost last: names, values, and whether each value is still interface-typed. */
  private varNames: string[];
  private varValues: unknown[];
  private varIfaces: boolean[];
  private nvars = 1;
  private depth = 0;
  /** Nesting of function calls whose arguments are being evaluated, for argvPool. */
  private callDepth = 0;
  private readonly argvPool: unknown[][];
  /** Whether this execution holds the shared pool (a nested execution, from a function, gets its own). */
  private readonly ownsPool: boolean;
  private tmplName: string;
  /** Side channel: whether the value just produced by a field, variable or dot is interface-typed. */
  private iface = false;
  /** Where the JS stack overflowed, recorded on the way out (allocating there could overflow again). */
  private overflow: { node: number; tmplName: string } | null = null;
  private readonly t: Tree;
  /** The tree's records and child lists. */
  private readonly d: Int32Array;
  private readonly kids: Int32Array;
  private readonly refs: readonly unknown[];

  constructor(
    private readonly ctx: ExecContext,
    name: string,
    data: unknown,
  ) {
    this.tmplName = name;
    this.ownsPool = !sharedPoolBusy;
    this.argvPool = this.ownsPool ? sharedPool : [];
    this.parts = this.ownsPool ? sharedParts : [];
    sharedPoolBusy = true;
    // Room for a few variables from the start, so pushing them does not reallocate.
    this.varNames = ['$', '', '', '', '', '', '', ''];
    this.varValues = [data, undefined, undefined, undefined, undefined, undefined, undefined, undefined];
    this.varIfaces = [false, false, false, false, false, false, false, false];
    this.t = ctx.tree;
    this.d = ctx.tree.d;
    this.kids = ctx.tree.kids;
    this.refs = ctx.tree.refs;
  }

  run(root: number, dot: unknown): string {
    try {
      this.walk(dot, false, root);
    } catch (e) {
      const partial = this.output();
      if (this.ownsPool) sharedPoolBusy = false;
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
        failure.error.partialOutput = canonical(partial);
        throw failure.error;
      }
      if (failure instanceof RangeError && /call stack/i.test(failure.message)) {
        // Outside any {{template}} call: nesting the parser allowed, run from a caller already deep in its stack.
        throw TemplateError.plain(
          this.ctx.parseName,
          `template: ${this.tmplName}: nested too deeply to execute (the JS stack ran out)`,
        );
      }
      throw failure;
    }
    const out = this.output();
    if (this.ownsPool) sharedPoolBusy = false;
    return canonical(out);
  }

  /** The output so far; empties the pieces. */
  private output(): string {
    const parts = this.parts;
    const n = this.np;
    let out: string;
    if (n === 0) out = '';
    else if (n === 1) out = parts[0];
    else {
      // Slots past n are '' (see parts), so joining the whole array is joining the output.
      out = parts.join('');
    }
    // A huge output leaves a huge array: drop it rather than join its empty slots ever after.
    if (parts.length > 4096) parts.length = 0;
    else for (let i = 0; i < n; i++) parts[i] = '';
    this.np = 0;
    if (this.chunks !== null) {
      this.chunks.push(out);
      out = this.chunks.join('');
      this.chunks = null;
    }
    return out;
  }

  /** Adds a piece of output. */
  private append(s: string): void {
    if (this.np === PIECES_PER_CHUNK) {
      const chunks = this.chunks ?? [];
      this.chunks = null;
      chunks.push(this.output());
      this.chunks = chunks;
    }
    this.parts[this.np++] = s;
    if ((this.written += s.length) > MAX_OUTPUT_CHARS) this.outputTooLarge();
  }

  private errorf(message: string): never {
    const node = this.node;
    if (node === NONE)
      throw new Failure(TemplateError.plain(this.ctx.parseName, `template: ${this.tmplName}: ${message}`));
    const loc = locate(this.t.text, this.d[node * STRIDE + F_POS]);
    throw new Failure(TemplateError.exec(this.ctx.parseName, loc, this.tmplName, this.t.nodeString(node), message));
  }

  // Node fields.

  private type(n: number): number {
    return this.d[n * STRIDE];
  }

  private a(n: number): number {
    return this.d[n * STRIDE + F_A];
  }

  private b(n: number): number {
    return this.d[n * STRIDE + F_B];
  }

  /** The first argument of a command (its function or value). */
  private arg0(cmd: number): number {
    return this.kids[this.d[cmd * STRIDE + F_A]];
  }

  /** Number of arguments after the first one; cmd NONE stands for no command (Go's nil args). */
  private nargs(cmd: number): number {
    return cmd === NONE ? 0 : this.d[cmd * STRIDE + F_B] - 1;
  }

  private ident(n: number): readonly string[] {
    return this.refs[this.d[n * STRIDE + (this.d[n * STRIDE] === NodeType.Chain ? F_B : F_A)]] as readonly string[];
  }

  private num(n: number): NumberInfo {
    return this.refs[this.d[n * STRIDE + F_A]] as NumberInfo;
  }

  // Variables.

  private push(name: string, value: unknown, iface: boolean): void {
    const i = this.nvars++;
    this.varNames[i] = name;
    this.varValues[i] = value;
    this.varIfaces[i] = iface;
  }

  /** Drops the variables above mark (their values too, for the garbage collector). */
  private pop(mark: number): void {
    for (let i = mark; i < this.nvars; i++) this.varValues[i] = undefined;
    this.nvars = mark;
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.nvars - 1; i >= 0; i--) {
      if (this.varNames[i] === name) {
        this.varValues[i] = value;
        this.varIfaces[i] = false;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown, iface: boolean): void {
    this.varValues[this.nvars - n] = value;
    this.varIfaces[this.nvars - n] = iface;
  }

  /** The index of the innermost variable of that name. */
  private varIndex(name: string): number {
    for (let i = this.nvars - 1; i >= 0; i--) if (this.varNames[i] === name) return i;
    this.errorf(`undefined variable: ${name}`);
  }

  // Walking.

  private walk(dot: unknown, di: boolean, node: number): number {
    this.node = node;
    const d = this.d;
    const base = node * STRIDE;
    switch (d[base]) {
      case NodeType.Text: {
        this.append(this.refs[d[base + F_A]] as string);
        return 0;
      }
      case NodeType.Action: {
        const pipe = d[base + F_A];
        const val = this.evalPipeline(dot, di, pipe);
        if (d[pipe * STRIDE + F_B] >> 1 === 0) this.printValue(node, val);
        return 0;
      }
      case NodeType.List: {
        const first = d[base + F_A];
        const count = d[base + F_B];
        for (let i = 0; i < count; i++) {
          const r = this.walk(dot, di, this.kids[first + i]);
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
    return 0;
  }

  private walkIfOrWith(dot: unknown, di: boolean, node: number): number {
    const d = this.d;
    const base = node * STRIDE;
    const mark = this.nvars;
    const val = this.evalPipeline(dot, di, d[base + F_A]);
    let r = 0;
    if (isTrue(val)) {
      r = d[base] === NodeType.With ? this.walk(val, false, d[base + F_B]) : this.walk(dot, di, d[base + F_B]);
    } else if (d[base + F_C] !== NONE) {
      r = this.walk(dot, di, d[base + F_C]);
    }
    this.pop(mark);
    return r;
  }

  /** One iteration of a range: sets the declared variables, walks the body, pops what it declared. */
  private iteration(r: number, mark: number, index: unknown, elem: unknown, elemIface: boolean): number {
    const ndecl = this.d[this.d[r * STRIDE + F_A] * STRIDE + F_B] >> 1;
    if (ndecl > 0) this.setTopVar(1, elem, elemIface);
    if (ndecl > 1) this.setTopVar(2, index, false);
    const res = this.walk(elem, elemIface, this.d[r * STRIDE + F_B]);
    this.pop(mark);
    return res;
  }

  private walkRange(dot: unknown, di: boolean, r: number): number {
    this.node = r;
    const outer = this.nvars;
    const val = this.evalPipeline(dot, di, this.d[r * STRIDE + F_A]);
    const mark = this.nvars;
    let ranOnce = false;
    switch (kindOf(val)) {
      case Kind.Slice: {
        const a = val as readonly unknown[];
        const elemIface = !isStringSlice(a);
        for (let i = 0; i < a.length; i++) {
          ranOnce = true;
          const e = a[i];
          if (this.iteration(r, mark, i, e === undefined ? null : e, elemIface) === BREAK) break;
        }
        break;
      }
      case Kind.Map: {
        const m = val as GoMap;
        const elemIface = !isStringMap(m);
        const keys = sortedKeys(m);
        for (let i = 0; i < keys.length; i++) {
          ranOnce = true;
          const e = mapGet(m, keys[i]);
          if (this.iteration(r, mark, keys[i], e === undefined ? null : e, elemIface) === BREAK) break;
        }
        break;
      }
      case Kind.Invalid:
        break;
      default:
        this.errorf(`range can't iterate over ${sprintf('%v', val)}`);
    }
    let res = 0;
    const elseList = this.d[r * STRIDE + F_C];
    // Go's walkRange recovers only walkBreak: a {{continue}} in the else branch reaches the enclosing range.
    if (!ranOnce && elseList !== NONE && this.walk(dot, di, elseList) === CONTINUE) res = CONTINUE;
    this.pop(outer);
    return res;
  }

  private walkTemplate(dot: unknown, di: boolean, t: number): void {
    this.node = t;
    const name = this.refs[this.a(t)] as string;
    const root = this.ctx.trees.get(name);
    if (root === undefined) this.errorf(`template ${quote(name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    if (++this.calls > MAX_TEMPLATE_CALLS) {
      this.errorf(`more than ${MAX_TEMPLATE_CALLS} {{template}} calls in one execution (the limit of this engine)`);
    }
    const newDot = this.evalPipeline(dot, di, this.b(t));
    const savedNames = this.varNames;
    const savedValues = this.varValues;
    const savedIfaces = this.varIfaces;
    const savedCount = this.nvars;
    const savedName = this.tmplName;
    const savedNode = this.node;
    this.varNames = ['$'];
    this.varValues = [newDot];
    this.varIfaces = [false];
    this.nvars = 1;
    this.tmplName = name;
    this.depth++;
    try {
      this.walk(newDot, false, root);
    } catch (e) {
      if (e instanceof RangeError && this.overflow === null) this.overflow = { node: t, tmplName: savedName };
      throw e;
    } finally {
      this.depth--;
      this.varNames = savedNames;
      this.varValues = savedValues;
      this.varIfaces = savedIfaces;
      this.nvars = savedCount;
      this.tmplName = savedName;
    }
    this.node = savedNode;
  }

  private printValue(node: number, v: unknown): void {
    this.node = node;
    if (typeof v === 'string') {
      this.append(v);
      return;
    }
    if (kindOf(v) === Kind.Func) this.errorf(`can't print ${this.t.nodeString(node)} of type ${typeName(v)}`);
    this.append(formatValue(v));
  }

  /*
   * A template that calls others several times each grows its output exponentially: it is stopped at a size
   * no manifest or file needs, with the template being executed named, before memory runs out.
   */
  private outputTooLarge(): never {
    const node = this.node;
    const loc = locate(this.t.text, this.d[node * STRIDE + F_POS]);
    // The node is often a text of a whole file: quote its start only.
    let context = this.t.nodeString(node);
    if (context.length > 40) context = context.slice(0, 40) + '...';
    const message = `output exceeds the limit of ${describeOutputLimit()} for one template execution`;
    throw new Failure(TemplateError.exec(this.ctx.parseName, loc, this.tmplName, context, message));
  }

  // Evaluation.

  private evalPipeline(dot: unknown, di: boolean, pipe: number): unknown {
    if (pipe === NONE) return NO_VALUE;
    this.node = pipe;
    const d = this.d;
    const base = pipe * STRIDE;
    const first = d[base + F_A];
    const ndecl = d[base + F_B] >> 1;
    const ncmds = d[base + F_C];
    let value: unknown = NO_FINAL;
    for (let i = 0; i < ncmds; i++) {
      value = this.evalCommand(dot, di, this.kids[first + ndecl + i], value);
      // Unwrapping the interface{} turns a nil element into "no value".
      if (value === null || value === undefined) value = NO_VALUE;
    }
    if (ndecl > 0) {
      const isAssign = (d[base + F_B] & 1) === 1;
      for (let i = 0; i < ndecl; i++) {
        const name = this.ident(this.kids[first + i])[0];
        if (isAssign) this.setVar(name, value);
        else this.push(name, value, false);
      }
    }
    return value;
  }

  /** Go's notAFunction: cmd NONE means no arguments, and then self is the node to name. */
  private notAFunction(cmd: number, self: number, final: Final): void {
    if (final !== NO_FINAL || (cmd !== NONE && this.d[cmd * STRIDE + F_B] > 1)) {
      this.errorf(`can't give argument to non-function ${this.t.nodeString(cmd === NONE ? self : this.arg0(cmd))}`);
    }
  }

  private evalCommand(dot: unknown, di: boolean, cmd: number, final: Final): unknown {
    const d = this.d;
    const first = this.kids[d[cmd * STRIDE + F_A]];
    const type = d[first * STRIDE];
    switch (type) {
      case NodeType.Field:
        this.node = first;
        return this.evalFieldChain(
          dot,
          dot,
          di,
          first,
          this.refs[d[first * STRIDE + F_A]] as readonly string[],
          0,
          cmd,
          final,
        );
      case NodeType.Chain:
        return this.evalChainNode(dot, di, first, cmd, final);
      case NodeType.Identifier:
        return this.evalFunction(dot, di, first, cmd, cmd, final);
      case NodeType.Pipe:
        this.notAFunction(cmd, first, final);
        return this.evalPipeline(dot, di, first);
      case NodeType.Variable:
        return this.evalVariableNode(dot, di, first, cmd, final);
    }
    this.node = first;
    this.notAFunction(cmd, first, final);
    switch (type) {
      case NodeType.Bool:
        return this.a(first) === 1;
      case NodeType.Dot:
        return dot;
      case NodeType.Nil:
        return this.errorf('nil is not a command');
      case NodeType.Number:
        return this.idealConstant(first);
      case NodeType.String:
        return this.refs[this.b(first)];
    }
    return NO_VALUE;
  }

  private idealConstant(node: number): unknown {
    this.node = node;
    const n = this.num(node);
    if (n.isComplex) return new GoComplex(n.re, n.im);
    if (n.isFloat && n.floatSyntax) return floatOf(n.float64);
    if (n.isInt) return intOf(n.int64);
    if (n.isUint) this.errorf(`${n.text} overflows int`);
    return NO_VALUE;
  }

  private evalChainNode(dot: unknown, di: boolean, chain: number, cmd: number, final: Final): unknown {
    this.node = chain;
    const inner = this.a(chain);
    if (this.type(inner) === NodeType.Nil) {
      this.errorf(`indirection through explicit nil in ${this.t.nodeString(chain)}`);
    }
    const receiver = this.evalArg(dot, di, null, inner);
    return this.evalFieldChain(dot, receiver, this.iface, chain, this.ident(chain), 0, cmd, final);
  }

  private evalVariableNode(dot: unknown, di: boolean, v: number, cmd: number, final: Final): unknown {
    this.node = v;
    const ident = this.refs[this.d[v * STRIDE + F_A]] as readonly string[];
    const i = this.varIndex(ident[0]);
    if (ident.length === 1) {
      this.notAFunction(cmd, v, final);
      this.iface = this.varIfaces[i];
      return this.varValues[i];
    }
    return this.evalFieldChain(dot, this.varValues[i], this.varIfaces[i], v, ident, 1, cmd, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    recvIface: boolean,
    node: number,
    ident: readonly string[],
    start: number,
    cmd: number,
    final: Final,
  ): unknown {
    const n = ident.length;
    for (let i = start; i < n - 1; i++) {
      receiver = this.evalField(dot, node, ident[i], NONE, NO_FINAL, receiver, recvIface);
      recvIface = this.iface;
    }
    return this.evalField(dot, node, ident[n - 1], cmd, final, receiver, recvIface);
  }

  /** Reads one field (or map key) of the receiver; sets this.iface for the result. */
  private evalField(
    dot: unknown,
    node: number,
    fieldName: string,
    cmd: number,
    final: Final,
    receiver: unknown,
    recvIface: boolean,
  ): unknown {
    this.iface = false;
    if (receiver === NO_VALUE) return NO_VALUE;
    if (receiver === null || receiver === undefined) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const kind = kindOf(receiver);
    if (kind === Kind.Map) {
      // The common case first.
      if (final !== NO_FINAL || (cmd !== NONE && this.d[cmd * STRIDE + F_B] > 1)) {
        this.errorf(`${fieldName} is not a method but has arguments`);
      }
      const v = mapGet(receiver as GoMap, fieldName);
      if (v === NO_VALUE && this.ctx.missingKeyError) this.errorf(`map has no entry for key ${quote(fieldName)}`);
      this.iface = v !== NO_VALUE && !isStringMap(receiver as GoMap);
      return v === undefined ? null : v;
    }
    const typ = recvIface ? 'interface {}' : typeName(receiver);
    if (kind === Kind.Time || receiver instanceof GoNamedInt) {
      // Go looks methods up before fields.
      const method = lookupMethod(receiver, fieldName);
      if (method === 'unsupported') {
        this.errorf(`can't call method ${fieldName} on type ${typeName(receiver)}: not supported by this engine`);
      }
      if (method !== undefined) return this.evalMethod(dot, node, receiver, method, fieldName, cmd, final);
    }
    const hasArgs = this.nargs(cmd) > 0 || final !== NO_FINAL;
    switch (kind) {
      case Kind.Struct: {
        const fields = (receiver as GoStruct).fields;
        if (!Object.hasOwn(fields, fieldName)) break;
        if (!isExported(fieldName)) this.errorf(`${fieldName} is an unexported field of struct type ${typ}`);
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        const v = fields[fieldName];
        if (v === null || v === undefined) {
          this.iface = true;
          return null;
        }
        return v;
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
    node: number,
    receiver: unknown,
    method: MethodSpec,
    name: string,
    cmd: number,
    final: Final,
  ): unknown {
    const impl = method.fn as ((recv: unknown, ...a: unknown[]) => unknown) | undefined;
    const fn = {
      name,
      params: method.params,
      fn: (...a: unknown[]) => (impl as (recv: unknown, ...a: unknown[]) => unknown)(receiver, ...a),
    } as unknown as TemplateFunc;
    return this.evalCall(dot, false, fn, node, name, cmd, final, method.badResults);
  }

  /** ident is an Identifier node; at is the node "error calling" errors point at; cmd holds the arguments. */
  private evalFunction(dot: unknown, di: boolean, ident: number, at: number, cmd: number, final: Final): unknown {
    this.node = ident;
    const fn = this.refs[this.b(ident)] as TemplateFunc;
    return this.evalCall(dot, di, fn, at, this.refs[this.a(ident)] as string, cmd, final);
  }

  private evalCall(
    dot: unknown,
    di: boolean,
    fn: TemplateFunc,
    at: number,
    name: string,
    cmd: number,
    final: Final,
    badResults?: number,
  ): unknown {
    const d = this.d;
    const nargs = cmd === NONE ? 0 : d[cmd * STRIDE + F_B] - 1;
    /** Index in kids of the command's first argument (its function). */
    const argBase = cmd === NONE ? 0 : d[cmd * STRIDE + F_A];
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
        v = this.evalArg(dot, di, 'reflect.Value', this.kids[argBase + i]);
        if (isTrue(v) === (fn.special === 'or')) return v;
      }
      if (hasFinal) v = this.validateType(final, 'reflect.Value');
      return v;
    }

    // Argument arrays are reused, one per call depth and size: functions only read them during the
    // call (list forms), or get their own copy (spread calls, Go-like user functions).
    const depth = this.callDepth++;
    const slot = depth * 8 + numIn;
    let argv: unknown[];
    if (numIn < 8 && depth < 32) {
      argv = this.argvPool[slot];
      if (argv === undefined) argv = this.argvPool[slot] = new Array<unknown>(numIn).fill(undefined);
    } else argv = new Array<unknown>(numIn).fill(undefined);
    const ifaces: boolean[] | null = fn.special === 'rawArgs' ? new Array(numIn).fill(false) : null;
    let i = 0;
    for (; i < numFixed && i < nargs; i++) {
      argv[i] = this.evalArg(dot, di, params[i], this.kids[argBase + i + 1]);
      if (ifaces) ifaces[i] = this.iface;
    }
    if (fn.variadic !== undefined) {
      for (; i < nargs; i++) {
        argv[i] = this.evalArg(dot, di, fn.variadic, this.kids[argBase + i + 1]);
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
      if (fn.list !== undefined) result = fn.list(argv);
      else {
        const call = fn.fn as unknown as (...a: unknown[]) => unknown;
        if (ifaces) result = call(argv.slice(), ifaces);
        else if (numIn === 1) result = call(argv[0]);
        else if (numIn === 2) result = call(argv[0], argv[1]);
        else if (numIn === 3) result = call(argv[0], argv[1], argv[2]);
        else result = call(...argv);
      }
    } catch (e) {
      if (e instanceof Failure) throw e;
      this.node = at;
      if (e instanceof RangeError) {
        if (/call stack/i.test(e.message)) throw e;
        // "Invalid string length" and the like: a result past what a JS string can hold.
        this.errorf(`error calling ${name}: result too large (above the limit of ${describeOutputLimit()})`);
      }
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : sprintf('%v', e)}`);
    }
    // Strings built up in variables (printf "%s%s" $x $x, again and again) never reach the output check.
    if (typeof result === 'string' && result.length > MAX_OUTPUT_CHARS) {
      this.node = at;
      this.errorf(`error calling ${name}: result too large (above the limit of ${describeOutputLimit()})`);
    }
    for (let k = 0; k < numIn; k++) argv[k] = undefined;
    this.callDepth = depth;
    return result === undefined ? null : result;
  }

  /** Checks a computed value against a parameter type like Go's validateType. */
  private validateType(value: unknown, typ: GoType | null): unknown {
    if (typ === 'string' && typeof value === 'string') return value;
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
  private evalArg(dot: unknown, di: boolean, typ: GoType | null, n: number): unknown {
    this.node = n;
    let v: unknown;
    let iface = false;
    const type = this.d[n * STRIDE];
    switch (type) {
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
        v = this.evalFieldChain(
          dot,
          dot,
          di,
          n,
          this.refs[this.d[n * STRIDE + F_A]] as readonly string[],
          0,
          NONE,
          NO_FINAL,
        );
        iface = this.iface;
        v = this.validateType(v, typ);
        this.iface = iface;
        return v;
      case NodeType.Variable:
        v = this.evalVariableNode(dot, di, n, NONE, NO_FINAL);
        iface = this.iface;
        v = this.validateType(v, typ);
        this.iface = iface;
        return v;
      case NodeType.Pipe:
        v = this.validateType(this.evalPipeline(dot, di, n), typ);
        this.iface = false;
        return v;
      case NodeType.Identifier:
        v = this.validateType(this.evalFunction(dot, di, n, n, NONE, NO_FINAL), typ);
        this.iface = false;
        return v;
      case NodeType.Chain:
        v = this.evalChainNode(dot, di, n, NONE, NO_FINAL);
        iface = this.iface;
        v = this.validateType(v, typ);
        this.iface = iface;
        return v;
    }
    this.iface = false;
    if (typ === null || typ === 'any' || typ === 'reflect.Value') return this.evalEmptyInterface(n);
    if (typ === 'bool') {
      if (type === NodeType.Bool) return this.a(n) === 1;
      this.errorf(`expected bool; found ${this.t.nodeString(n)}`);
    }
    if (typ === 'string') {
      if (type === NodeType.String) return this.refs[this.b(n)];
      this.errorf(`expected string; found ${this.t.nodeString(n)}`);
    }
    const num = type === NodeType.Number ? this.num(n) : null;
    if (typ === 'time.Duration') {
      if (num !== null && num.isInt) return new GoNamedInt('time.Duration', num.int64);
      this.errorf(`expected integer; found ${this.t.nodeString(n)}`);
    }
    if (isIntType(typ)) {
      if (num !== null && num.isInt) return intOf(num.int64);
      this.errorf(`expected integer; found ${this.t.nodeString(n)}`);
    }
    if (isUintType(typ)) {
      if (num !== null && num.isUint) return intOf(num.uint64);
      this.errorf(`expected unsigned integer; found ${this.t.nodeString(n)}`);
    }
    if (typ === 'float64' || typ === 'float32') {
      if (num !== null && num.isFloat) return floatOf(num.float64);
      this.errorf(`expected float; found ${this.t.nodeString(n)}`);
    }
    if (typ === 'complex128' || typ === 'complex64') {
      if (num !== null && num.isComplex) return new GoComplex(num.re, num.im);
      this.errorf(`expected complex; found ${this.t.nodeString(n)}`);
    }
    this.errorf(`can't handle ${this.t.nodeString(n)} for arg of type ${goTypeString(typ)}`);
  }

  private evalEmptyInterface(n: number): unknown {
    this.node = n;
    switch (this.type(n)) {
      case NodeType.Bool:
        return this.a(n) === 1;
      case NodeType.Number:
        return this.idealConstant(n);
      case NodeType.String:
        return this.refs[this.b(n)];
    }
    this.errorf(`can't handle assignment of ${this.t.nodeString(n)} to empty interface argument`);
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
