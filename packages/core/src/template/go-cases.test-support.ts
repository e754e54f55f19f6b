// Shared by the test files whose cases were generated from Go 1.19.8's text/template (not part of the build).
import { expect } from '@jest/globals';

import {
  GoStruct,
  GoTime,
  TemplateError,
  defineFunc,
  fromJSON,
  nilPointer,
  parseTemplate,
  predecessorFuncs,
} from './index.js';

export interface GoCase {
  tmpl: string;
  data?: unknown;
  out?: string;
  error?: string;
  parseError?: string;
}

const NOW = new Date(Date.UTC(2026, 1, 6, 10, 0, 0));
const funcs = {
  ...predecessorFuncs({ envMap: { HOME: '/home/u', EMPTY: '', SPACE: ' ' }, now: NOW }),
  fail: defineFunc({
    name: 'fail',
    params: ['string'],
    returnsError: true,
    fn: (msg: string) => {
      throw new Error(msg);
    },
  }),
};

/** "@ctx" stands for the Go struct the oracle used; anything else is JSON data. */
function toData(d: unknown): unknown {
  if (d !== '@ctx') return fromJSON(d);
  return new GoStruct('main.Ctx', {
    Namespace: 'ns',
    Slot: 3,
    Env: 'ai',
    Storage: nilPointer('main.StorageConfig', ['Workspace', 'Class']),
    Versions: { a: '1' },
    Labels: { x: 1 },
    Now: new GoTime(NOW),
  });
}

export function expectLikeGo(c: GoCase): void {
  let t;
  try {
    t = parseTemplate('t', c.tmpl, { funcs });
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    expect(e.goMessage).toBe(c.parseError);
    return;
  }
  expect(c.parseError).toBeUndefined();
  let out: string | undefined;
  let error: string | undefined;
  try {
    out = t.execute(toData(c.data));
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    error = e.message;
  }
  expect(error).toBe(c.error);
  if (c.error === undefined) expect(out).toBe(c.out);
}
