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
import { Item, lex, tokenString, type Token } from './lexer.js';
import { parseFloat64, parseInt64, parseUint } from './literals.js';
import { quote, unquote, unquoteChar } from './quote.js';

/** Thrown inside the parser; converted to a TemplateError at the top. */
class ParseFailure {
  constructor(
    readonly message: string,
    readonly token: Token,
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

/** Per-tree parsing state: Go starts a fresh Tree for every define and block. */
interface TreeState {
  vars: string[];
  rangeDepth: number;
  actionLine: number;
}

class Parser {
  private readonly tokens: Token[];
  private idx = 0;
  /** Highest token index handed out: Go reports errors at the line of the last lexed token. */
  private furthest = 0;
  private state: TreeState = { vars: ['$'], rangeDepth: 0, actionLine: 0 };
  readonly trees = new Map<string, ListNode>();
  private lineStarts: number[] | undefined;

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly hasFunction: (name: string) => boolean,
  ) {
    this.tokens = lex(text, !hasFunction('break'), !hasFunction('continue'));
  }

  // Token stream.

  private next(): Token {
    const t = this.tokens[Math.min(this.idx, this.tokens.length - 1)];
    this.idx++;
    if (this.idx - 1 > this.furthest) this.furthest = this.idx - 1;
    return t;
  }

  private backup(n = 1): void {
    this.idx -= n;
  }

  private peek(): Token {
    const t = this.next();
    this.backup();
    return t;
  }

  private nextNonSpace(): Token {
    let t: Token;
    do t = this.next();
    while (t.type === Item.Space);
    return t;
  }

  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
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
    const last = this.tokens[Math.min(this.furthest, this.tokens.length - 1)];
    throw new ParseFailure(message, last);
  }

  private unexpected(token: Token, context: string): never {
    if (token.type === Item.Error) {
      let extra = '';
      const tokenLine = this.lineOf(token.pos);
      if (this.state.actionLine !== 0 && this.state.actionLine !== tokenLine) {
        extra = ` in action started at ${this.name}:${this.state.actionLine}`;
        if (token.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(token.val + extra);
    }
    this.errorf(`unexpected ${tokenString(token)} in ${context}`);
  }

  private expect(type: number, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  toTemplateError(f: ParseFailure): TemplateError {
    const loc = locate(this.text, f.token.pos);
    return TemplateError.parse(this.name, { line: this.lineOf(f.token.pos), col: loc.col }, f.message);
  }

  // Grammar.

  parse(): void {
    const root: ListNode = { type: NodeType.List, pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== Item.EOF) {
      if (this.peek().type === Item.LeftDelim) {
        const mark = this.idx;
        this.next();
        if (this.nextNonSpace().type === Item.Define) {
          this.withTree(() => this.parseDefinition());
          continue;
        }
        this.idx = mark;
      }
      const n = this.textOrAction();
      if (n.type === NodeType.End || n.type === NodeType.Else) this.errorf('unexpected ' + nodeString(n));
      root.nodes.push(n as ItemNode);
    }
    this.add(this.name, root);
  }

  private withTree<T>(f: () => T): T {
    const saved = this.state;
    this.state = { vars: ['$'], rangeDepth: 0, actionLine: 0 };
    try {
      return f();
    } finally {
      this.state = saved;
    }
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
    if (nameTok.type !== Item.String && nameTok.type !== Item.RawString) this.unexpected(nameTok, context);
    const name = unquote(nameTok.val);
    if (name === null) this.errorf(INVALID_SYNTAX);
    this.expect(Item.RightDelim, context);
    const [root, end] = this.itemList();
    if (end.type !== NodeType.End) this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add(name, root);
  }

  private itemList(): [ListNode, EndNode] {
    const list: ListNode = { type: NodeType.List, pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== Item.EOF) {
      const n = this.textOrAction();
      if (n.type === NodeType.End || n.type === NodeType.Else) return [list, n as EndNode];
      list.nodes.push(n as ItemNode);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): ItemNode | EndNode {
    const token = this.nextNonSpace();
    switch (token.type) {
      case Item.Text:
        return { type: NodeType.Text, pos: token.pos, text: token.val };
      case Item.LeftDelim:
        this.state.actionLine = this.lineOf(token.pos);
        try {
          return this.action();
        } finally {
          this.state.actionLine = 0;
        }
    }
    this.unexpected(token, 'input');
  }

  private action(): ItemNode | EndNode {
    const token = this.nextNonSpace();
    switch (token.type) {
      case Item.Block:
        return this.blockControl();
      case Item.Break:
        return this.breakOrContinue(token, NodeType.Break, '{{break}}');
      case Item.Continue:
        return this.breakOrContinue(token, NodeType.Continue, '{{continue}}');
      case Item.Else:
        return this.elseControl();
      case Item.End:
        return { type: NodeType.End, pos: this.expect(Item.RightDelim, 'end').pos };
      case Item.If:
        return this.branch(NodeType.If, true, 'if');
      case Item.Range:
        return this.branch(NodeType.Range, false, 'range');
      case Item.Template:
        return this.templateControl();
      case Item.With:
        return this.branch(NodeType.With, false, 'with');
    }
    this.backup();
    const pos = this.peek().pos;
    return { type: NodeType.Action, pos, pipe: this.pipeline('command', Item.RightDelim) };
  }

  private breakOrContinue(
    keyword: Token,
    type: typeof NodeType.Break | typeof NodeType.Continue,
    name: string,
  ): ItemNode {
    const token = this.nextNonSpace();
    if (token.type !== Item.RightDelim) this.unexpected(token, name);
    if (this.state.rangeDepth === 0) this.errorf(`${name} outside {{range}}`);
    return { type, pos: keyword.pos };
  }

  private elseControl(): EndNode {
    const peek = this.peekNonSpace();
    // "{{else if ...": leave the "if" pending; parseControl turns it into a nested if.
    if (peek.type === Item.If) return { type: NodeType.Else, pos: peek.pos };
    const token = this.expect(Item.RightDelim, 'else');
    return { type: NodeType.Else, pos: token.pos };
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
      if (allowElseIf && this.peek().type === Item.If) {
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
    this.withTree(() => {
      const [root, end] = this.itemList();
      if (end.type !== NodeType.End) this.errorf(`unexpected ${nodeString(end)} in ${context}`);
      this.add(name, root);
    });
    return { type: NodeType.Template, pos: token.pos, name, pipe };
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().type !== Item.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, Item.RightDelim);
    }
    return { type: NodeType.Template, pos: token.pos, name, pipe };
  }

  private templateName(token: Token, context: string): string {
    if (token.type === Item.String || token.type === Item.RawString) {
      const s = unquote(token.val);
      if (s === null) this.errorf(INVALID_SYNTAX);
      return s;
    }
    this.unexpected(token, context);
  }

  private newVariable(pos: number, ident: string): VariableNode {
    return { type: NodeType.Variable, pos, ident: ident.split('.') };
  }

  private pipeline(context: string, end: number): PipeNode {
    const pipe: PipeNode = { type: NodeType.Pipe, pos: this.peekNonSpace().pos, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== Item.Variable) break;
      const mark = this.idx;
      this.next();
      const next = this.peekNonSpace();
      if (next.type === Item.Assign || next.type === Item.Declare) {
        pipe.isAssign = next.type === Item.Assign;
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.state.vars.push(v.val);
      } else if (next.type === Item.Char && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.state.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const t = this.peekNonSpace().type;
          if (t === Item.Variable || t === Item.RightDelim || t === Item.RightParen) continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else {
        this.idx = mark;
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      if (token.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (token.type) {
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
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < pipe.cmds.length; i++) {
      switch (pipe.cmds[i].args[0].type) {
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
    const cmd: CommandNode = { type: NodeType.Command, pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const token = this.next();
      if (token.type === Item.Space) continue;
      if (token.type === Item.RightDelim || token.type === Item.RightParen) this.backup();
      else if (token.type !== Item.Pipe) this.unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | null {
    const node = this.term();
    if (node === null) return null;
    if (this.peek().type !== Item.Field) return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === Item.Field) fields.push(this.next().val.slice(1));
    switch (node.type) {
      case NodeType.Field:
        return { type: NodeType.Field, pos, ident: [...node.ident, ...fields] };
      case NodeType.Variable:
        return { type: NodeType.Variable, pos, ident: [...node.ident, ...fields] };
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
    switch (token.type) {
      case Item.Identifier:
        if (!this.hasFunction(token.val)) this.errorf(`function ${quote(token.val)} not defined`);
        return { type: NodeType.Identifier, pos: token.pos, ident: token.val };
      case Item.Dot:
        return { type: NodeType.Dot, pos: token.pos };
      case Item.Nil:
        return { type: NodeType.Nil, pos: token.pos };
      case Item.Variable:
        return this.useVar(token.pos, token.val);
      case Item.Field:
        return { type: NodeType.Field, pos: token.pos, ident: token.val.slice(1).split('.') };
      case Item.Bool:
        return { type: NodeType.Bool, pos: token.pos, value: token.val === 'true' };
      case Item.CharConstant:
      case Item.Complex:
      case Item.Number: {
        const n = newNumber(token.pos, token.val, token.type);
        if (typeof n === 'string') this.errorf(n);
        return n;
      }
      case Item.LeftParen:
        return this.pipeline('parenthesized pipeline', Item.RightParen);
      case Item.String:
      case Item.RawString: {
        const s = unquote(token.val);
        if (s === null) this.errorf(INVALID_SYNTAX);
        return { type: NodeType.String, pos: token.pos, quoted: token.val, text: s };
      }
    }
    this.backup();
    return null;
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (!this.state.vars.includes(v.ident[0])) this.errorf(`undefined variable ${quote(v.ident[0])}`);
    return v;
  }
}

/** Parses a template text and the templates it defines; throws TemplateError on bad syntax. */
export function parse(name: string, text: string, hasFunction: (name: string) => boolean): ParsedSet {
  const p = new Parser(name, text, hasFunction);
  try {
    p.parse();
  } catch (e) {
    if (e instanceof ParseFailure) throw p.toTemplateError(e);
    throw e;
  }
  return { trees: p.trees };
}
