/**
 * Mutation testing runs the CLI tests with the CLI's sources in the test's own process (test/support/cli.ts). That
 * is only worth something if it behaves as the built CLI in a process of its own: same output, errors, exit codes.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { IN_PROCESS, runCli } from '../support/cli.js';

const CASES: { args: string[]; input?: string }[] = [
  { args: ['render', '-c', 'examples/shop/services.yaml', '--env', 'ai', '--slot', '2'] },
  { args: ['render', '-c', 'test/fixtures/project-example/input/services.yaml', '--env', 'ai', '--slot', '1'] },
  { args: ['validate', '-c', 'examples/shop/services.yaml'] },
  { args: ['render', '-c', 'examples/shop/services.yaml', '--env', 'nope'] },
  { args: ['render', '-c', 'no-such.yaml', '--env', 'dev'] },
  { args: ['template', '--jsonl'], input: '{"name":"a","tmpl":"{{ .x }}","data":{"x":1}}\n{bad\n' },
  { args: ['frobnicate'] },
  { args: ['render', '--help'] },
];

describe('the CLI run in process for mutation testing', () => {
  afterEach(() => {
    delete process.env[IN_PROCESS];
  });

  it.each(CASES.map((c) => [c.args.join(' '), c] as const))('%s: the same as the built CLI', async (_label, c) => {
    const built = await runCli(c.args, { input: c.input, env: { CODEXCTL_LOG_LEVEL: 'info' } });
    process.env[IN_PROCESS] = '1';
    const sources = await runCli(c.args, { input: c.input, env: { CODEXCTL_LOG_LEVEL: 'info' } });
    expect(sources).toEqual(built);
    // Each case says something, so the comparison compares something.
    expect(built.stdout.length + built.stderr.length).toBeGreaterThan(0);
  });
});
