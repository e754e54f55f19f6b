/**
 * Parse trees of a template, with text/template/parse's node kinds and fields, stored flat:
 * a node is an index into an Int32Array of fixed-size records, child lists live in a second
 * Int32Array, and strings, field paths, functions and numbers sit in a side table. Parse trees
 * are kept for as long as their template, so this matters: a tree of plain objects costs tens of
 * heap objects per action, which the garbage collector must copy, while a flat tree costs three.
 */
import { quote } from './quote.js';
import { trimSpace } from './unicode.js';

export const NodeType = {
  Text: 0,
  Action: 1,
  Bool: 2,
  Chain: 3,
  Command: 4,
  Dot: 5,
  Else: 6,
  End: 7,
  Field: 8,
  Identifier: 9,
  If: 10,
  List: 11,
  Nil: 12,
  Number: 13,
  Pipe: 14,
  Range: 15,
  String: 16,
  Template: 17,
  Variable: 18,
  With: 19,
  Break: 20,
  Continue: 21,
} as const;

/*
 * Record layout: [type, pos, a, b, c], pos being the node's offset in the template text.
 *
 *   Text          a = ref(text)
 *   Action        a = pipe
 *   If/Range/With a = pipe, b = list, c = else list or NONE
 *   Template      a = ref(name), b = pipe or NONE
 *   List          a = first child (in kids), b = child count
 *   Pipe          a = first child (in kids: the declared variables, then the commands),
 *                 b = declaration count * 2 + (1 if it is an assignment "=" rather than ":="),
 *                 c = command count
 *   Command       a = first argument (in kids), b = argument count
 *   Field         a = ref(identifiers)                     .a.b -> ["a", "b"]
 *   Variable      a = ref(identifiers)                     $x.a -> ["$x", "a"]
 *   Chain         a = node, b = ref(field identifiers)     (x).a.b
 *   Identifier    a = ref(name), b = ref(function)
 *   Bool          a = 0 or 1
 *   String        a = ref(quoted literal), b = ref(value)
 *   Number        a = ref(NumberInfo)
 *   Dot, Nil, Break, Continue, Else, End: no fields
 */
export const STRIDE = 5;
export const F_TYPE = 0;
export const F_POS = 1;
export const F_A = 2;
export const F_B = 3;
export const F_C = 4;
/** An absent node (no else list, no pipeline). */
export const NONE = -1;

/** A number literal's classification (parse.NumberNode). */
export interface NumberInfo {
  text: string;
  /** Written as a float (a '.', exponent, ...; not hex or a character): idealConstant makes it a float64. */
  floatSyntax: boolean;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int64: bigint;
  uint64: bigint;
  float64: number;
  re: number;
  im: number;
}

/** One parse: the main template and every template it defines share a Tree. */
export class Tree {
  constructor(
    /** The template text, for error locations. */
    readonly text: string,
    /** Node records, STRIDE ints each. */
    readonly d: Int32Array,
    /** Child lists. */
    readonly kids: Int32Array,
    /** Strings, identifier arrays, functions and numbers that nodes refer to. */
    readonly refs: readonly unknown[],
  ) {}

  type(n: number): number {
    return this.d[n * STRIDE];
  }

  a(n: number): number {
    return this.d[n * STRIDE + F_A];
  }

  b(n: number): number {
    return this.d[n * STRIDE + F_B];
  }

  c(n: number): number {
    return this.d[n * STRIDE + F_C];
  }

  /** The string a node field refers to. */
  str(n: number, field: number): string {
    return this.refs[this.d[n * STRIDE + field]] as string;
  }

  /** The identifiers of a Field, Variable (field a) or Chain (field b) node. */
  ident(n: number): readonly string[] {
    const field = this.d[n * STRIDE] === NodeType.Chain ? F_B : F_A;
    return this.refs[this.d[n * STRIDE + field]] as readonly string[];
  }

  number(n: number): NumberInfo {
    return this.refs[this.d[n * STRIDE + F_A]] as NumberInfo;
  }

  /** A pipeline's declared variables: kid indexes [first, first + count). */
  declCount(pipe: number): number {
    return this.d[pipe * STRIDE + F_B] >> 1;
  }

  /** A command's arguments as node indexes. */
  args(cmd: number): number[] {
    const first = this.a(cmd);
    const out: number[] = [];
    for (let i = 0; i < this.b(cmd); i++) out.push(this.kids[first + i]);
    return out;
  }

  private pipeString(p: number): string {
    const first = this.a(p);
    const ndecl = this.declCount(p);
    const ncmds = this.c(p);
    let s = '';
    if (ndecl > 0) {
      const decl: string[] = [];
      for (let i = 0; i < ndecl; i++) decl.push(this.nodeString(this.kids[first + i]));
      s = decl.join(', ') + ' := ';
    }
    const cmds: string[] = [];
    for (let i = 0; i < ncmds; i++) cmds.push(this.nodeString(this.kids[first + ndecl + i]));
    return s + cmds.join(' | ');
  }

  /** The node's String() in Go, which error messages quote as context. */
  nodeString(n: number): string {
    switch (this.type(n)) {
      case NodeType.Text:
        return this.str(n, F_A);
      case NodeType.Action:
        return '{{' + this.pipeString(this.a(n)) + '}}';
      case NodeType.If:
      case NodeType.Range:
      case NodeType.With: {
        const t = this.type(n);
        const name = t === NodeType.If ? 'if' : t === NodeType.Range ? 'range' : 'with';
        let s = '{{' + name + ' ' + this.pipeString(this.a(n)) + '}}' + this.nodeString(this.b(n));
        if (this.c(n) !== NONE) s += '{{else}}' + this.nodeString(this.c(n));
        return s + '{{end}}';
      }
      case NodeType.Template:
        return (
          '{{template ' + quote(this.str(n, F_A)) + (this.b(n) !== NONE ? ' ' + this.pipeString(this.b(n)) : '') + '}}'
        );
      case NodeType.Break:
        return '{{break}}';
      case NodeType.Continue:
        return '{{continue}}';
      case NodeType.List: {
        let s = '';
        for (let i = 0; i < this.b(n); i++) s += this.nodeString(this.kids[this.a(n) + i]);
        return s;
      }
      case NodeType.End:
        return '{{end}}';
      case NodeType.Else:
        return '{{else}}';
      case NodeType.Pipe:
        return this.pipeString(n);
      case NodeType.Command:
        return this.args(n)
          .map((a) => (this.type(a) === NodeType.Pipe ? '(' + this.pipeString(a) + ')' : this.nodeString(a)))
          .join(' ');
      case NodeType.Field:
        return this.ident(n)
          .map((id) => '.' + id)
          .join('');
      case NodeType.Variable:
        return this.ident(n).join('.');
      case NodeType.Chain: {
        const node = this.a(n);
        const base = this.type(node) === NodeType.Pipe ? '(' + this.pipeString(node) + ')' : this.nodeString(node);
        return (
          base +
          this.ident(n)
            .map((f) => '.' + f)
            .join('')
        );
      }
      case NodeType.Identifier:
        return this.str(n, F_A);
      case NodeType.Dot:
        return '.';
      case NodeType.Nil:
        return 'nil';
      case NodeType.Bool:
        return this.a(n) === 1 ? 'true' : 'false';
      case NodeType.String:
        return this.str(n, F_A);
      case NodeType.Number:
        return this.number(n).text;
    }
    return '';
  }

  /** parse.IsEmptyTree for a List node: only whitespace text (and comments, which are never kept). */
  isEmpty(list: number): boolean {
    for (let i = 0; i < this.b(list); i++) {
      const n = this.kids[this.a(list) + i];
      if (this.type(n) !== NodeType.Text || trimSpace(this.str(n, F_A)) !== '') return false;
    }
    return true;
  }
}
