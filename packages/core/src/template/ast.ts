/** Parse tree of a template, shaped like text/template/parse's nodes. */
import type { TemplateFunc } from './funcs.js';
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

/** Every node records its offset in the template text for error locations. */
interface Base {
  pos: number;
}

export interface TextNode extends Base {
  type: typeof NodeType.Text;
  text: string;
}
export interface ActionNode extends Base {
  type: typeof NodeType.Action;
  pipe: PipeNode;
}
export interface BranchNode extends Base {
  type: typeof NodeType.If | typeof NodeType.Range | typeof NodeType.With;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface TemplateNode extends Base {
  type: typeof NodeType.Template;
  name: string;
  pipe: PipeNode | null;
}
export interface BreakNode extends Base {
  type: typeof NodeType.Break;
}
export interface ContinueNode extends Base {
  type: typeof NodeType.Continue;
}
export interface ListNode extends Base {
  type: typeof NodeType.List;
  nodes: ItemNode[];
}
/** {{end}} and {{else}}: markers the parser returns, never stored in a tree. */
export interface EndNode extends Base {
  type: typeof NodeType.End | typeof NodeType.Else;
}

export interface PipeNode extends Base {
  type: typeof NodeType.Pipe;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends Base {
  type: typeof NodeType.Command;
  args: ArgNode[];
}
export interface FieldNode extends Base {
  type: typeof NodeType.Field;
  ident: readonly string[];
}
export interface VariableNode extends Base {
  type: typeof NodeType.Variable;
  ident: readonly string[];
}
export interface ChainNode extends Base {
  type: typeof NodeType.Chain;
  node: ArgNode;
  field: readonly string[];
}
export interface IdentifierNode extends Base {
  type: typeof NodeType.Identifier;
  ident: string;
  /** The function, resolved when parsing (the function map is fixed per template). */
  fn: TemplateFunc;
}
export interface DotNode extends Base {
  type: typeof NodeType.Dot;
}
export interface NilNode extends Base {
  type: typeof NodeType.Nil;
}
export interface BoolNode extends Base {
  type: typeof NodeType.Bool;
  value: boolean;
}
export interface StringNode extends Base {
  type: typeof NodeType.String;
  quoted: string;
  text: string;
}
export interface NumberNode extends Base {
  type: typeof NodeType.Number;
  text: string;
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

export type ItemNode = TextNode | ActionNode | BranchNode | TemplateNode | BreakNode | ContinueNode;
export type ArgNode =
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | StringNode
  | NumberNode
  | PipeNode;
export type AnyNode = ItemNode | ListNode | EndNode | CommandNode | ArgNode;

function pipeString(p: PipeNode): string {
  let s = '';
  if (p.decl.length > 0) s = p.decl.map(nodeString).join(', ') + ' := ';
  return s + p.cmds.map(nodeString).join(' | ');
}

/** The node's String() in Go, which error messages quote as context. */
export function nodeString(n: AnyNode): string {
  switch (n.type) {
    case NodeType.Text:
      return n.text;
    case NodeType.Action:
      return '{{' + pipeString(n.pipe) + '}}';
    case NodeType.If:
    case NodeType.Range:
    case NodeType.With: {
      const name = n.type === NodeType.If ? 'if' : n.type === NodeType.Range ? 'range' : 'with';
      let s = '{{' + name + ' ' + pipeString(n.pipe) + '}}' + nodeString(n.list);
      if (n.elseList) s += '{{else}}' + nodeString(n.elseList);
      return s + '{{end}}';
    }
    case NodeType.Template:
      return '{{template ' + quote(n.name) + (n.pipe ? ' ' + pipeString(n.pipe) : '') + '}}';
    case NodeType.Break:
      return '{{break}}';
    case NodeType.Continue:
      return '{{continue}}';
    case NodeType.List:
      return n.nodes.map(nodeString).join('');
    case NodeType.End:
      return '{{end}}';
    case NodeType.Else:
      return '{{else}}';
    case NodeType.Pipe:
      return pipeString(n);
    case NodeType.Command:
      return n.args.map((a) => (a.type === NodeType.Pipe ? '(' + pipeString(a) + ')' : nodeString(a))).join(' ');
    case NodeType.Field:
      return n.ident.map((id) => '.' + id).join('');
    case NodeType.Variable:
      return n.ident.join('.');
    case NodeType.Chain: {
      const base = n.node.type === NodeType.Pipe ? '(' + pipeString(n.node) + ')' : nodeString(n.node);
      return base + n.field.map((f) => '.' + f).join('');
    }
    case NodeType.Identifier:
      return n.ident;
    case NodeType.Dot:
      return '.';
    case NodeType.Nil:
      return 'nil';
    case NodeType.Bool:
      return n.value ? 'true' : 'false';
    case NodeType.String:
      return n.quoted;
    case NodeType.Number:
      return n.text;
  }
}

/** parse.IsEmptyTree: only whitespace text (and comments, which are never kept). */
export function isEmptyTree(list: ListNode): boolean {
  return list.nodes.every((n) => n.type === NodeType.Text && trimSpace(n.text) === '');
}
