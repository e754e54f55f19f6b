/**
 * Parser for Go text/template, structured like text/template/parse/parse.go so that it accepts
 * and rejects the same inputs with the same messages.
 */
import {
  NodeType,
  isEmptyTree,
  nodeString,
  type ArgNode,
  type BranchNode,
  type CommandNode,
  type EndNode,
  type ItemNode,
  type ListNode,
  type NumberNode,
  type PipeNode,
  type TemplateNode,
  type VariableNode,
} from './ast.js';
import { TemplateError, locate } from './errors.js';
import type { TemplateFunc } from './funcs.js';
import { Item, lex, tokenString, type Tokens } from './lexer.js';
import { parseFloat64, parseInt64, parseUint } from './literals.js';
import { quote, unquote, unquoteChar } from './quote.js';

/** Thrown inside the parser; converted to a TemplateError at the top. */
class ParseFailure {
  constructor(
    readonly message: string,
    /** Offset of the token whose line Go reports. */
    readonly pos: number,
  ) {}
}

const INVALID_SYNTAX = 'invalid syntax';

const INT64_MIN = -(1n << 63n);
const INT64_LIMIT = 1n << 63n;
const UINT64_LIMIT = 1n << 64n;

function isIntegral64(f: number): boolean {
  return Number.isInteger(f) && f >= -9223372036854775808 && f < 9223372036854775808;
}

function isUintegral64(f: number): boolean {
  return Number.isInteger(f) && f >= 0 && f < 18446744073709551616;
}

function simplifyComplex(n: NumberNode): void {
  n.isFloat = n.im === 0;
  if (n.isFloat) {
    n.float64 = n.re;
    n.isInt = isIntegral64(n.re);
    if (n.isInt) n.int64 = BigInt(n.re);
    n.isUint = isUintegral64(n.re);
    if (n.isUint) n.uint64 = BigInt(n.re);
  }
}

/** Splits "1+2i" into its real and imaginary texts (the sign binds to the imaginary part). */
function splitComplex(text: string): [string, string] | null {
  for (let i = text.length - 2; i > 0; i--) {
    const c = text[i];
    if ((c === '+' || c === '-') && !/[eEpP]/.test(text[i - 1])) return [text.slice(0, i), text.slice(i, -1)];
  }
  return null;
}

function isPlainDecimal(text: string): boolean {
  const c0 = text.charCodeAt(0);
  if (c0 < 0x31 || c0 > 0x39) return text === '0';
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** parse.newNumber: classify a number literal; a string result is Go's error message. */
export function newNumber(pos: number, text: string, type: number): NumberNode | string {
  const n: NumberNode = {
    type: NodeType.Number,
    pos,
    text,
    isInt: false,
    isUint: false,
    isFloat: false,
    isComplex: false,
    int64: 0n,
    uint64: 0n,
    float64: 0,
    re: 0,
    im: 0,
  };
  if (type === Item.Number && text.length <= 15 && isPlainDecimal(text)) {
    // The common case: a decimal integer without sign, prefix, underscores or leading zero.
    const v = Number(text);
    n.int64 = n.uint64 = BigInt(v);
    n.isInt = n.isUint = n.isFloat = true;
    n.float64 = v;
    return n;
  }
  if (type === Item.CharConstant) {
    const r = unquoteChar(text, 1, text.charCodeAt(0));
    if (r === null) return INVALID_SYNTAX;
    if (text.slice(r.next) !== "'") return 'malformed character constant: ' + text;
    n.int64 = n.uint64 = BigInt(r.value);
    n.isInt = n.isUint = n.isFloat = true;
    n.float64 = r.value;
    return n;
  }
  if (type === Item.Complex) {
    const parts = splitComplex(text);
    const re = parts && parseFloat64(parts[0]);
    const im = parts && parseFloat64(parts[1]);
    if (re === null || im === null || re === undefined || im === undefined) return 'expected integer';
    n.isComplex = true;
    n.re = re;
    n.im = im;
    simplifyComplex(n);
    return n;
  }
  if (text.endsWith('i')) {
    const f = parseFloat64(text.slice(0, -1));
    if (f !== null) {
      n.isComplex = true;
      n.im = f;
      simplifyComplex(n);
      return n;
    }
  }
  const u = parseUint(text);
  if (u !== null) {
    n.isUint = true;
    n.uint64 = u;
  }
  const i = parseInt64(text);
  if (i !== null) {
    n.isInt = true;
    n.int64 = i;
    if (i === 0n) {
      n.isUint = true;
      n.uint64 = u ?? 0n;
    }
  }
  if (n.isInt) {
    n.isFloat = true;
    n.float64 = Number(n.int64);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float64 = Number(n.uint64);
  } else {
    const f = parseFloat64(text);
    if (f !== null) {
      if (!/[.eEpP]/.test(text)) return 'integer overflow: ' + quote(text);
      n.isFloat = true;
      n.float64 = f;
      if (isIntegral64(f)) {
        const b = BigInt(f);
        if (b >= INT64_MIN && b < INT64_LIMIT) {
          n.isInt = true;
          n.int64 = b;
        }
      }
      if (isUintegral64(f)) {
        const b = BigInt(f);
        if (b < UINT64_LIMIT) {
          n.isUint = true;
          n.uint64 = b;
        }
      }
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) return 'illegal number syntax: ' + quote(text);
  return n;
}

export interface ParsedSet {
  /** Template name to body, including the main template under its own name. */
  trees: Map<string, ListNode>;
}

/** Per-tree parsing state: Go starts a fresh Tree (with its own token look-ahead) for every define and block. */
interface TreeState {
  vars: string[];
  rangeDepth: number;
  /** Offset of the left delimiter of the action being parsed, -1 outside actions. */
  actionPos: number;
  /** Highest token index this tree read: Go reports errors at the line of its last lexed token. */
  furthest: number;
}

/**
 * Names and short literals repeat across templates (".Values.name", "printf", "%q"): parse trees
 * share one copy of each, and field paths share one array, which keeps parse trees small.
 * The tables are bounded so that odd inputs cannot grow them without limit.
 */
const INTERN_MAX_LENGTH = 64;
const INTERN_MAX_ENTRIES = 20000;
const strings = new Map<string, string>();
const paths = new Map<string, readonly string[]>();

function intern(s: string): string {
  if (s.length > INTERN_MAX_LENGTH) return s;
  const v = strings.get(s);
  if (v !== undefined) return v;
  if (strings.size < INTERN_MAX_ENTRIES) strings.set(s, s);
  return s;
}

/** The identifiers of a field or variable token such as ".a.b" (the dot dropped) or "$x.a". */
function path(text: string): readonly string[] {
  let v = paths.get(text);
  if (v === undefined) {
    const parts = text.indexOf('.') < 0 ? [intern(text)] : text.split('.').map(intern);
    v = Object.freeze(parts);
    if (paths.size < INTERN_MAX_ENTRIES && text.length <= INTERN_MAX_LENGTH) paths.set(text, v);
  }
  return v as string[];
}

/** The list-building stack, shared because parsing cannot be re-entered (it never runs user code). */
const sharedStack: unknown[] = [];
const NO_DECL: VariableNode[] = [];
const NO_CMDS: CommandNode[] = [];
const NO_ARGS: ArgNode[] = [];

class Parser {
  private readonly tokens: Tokens;
  private readonly ty: Uint8Array;
  private readonly st: Int32Array;
  private readonly last: number;
  private idx = 0;
  private state: TreeState = { vars: ['$'], rangeDepth: 0, actionPos: -1, furthest: 0 };
  readonly trees = new Map<string, ListNode>();
  private lineStarts: number[] | undefined;
  /**
   * Lists under construction share one stack, so each finished list is an exact-size copy: arrays
   * grown by push keep spare capacity, which parse trees would hold on to.
   */
  private readonly stack = sharedStack;
  private top = 0;

  private push(x: unknown): void {
    this.stack[this.top++] = x;
  }

  /** Pops the items pushed since base into a new array. */
  private popList<T>(base: number): T[] {
    const out = this.stack.slice(base, this.top) as T[];
    for (let i = base; i < this.top; i++) this.stack[i] = undefined;
    this.top = base;
    return out;
  }

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly findFunction: (name: string) => TemplateFunc | undefined,
  ) {
    this.tokens = lex(text, findFunction('break') === undefined, findFunction('continue') === undefined);
    this.ty = this.tokens.type;
    this.st = this.tokens.start;
    this.last = this.tokens.count - 1;
  }

  /** Lets go of the text held by the shared token list. */
  release(): void {
    this.tokens.input = '';
    this.tokens.error = '';
    // After a failure, lists left half built still hold nodes.
    for (let i = 0; i < this.top; i++) this.stack[i] = undefined;
    this.top = 0;
  }

  // Token stream: tokens are indexes; reading past the end repeats the final EOF or Error token.

  private next(): number {
    let i = this.idx++;
    if (i > this.state.furthest) this.state.furthest = i;
    if (i > this.last) i = this.last;
    return i;
  }

  private peekType(): number {
    const i = this.idx;
    if (i > this.state.furthest) this.state.furthest = i;
    return this.ty[i > this.last ? this.last : i];
  }

  private peekPos(): number {
    const i = this.idx;
    if (i > this.state.furthest) this.state.furthest = i;
    return this.st[i > this.last ? this.last : i];
  }

  private nextNonSpace(): number {
    let i: number;
    do i = this.next();
    while (this.ty[i] === Item.Space);
    return i;
  }

  /** Skips spaces and returns the type of the token after them (not consumed). */
  private peekNonSpaceType(): number {
    const t = this.ty[this.nextNonSpace()];
    this.idx--;
    return t;
  }

  private peekNonSpacePos(): number {
    const p = this.st[this.nextNonSpace()];
    this.idx--;
    return p;
  }

  private val(i: number): string {
    return this.tokens.val(i);
  }

  // Errors.

  private lineOf(pos: number): number {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private errorf(message: string): never {
    const f = this.state.furthest;
    throw new ParseFailure(message, this.st[f > this.last ? this.last : f]);
  }

  private unexpected(token: number, context: string): never {
    const type = this.ty[token];
    if (type === Item.Error) {
      let extra = '';
      const actionLine = this.state.actionPos < 0 ? 0 : this.lineOf(this.state.actionPos);
      if (actionLine !== 0 && actionLine !== this.lineOf(this.st[token])) {
        extra = ` in action started at ${this.name}:${actionLine}`;
        if (this.tokens.error.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(this.tokens.error + extra);
    }
    this.errorf(`unexpected ${tokenString(type, this.val(token))} in ${context}`);
  }

  private expect(type: number, context: string): number {
    const t = this.nextNonSpace();
    if (this.ty[t] !== type) this.unexpected(t, context);
    return t;
  }

  toTemplateError(f: ParseFailure): TemplateError {
    const loc = locate(this.text, f.pos);
    return TemplateError.parse(this.name, { line: this.lineOf(f.pos), col: loc.col }, f.message);
  }

  // Grammar.

  parse(): void {
    const root: ListNode = { type: NodeType.List, pos: this.peekPos(), nodes: [] };
    const base = this.top;
    while (this.peekType() !== Item.EOF) {
      if (this.peekType() === Item.LeftDelim) {
        const mark = this.idx;
        this.next();
        if (this.ty[this.nextNonSpace()] === Item.Define) {
          const saved = this.state;
          this.state = this.treeState();
          this.parseDefinition();
          this.state = saved;
          continue;
        }
        this.idx = mark;
      }
      const n = this.textOrAction();
      if (n.type === NodeType.End || n.type === NodeType.Else) this.errorf('unexpected ' + nodeString(n));
      this.push(n);
    }
    root.nodes = this.popList(base);
    this.add(this.name, root);
  }

  private treeState(): TreeState {
    return { vars: ['$'], rangeDepth: 0, actionPos: -1, furthest: this.state.furthest };
  }

  private add(name: string, root: ListNode): void {
    const existing = this.trees.get(name);
    if (existing === undefined || isEmptyTree(existing)) {
      this.trees.set(name, root);
      return;
    }
    if (!isEmptyTree(root)) this.errorf(`template: multiple definition of template ${quote(name)}`);
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const nameTok = this.nextNonSpace();
    const t = this.ty[nameTok];
    if (t !== Item.String && t !== Item.RawString) this.unexpected(nameTok, context);
    const name = unquote(this.val(nameTok));
    if (name === null) this.errorf(INVALID_SYNTAX);
    this.expect(Item.RightDelim, context);
    const [root, end] = this.itemList();
    if (end.type !== NodeType.End) this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add(name, root);
  }

  /** The items up to an {{end}} or {{else}}, which is returned beside the list. */
  private itemList(): [ListNode, EndNode] {
    const list: ListNode = { type: NodeType.List, pos: this.peekNonSpacePos(), nodes: [] };
    const base = this.top;
    while (this.peekNonSpaceType() !== Item.EOF) {
      const n = this.textOrAction();
      if (n.type === NodeType.End || n.type === NodeType.Else) {
        list.nodes = this.popList(base);
        return [list, n as EndNode];
      }
      this.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): ItemNode | EndNode {
    const token = this.nextNonSpace();
    switch (this.ty[token]) {
      case Item.Text:
        return { type: NodeType.Text, pos: this.st[token], text: this.val(token) };
      case Item.LeftDelim: {
        // A parse failure abandons the whole parse, so no cleanup is needed on that path.
        this.state.actionPos = this.st[token];
        const n = this.action();
        this.state.actionPos = -1;
        return n;
      }
    }
    this.unexpected(token, 'input');
  }

  private action(): ItemNode | EndNode {
    const token = this.nextNonSpace();
    switch (this.ty[token]) {
      case Item.Block:
        return this.blockControl();
      case Item.Break:
        return this.breakOrContinue(token, NodeType.Break, '{{break}}');
      case Item.Continue:
        return this.breakOrContinue(token, NodeType.Continue, '{{continue}}');
      case Item.Else:
        return this.elseControl();
      case Item.End:
        return { type: NodeType.End, pos: this.st[this.expect(Item.RightDelim, 'end')] };
      case Item.If:
        return this.branch(NodeType.If, true, 'if');
      case Item.Range:
        return this.branch(NodeType.Range, false, 'range');
      case Item.Template:
        return this.templateControl();
      case Item.With:
        return this.branch(NodeType.With, false, 'with');
    }
    this.idx--;
    const pos = this.peekPos();
    return { type: NodeType.Action, pos, pipe: this.pipeline('command', Item.RightDelim) };
  }

  private breakOrContinue(
    keyword: number,
    type: typeof NodeType.Break | typeof NodeType.Continue,
    name: string,
  ): ItemNode {
    const token = this.nextNonSpace();
    if (this.ty[token] !== Item.RightDelim) this.unexpected(token, name);
    if (this.state.rangeDepth === 0) this.errorf(`${name} outside {{range}}`);
    return { type, pos: this.st[keyword] };
  }

  private elseControl(): EndNode {
    // "{{else if ...": leave the "if" pending; branch() turns it into a nested if.
    if (this.peekNonSpaceType() === Item.If) return { type: NodeType.Else, pos: this.peekPos() };
    const token = this.expect(Item.RightDelim, 'else');
    return { type: NodeType.Else, pos: this.st[token] };
  }

  private branch(type: BranchNode['type'], allowElseIf: boolean, context: string): BranchNode {
    const vars = this.state.vars.length;
    const pipe = this.pipeline(context, Item.RightDelim);
    if (type === NodeType.Range) this.state.rangeDepth++;
    const [list, end] = this.itemList();
    let next = end;
    if (type === NodeType.Range) this.state.rangeDepth--;
    let elseList: ListNode | null = null;
    if (next.type === NodeType.Else) {
      if (allowElseIf && this.peekType() === Item.If) {
        this.next();
        elseList = { type: NodeType.List, pos: next.pos, nodes: [this.branch(NodeType.If, true, 'if')] };
      } else {
        [elseList, next] = this.itemList();
        if (next.type !== NodeType.End) this.errorf(`expected end; found ${nodeString(next)}`);
      }
    }
    this.state.vars.length = vars;
    return { type, pos: pipe.pos, pipe, list, elseList };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    const pipe = this.pipeline(context, Item.RightDelim);
    const outer = this.state;
    this.state = this.treeState();
    const [root, end] = this.itemList();
    const inner = this.state;
    // Go reports this one with the outer tree, whose last token is the block's "}}".
    this.state = outer;
    if (end.type !== NodeType.End) this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.state = inner;
    this.add(name, root);
    this.state = outer;
    return { type: NodeType.Template, pos: this.st[token], name, pipe };
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.ty[this.nextNonSpace()] !== Item.RightDelim) {
      this.idx--;
      pipe = this.pipeline(context, Item.RightDelim);
    }
    return { type: NodeType.Template, pos: this.st[token], name, pipe };
  }

  private templateName(token: number, context: string): string {
    const t = this.ty[token];
    if (t === Item.String || t === Item.RawString) {
      const s = unquote(this.val(token));
      if (s === null) this.errorf(INVALID_SYNTAX);
      return s;
    }
    this.unexpected(token, context);
  }

  private newVariable(pos: number, ident: string): VariableNode {
    return { type: NodeType.Variable, pos, ident: path(ident) };
  }

  private pipeline(context: string, end: number): PipeNode {
    const pipe: PipeNode = {
      type: NodeType.Pipe,
      pos: this.peekNonSpacePos(),
      isAssign: false,
      decl: NO_DECL,
      cmds: NO_CMDS,
    };
    decls: while (this.peekNonSpaceType() === Item.Variable) {
      const mark = this.idx;
      const v = this.nextNonSpace();
      const next = this.peekNonSpaceType();
      if (next === Item.Assign || next === Item.Declare) {
        pipe.isAssign = next === Item.Assign;
        this.nextNonSpace();
        this.declare(pipe, v);
      } else if (next === Item.Char && this.val(this.idx) === ',') {
        // peekNonSpaceType left idx on the ",".
        this.nextNonSpace();
        this.declare(pipe, v);
        if (context === 'range' && pipe.decl.length < 2) {
          const t = this.peekNonSpaceType();
          if (t === Item.Variable || t === Item.RightDelim || t === Item.RightParen) continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else {
        this.idx = mark;
      }
      break;
    }
    const base = this.top;
    for (;;) {
      const token = this.nextNonSpace();
      const t = this.ty[token];
      if (t === end) {
        pipe.cmds = this.popList(base);
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (t) {
        case Item.Bool:
        case Item.CharConstant:
        case Item.Complex:
        case Item.Dot:
        case Item.Field:
        case Item.Identifier:
        case Item.Number:
        case Item.Nil:
        case Item.RawString:
        case Item.String:
        case Item.Variable:
        case Item.LeftParen:
          this.idx--;
          this.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private declare(pipe: PipeNode, v: number): void {
    const name = this.val(v);
    const decl = this.newVariable(this.st[v], name);
    pipe.decl = pipe.decl === NO_DECL ? [decl] : [...pipe.decl, decl];
    this.state.vars.push(name);
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    const cmds = pipe.cmds;
    if (cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < cmds.length; i++) {
      switch (cmds[i].args[0].type) {
        case NodeType.Bool:
        case NodeType.Dot:
        case NodeType.Nil:
        case NodeType.Number:
        case NodeType.String:
          this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: NodeType.Command, pos: this.peekNonSpacePos(), args: NO_ARGS };
    const base = this.top;
    for (;;) {
      this.peekNonSpaceType();
      const operand = this.operand();
      if (operand) this.push(operand);
      const token = this.next();
      const t = this.ty[token];
      if (t === Item.Space) continue;
      if (t === Item.RightDelim || t === Item.RightParen) this.idx--;
      else if (t !== Item.Pipe) this.unexpected(token, 'operand');
      break;
    }
    if (this.top === base) this.errorf('empty command');
    cmd.args = this.popList(base);
    return cmd;
  }

  private operand(): ArgNode | null {
    const node = this.term();
    if (node === null) return null;
    if (this.peekType() !== Item.Field) return node;
    const pos = this.peekPos();
    const base = this.top;
    while (this.peekType() === Item.Field) {
      const f = this.next();
      this.push(intern(this.tokens.input.slice(this.st[f] + 1, this.tokens.end[f])));
    }
    const fields = this.popList<string>(base);
    switch (node.type) {
      case NodeType.Field:
        return { type: NodeType.Field, pos, ident: node.ident.concat(fields) };
      case NodeType.Variable:
        return { type: NodeType.Variable, pos, ident: node.ident.concat(fields) };
      case NodeType.Bool:
      case NodeType.String:
      case NodeType.Number:
      case NodeType.Nil:
      case NodeType.Dot:
        this.errorf(`unexpected . after term ${quote(nodeString(node))}`);
    }
    return { type: NodeType.Chain, pos, node, field: fields };
  }

  private term(): ArgNode | null {
    const token = this.nextNonSpace();
    const pos = this.st[token];
    switch (this.ty[token]) {
      case Item.Identifier: {
        const ident = intern(this.val(token));
        const fn = this.findFunction(ident);
        if (fn === undefined) this.errorf(`function ${quote(ident)} not defined`);
        return { type: NodeType.Identifier, pos, ident, fn };
      }
      case Item.Dot:
        return { type: NodeType.Dot, pos };
      case Item.Nil:
        return { type: NodeType.Nil, pos };
      case Item.Variable:
        return this.useVar(pos, this.val(token));
      case Item.Field:
        return { type: NodeType.Field, pos, ident: path(this.tokens.input.slice(pos + 1, this.tokens.end[token])) };
      case Item.Bool:
        return { type: NodeType.Bool, pos, value: this.tokens.input.charCodeAt(pos) === 0x74 };
      case Item.CharConstant:
      case Item.Complex:
      case Item.Number: {
        const n = newNumber(pos, this.val(token), this.ty[token]);
        if (typeof n === 'string') this.errorf(n);
        return n;
      }
      case Item.LeftParen:
        return this.pipeline('parenthesized pipeline', Item.RightParen);
      case Item.String:
      case Item.RawString: {
        const quoted = intern(this.val(token));
        const s = unquote(quoted);
        if (s === null) this.errorf(INVALID_SYNTAX);
        return { type: NodeType.String, pos, quoted, text: intern(s) };
      }
    }
    this.idx--;
    return null;
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (!this.state.vars.includes(v.ident[0])) this.errorf(`undefined variable ${quote(v.ident[0])}`);
    return v;
  }
}

/** Parses a template text and the templates it defines; throws TemplateError on bad syntax. */
export function parse(
  name: string,
  text: string,
  findFunction: (name: string) => TemplateFunc | undefined,
): ParsedSet {
  const p = new Parser(name, text, findFunction);
  try {
    p.parse();
  } catch (e) {
    if (e instanceof ParseFailure) throw p.toTemplateError(e);
    throw e;
  } finally {
    p.release();
  }
  return { trees: p.trees };
}
