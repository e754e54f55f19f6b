import { describe, expect, it } from '@jest/globals';
import { runCli } from '../support/cli.js';
import { args, CASES, compareStack, ENV, expectedFile } from './compare.js';

/*
 * The real project that drove the predecessor, with the predecessor's own output. `config --raw` must match it
 * byte for byte. `render` must match it document by document, where every difference is one of the documented
 * improvements (README, "Differences from codexctl"), each recognised by its own rule below.
 */
describe('project-example, the predecessor’s real project', () => {
  for (const c of CASES) {
    it(`config --raw for ${c.env}${c.slot ? ` slot ${c.slot}` : ''} equals the predecessor’s template output byte for byte`, async () => {
      const res = await runCli(['config', ...args(c.env, c.slot), '--raw'], { env: ENV });
      expect(res.stderr).not.toMatch(/^error/m);
      expect(res.code).toBe(0);
      expect(res.stdout).toBe(expectedFile(`services-rendered-${c.env}.yaml`));
    });

    it(`render for ${c.env}${c.slot ? ` slot ${c.slot}` : ''} equals the predecessor’s stack up to documented improvements`, async () => {
      const res = await runCli(['render', ...args(c.env, c.slot)], { env: ENV });
      expect(res.stderr).not.toMatch(/^error/m);
      expect(res.code).toBe(0);
      const { documents, counts, unexplained, identities } = compareStack(res.stdout, c);
      expect(identities[0]).toEqual(identities[1]);
      process.stdout.write(`project-example ${c.env}: ${documents} documents, differences ${JSON.stringify(counts)}\n`);
      expect(unexplained).toEqual([]);
      // Every object carries the ownership labels, so the comparison really saw them.
      expect(counts['ownership labels']).toBeGreaterThanOrEqual(documents);
    });
  }

  it('warns about what the project gets wrong, naming file, line and field', async () => {
    const res = await runCli(['render', ...args('ai', 3)], { env: ENV });
    expect(res.code).toBe(0);
    // The preamble's trim markers swallow `project:`; the name as written is used and the user is told why.
    expect(res.stderr).toMatch(/services\.yaml:12:1: project: is lost after templating/);
    // `service.host` is not a field of the model.
    expect(res.stderr).toMatch(/services\.yaml:\d+:\d+: codex\.mcp\.servers\[1\]\.service\.host: unknown key/);
    // Service images that the images: block never builds.
    expect(res.stderr).toMatch(
      /services\[2\]\.image\.repository: ".*\/project-example\/users" is not built or mirrored by any images: entry.*\/project-example\/internal\/users/,
    );
  });
});
