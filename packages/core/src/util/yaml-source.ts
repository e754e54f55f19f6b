import jsyaml from 'js-yaml';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { UserError } from './errors.js';
import { RAW_ALIAS_BUDGET } from './limits.js';
import { snippetAround } from './yaml-io.js';

export interface SourcePosition {
  line?: number;
  col?: number;
}

/** A YAML file as written (services.yaml before templating): its values, every scalar a string, and positions. */
export interface YamlSource {
  readonly value: unknown;
  /** Where the node at `path` starts; the deepest node on the path that exists when the path goes further. */
  positionOf(path: readonly (string | number)[]): SourcePosition;
  /** Where `key` of the mapping at `path` is written; the mapping itself when it has no such key. */
  keyPositionOf(path: readonly (string | number)[], key: string): SourcePosition;
}

/*
 * Reading with positions is on every command's path, so it has two ways. The fast one reads with js-yaml, which
 * reports each node as it opens and closes; a tree of those start offsets is enough to find any path. The YAML
 * library's document (several times slower to build, but it keeps every node's range) is used when js-yaml's events
 * cannot be matched to the values for sure (explicit `?` keys, flow mappings with bare keys), when the file has
 * aliases (its alias limit is the one users know from the errors), and to word syntax errors as before.
 */
export function readYamlSource(text: string, displayFile: string, what: string): YamlSource {
  if (MAY_HAVE_ALIASES.test(text) || libraryOnly(text)) return readYamlDocumentSource(text, displayFile, what);
  // js-yaml drops a byte order mark before it reads: its offsets are one short of the text's.
  const shift = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const root: Frame = { start: 0, kind: null, result: undefined, children: [] };
  const stack: Frame[] = [root];
  let value: unknown;
  try {
    value = jsyaml.load(text, {
      schema: jsyaml.FAILSAFE_SCHEMA,
      filename: displayFile,
      listener(event, state) {
        if (event === 'open') {
          const frame: Frame = { start: state.position + shift, kind: null, result: undefined, children: [] };
          stack[stack.length - 1]!.children.push(frame);
          stack.push(frame);
        } else {
          const frame = stack.pop()!;
          frame.kind = state.kind;
          frame.result = state.result;
        }
      },
    });
  } catch (err) {
    if (!(err instanceof jsyaml.YAMLException)) {
      if (err instanceof RangeError) throw tooDeep(displayFile);
      throw err;
    }
    // The YAML library words the error as users have seen it. Where it finds nothing wrong, its reading holds (a tag
    // js-yaml's failsafe schema does not know, such as !!int or a local !Ref; an empty key), except for nesting
    // deeper than js-yaml reads, a limit of its own.
    const document = readYamlDocumentSource(text, displayFile, what);
    if (!err.reason?.startsWith('nesting exceeded')) return document;
    const line = (err.mark?.line ?? 0) + 1;
    const col = (err.mark?.column ?? 0) + 1;
    throw syntaxError(text, displayFile, what, line, col, err.reason);
  }
  const first = root.children[0];
  if (first === undefined || !matches(first)) return readYamlDocumentSource(text, displayFile, what);
  return new FrameSource(text, emptyAsString(value), first);
}

/** `*name` where YAML allows an alias: after a separator, before a name character. */
const MAY_HAVE_ALIASES = /(?:^|[\s[{,])\*[^\s,[\]{}]/m;

/**
 * What js-yaml reads otherwise than the YAML library: a line break that is a lone carriage return (the library keeps
 * it in the line), and a line longer than an implicit key may be (the library refuses a key of over 1024 characters).
 */
function libraryOnly(text: string): boolean {
  for (let cr = text.indexOf('\r'); cr >= 0; cr = text.indexOf('\r', cr + 1)) if (text[cr + 1] !== '\n') return true;
  for (let start = 0; start < text.length;) {
    const end = text.indexOf('\n', start);
    if ((end < 0 ? text.length : end) - start > 1024) return true;
    if (end < 0) break;
    start = end + 1;
  }
  return false;
}

interface Frame {
  start: number;
  kind: string | null;
  result: unknown;
  children: Frame[];
}

class FrameSource implements YamlSource {
  private lines?: number[];

  constructor(
    private readonly text: string,
    readonly value: unknown,
    private readonly root: Frame,
  ) {}

  positionOf(path: readonly (string | number)[]): SourcePosition {
    if (isEmpty(this.root)) return {};
    return this.at(this.frameAt(path));
  }

  keyPositionOf(path: readonly (string | number)[], key: string): SourcePosition {
    if (isEmpty(this.root)) return {};
    const parent = this.frameAt(path);
    const pair = parent.kind === 'mapping' ? pairsOf(parent).find(([k]) => k.result === key) : undefined;
    return this.at(pair ? pair[0] : parent);
  }

  private frameAt(path: readonly (string | number)[]): Frame {
    let frame = this.root;
    for (const part of path) {
      if (frame.kind === 'mapping') {
        const pair = pairsOf(frame).find(([k]) => k.result === String(part));
        if (!pair) return frame;
        frame = pair[1];
      } else if (frame.kind === 'sequence' && typeof part === 'number') {
        const item = frame.children[part];
        if (!item) return frame;
        frame = item;
      } else {
        return frame;
      }
    }
    return frame;
  }

  /**
   * A node opens where js-yaml starts to look for it (a value right after its `:` or `-`, an explicit key after its
   * `?`): its text starts past blanks, comments, line breaks and its anchor or tag. An empty value is where it
   * would have been written (past its anchor or tag, if it has one).
   */
  private at(frame: Frame): SourcePosition {
    const text = this.text;
    let i = frame.start;
    const empty = isEmpty(frame);
    while (i < text.length) {
      const c = text[i];
      if (c === ' ' || c === '\t') i++;
      else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
      else if (c === '\n' || c === '\r') {
        if (empty) break;
        i++;
      } else if (c === '&' || c === '!') {
        while (i < text.length && !/\s/.test(text[i]!)) i++;
      } else break;
    }
    return this.linePos(i);
  }

  private linePos(offset: number): SourcePosition {
    if (!this.lines) {
      this.lines = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) this.lines.push(i + 1);
    }
    let lo = 0;
    let hi = this.lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lines[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - this.lines[lo]! + 1 };
  }
}

/** No value written: js-yaml gives no kind, and null (or with a tag such as `!!str`, an empty string). */
const isEmpty = (frame: Frame) =>
  frame.kind === null && (frame.result === null || frame.result === undefined || frame.result === '');

/** Key and value frames of a mapping; js-yaml may open one empty node past the last pair (where it stopped). */
function pairsOf(frame: Frame): [Frame, Frame][] {
  const kids = frame.children;
  const pairs: [Frame, Frame][] = [];
  for (let i = 0; i + 1 < kids.length; i += 2) pairs.push([kids[i]!, kids[i + 1]!]);
  return pairs;
}

/** Whether every mapping's frames pair up with its keys, in the tree as read: else positions could be wrong. */
function matches(root: Frame): boolean {
  const stack = [root];
  while (stack.length) {
    const frame = stack.pop()!;
    if (frame.kind === 'mapping') {
      const kids = frame.children;
      const trailing = kids.length % 2 === 1 ? kids[kids.length - 1]! : undefined;
      if (trailing && (trailing.kind !== null || trailing.result != null)) return false;
      const pairs = pairsOf(frame);
      const keys = Object.keys(frame.result as object);
      if (pairs.length !== keys.length) return false;
      for (const [key] of pairs) {
        if (
          key.kind !== 'scalar' ||
          typeof key.result !== 'string' ||
          !Object.hasOwn(frame.result as object, key.result)
        )
          return false;
      }
      for (const [, value] of pairs) stack.push(value);
    } else if (frame.kind === 'sequence') {
      if (frame.children.length !== (frame.result as unknown[]).length) return false;
      stack.push(...frame.children);
    }
  }
  return true;
}

/**
 * The YAML library's failsafe schema reads an empty value (`key:`) as an empty string, as Go's decoder does into a
 * string field; js-yaml reads null. The file has no aliases here, so this walk is over a tree.
 */
function emptyAsString(value: unknown): unknown {
  const stack: unknown[] = [value];
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const entries = node as Record<string, unknown>;
    for (const key of Object.keys(entries)) {
      if (entries[key] === null) entries[key] = '';
      else stack.push(entries[key]);
    }
  }
  return value;
}

export function readYamlDocumentSource(text: string, displayFile: string, what: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const { line, col } = lines.linePos(err.pos[0]);
    throw syntaxError(text, displayFile, what, line, col, err.message.split('\n')[0]!);
  }
  const position = (node: Node | undefined): SourcePosition => {
    const offset = node?.range?.[0];
    return offset === undefined ? {} : lines.linePos(offset);
  };
  return {
    value: documentToJS(doc, displayFile, (offset, message) => {
      const { line, col } = lines.linePos(offset);
      return syntaxError(text, displayFile, what, line, col, message);
    }),
    positionOf: (path) => position(nodeAt(doc, path)),
    keyPositionOf(path, key) {
      const parent = nodeAt(doc, path);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
        if (pair && isScalar(pair.key)) return position(pair.key);
      }
      return position(parent);
    },
  };
}

function nodeAt(doc: Document, path: readonly (string | number)[]): Node | undefined {
  let node: unknown = doc.contents;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) return node as Node;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof part === 'number') {
      const next = node.items[part];
      if (!next) return node as Node;
      node = next;
    } else {
      return node as Node | undefined;
    }
  }
  return node as Node | undefined;
}

/**
 * The YAML library throws a ReferenceError both for an alias whose anchor does not exist and for a document whose
 * aliases expand to too many nodes (an "alias bomb"); these are the two, told apart. Both are bad input.
 */
export function unresolvedAliasOf(err: unknown): string | undefined {
  if (!(err instanceof ReferenceError)) return undefined;
  return /^Unresolved alias\b.*?: (.+)$/s.exec(err.message)?.[1]?.trim();
}

export function isAliasBomb(err: unknown): boolean {
  return err instanceof ReferenceError && /excessive alias count/i.test(err.message);
}

/** The message for an alias without an anchor, the same wherever YAML is read. */
export function unresolvedAliasMessage(alias: string): string {
  const name = alias.replace(/^\*/, '');
  return `alias *${name} refers to no anchor: define &${name} on a value before this alias, or write the value out`;
}

function documentToJS(
  doc: Document,
  displayFile: string,
  errorAt: (offset: number, message: string) => UserError,
): unknown {
  try {
    return doc.toJS({ maxAliasCount: RAW_ALIAS_BUDGET });
  } catch (err) {
    const alias = unresolvedAliasOf(err);
    if (alias !== undefined) {
      let offset = 0;
      visit(doc, {
        Alias(_, node) {
          if (`*${node.source}` !== alias && node.source !== alias.replace(/^\*/, '')) return undefined;
          offset = node.range?.[0] ?? 0;
          return visit.BREAK;
        },
      });
      throw errorAt(offset, unresolvedAliasMessage(alias));
    }
    if (isAliasBomb(err)) {
      throw new UserError(
        `${displayFile}: YAML aliases expand too much (more than ${RAW_ALIAS_BUDGET} alias uses, weighed by their nesting; the limit guards against alias bombs): write the repeated values out, or use fewer aliases of aliases`,
        displayFile,
      );
    }
    throw err;
  }
}

function syntaxError(text: string, displayFile: string, what: string, line: number, col: number, message: string) {
  const shown = snippetAround(text.split('\n')[line - 1] ?? '', col);
  return new UserError(
    `${displayFile}:${line}:${col}: ${what}: ${message}\n  ${line} | ${shown}`,
    displayFile,
    line,
    col,
  );
}

function tooDeep(displayFile: string): UserError {
  return new UserError(
    `${displayFile}: the YAML is nested too deeply to read (flatten its lists and mappings)`,
    displayFile,
  );
}
