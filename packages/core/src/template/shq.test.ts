import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { shellQuote } from './functions.js';
import { parseTemplate, predecessorFuncs } from './index.js';

/** What a POSIX shell makes of `printf %s <quoted>`: the value must come back byte for byte. */
const throughShell = (quoted: string) => execFileSync('sh', ['-c', `printf %s ${quoted}`], { encoding: 'utf8' });

describe('shq', () => {
  const tricky = [
    '',
    'plain',
    "it's",
    "''",
    '"; touch pwned; echo "',
    "'; touch pwned; echo '",
    '$(touch pwned) `touch pwned` $HOME ${HOME}',
    'line one\nline two\n',
    "back\\slash \\' mixed",
    '*.yaml ? [a] ~ # ! & | ; < > ( ) { }',
    ' leading and trailing spaces ',
    'ünïcödé ✓',
    '{{ .Env }} {{{ }} {',
  ];

  it.each(tricky)('the shell reads the quoted form of %j as the value itself', (value) => {
    expect(throughShell(shellQuote(value))).toBe(value);
  });

  it('the empty string is one empty word, not nothing', () => {
    expect(shellQuote('')).toBe("''");
    expect(execFileSync('sh', ['-c', `set -- ${shellQuote('')}; echo $#`], { encoding: 'utf8' })).toBe('1\n');
  });

  it('never leaves "{{" in its output, so a second template pass cannot run a value', () => {
    const quoted = shellQuote('{{ printf "%c" 39 }}{{{');
    expect(quoted).not.toContain('{{');
    expect(throughShell(quoted)).toBe('{{ printf "%c" 39 }}{{{');
  });

  it('is a template function of every project template', () => {
    const funcs = predecessorFuncs({ envMap: {}, now: new Date(0) });
    const out = parseTemplate('t', 'echo {{ shq .X }} {{ .X | shq }}', { funcs }).execute({ X: "a'b" });
    expect(out).toBe("echo 'a'\\''b' 'a'\\''b'");
  });
});
