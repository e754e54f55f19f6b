import { describe, expect, it } from '@jest/globals';
import { parseTemplate, stringMap, TemplateError } from './index.js';

const data = () => ({ Vars: stringMap({ Z: 'z' }) });

describe('missingKey option (Go: Option("missingkey=error"))', () => {
  it("a missing key read through a field chain fails with Go's message and position", () => {
    const t = parseTemplate('x', 'a {{ .Vars.X }} {{ index .Vars "Y" }}', { missingKey: 'error' });
    let err: unknown;
    try {
      t.execute(data());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as TemplateError).message).toBe(
      'template: x:1:10: executing "x" at <.Vars.X>: map has no entry for key "X"',
    );
  });

  it('index and present keys are unaffected; the default prints <no value>', () => {
    expect(parseTemplate('x', '{{ index .Vars "Y" }}|{{ .Vars.Z }}', { missingKey: 'error' }).execute(data())).toBe(
      '|z',
    );
    expect(parseTemplate('x', '{{ .Vars.X }}').execute(data())).toBe('<no value>');
  });
});
