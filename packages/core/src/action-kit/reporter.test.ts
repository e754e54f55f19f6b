import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { actionsReporter } from './reporter.js';

describe('actions reporter', () => {
  let lines: string[];
  let spy: ReturnType<typeof jest.spyOn>;
  const savedSummary = process.env.GITHUB_STEP_SUMMARY;
  beforeEach(() => {
    lines = [];
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
  });
  afterEach(() => {
    spy.mockRestore();
    if (savedSummary === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = savedSummary;
  });

  it('opens one level of log groups: a nested group becomes prefixed lines inside the outer one', async () => {
    const r = actionsReporter();
    await r.group('outer', async () => {
      r.info('a');
      await r.group('inner', async () => {
        r.info('b');
        await r.group('innermost', async () => r.info('c'));
      });
      r.info('d');
    });
    expect(lines).toEqual(['::group::outer', 'a', '== inner', '  b', '  == innermost', '    c', 'd', '::endgroup::']);
  });

  it('prints the same warning once', () => {
    const r = actionsReporter();
    r.warning('unused key', { message: 'unused key', file: 'services.yaml', line: 3 });
    r.warning('unused key', { message: 'unused key', file: 'services.yaml', line: 3 });
    r.warning('other');
    expect(lines.filter((l) => l.startsWith('::warning'))).toHaveLength(2);
  });

  it('a summary that cannot be written is a warning, not a failure', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-summary-'));
    try {
      process.env.GITHUB_STEP_SUMMARY = dir; // a directory: the append fails
      const r = actionsReporter();
      r.summary('### done');
      await expect(r.flushSummary()).resolves.toBeUndefined();
      expect(lines.some((l) => /^::warning::the job summary could not be written/.test(l))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
