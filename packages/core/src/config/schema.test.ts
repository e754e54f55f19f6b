import { describe, expect, it, jest } from '@jest/globals';

// zod with every schema constructor counted: the module under test gets this in place of the real one.
const realZod = await import('zod');
let built = 0;
jest.unstable_mockModule('zod', () => {
  const counted: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(realZod)) {
    // z.config only sets a flag; everything else called here makes a schema.
    counted[name] =
      typeof value === 'function' && name !== 'config'
        ? (...args: unknown[]) => {
            built++;
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value;
  }
  return counted;
});

const { stackConfigSchema } = await import('./schema.js');

describe('stackConfigSchema', () => {
  it('builds no schema at import, all of them on first use, and none again after', () => {
    expect(built).toBe(0);
    const schema = stackConfigSchema();
    expect(built).toBeGreaterThan(50);
    const afterFirst = built;
    expect(stackConfigSchema()).toBe(schema);
    expect(built).toBe(afterFirst);
    expect(schema.safeParse({ project: 'shop', maxSlots: '3' })).toMatchObject({
      success: true,
      data: { project: 'shop', maxSlots: 3 },
    });
  });
});
