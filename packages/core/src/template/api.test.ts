import { describe, expect, it } from '@jest/globals';

import {
  GoFloat,
  GoStruct,
  GoTime,
  NO_VALUE,
  TemplateError,
  builtinFuncNames,
  builtinFuncs,
  bufferToGoString,
  defineFunc,
  formatValue,
  fromJSON,
  goStringToBuffer,
  isStringSlice,
  isTrue,
  nilPointer,
  parseTemplate,
  predecessorFuncNames,
  predecessorFuncs,
  sprint,
  sprintf,
  sprintln,
  stringMap,
  stringSlice,
  typeName,
} from './index.js';

const NOW = new Date(Date.UTC(2026, 1, 6, 10, 0, 0));

function run(text: string, data?: unknown, funcs = {}): string {
  return parseTemplate('t', text, { funcs }).execute(data);
}

function errorOf(f: () => unknown): TemplateError {
  try {
    f();
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error('expected a TemplateError');
}

describe('value model', () => {
  it('decodes JSON like the Go oracle', () => {
    const v = fromJSON(
      JSON.parse('{"i":1,"f":1.5,"s":["a","b"],"mixed":["a",1],"empty":[],"o":{"x":null},"big":1e21}'),
    ) as Record<string, unknown>;
    expect(typeName(v)).toBe('map[string]interface {}');
    expect(typeName(v.i)).toBe('int');
    expect(typeName(v.f)).toBe('float64');
    expect(typeName(v.s)).toBe('[]string');
    expect(isStringSlice(v.s as unknown[])).toBe(true);
    expect(typeName(v.mixed)).toBe('[]interface {}');
    expect(typeName(v.empty)).toBe('[]interface {}');
    expect(v.big).toBeInstanceOf(GoFloat);
    expect(run('{{ .big }} {{ .o.x }} {{ .o }}', v)).toBe('1e+21 <no value> map[x:<nil>]');
  });

  it('names Go types', () => {
    expect(typeName(new GoFloat(2))).toBe('float64');
    expect(typeName(new GoStruct('config.X', {}))).toBe('config.X');
    expect(typeName(new GoStruct('config.X', {}, true))).toBe('*config.X');
    expect(typeName(nilPointer('config.X'))).toBe('*config.X');
    expect(typeName(new GoTime(NOW))).toBe('time.Time');
    expect(typeName(stringSlice(['a']))).toBe('[]string');
  });

  it('applies Go truthiness', () => {
    for (const v of [
      false,
      0,
      0.0,
      new GoFloat(0),
      '',
      null,
      undefined,
      NO_VALUE,
      [],
      {},
      new Map(),
      nilPointer('T'),
    ]) {
      expect(isTrue(v)).toBe(false);
    }
    for (const v of [true, 1, -0.5, new GoFloat(1), 'x', [0], { a: 0 }, new GoStruct('T', {}), new GoTime(NOW)]) {
      expect(isTrue(v)).toBe(true);
    }
  });

  it('prints values like {{ . }}', () => {
    expect(formatValue(NO_VALUE)).toBe('<no value>');
    expect(formatValue(null)).toBe('<no value>');
    expect(formatValue(1.5)).toBe('1.5');
    expect(formatValue(new GoFloat(3))).toBe('3');
    expect(formatValue(1e21)).toBe('1e+21');
    expect(formatValue(['a', null, 2])).toBe('[a <nil> 2]');
    expect(formatValue({ b: 1, a: [true] })).toBe('map[a:[true] b:1]');
    expect(formatValue(new GoStruct('config.S', { A: 'a', B: 2 }))).toBe('{a 2}');
    expect(formatValue(new GoStruct('config.S', { A: 'a' }, true))).toBe('&{a}');
    expect(formatValue(nilPointer('config.S'))).toBe('<nil>');
    expect(formatValue(new GoTime(NOW))).toBe('2026-02-06 10:00:00 +0000 UTC');
    expect(formatValue(new GoTime(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 120))))).toBe(
      '2026-01-02 03:04:05.12 +0000 UTC',
    );
  });

  it('formats like fmt.Sprintf, Sprint and Sprintln', () => {
    expect(sprintf('%5.2f|%-4d|%x|%q|%v', 3.14159, 7, 'hi', 'a"b', [1, 'a'])).toBe(' 3.14|7   |6869|"a\\"b"|[1 a]');
    expect(sprintf('%d %s', 'x')).toBe('%!d(string=x) %!s(MISSING)');
    expect(sprintf('%d', 1, 2)).toBe('1%!(EXTRA int=2)');
    expect(sprintf('%+v %#v', new GoStruct('main.P', { X: 1, Y: 'y' }), new GoStruct('main.P', { X: 1, Y: 'y' }))).toBe(
      '{X:1 Y:y} main.P{X:1, Y:"y"}',
    );
    expect(sprint('a', 1, 2, 'b', null, 3)).toBe('a1 2b<nil> 3');
    expect(sprintln('a', 1)).toBe('a 1\n');
  });
});

describe('strings as bytes', () => {
  it('keeps bytes that are not UTF-8 as escapes, and writes them back exactly', () => {
    const out = run('{{ slice .s 0 1 }}|{{ "\\xff" }}|{{ len (slice .s 0 1) }}', fromJSON({ s: 'é' }));
    expect(out).toBe('\uDCC3|\uDCFF|1');
    expect(goStringToBuffer(out)).toEqual(Buffer.from([0xc3, 0x7c, 0xff, 0x7c, 0x31]));
  });

  it('joins halves of a character back into it', () => {
    expect(run('{{ slice .s 0 1 }}{{ slice .s 1 2 }}', fromJSON({ s: 'é' }))).toBe('é');
    expect(run('{{ eq (print (slice .s 0 1) (slice .s 1)) .s }}', fromJSON({ s: 'é' }))).toBe('true');
  });

  it('reads raw bytes into the same representation', () => {
    const text = bufferToGoString(Buffer.from([0x61, 0xff, 0xc3, 0xa9, 0xc3]));
    expect(text).toBe('a\uDCFFé\uDCC3');
    expect(goStringToBuffer(text)).toEqual(Buffer.from([0x61, 0xff, 0xc3, 0xa9, 0xc3]));
    expect(run(text)).toBe(text);
  });

  it('decodes unpaired surrogates in JSON as U+FFFD, as Go does', () => {
    expect(fromJSON({ s: 'a\udc80', list: ['\ud800'] })).toEqual({ s: 'a\uFFFD', list: ['\uFFFD'] });
  });

  it('compares and sorts strings by their UTF-8 bytes', () => {
    const data = fromJSON({ m: { '\uffff': 1, '😀': 2, a: 3 } });
    expect(run('{{ range $k, $v := .m }}{{ $v }}{{ end }} {{ lt "\\uffff" "😀" }}', data)).toBe('312 true');
  });
});

describe('re-entrance', () => {
  it('lets a function parse and execute another template while executing', () => {
    const inner = parseTemplate('inner', '{{ printf "<%s:%d>" .s .n }}');
    const render = defineFunc({
      name: 'render',
      params: ['string'],
      fn: (s: string) => inner.execute(fromJSON({ s, n: 1 })) + parseTemplate('x', '{{ len . }}').execute(s),
    });
    const out = run('{{ range .l }}[{{ printf "%s" (render .) }}]{{ end }}', fromJSON({ l: ['a', 'bc'] }), { render });
    expect(out).toBe('[<a:1>1][<bc:1>2]');
  });

  it('parses huge and deeply nested texts, and small ones after them', () => {
    const big = '{{ .x }}'.repeat(200000);
    expect(run(big, fromJSON({ x: 1 })).length).toBe(200000);
    // 500 parentheses: the nesting limit (1000 levels, a parenthesis counting as two).
    const deep = '{{ ' + '('.repeat(500) + '1' + ')'.repeat(500) + ' }}';
    expect(run(deep)).toBe('1');
    expect(run('{{ .a }}', fromJSON({ a: 'ok' }))).toBe('ok');
  });
});

describe('maps', () => {
  it('accepts Map instances as map[string]interface {}', () => {
    const m = new Map<string, unknown>([
      ['b', 2],
      ['a', 1],
    ]);
    expect(run('{{ .a }} {{ . }} {{ range $k, $v := . }}{{ $k }}{{ $v }}{{ end }} {{ len . }}', m)).toBe(
      '1 map[a:1 b:2] a1b2 2',
    );
  });

  it('gives map[string]string the zero value "" for a missing index', () => {
    const data = { v: stringMap({ a: '1' }), w: { a: '1' } };
    expect(run('[{{ index .v "zz" }}] [{{ index .w "zz" }}] [{{ .v.zz }}] {{ printf "%T" .v }}', data)).toBe(
      '[] [<no value>] [<no value>] map[string]string',
    );
  });
});

describe('structs, pointers and times', () => {
  const ctx = new GoStruct('config.TemplateContext', {
    Namespace: 'ns',
    Storage: nilPointer('config.StorageConfig', ['Workspace']),
    Now: new GoTime(NOW),
    hidden: 1,
  });

  it('reads fields and reports unknown ones like Go', () => {
    expect(run('{{ .Namespace }}', ctx)).toBe('ns');
    expect(errorOf(() => run('{{ .Nope }}', ctx)).message).toBe(
      'template: t:1:3: executing "t" at <.Nope>: can\'t evaluate field Nope in type config.TemplateContext',
    );
    expect(errorOf(() => run('{{ .hidden }}', ctx)).message).toContain(
      'hidden is an unexported field of struct type config.TemplateContext',
    );
  });

  it('treats a typed nil pointer as false and fails on field access', () => {
    expect(run('{{ if .Storage }}y{{ else }}n{{ end }} {{ .Storage }}', ctx)).toBe('n <nil>');
    expect(errorOf(() => run('{{ .Storage.Workspace }}', ctx)).message).toBe(
      'template: t:1:11: executing "t" at <.Storage.Workspace>: nil pointer evaluating *config.StorageConfig.Workspace',
    );
    expect(errorOf(() => run('{{ .Storage.Other }}', ctx)).message).toContain(
      "can't evaluate field Other in type *config.StorageConfig",
    );
  });

  it('reads through a non-nil pointer', () => {
    const data = new GoStruct('C', { Storage: new GoStruct('config.StorageConfig', { Workspace: 'w' }, true) });
    expect(run('{{ .Storage.Workspace }} {{ .Storage }}', data)).toBe('w &{w}');
  });

  it('calls time methods like Go, and says which ones it lacks', () => {
    expect(run('{{ .Now }}', ctx)).toBe('2026-02-06 10:00:00 +0000 UTC');
    expect(run('{{ .Now.Year }} {{ .Now.Month }} {{ .Now.Format "Jan 2 15:04" }}', ctx)).toBe(
      '2026 February Feb 6 10:00',
    );
    expect(errorOf(() => run('{{ .Now.Location }}', ctx)).message).toContain(
      "can't call method Location on type time.Time: not supported by this engine",
    );
    expect(errorOf(() => run('{{ .Now.Nope }}', ctx)).message).toContain("can't evaluate field Nope in type time.Time");
  });
});

describe('Template', () => {
  it('parses once and executes many times', () => {
    const t = parseTemplate('t', '{{ range . }}{{ . }},{{ end }}');
    expect(t.execute([1, 2])).toBe('1,2,');
    expect(t.execute(['a'])).toBe('a,');
    expect(t.execute(null)).toBe('');
  });

  it('lists and executes defined templates', () => {
    const t = parseTemplate('main', '{{ define "a" }}A{{ . }}{{ end }}{{ block "b" . }}B{{ end }}M');
    expect(t.templateNames().sort()).toEqual(['a', 'b', 'main']);
    expect(t.execute(1)).toBe('BM');
    expect(t.executeTemplate('a', 2)).toBe('A2');
  });

  it('reports parse errors with line and column', () => {
    const e = errorOf(() => parseTemplate('file.yaml', 'line one\n  {{ foo }}'));
    expect(e.phase).toBe('parse');
    expect(e.templateName).toBe('file.yaml');
    expect(e.line).toBe(2);
    expect(e.col).toBe(5);
    expect(e.message).toBe('template: file.yaml:2:5: function "foo" not defined');
    expect(e.goMessage).toBe('template: file.yaml:2: function "foo" not defined');
  });

  it('reports exec errors like Go, with the output written so far', () => {
    const e = errorOf(() =>
      parseTemplate('file.yaml', 'ok\n{{ define "x" }}{{ .a.b }}{{ end }}{{ template "x" . }}').execute({ a: 1 }),
    );
    expect(e.phase).toBe('exec');
    expect(e.message).toBe(
      'template: file.yaml:2:21: executing "x" at <.a.b>: can\'t evaluate field b in type interface {}',
    );
    expect(e.executing).toBe('x');
    expect([e.line, e.col]).toEqual([2, 21]);
    expect(e.partialOutput).toBe('ok\n');
  });

  it('counts columns in bytes, as Go does', () => {
    expect(errorOf(() => run('é日{{ .a.b }}', { a: 1 })).col).toBe(10);
  });

  it("stops runaway recursion with Go's message", () => {
    const t = parseTemplate('t', '{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}');
    expect(errorOf(() => t.execute(null)).message).toBe(
      'template: t:1:28: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (100000)',
    );
  });
});

describe('function declarations', () => {
  const upper = defineFunc({ name: 'upper', params: ['string'], fn: (s: string) => s.toUpperCase() });
  const add = defineFunc({ name: 'add', params: ['int', 'int'], fn: (a: number, b: number) => a + b });
  const half = defineFunc({
    name: 'half',
    params: ['float64'],
    fn: (f: GoFloat | number) => (f instanceof GoFloat ? f.value : f) / 2,
  });
  const show = defineFunc({
    name: 'show',
    params: ['any'],
    variadic: 'any',
    fn: (...a: unknown[]) => JSON.stringify(a),
  });
  const funcs = { upper, add, half, show };

  it('rejects invalid names', () => {
    expect(() => defineFunc({ name: 'a-b', params: [], fn: () => 1 })).toThrow('not a valid identifier');
  });

  it('converts untyped constants and checks argument types like Go', () => {
    expect(run('{{ add 1 2 }} {{ add 2.0 1e1 }} {{ half 3 }}', {}, funcs)).toBe('3 12 1.5');
    expect(errorOf(() => run('{{ add 1.5 2 }}', {}, funcs)).message).toContain('expected integer; found 1.5');
    expect(errorOf(() => run('{{ add "1" 2 }}', {}, funcs)).message).toContain('expected integer; found "1"');
    expect(errorOf(() => run('{{ upper .n }}', { n: 1 }, funcs)).message).toContain(
      'wrong type for value; expected string; got int',
    );
    expect(errorOf(() => run('{{ upper .missing }}', {}, funcs)).message).toContain('invalid value; expected string');
    expect(errorOf(() => run('{{ add 1 }}', {}, funcs)).message).toContain(
      'wrong number of args for add: want 2 got 1',
    );
    expect(errorOf(() => run('{{ show }}', {}, funcs)).message).toContain(
      'wrong number of args for show: want at least 1 got 0',
    );
  });

  it('passes nil and missing values to interface{} parameters as null', () => {
    expect(run('{{ show .missing nil 1 "a" }}', {}, funcs)).toBe('[null,null,1,"a"]');
    expect(run('{{ "x" | upper }}', {}, funcs)).toBe('X');
  });

  it('reports thrown errors as "error calling"', () => {
    const boom = defineFunc({
      name: 'boom',
      params: [],
      returnsError: true,
      fn: () => {
        throw new Error('bad input');
      },
    });
    expect(errorOf(() => run('{{ boom }}', {}, { boom })).message).toBe(
      'template: t:1:3: executing "t" at <boom>: error calling boom: bad input',
    );
  });

  it('lets user functions replace builtins, and break/continue names disable the keywords', () => {
    const len = defineFunc({ name: 'len', params: ['any'], fn: () => 'custom' });
    expect(run('{{ len 1 }}', {}, { len })).toBe('custom');
    const brk = defineFunc({ name: 'break', params: [], fn: () => 'B' });
    expect(run('{{ range .l }}{{ break }}{{ end }}', { l: [1, 2] }, { break: brk })).toBe('BB');
  });

  it('calls function values with call', () => {
    const data = { f: upper, g: (a: unknown, b: unknown) => `${String(a)}+${String(b)}` };
    expect(run('{{ call .f "a" }} {{ call .g 1 2 }}', data)).toBe('A 1+2');
    expect(errorOf(() => run('{{ call .f 1 }}', data)).message).toContain(
      'error calling call: arg 0: value has type int; should be string',
    );
    expect(errorOf(() => run('{{ call .f }}', data)).message).toContain('wrong number of args: got 0 want 1');
  });

  it('exports the builtin and predecessor names', () => {
    expect([...builtinFuncNames].sort()).toEqual(Object.keys(builtinFuncs).sort());
    expect(Object.keys(predecessorFuncs({ envMap: {}, now: NOW })).sort()).toEqual([...predecessorFuncNames].sort());
  });
});

describe('predecessor functions', () => {
  const funcs = predecessorFuncs({ envMap: { REG: 'r:5000', EMPTY: '', WS: ' ' }, now: NOW });

  it('takes the environment and clock from the context', () => {
    expect(
      run('{{ envOr "REG" "x" }}|{{ envOr "EMPTY" "x" }}|{{ envOr "WS" "x" }}|{{ envOr "NONE" "x" }}', {}, funcs),
    ).toBe('r:5000|x| |x');
    expect(run('{{ now }}', {}, funcs)).toBe('2026-02-06 10:00:00 +0000 UTC');
  });

  it('puts the piped value last, as Go does', () => {
    expect(run('{{ "x" | default "d" }}|{{ "" | default "d" }}|{{ .v | default "d" }}', { v: '  ' }, funcs)).toBe(
      'd|d|d',
    );
    expect(run('{{ default .v "d" }}', { v: ' v ' }, funcs)).toBe(' v ');
  });

  it('requires []string for join', () => {
    expect(run('{{ join . "," }}', stringSlice(['a', 'b']), funcs)).toBe('a,b');
    expect(errorOf(() => run('{{ join . "," }}', ['a', 'b'], funcs)).message).toContain(
      'wrong type for value; expected []string; got []interface {}',
    );
  });

  it('indents every line', () => {
    expect(run('{{ indent 2 . }}', 'a\n\nb\n\n', funcs)).toBe('  a\n  \n  b');
    expect(run('[{{ indent 2 . }}]', '', funcs)).toBe('[]');
  });

  it('requires a bool condition for ternary', () => {
    expect(run('{{ ternary (eq . "ai") "ai-staging" . }}', 'ai', funcs)).toBe('ai-staging');
    expect(errorOf(() => run('{{ ternary 1 2 3 }}', {}, funcs)).message).toContain('expected bool; found 1');
  });
});
