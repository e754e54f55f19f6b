import { describe, expect, it } from '@jest/globals';
import { silentReporter } from '../util/reporter.js';
import { cleanupSlots } from './cleanup.js';

describe('cleanupSlots', () => {
  it.each([-5 * 3_600_000, 0])('refuses a stale TTL of %d ms before it reads anything', async (ttlMs) => {
    await expect(
      cleanupSlots({ load: { config: 'missing.yaml', env: 'ai' }, stale: true, ttlMs, reporter: silentReporter }),
    ).rejects.toThrow(/ttl must be longer than zero/);
  });
});
