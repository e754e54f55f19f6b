/**
 * Seeded generator of random Go text/template cases for the conformance suite.
 *
 * A recursive, grammar-based generator: it builds data first, then templates that mostly use the data
 * correctly (fields of the right kind, indexes in range), with nested control flow, variables and their
 * scopes, pipelines, parenthesised calls, trim markers, every builtin and every predecessor function, and
 * printf with random verbs, flags, widths and arguments. About 15% of the cases are deliberately broken
 * (parse errors or arguments of the wrong type at execution). Same seed, same cases.
 *
 * Debug: `npx tsx test/conformance/generator.ts [seed] [count]` prints the cases as JSON lines.
 */
import { pathToFileURL } from 'node:url';

export interface GenCase {
  name: string;
  tmpl: string;
  data: Record<string, unknown>;
  env: Record<string, string>;
}

export const DEFAULT_SEED = 20261123;
export const DEFAULT_COUNT = 1500;

/** mulberry32: small, fast, and the same on every platform. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Picks by weight: [[weight, value], ...]. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((s, [w]) => s + w, 0);
    let r = this.next() * total;
    for (const [w, v] of items) {
      if ((r -= w) < 0) return v;
    }
    return items[items.length - 1][1];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Data

const STRINGS = [
  '',
  ' ',
  'hello',
  'Hello World_X',
  'v1.2.3',
  'ai-staging',
  'Привет, мир',
  '✓ ok',
  '😀',
  'a b c',
  'line1\nline2',
  'tab\there',
  '<b>&"\'</b>',
  'x=y&z',
  '0123456789abcdef0123',
  '  padded  ',
  'UPPER',
  'ÄÖÜ ß',
  '100%',
  '/workspace/codex',
  'ü',
  'soft\u00adhyphen',
  'zero\u200bwidth',
  'e\u0301',
  'ǅİ',
  '\ufeffbom',
  '\u2028sep',
  'Ａ＿',
];
const KEYS = [
  'name',
  'Env',
  'Slot',
  'count',
  'items',
  'tags',
  'meta',
  'cfg',
  'flag',
  'ratio',
  'users',
  'host',
  'port',
  'Versions',
  'list',
  'opts',
  'empty',
  'nothing',
  'title',
  'n',
  'x',
  'deep',
  'on',
  'off',
  'ключ',
  'Z',
  '_u',
  // Not identifiers: reachable with index, and they stress map key order (Go sorts by UTF-8 bytes).
  'a-b',
  '😀',
  '\uff21',
  '\ue000',
  '1x',
  'with space',
];
const isIdent = (k: string) => /^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(k);
const FLOATS = [1.5, -0.25, 0.1, 3.14159, 2.5e-7, 1e21, -12.375, 1234.5678, 0.5, 1e-6, 6.02e23];
const INTS = [
  0,
  1,
  2,
  3,
  -1,
  -7,
  5,
  10,
  42,
  100,
  255,
  65,
  1000,
  123456789,
  9007199254740991,
  -9007199254740991,
  2 ** 60,
  -(2 ** 62),
  1e17,
];

/** A random double: k/10^d scaled by a power of ten (integral results are ints on both sides). */
function randomFloat(rng: Rng): number {
  const v = (rng.int(1, 999999) / 10 ** rng.int(0, 6)) * 10 ** rng.int(-12, 25);
  return rng.chance(0.3) ? -v : v;
}

function genScalar(rng: Rng): unknown {
  return rng.weighted<() => unknown>([
    [5, () => rng.pick(STRINGS)],
    [4, () => rng.pick(INTS)],
    [1, () => rng.pick(FLOATS)],
    [1, () => randomFloat(rng)],
    [2, () => rng.chance(0.5)],
    [1, () => null],
  ])();
}

function genValue(rng: Rng, depth: number): unknown {
  if (depth >= 3) return genScalar(rng);
  return rng.weighted<() => unknown>([
    [8, () => genScalar(rng)],
    [2, () => Array.from({ length: rng.int(1, 4) }, () => rng.pick(STRINGS))],
    [2, () => Array.from({ length: rng.int(1, 4) }, () => rng.pick(INTS.slice(0, 10)))],
    [1, () => Array.from({ length: rng.int(1, 4) }, () => genScalar(rng))],
    [1, () => []],
    [1, () => ({})],
    [3, () => genMap(rng, depth + 1, rng.int(1, 4))],
    [1, () => Array.from({ length: rng.int(1, 3) }, () => genMap(rng, depth + 1, rng.int(1, 3)))],
  ])();
}

function genMap(rng: Rng, depth: number, size: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) out[rng.pick(KEYS)] = genValue(rng, depth);
  return out;
}

function genData(rng: Rng): Record<string, unknown> {
  const data = genMap(rng, 0, rng.int(4, 8));
  // Always something of each main kind, so templates have material.
  data.s = rng.pick(STRINGS.filter((s) => s !== ''));
  data.i = rng.pick(INTS.slice(0, 12));
  data.f = rng.pick(FLOATS);
  data.b = rng.chance(0.5);
  data.l = Array.from({ length: rng.int(1, 4) }, () => rng.pick(STRINGS));
  data.m = genMap(rng, 1, rng.int(2, 4));
  return data;
}

function genEnv(rng: Rng): Record<string, string> {
  const env: Record<string, string> = {};
  if (rng.chance(0.7)) env.HOME_X = '/home/x';
  if (rng.chance(0.5)) env.EMPTY = '';
  if (rng.chance(0.5)) env.K1 = rng.pick(STRINGS);
  return env;
}

// ---------------------------------------------------------------------------------------------------------------
// Kinds and shapes: every expression carries a representative value ("shape") so nested choices fit.

type Kind = 'string' | 'int' | 'float' | 'bool' | 'list' | 'map' | 'nil' | 'any';
const UNKNOWN = Symbol('unknown');
const MISSING = Symbol('missing');

function kindOf(v: unknown): Kind {
  if (v === UNKNOWN || v === MISSING) return 'any';
  if (v === null) return 'nil';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  return 'any';
}

const isMap = (v: unknown): v is Record<string, unknown> => kindOf(v) === 'map';

interface Expr {
  src: string;
  shape: unknown;
  /** Usable as an argument without parentheses. */
  atomic: boolean;
}

interface Var {
  name: string;
  shape: unknown;
}

interface Ctx {
  dot: unknown;
  root: unknown;
  scopes: Var[][];
  inRange: boolean;
  depth: number;
  inDefine: boolean;
}

/** Go string literal (interpreted or raw). */
function goString(rng: Rng, s: string): string {
  if (!/[`\r]/.test(s) && rng.chance(0.15)) return '`' + s + '`';
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

const INT_LITERALS: [string, number][] = [
  ['0', 0],
  ['1', 1],
  ['2', 2],
  ['3', 3],
  ['-1', -1],
  ['42', 42],
  ['0x1F', 31],
  ['017', 15],
  ['0o17', 15],
  ['0b101', 5],
  ['1_000', 1000],
  ["'a'", 97],
  ['-7', -7],
  ['255', 255],
];
const FLOAT_LITERALS: [string, number][] = [
  ['1.5', 1.5],
  ['-0.25', -0.25],
  ['0.1', 0.1],
  ['1e3', 1000.5],
  ['.5', 0.5],
  ['2.0', 2.5],
  ['1e21', 1e21],
  ['1e-7', 1e-7],
  ['3.14159', 3.14159],
];

function literal(rng: Rng, kind: Kind): Expr | undefined {
  switch (kind) {
    case 'string': {
      const s = rng.pick(STRINGS);
      return { src: goString(rng, s), shape: s, atomic: true };
    }
    case 'int': {
      const [src, v] = rng.pick(INT_LITERALS);
      return { src, shape: v, atomic: true };
    }
    case 'float': {
      const [src, v] = rng.pick(FLOAT_LITERALS);
      return { src, shape: v, atomic: true };
    }
    case 'bool': {
      const b = rng.chance(0.5);
      return { src: String(b), shape: b, atomic: true };
    }
    default:
      return undefined;
  }
}

/** Every data reference reachable from here: dot paths, $ paths, variables and their paths. */
function references(ctx: Ctx): Expr[] {
  const out: Expr[] = [];
  const walk = (base: string, v: unknown, depth: number, sep: string) => {
    if (!isMap(v) || depth > 3) return;
    for (const [k, e] of Object.entries(v)) {
      if (!isIdent(k)) continue;
      const src = base === '.' ? '.' + k : base + sep + k;
      out.push({ src, shape: e, atomic: true });
      walk(src, e, depth + 1, '.');
    }
  };
  if (ctx.dot !== UNKNOWN) {
    out.push({ src: '.', shape: ctx.dot, atomic: true });
    walk('.', ctx.dot, 1, '');
  }
  if (ctx.root !== UNKNOWN && ctx.root !== ctx.dot) walk('$', ctx.root, 1, '.');
  for (const scope of ctx.scopes) {
    for (const v of scope) {
      out.push({ src: v.name, shape: v.shape, atomic: true });
      walk(v.name, v.shape, 2, '.');
    }
  }
  return out;
}

function visibleVars(ctx: Ctx): Var[] {
  return ctx.scopes.flat();
}

// ---------------------------------------------------------------------------------------------------------------
// Expressions

class TemplateGen {
  private varCounter = 0;
  private defines: { name: string; path: string }[] = [];

  constructor(private readonly rng: Rng) {}

  private paren(e: Expr): string {
    return e.atomic ? e.src : '(' + e.src + ')';
  }

  /** An argument of the wanted kind (sometimes deliberately of another kind). */
  arg(ctx: Ctx, want: Kind, depth: number): string {
    const kind = this.rng.chance(0.02) ? this.rng.pick<Kind>(['string', 'int', 'float', 'bool', 'list', 'map']) : want;
    return this.paren(this.expr(ctx, kind, depth));
  }

  argExpr(ctx: Ctx, want: Kind, depth: number): Expr {
    const e = this.expr(ctx, want, depth);
    return { src: this.paren(e), shape: e.shape, atomic: true };
  }

  expr(ctx: Ctx, want: Kind, depth: number): Expr {
    const rng = this.rng;
    const kind: Kind = want === 'any' ? rng.pick<Kind>(['string', 'int', 'float', 'bool', 'list', 'map', 'any']) : want;
    if (rng.chance(0.015)) {
      const missing = [isMap(ctx.dot) ? '.nope' : '', isMap(ctx.root) ? '$.missing' : ''].filter((m) => m);
      if (missing.length) return { src: rng.pick(missing), shape: MISSING, atomic: true };
    }
    const refs = references(ctx).filter((r) => kind === 'any' || kindOf(r.shape) === kind);
    const options: [number, () => Expr | undefined][] = [
      [refs.length ? 5 : 0, () => rng.pick(refs)],
      [3, () => literal(rng, kind)],
      [depth < 3 ? 4 : 0, () => this.call(ctx, kind, depth + 1)],
      [
        depth < 3 ? 0.7 : 0,
        () => {
          const e = this.parenField(ctx, depth + 1);
          return e && (kind === 'any' || kindOf(e.shape) === kind) ? e : undefined;
        },
      ],
    ];
    for (let attempt = 0; attempt < 6; attempt++) {
      const e = rng.weighted(options)();
      if (e) return e;
    }
    return literal(rng, kind === 'list' || kind === 'map' || kind === 'nil' || kind === 'any' ? 'string' : kind)!;
  }

  /** A function call returning the wanted kind. */
  call(ctx: Ctx, kind: Kind, depth: number): Expr | undefined {
    const rng = this.rng;
    const a = (k: Kind) => this.arg(ctx, k, depth);
    const e = (src: string, shape: unknown): Expr => ({ src, shape, atomic: false });
    const small = () => rng.pick(['0', '1', '2', '4', String(rng.int(0, 6))]);
    const fromList = (): Expr | undefined => {
      const l = references(ctx).filter((r) => kindOf(r.shape) === 'list' && (r.shape as unknown[]).length > 0);
      return l.length ? rng.pick(l) : undefined;
    };
    const fromMap = (): Expr | undefined => {
      const l = references(ctx).filter((r) => isMap(r.shape) && Object.keys(r.shape as object).length > 0);
      return l.length ? rng.pick(l) : undefined;
    };
    const fromString = (): Expr => this.argExpr(ctx, 'string', depth);
    switch (kind) {
      case 'string':
        return rng.weighted<() => Expr | undefined>([
          [6, () => this.printf(ctx, depth)],
          [2, () => e(`print ${this.args(ctx, depth, 0, 3)}`, 'x')],
          [1, () => e(`println ${this.args(ctx, depth, 0, 2)}`, 'x\n')],
          [2, () => e(`toLower ${a('string')}`, 'x')],
          [2, () => e(`slug ${a('string')}`, 'x')],
          [1, () => e(`truncSHA ${a('string')}`, 'x')],
          [2, () => e(`default ${a('string')} ${a('string')}`, 'x')],
          [2, () => e(`envOr ${goString(rng, rng.pick(['HOME_X', 'EMPTY', 'K1', 'NOPE']))} ${a('string')}`, 'x')],
          [1, () => e(`trimPrefix ${a('string')} ${a('string')}`, 'x')],
          [2, () => e(`indent ${small()} ${a('string')}`, ' x')],
          [2, () => e(`ternary ${a('bool')} ${a('string')} ${a('string')}`, 'x')],
          [1, () => e(`html ${this.args(ctx, depth, 1, 2)}`, 'x')],
          [1, () => e(`js ${this.args(ctx, depth, 1, 2)}`, 'x')],
          [1, () => e(`urlquery ${this.args(ctx, depth, 1, 2)}`, 'x')],
          [
            2,
            () => {
              const l = references(ctx).filter(
                (r) => Array.isArray(r.shape) && r.shape.length > 0 && r.shape.every((x) => typeof x === 'string'),
              );
              const list = l.length && rng.chance(0.95) ? rng.pick(l).src : a('list');
              return e(`join ${list} ${goString(rng, rng.pick([',', ', ', '', '-']))}`, 'x');
            },
          ],
          [
            2,
            () => {
              const s = fromString();
              const len = typeof s.shape === 'string' ? Buffer.byteLength(s.shape) : 3;
              const i = rng.int(0, len + (rng.chance(0.1) ? 2 : 0));
              const j = rng.int(i, len + (rng.chance(0.1) ? 2 : 0));
              const idx = rng.pick([[], [i], [i, j]]);
              return e(`slice ${s.src}${idx.map((n) => ' ' + n).join('')}`, 'x');
            },
          ],
          [
            2,
            () => {
              const maps = references(ctx).filter(
                (r) => isMap(r.shape) && Object.values(r.shape).some((v) => typeof v === 'string'),
              );
              if (!maps.length) return undefined;
              const m = rng.pick(maps);
              const keys = Object.keys(m.shape as object).filter(
                (k) => typeof (m.shape as Record<string, unknown>)[k] === 'string',
              );
              const k = rng.chance(0.95) ? rng.pick(keys) : 'nokey';
              return e(`index ${m.src} ${goString(rng, k)}`, (m.shape as Record<string, unknown>)[k] ?? MISSING);
            },
          ],
        ])();
      case 'int':
        return rng.weighted<() => Expr | undefined>([
          [
            4,
            () => e(`len ${this.paren(rng.pick([fromList(), fromMap(), fromString()].filter((x) => x) as Expr[]))}`, 2),
          ],
          [
            3,
            () => {
              const lists = references(ctx).filter(
                (r) => Array.isArray(r.shape) && r.shape.some((x) => kindOf(x) === 'int'),
              );
              if (!lists.length) return undefined;
              const l = rng.pick(lists);
              const elems = l.shape as unknown[];
              const ints = elems.map((x, i) => (kindOf(x) === 'int' ? i : -1)).filter((i) => i >= 0);
              const i = rng.chance(0.95) ? rng.pick(ints) : rng.pick([elems.length, -1, 99]);
              return e(`index ${l.src} ${i}`, elems[i] ?? UNKNOWN);
            },
          ],
          [0.5, () => e(`index ${fromString().src} 0`, 104)],
        ])();
      case 'bool':
        return rng.weighted<() => Expr | undefined>([
          [
            5,
            () => {
              const k = rng.pick<Kind>(['string', 'int', 'int', 'float', 'bool']);
              const op = rng.pick(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
              const n = op === 'eq' && rng.chance(0.3) ? rng.int(2, 4) : 2;
              const args = Array.from({ length: n }, () =>
                this.arg(ctx, op === 'eq' || op === 'ne' ? k : k === 'bool' ? 'int' : k, depth),
              );
              return e(`${op} ${args.join(' ')}`, true);
            },
          ],
          [2, () => e(`not ${a('any')}`, true)],
          [2, () => e(`and ${this.boolArgs(ctx, depth)}`, true)],
          [2, () => e(`or ${this.boolArgs(ctx, depth)}`, true)],
        ])();
      case 'list': {
        const l = fromList();
        if (!l) return undefined;
        const n = (l.shape as unknown[]).length;
        return rng.weighted<() => Expr | undefined>([
          [
            3,
            () => {
              const i = rng.int(0, n);
              const j = rng.int(i, n + (rng.chance(0.08) ? 2 : 0));
              const idx = rng.pick([[i], [i, j], [i, j, n]]);
              return e(`slice ${l.src} ${idx.join(' ')}`, (l.shape as unknown[]).slice(i));
            },
          ],
          [1, () => e(`ternary ${a('bool')} ${l.src} ${a('list')}`, l.shape)],
        ])();
      }
      case 'float':
      case 'nil':
        return undefined;
      case 'map': {
        const m = fromMap();
        if (!m) return undefined;
        return e(`ternary ${a('bool')} ${m.src} ${a('map')}`, m.shape);
      }
      default:
        return rng.weighted<() => Expr | undefined>([
          [2, () => e(`and ${this.args(ctx, depth, 1, 3)}`, UNKNOWN)],
          [2, () => e(`or ${this.args(ctx, depth, 1, 3)}`, UNKNOWN)],
          [1, () => e(`ternary ${a('bool')} ${a('any')} ${a('any')}`, UNKNOWN)],
          [
            2,
            () => {
              const m = fromMap();
              if (!m) return undefined;
              const k = rng.pick(Object.keys(m.shape as object));
              return e(`index ${m.src} ${goString(rng, k)}`, (m.shape as Record<string, unknown>)[k]);
            },
          ],
          [
            1,
            () => {
              // index with a path of keys/positions through nested maps and lists
              const m = fromMap() ?? fromList();
              if (!m) return undefined;
              let cur: unknown = m.shape;
              const path: string[] = [];
              while (path.length < 3 && (isMap(cur) || Array.isArray(cur))) {
                if (isMap(cur)) {
                  const keys = Object.keys(cur);
                  if (!keys.length) break;
                  const k = rng.pick(keys);
                  path.push(goString(rng, k));
                  cur = cur[k];
                } else {
                  const arr = cur as unknown[];
                  if (!arr.length) break;
                  const i = rng.int(0, arr.length - 1);
                  path.push(String(i));
                  cur = arr[i];
                }
              }
              return path.length ? e(`index ${m.src} ${path.join(' ')}`, cur) : undefined;
            },
          ],
        ])();
    }
  }

  /** A field read on a parenthesised command: (index .m "k").field, (ternary c .a .b).x */
  parenField(ctx: Ctx, depth: number): Expr | undefined {
    const rng = this.rng;
    const maps = references(ctx).filter(
      (r) => isMap(r.shape) && Object.entries(r.shape).some(([k, v]) => isIdent(k) && isMap(v)),
    );
    if (!maps.length) return undefined;
    const m = rng.pick(maps);
    const inner = Object.entries(m.shape as Record<string, unknown>).filter(([k, v]) => isIdent(k) && isMap(v));
    const [k, v] = rng.pick(inner);
    const fields = Object.keys(v as object).filter(isIdent);
    const field = fields.length && rng.chance(0.9) ? rng.pick(fields) : 'nope';
    const sub = m.src === '.' ? `.${k}` : `${m.src}.${k}`;
    const head = rng.pick([
      `index ${m.src} ${goString(rng, k)}`,
      `ternary ${this.arg(ctx, 'bool', depth)} ${sub} ${sub}`,
    ]);
    return { src: `(${head}).${field}`, shape: (v as Record<string, unknown>)[field] ?? MISSING, atomic: true };
  }

  /** and/or operands: mostly booleans, so the result stays a bool; sometimes anything (and/or return operands). */
  boolArgs(ctx: Ctx, depth: number): string {
    const n = this.rng.int(1, 3);
    return Array.from({ length: n }, () => this.arg(ctx, this.rng.chance(0.85) ? 'bool' : 'any', depth)).join(' ');
  }

  args(ctx: Ctx, depth: number, min: number, max: number): string {
    const n = this.rng.int(min, max);
    return Array.from({ length: n }, () => this.arg(ctx, 'any', depth)).join(' ');
  }

  /** printf with random verbs, flags, widths, precisions and arguments. */
  printf(ctx: Ctx, depth: number): Expr {
    const rng = this.rng;
    const verbs: [string, Kind][] = [
      ['v', 'any'],
      ['+v', 'any'],
      ['#v', 'any'],
      ['s', 'string'],
      ['q', 'string'],
      ['d', 'int'],
      ['x', 'int'],
      ['X', 'string'],
      ['o', 'int'],
      ['O', 'int'],
      ['b', 'int'],
      ['c', 'int'],
      ['U', 'int'],
      ['e', 'float'],
      ['E', 'float'],
      ['f', 'float'],
      ['F', 'float'],
      ['g', 'float'],
      ['G', 'float'],
      ['t', 'bool'],
      ['T', 'any'],
    ];
    const texts = ['', '', ' ', '-', ':', '=', '[', ']', 'é', 'x', '|'];
    let fmt = rng.pick(texts);
    const args: string[] = [];
    const n = rng.int(0, 3);
    for (let k = 0; k < n; k++) {
      if (rng.chance(0.06)) {
        fmt += '%%' + rng.pick(texts);
        continue;
      }
      const [verb, kind0] = rng.pick(verbs);
      const kind = rng.chance(0.15) ? 'any' : kind0;
      let spec = '%';
      const flags = ['+', '-', '#', ' ', '0'];
      const nf = rng.weighted([
        [6, 0],
        [3, 1],
        [1, 2],
      ]);
      for (let f = 0; f < nf; f++) spec += rng.pick(flags);
      if (rng.chance(0.06)) {
        spec += '*';
        args.push(String(rng.int(-6, 12)));
      } else if (rng.chance(0.3)) {
        spec += String(rng.int(1, 12));
      }
      if (rng.chance(0.25)) spec += '.' + String(rng.int(0, 6));
      if (rng.chance(0.04)) spec += `[${rng.int(1, 3)}]`;
      fmt += spec + verb + rng.pick(texts);
      args.push(this.arg(ctx, kind, depth));
    }
    if (rng.chance(0.05)) args.pop();
    if (rng.chance(0.05)) args.push(this.arg(ctx, 'any', depth));
    return { src: ['printf', goString(rng, fmt), ...args].join(' '), shape: 'x', atomic: false };
  }

  /** A pipeline: a command, maybe followed by stages receiving the value as their last argument. */
  pipeline(ctx: Ctx, want: Kind): string {
    const rng = this.rng;
    const first = this.expr(ctx, want, 1);
    let src = first.src;
    let shape = first.shape;
    const stages = rng.weighted([
      [7, 0],
      [3, 1],
      [1, 2],
    ]);
    for (let k = 0; k < stages; k++) {
      const [stage, next] = this.stage(ctx, rng.chance(0.03) ? 'any' : kindOf(shape));
      src += ' | ' + stage;
      shape = next;
    }
    return src;
  }

  /** A pipeline stage suited to a piped value of this kind, with the shape of its result. */
  private stage(ctx: Ctx, kind: Kind): [string, unknown] {
    const rng = this.rng;
    const a = (k: Kind) => this.arg(ctx, k, 2);
    const any: [number, () => [string, unknown]][] = [
      [3, () => [`printf ${goString(rng, rng.pick(['%v', '[%v]', '%5v|', '%T', '%#v']))}`, 'x']],
      [1, () => [`printf ${goString(rng, rng.pick(['%s=%v', '%d:%v', '%v %v']))} ${a('any')}`, 'x']],
      [2, () => [`print ${this.args(ctx, 2, 0, 1)}`, 'x']],
      [1, () => [rng.pick(['html', 'js', 'urlquery', 'println']), 'x']],
      [1, () => ['not', true]],
      [1, () => [`and ${a('any')}`, UNKNOWN]],
      [1, () => [`or ${a('any')}`, UNKNOWN]],
      [1, () => [`ternary ${a('bool')} ${a('any')}`, UNKNOWN]],
    ];
    const comparable: [number, () => [string, unknown]][] =
      kind === 'string' || kind === 'int' || kind === 'float' || kind === 'bool'
        ? [[2, () => [`${rng.pick(kind === 'bool' ? ['eq', 'ne'] : ['eq', 'ne', 'lt', 'ge'])} ${a(kind)}`, true]]]
        : [];
    const specific: Record<string, [number, () => [string, unknown]][]> = {
      string: [
        [3, () => [rng.pick(['toLower', 'slug', 'truncSHA', 'len']), 'x']],
        [2, () => [`default ${a('string')}`, 'x']],
        [1, () => [`trimPrefix ${a('string')}`, 'x']],
        [1, () => [`indent ${rng.int(0, 4)}`, ' x']],
        [1, () => [`printf ${goString(rng, rng.pick(['[%s]', '%q', '%-8s|', '%.2s', '%x']))}`, 'x']],
        [1, () => [`envOr ${goString(rng, rng.pick(['HOME_X', 'EMPTY', 'NOPE']))}`, 'x']],
      ],
      int: [[2, () => [`printf ${goString(rng, rng.pick(['%d', '%05d', '%x', '%+d', '%c', '%U', '%o', '%b']))}`, 'x']]],
      float: [[2, () => [`printf ${goString(rng, rng.pick(['%f', '%.2f', '%e', '%g', '%8.3f|', '%G']))}`, 'x']]],
      list: [
        [3, () => ['len', 2]],
        [1, () => ['slice', UNKNOWN]],
      ],
      map: [[3, () => ['len', 2]]],
    };
    return rng.weighted([...any, ...comparable, ...(specific[kind] ?? [])])();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Template structure

  private open(): string {
    return this.rng.weighted([
      [6, '{{ '],
      [2, '{{- '],
      [1, '{{'],
    ]);
  }

  private close(): string {
    return this.rng.weighted([
      [6, ' }}'],
      [2, ' -}}'],
      [1, '}}'],
    ]);
  }

  private action(body: string): string {
    let open = this.open();
    // "{{-3" would be a number, not a trim marker; keep the space form for a leading minus.
    if (open === '{{' && body.startsWith('-')) open = '{{ ';
    return open + body + this.close();
  }

  private text(): string {
    return this.rng.pick(['a', ' ', '\n', 'x=', ', ', '- ', '[', ']', 'Ж', '  \n', '\r\n', '|', 'text ', '\t', '\n\n']);
  }

  private newVar(): string {
    return `$v${this.varCounter++}`;
  }

  private child(ctx: Ctx, over: Partial<Ctx>): Ctx {
    return { ...ctx, scopes: [...ctx.scopes, []], depth: ctx.depth + 1, ...over };
  }

  list(ctx: Ctx, budget: number): string {
    let out = '';
    const n = this.rng.int(1, budget);
    for (let k = 0; k < n; k++) out += this.node(ctx);
    return out;
  }

  node(ctx: Ctx): string {
    const rng = this.rng;
    const deep = ctx.depth >= 3;
    const vars = visibleVars(ctx);
    return rng.weighted<() => string>([
      [4, () => this.text()],
      [6, () => this.action(this.pipeline(ctx, 'any'))],
      [
        2,
        () => {
          const name = this.newVar();
          const e = this.expr(ctx, 'any', 1);
          ctx.scopes[ctx.scopes.length - 1].push({ name, shape: e.shape });
          return this.action(`${name} := ${e.src}`);
        },
      ],
      [
        vars.length ? 1 : 0,
        () => {
          const v = rng.pick(vars);
          const e = this.expr(ctx, kindOf(v.shape), 1);
          return this.action(`${v.name} = ${e.src}`);
        },
      ],
      [deep ? 0 : 3, () => this.ifNode(ctx)],
      [deep ? 0 : 3, () => this.rangeNode(ctx)],
      [deep ? 0 : 2, () => this.withNode(ctx)],
      [1, () => this.comment()],
      [
        ctx.inRange ? 1 : 0,
        () =>
          this.action(`if ${this.pipeline(ctx, 'bool')}`) +
          this.action(rng.pick(['break', 'continue'])) +
          this.action('end'),
      ],
      [!ctx.inDefine && this.defines.length ? 2 : 0, () => this.templateCall()],
      [!ctx.inDefine && !deep ? 1 : 0, () => this.blockNode(ctx)],
    ])();
  }

  private comment(): string {
    const body = this.rng.pick(['/* c */', '/* multi\nline */', '/**/', '/* {{ not }} */']);
    return this.rng.weighted([
      [3, `{{${body}}}`],
      [2, `{{- ${body} -}}`],
      [1, `{{- ${body}}}`],
    ]);
  }

  private ifNode(ctx: Ctx): string {
    const rng = this.rng;
    let out =
      this.action(`if ${this.pipeline(ctx, rng.chance(0.6) ? 'bool' : 'any')}`) + this.list(this.child(ctx, {}), 3);
    while (rng.chance(0.3))
      out += this.action(`else if ${this.pipeline(ctx, 'bool')}`) + this.list(this.child(ctx, {}), 2);
    if (rng.chance(0.5)) out += this.action('else') + this.list(this.child(ctx, {}), 2);
    return out + this.action('end');
  }

  private rangeNode(ctx: Ctx): string {
    const rng = this.rng;
    const refs = references(ctx).filter((r) => ['list', 'map', 'nil'].includes(kindOf(r.shape)) || r.shape === MISSING);
    if (!refs.length && rng.chance(0.85)) return this.withNode(ctx);
    let over: Expr;
    if (refs.length && rng.chance(0.9)) over = rng.pick(refs);
    else if (rng.chance(0.7))
      over = { src: this.paren(this.call(ctx, 'list', 2) ?? this.expr(ctx, 'list', 2)), shape: [], atomic: true };
    else over = this.expr(ctx, 'any', 2);
    const isList = Array.isArray(over.shape);
    const elems = isList ? (over.shape as unknown[]) : isMap(over.shape) ? Object.values(over.shape) : [];
    const elem = elems.length ? rng.pick(elems) : UNKNOWN;
    const body = this.child(ctx, { dot: elem, inRange: true });
    let head = 'range ';
    const form = rng.int(0, 2);
    if (form === 1) {
      const v = this.newVar();
      body.scopes[body.scopes.length - 1].push({ name: v, shape: elem });
      head += `${v} := `;
    } else if (form === 2) {
      const k = this.newVar();
      const v = this.newVar();
      body.scopes[body.scopes.length - 1].push({ name: k, shape: isList ? 0 : 'key' }, { name: v, shape: elem });
      head += `${k}, ${v} := `;
    }
    let out = this.action(head + over.src) + this.list(body, 3);
    if (rng.chance(0.35)) out += this.action('else') + this.list(this.child(ctx, {}), 2);
    return out + this.action('end');
  }

  private withNode(ctx: Ctx): string {
    const rng = this.rng;
    const e = this.expr(ctx, 'any', 1);
    const body = this.child(ctx, { dot: e.shape === MISSING ? UNKNOWN : e.shape });
    let head = 'with ';
    if (rng.chance(0.3)) {
      const v = this.newVar();
      body.scopes[body.scopes.length - 1].push({ name: v, shape: e.shape });
      head += `${v} := `;
    }
    let out = this.action(head + e.src) + this.list(body, 3);
    if (rng.chance(0.4)) out += this.action('else') + this.list(this.child(ctx, {}), 2);
    return out + this.action('end');
  }

  private templateCall(): string {
    const d = this.rng.pick(this.defines);
    return this.action(`template ${JSON.stringify(d.name)}${this.rng.chance(0.1) ? '' : ' ' + d.path}`);
  }

  private blockNode(ctx: Ctx): string {
    const name = `b${this.varCounter++}`;
    const paths = references({ ...ctx, dot: ctx.root, scopes: [] }).map((r) => ({
      ...r,
      src: r.src === '.' ? '$' : '$' + r.src,
    }));
    const target = this.rng.pick(paths.length ? paths : [{ src: '$', shape: ctx.root, atomic: true }]);
    const body: Ctx = {
      dot: target.shape,
      root: target.shape,
      scopes: [[]],
      inRange: false,
      depth: ctx.depth + 1,
      inDefine: true,
    };
    return this.action(`block ${JSON.stringify(name)} ${target.src}`) + this.list(body, 3) + this.action('end');
  }

  /** Defines that take some part of the data; called with `$.path`. */
  defineNodes(root: Record<string, unknown>): string {
    let out = '';
    const n = this.rng.weighted([
      [5, 0],
      [3, 1],
      [1, 2],
    ]);
    const ctx0: Ctx = { dot: root, root, scopes: [], inRange: false, depth: 0, inDefine: true };
    const paths = references(ctx0);
    for (let k = 0; k < n; k++) {
      const target = this.rng.pick(paths);
      const name = `t${k}`;
      const body: Ctx = {
        dot: target.shape,
        root: target.shape,
        scopes: [[]],
        inRange: false,
        depth: 1,
        inDefine: true,
      };
      out += this.action(`define "${name}"`) + this.list(body, 3) + this.action('end');
      this.defines.push({ name, path: target.src === '.' ? '$' : '$' + target.src });
    }
    return out;
  }

  template(data: Record<string, unknown>): string {
    const defs = this.defineNodes(data);
    const ctx: Ctx = { dot: data, root: data, scopes: [[]], inRange: false, depth: 0, inDefine: false };
    let body = this.list(ctx, 6);
    if (this.defines.length && this.rng.chance(0.8)) body += this.templateCall();
    return this.rng.chance(0.5) ? defs + body : body + defs;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Deliberate breakage

const END_RE = /\{\{-? ?end ?-?\}\}/g;

function positionsOf(s: string, re: RegExp): number[] {
  const out: number[] = [];
  for (const m of s.matchAll(re)) out.push(m.index);
  return out;
}

/** Inserts text right after an action (every "}}" in generated templates ends an action). */
function insertAfterAction(rng: Rng, tmpl: string, text: string): string {
  const ends = positionsOf(tmpl, /\}\}/g).map((i) => i + 2);
  const at = ends.length ? rng.pick([0, ...ends]) : 0;
  return tmpl.slice(0, at) + text + tmpl.slice(at);
}

function breakTemplate(rng: Rng, tmpl: string, data: Record<string, unknown>): string {
  const mixedKey = Object.keys(data).find(
    (k) => Array.isArray(data[k]) && !(data[k] as unknown[]).every((x) => typeof x === 'string'),
  );
  const kinds: [number, () => string | undefined][] = [
    [
      3,
      () => {
        const ends = positionsOf(tmpl, END_RE);
        if (!ends.length) return undefined;
        const at = rng.pick(ends);
        return tmpl.slice(0, at) + tmpl.slice(at).replace(END_RE, '');
      },
    ],
    [2, () => insertAfterAction(rng, tmpl, rng.pick(['{{ end }}', '{{ else }}', '{{- end -}}', '{{ else if .b }}']))],
    [
      3,
      () =>
        insertAfterAction(
          rng,
          tmpl,
          rng.pick([
            '{{ @ }}',
            '{{ .s. }}',
            '{{ 1.2.3 }}',
            '{{ "unterminated }}',
            '{{ ( }}',
            '{{ | .s }}',
            '{{ $ := }}',
            '{{ 0x }}',
            "{{ 'ab' }}",
            '{{ .a-b }}',
            '{{ }}',
            '{{ if }}{{ end }}',
            '{{ range }}{{ end }}',
            '{{ break }}',
            '{{ define "x" }}',
            '{{ template }}',
            '{{ printf "%d" 1) }}',
            '{{ /* c */ }}',
            '{{ 99999999999999999999 }}',
          ]),
        ),
    ],
    [
      2,
      () =>
        insertAfterAction(
          rng,
          tmpl,
          rng.pick(['{{ upperx .s }}', '{{ .s | nosuchfn }}', '{{ printf "%s" (lower .s) }}', '{{ Len .l }}']),
        ),
    ],
    [
      2,
      () =>
        insertAfterAction(
          rng,
          tmpl,
          rng.pick(['{{ $undefined }}', '{{ $nope.x }}', '{{ $q = 1 }}', '{{ printf "%v" $zz }}']),
        ),
    ],
    [
      4,
      () =>
        insertAfterAction(
          rng,
          tmpl,
          rng.pick([
            '{{ indent "2" "x" }}',
            '{{ ternary "yes" 1 2 }}',
            `{{ join .${mixedKey ?? 'i'} "," }}`,
            '{{ len 3 }}',
            '{{ len .i }}',
            '{{ index .l 99 }}',
            '{{ toLower 5 }}',
            '{{ toLower .i }}',
            '{{ eq "a" 1 }}',
            '{{ eq .s .i }}',
            '{{ lt .b .b }}',
            '{{ slice .s 2 1 }}',
            '{{ slice .i 0 }}',
            '{{ .s.x }}',
            '{{ .i 1 }}',
            '{{ index .m 1 }}',
            '{{ default .i "x" }}',
            '{{ indent -1 "x" }}',
            '{{ call .s }}',
            '{{ template "nosuch" }}',
            '{{ range .i }}{{ end }}',
            '{{ trimPrefix .l "x" }}',
            '{{ envOr "K" }}',
            '{{ not }}',
            '{{ ne 1 2 3 }}',
            '{{ toLower .missing }}',
          ]),
        ),
    ],
    [
      1,
      () => {
        const opens = positionsOf(tmpl, /\{\{/g);
        if (!opens.length) return undefined;
        const at = rng.pick(opens) + 2;
        return tmpl.slice(0, at + rng.int(0, 3));
      },
    ],
  ];
  for (let attempt = 0; attempt < 10; attempt++) {
    const out = rng.weighted(kinds)();
    if (out !== undefined) return out;
  }
  return tmpl + '{{ end }}';
}

// ---------------------------------------------------------------------------------------------------------------

export function generateCases(seed = DEFAULT_SEED, count = DEFAULT_COUNT): GenCase[] {
  const rng = new Rng(seed);
  const cases: GenCase[] = [];
  for (let k = 0; k < count; k++) {
    const data = genData(rng);
    const env = genEnv(rng);
    let tmpl = new TemplateGen(rng).template(data);
    const broken = rng.chance(0.15);
    if (broken) tmpl = breakTemplate(rng, tmpl, data);
    cases.push({ name: `random/${seed}/${String(k).padStart(4, '0')}${broken ? '-broken' : ''}`, tmpl, data, env });
  }
  return cases;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seed = Number(process.argv[2] ?? DEFAULT_SEED);
  const count = Number(process.argv[3] ?? 20);
  for (const c of generateCases(seed, count)) process.stdout.write(JSON.stringify(c) + '\n');
}
