/**
 * The predecessor's real project rendered in this process, through the same core functions the CLI's `config` and
 * `render` commands call, against the predecessor's own output (see compare.ts). The CLI test covers the built
 * bundle; this one lets mutation testing (stryker.config.mjs) judge the sources against a real project.
 */
import { describe, expect, it } from '@jest/globals';
import { loadStack } from '../../packages/core/src/config/load.js';
import { renderStack, stackToYaml } from '../../packages/core/src/render/stack.js';
import { CASES, CONFIG, compareStack, ENV, expectedFile } from './compare.js';

const load = (c: (typeof CASES)[number]) =>
  loadStack({ config: CONFIG, env: c.env, slot: c.slot, vars: [], processEnv: { ...ENV } });

describe('project-example rendered in process', () => {
  for (const c of CASES) {
    it(`${c.env}${c.slot ? ` slot ${c.slot}` : ''}: services.yaml after templating, byte for byte, and the stack up to documented improvements`, () => {
      const stack = load(c);
      expect(stack.rendered).toBe(expectedFile(`services-rendered-${c.env}.yaml`));
      const { documents, counts, unexplained, identities } = compareStack(
        stackToYaml(renderStack(stack, {}).documents),
        c,
      );
      expect(identities[0]).toEqual(identities[1]);
      expect(unexplained).toEqual([]);
      expect(counts['ownership labels']).toBeGreaterThanOrEqual(documents);
    });
  }
});
