/**
 * Parser for Go text/template, structured like text/template/parse/parse.go so that it accepts
 * and rejects the same inputs with the same messages.
 *
 * It runs once per template text, so it is written for cold code: tokens are indexes into the
 * lexer's typed arrays, the tree is built flat (see ast.ts) in reused scratch space, functions are
 * resolved here rather than at every execution, and lines are only computed for an error.
 */
import { F_A, F_POS, NONE, NodeType, STRIDE, Tree, type NumberInfo } from './ast.js';
import { TemplateError, locate } from './errors.js';
import type { TemplateFunc } from './funcs.js';
import { Item, lex, tokenString, type Tokens } from './lexer.js';
import { parseFloat64, parseInt64, parseUint } from './literals.js';
import { MAX_NESTING_DEPTH } from './limits.js';
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

function simplifyComplex(n: NumberInfo): void {
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
export function newNumber(text: string, type: number): NumberInfo | string {
  const n: NumberInfo = {
    text,
    floatSyntax: false,
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
  // exec.go's idealConstant: floats are told by their syntax, hex integers (no "p") excepted.
  const hexInt = text.length > 2 && text[0] === '0' && (text[1] === 'x' || text[1] === 'X') && !/[pP]/.test(text);
  n.floatSyntax = !hexInt && text[0] !== "'" && /[.eEpP]/.test(text);
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
  tree: Tree;
  /** Template name to its body (a List node), including the main template under its own name. */
  trees: Map<string, number>;
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
 * Names, field paths and short literals repeat across templates (".Values.name", "printf", "%q"):
 * parse trees share one copy of each, found in direct-mapped tables keyed by a cheap hash of the
 * token's text and compared in place, so a hit allocates nothing. A miss just replaces the entry.
 */
const TABLE_SIZE = 4096;
const names: (string | undefined)[] = new Array(TABLE_SIZE).fill(undefined);
const pathKeys: (string | undefined)[] = new Array(TABLE_SIZE).fill(undefined);
const pathVals: (readonly string[] | undefined)[] = new Array(TABLE_SIZE).fill(undefined);
const literalKeys: (string | undefined)[] = new Array(TABLE_SIZE).fill(undefined);
const literalVals: (string | undefined)[] = new Array(TABLE_SIZE).fill(undefined);

function slot(s: string, start: number, end: number): number {
  const len = end - start;
  return (
    (len * 97 + s.charCodeAt(start) * 31 + s.charCodeAt(end - 1) + s.charCodeAt(start + (len >> 1)) * 7) &
    (TABLE_SIZE - 1)
  );
}

/** s[start:end), shared with earlier parses when possible. */
function name(s: string, start: number, end: number): string {
  const h = slot(s, start, end);
  const c = names[h];
  if (c !== undefined && c.length === end - start && s.startsWith(c, start)) return c;
  const v = s.slice(start, end);
  names[h] = v;
  return v;
}

/** The identifiers of a field or variable token such as ".a.b" (the dot dropped) or "$x.a". */
function path(s: string, start: number, end: number): readonly string[] {
  const h = slot(s, start, end);
  const c = pathKeys[h];
  if (c !== undefined && c.length === end - start && s.startsWith(c, start)) return pathVals[h] as readonly string[];
  const text = s.slice(start, end);
  let v: readonly string[];
  if (text.indexOf('.') < 0) v = [name(text, 0, text.length)];
  else {
    const parts = text.split('.');
    for (let i = 0; i < parts.length; i++) if (parts[i] !== '') parts[i] = name(parts[i], 0, parts[i].length);
    v = parts;
  }
  pathKeys[h] = text;
  pathVals[h] = v;
  return v;
}

/**
 * Scratch space for the tree under construction, shared because parsing cannot be re-entered (it
 * never runs user code); a finished tree gets exact-size copies. `stack` holds lists being built.
 */
let D = new Int32Array(4096);
let K = new Int32Array(1024);
const R: unknown[] = [];
const S: number[] = [];

/**
 * Finished trees are copied into views of shared slabs, which is much cheaper than giving every
 * tree its own ArrayBuffer; a slab lives as long as any tree in it (like Buffer's pool).
 */
const SLAB_INTS = 1 << 16;
let slab = new Int32Array(SLAB_INTS);
let slabUsed = 0;

function slabCopy(src: Int32Array, n: number): Int32Array {
  // Views are made with the constructor: subarray and slice are far slower in cold code.
  const part = new Int32Array(src.buffer, 0, n);
  if (n > SLAB_INTS >> 3) {
    const own = new Int32Array(n);
    own.set(part);
    return own;
  }
  if (slabUsed + n > SLAB_INTS) {
    slab = new Int32Array(SLAB_INTS);
    slabUsed = 0;
  }
  slab.set(part, slabUsed);
  const view = new Int32Array(slab.buffer, slabUsed * 4, n);
  slabUsed += n;
  return view;
}

class Parser {
  private readonly tokens: Tokens;
  private readonly ty: Uint8Array;
  private readonly st: Int32Array;
  private readonly last: number;
  private idx = 0;
  private state: TreeState = { vars: ['$'], rangeDepth: 0, actionPos: -1, furthest: 0 };
  readonly trees = new Map<string, number>();
  private lineStarts: number[] | undefined;
  private nd = 0;
  private nk = 0;
  /** Number of strings, identifier arrays, functions and numbers the tree refers to (in R). */
  private nr = 0;
  private top = 0;
  /** Nesting of control structures and parentheses, bounded by MAX_NESTING_DEPTH. */
  private depth = 0;

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

  /** The finished tree. */
  tree(): Tree {
    return new Tree(this.text, slabCopy(D, this.nd * STRIDE), slabCopy(K, this.nk), R.slice(0, this.nr));
  }

  /** A view of the tree under construction, for messages and checks while parsing. */
  private view(): Tree {
    return new Tree(this.text, D, K, R);
  }

  /** Lets go of the text and values held by the shared scratch space. */
  release(): void {
    this.tokens.release();
    for (let i = 0; i < this.nr; i++) R[i] = undefined;
    // A huge template grew the scratch space: let it go.
    if (D.length > 1 << 20) D = new Int32Array(4096);
    if (K.length > 1 << 20) K = new Int32Array(1024);
    if (R.length > 1 << 18) R.length = 0;
    if (S.length > 1 << 18) S.length = 0;
  }

  // Tree building.

  private node(type: number, pos: number, a: number, b: number, c: number): number {
    const n = this.nd++;
    let i = n * STRIDE;
    if (i + STRIDE > D.length) {
      const grown = new Int32Array(D.length * 2);
      grown.set(D);
      D = grown;
    }
    D[i++] = type;
    D[i++] = pos;
    D[i++] = a;
    D[i++] = b;
    D[i] = c;
    return n;
  }

  private ref(v: unknown): number {
    R[this.nr] = v;
    return this.nr++;
  }

  private push(n: number): void {
    S[this.top++] = n;
  }

  /** Moves the nodes pushed since base into the child lists; returns where they start. */
  private popList(base: number): number {
    const count = this.top - base;
    const first = this.nk;
    if (first + count > K.length) {
      const grown = new Int32Array(Math.max(K.length * 2, first + count));
      grown.set(K);
      K = grown;
    }
    for (let i = 0; i < count; i++) K[first + i] = S[base + i];
    this.nk += count;
    this.top = base;
    return first;
  }

  private type(n: number): number {
    return D[n * STRIDE];
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

  // Grammar. Methods return node indexes; itemList returns its List and leaves the {{end}} or
  // {{else}} that ended it in this.end.

  private end = NONE;

  parse(): void {
    const pos = this.peekPos();
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
      const t = this.type(n);
      if (t === NodeType.End || t === NodeType.Else) this.errorf('unexpected ' + this.view().nodeString(n));
      this.push(n);
    }
    const count = this.top - base;
    const root = this.node(NodeType.List, pos, this.popList(base), count, 0);
    this.add(this.name, root);
  }

  private treeState(): TreeState {
    return { vars: ['$'], rangeDepth: 0, actionPos: -1, furthest: this.state.furthest };
  }

  private add(name: string, root: number): void {
    const existing = this.trees.get(name);
    const view = this.view();
    if (existing === undefined || view.isEmpty(existing)) {
      this.trees.set(name, root);
      return;
    }
    if (!view.isEmpty(root)) this.errorf(`template: multiple definition of template ${quote(name)}`);
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const nameTok = this.nextNonSpace();
    const t = this.ty[nameTok];
    if (t !== Item.String && t !== Item.RawString) this.unexpected(nameTok, context);
    const name = unquote(this.val(nameTok));
    if (name === null) this.errorf(INVALID_SYNTAX);
    this.expect(Item.RightDelim, context);
    const root = this.itemList();
    if (this.type(this.end) !== NodeType.End) {
      this.errorf(`unexpected ${this.view().nodeString(this.end)} in ${context}`);
    }
    this.add(name, root);
  }

  /** The items up to an {{end}} or {{else}}, which is left in this.end. */
  private itemList(): number {
    const pos = this.peekNonSpacePos();
    const base = this.top;
    while (this.peekNonSpaceType() !== Item.EOF) {
      const n = this.textOrAction();
      const t = this.type(n);
      if (t === NodeType.End || t === NodeType.Else) {
        const count = this.top - base;
        const list = this.node(NodeType.List, pos, this.popList(base), count, 0);
        this.end = n;
        return list;
      }
      this.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): number {
    const token = this.nextNonSpace();
    switch (this.ty[token]) {
      case Item.Text:
        return this.node(NodeType.Text, this.st[token], this.ref(this.val(token)), 0, 0);
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

  private action(): number {
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
        return this.node(NodeType.End, this.st[this.expect(Item.RightDelim, 'end')], 0, 0, 0);
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
    return this.node(NodeType.Action, pos, this.pipeline('command', Item.RightDelim), 0, 0);
  }

  private breakOrContinue(keyword: number, type: number, name: string): number {
    const token = this.nextNonSpace();
    if (this.ty[token] !== Item.RightDelim) this.unexpected(token, name);
    if (this.state.rangeDepth === 0) this.errorf(`${name} outside {{range}}`);
    return this.node(type, this.st[keyword], 0, 0, 0);
  }

  private elseControl(): number {
    // "{{else if ...": leave the "if" pending; branch() turns it into a nested if.
    if (this.peekNonSpaceType() === Item.If) return this.node(NodeType.Else, this.peekPos(), 0, 0, 0);
    const token = this.expect(Item.RightDelim, 'else');
    return this.node(NodeType.Else, this.st[token], 0, 0, 0);
  }

  /** A parenthesized pipeline costs two levels: executing one takes about twice the stack of an {{if}}. */
  private enter(levels = 1): void {
    if ((this.depth += levels) > MAX_NESTING_DEPTH) {
      this.errorf(
        `max nesting depth exceeded: more than ${MAX_NESTING_DEPTH} levels of {{if}}, {{range}}, {{with}}, ` +
          '{{block}} and parentheses (a parenthesis counts as two; the limit of this engine); split the template with {{define}}',
      );
    }
  }

  private branch(type: number, allowElseIf: boolean, context: string): number {
    this.enter();
    const vars = this.state.vars.length;
    const pipe = this.pipeline(context, Item.RightDelim);
    if (type === NodeType.Range) this.state.rangeDepth++;
    const list = this.itemList();
    let next = this.end;
    if (type === NodeType.Range) this.state.rangeDepth--;
    let elseList = NONE;
    if (this.type(next) === NodeType.Else) {
      if (allowElseIf && this.peekType() === Item.If) {
        this.next();
        const elsePos = D[next * STRIDE + F_POS];
        const base = this.top;
        this.push(this.branch(NodeType.If, true, 'if'));
        elseList = this.node(NodeType.List, elsePos, this.popList(base), 1, 0);
      } else {
        elseList = this.itemList();
        next = this.end;
        if (this.type(next) !== NodeType.End) this.errorf(`expected end; found ${this.view().nodeString(next)}`);
      }
    }
    this.state.vars.length = vars;
    this.depth--;
    return this.node(type, D[pipe * STRIDE + F_POS], pipe, list, elseList);
  }

  private blockControl(): number {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    const pipe = this.pipeline(context, Item.RightDelim);
    const outer = this.state;
    this.state = this.treeState();
    this.enter();
    const root = this.itemList();
    this.depth--;
    const inner = this.state;
    // Go reports this one with the outer tree, whose last token is the block's "}}".
    this.state = outer;
    if (this.type(this.end) !== NodeType.End) {
      this.errorf(`unexpected ${this.view().nodeString(this.end)} in ${context}`);
    }
    this.state = inner;
    this.add(name, root);
    this.state = outer;
    return this.node(NodeType.Template, this.st[token], this.ref(name), pipe, 0);
  }

  private templateControl(): number {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    let pipe = NONE;
    if (this.ty[this.nextNonSpace()] !== Item.RightDelim) {
      this.idx--;
      pipe = this.pipeline(context, Item.RightDelim);
    }
    return this.node(NodeType.Template, this.st[token], this.ref(name), pipe, 0);
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

  private pipeline(context: string, end: number): number {
    const pos = this.peekNonSpacePos();
    const base = this.top;
    // Declarations are parsed apart, which keeps this frame small: pipelines nest deeply.
    const isAssign = this.peekNonSpaceType() === Item.Variable && this.declarations(context, base);
    const ndecl = this.top - base;
    for (;;) {
      const token = this.nextNonSpace();
      const t = this.ty[token];
      if (t === end) {
        const ncmds = this.top - base - ndecl;
        this.checkPipeline(base + ndecl, ncmds, context);
        return this.node(NodeType.Pipe, pos, this.popList(base), ndecl * 2 + (isAssign ? 1 : 0), ncmds);
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

  /** The variables a pipeline declares (pushed from base); whether they are assigned with "=". */
  private declarations(context: string, base: number): boolean {
    let isAssign = false;
    decls: while (this.peekNonSpaceType() === Item.Variable) {
      const mark = this.idx;
      const v = this.nextNonSpace();
      const next = this.peekNonSpaceType();
      if (next === Item.Assign || next === Item.Declare) {
        isAssign = next === Item.Assign;
        this.nextNonSpace();
        this.declare(v);
      } else if (next === Item.Char && this.val(this.idx) === ',') {
        // peekNonSpaceType left idx on the ",".
        this.nextNonSpace();
        this.declare(v);
        if (context === 'range' && this.top - base < 2) {
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
    return isAssign;
  }

  private declare(v: number): void {
    const start = this.st[v];
    const end = this.tokens.end[v];
    this.push(this.node(NodeType.Variable, start, this.ref(path(this.tokens.input, start, end)), 0, 0));
    this.state.vars.push(this.val(v));
  }

  /** The commands are S[first, first + count). */
  private checkPipeline(first: number, count: number, context: string): void {
    if (count === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < count; i++) {
      const cmd = S[first + i];
      switch (this.type(K[D[cmd * STRIDE + F_A]])) {
        case NodeType.Bool:
        case NodeType.Dot:
        case NodeType.Nil:
        case NodeType.Number:
        case NodeType.String:
          this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  private command(): number {
    const pos = this.peekNonSpacePos();
    const base = this.top;
    for (;;) {
      this.peekNonSpaceType();
      const operand = this.operand();
      if (operand !== NONE) this.push(operand);
      const token = this.next();
      const t = this.ty[token];
      if (t === Item.Space) continue;
      if (t === Item.RightDelim || t === Item.RightParen) this.idx--;
      else if (t !== Item.Pipe) this.unexpected(token, 'operand');
      break;
    }
    const count = this.top - base;
    if (count === 0) this.errorf('empty command');
    return this.node(NodeType.Command, pos, this.popList(base), count, 0);
  }

  private operand(): number {
    const node = this.term();
    if (node === NONE || this.peekType() !== Item.Field) return node;
    return this.fields(node);
  }

  /** A term followed by fields: ".a.b", "$x.a" or a chain such as "(x).a". */
  private fields(node: number): number {
    const pos = this.peekPos();
    const input = this.tokens.input;
    let end = pos;
    while (this.peekType() === Item.Field) end = this.tokens.end[this.next()];
    const nodePos = D[node * STRIDE + F_POS];
    // The fields are adjacent to each other and to a field or variable term: ".a.b.c", "$x.a.b".
    switch (this.type(node)) {
      case NodeType.Field:
        return this.node(NodeType.Field, pos, this.ref(path(input, nodePos + 1, end)), 0, 0);
      case NodeType.Variable:
        return this.node(NodeType.Variable, pos, this.ref(path(input, nodePos, end)), 0, 0);
      case NodeType.Bool:
      case NodeType.String:
      case NodeType.Number:
      case NodeType.Nil:
      case NodeType.Dot:
        this.errorf(`unexpected . after term ${quote(this.view().nodeString(node))}`);
    }
    return this.node(NodeType.Chain, pos, node, this.ref(path(input, pos + 1, end)), 0);
  }

  private term(): number {
    const token = this.nextNonSpace();
    const pos = this.st[token];
    switch (this.ty[token]) {
      case Item.Identifier:
        return this.identifier(token);
      case Item.Dot:
        return this.node(NodeType.Dot, pos, 0, 0, 0);
      case Item.Nil:
        return this.node(NodeType.Nil, pos, 0, 0, 0);
      case Item.Variable:
        return this.useVar(token);
      case Item.Field:
        return this.node(NodeType.Field, pos, this.ref(path(this.tokens.input, pos + 1, this.tokens.end[token])), 0, 0);
      case Item.Bool:
        return this.node(NodeType.Bool, pos, this.tokens.input.charCodeAt(pos) === 0x74 ? 1 : 0, 0, 0);
      case Item.CharConstant:
      case Item.Complex:
      case Item.Number:
        return this.number(token);
      case Item.LeftParen: {
        this.enter(2);
        const pipe = this.pipeline('parenthesized pipeline', Item.RightParen);
        this.depth -= 2;
        return pipe;
      }
      case Item.String:
      case Item.RawString:
        return this.stringLiteral(token);
    }
    this.idx--;
    return NONE;
  }

  private identifier(token: number): number {
    const pos = this.st[token];
    const ident = name(this.tokens.input, pos, this.tokens.end[token]);
    const fn = this.findFunction(ident);
    if (fn === undefined) this.errorf(`function ${quote(ident)} not defined`);
    return this.node(NodeType.Identifier, pos, this.ref(ident), this.ref(fn), 0);
  }

  private number(token: number): number {
    const n = newNumber(this.val(token), this.ty[token]);
    if (typeof n === 'string') this.errorf(n);
    return this.node(NodeType.Number, this.st[token], this.ref(n), 0, 0);
  }

  private stringLiteral(token: number): number {
    const input = this.tokens.input;
    const pos = this.st[token];
    const end = this.tokens.end[token];
    const h = slot(input, pos, end);
    const c = literalKeys[h];
    if (c !== undefined && c.length === end - pos && input.startsWith(c, pos)) {
      return this.node(NodeType.String, pos, this.ref(c), this.ref(literalVals[h]), 0);
    }
    const quoted = input.slice(pos, end);
    const s = unquote(quoted);
    if (s === null) this.errorf(INVALID_SYNTAX);
    literalKeys[h] = quoted;
    literalVals[h] = s;
    return this.node(NodeType.String, pos, this.ref(quoted), this.ref(s), 0);
  }

  private useVar(token: number): number {
    const pos = this.st[token];
    const ident = path(this.tokens.input, pos, this.tokens.end[token]);
    if (!this.state.vars.includes(ident[0])) this.errorf(`undefined variable ${quote(ident[0])}`);
    return this.node(NodeType.Variable, pos, this.ref(ident), 0, 0);
  }
}

/** Parses a template text and the templates it defines; throws TemplateError on bad syntax. */
export function parse(name: string, text: string, findFunction: (name: string) => TemplateFunc | undefined): ParsedSet {
  const p = new Parser(name, text, findFunction);
  try {
    p.parse();
    return { tree: p.tree(), trees: p.trees };
  } catch (e) {
    if (e instanceof ParseFailure) throw p.toTemplateError(e);
    // MAX_NESTING_DEPTH keeps the parser's own recursion in bounds; a caller deep in its own stack may still
    // leave too little room, which is reported as the same input problem rather than a crash.
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw TemplateError.plain(name, `template: ${name}: nested too deeply to parse (the JS stack ran out)`);
    }
    throw e;
  } finally {
    p.release();
  }
}
