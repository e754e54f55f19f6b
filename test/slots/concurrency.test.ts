/**
 * Concurrent allocations in separate OS processes (each with its own Kubectl and kubectl cache, as CI jobs have),
 * against one kube test server. Timings of the 20-process run are printed for the record.
 */
import { describe, expect, it } from '@jest/globals';
import { useKubeServer } from '../kube-server/harness.js';
import { createStateNamespace, percentile, runAllocateCli, runTogether, STATE_NS } from './helpers.js';

const records = (h: ReturnType<typeof useKubeServer>) =>
  h.server.store.list('configmap', STATE_NS).filter((o) => o.metadata.name!.startsWith('codex-env-'));

describe('concurrent allocation (separate processes)', () => {
  const h = useKubeServer();

  it('20 issues, 10 slots, 5 s wait: 10 distinct slots, 10 failures naming the holders, no duplicates', async () => {
    await createStateNamespace(h);
    const issues = Array.from({ length: 20 }, (_, i) => 100 + i);
    const runs = await runTogether(
      h,
      issues.map((issue) => ({ issue, maxSlots: 10, waitTimeoutMs: 5000 })),
    );

    const ok = runs.filter((r) => r.ok);
    const failed = runs.filter((r) => !r.ok);
    expect(ok).toHaveLength(10);
    expect(failed).toHaveLength(10);
    expect(new Set(ok.map((r) => r.slot))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(ok.every((r) => r.created && r.exitCode === 0)).toBe(true);

    const stored = records(h);
    expect(stored).toHaveLength(10);
    const holders = new Map(stored.map((o) => [Number(o.data.slot), Number(o.data.issue)]));
    expect(new Set(holders.values()).size).toBe(10);
    for (const r of ok) expect(holders.get(r.slot!)).toBe(issues[runs.indexOf(r)]);
    for (const r of failed) {
      expect(r.exitCode).toBe(1);
      expect(r.errorName).toBe('NoFreeSlotError');
      expect(r.error).toContain('no free slot for env "ai": all 10 slots are taken');
      for (const [slot, issue] of holders)
        expect(r.error).toContain(`slot ${slot}: issue #${issue} (namespace shop-dev-${slot})`);
      expect(r.ms).toBeGreaterThanOrEqual(5000);
    }

    const ms = ok.map((r) => r.ms);
    const calls = ok.map((r) => r.kubectlCalls!);
    console.log(
      `20 concurrent allocators, 10 slots: allocate() p50 ${percentile(ms, 50)} ms, p95 ${percentile(ms, 95)} ms, ` +
        `max ${Math.max(...ms)} ms; kubectl calls per success min ${Math.min(...calls)} / p50 ${percentile(calls, 50)} / max ${Math.max(...calls)}; ` +
        `failures gave up after p50 ${percentile(
          failed.map((r) => r.ms),
          50,
        )} ms with ${percentile(
          failed.map((r) => r.kubectlCalls!),
          50,
        )} calls`,
    );
  }, 120_000);

  it('5 runs for the same issue: one record remains and all report its slot', async () => {
    await createStateNamespace(h);
    const runs = await runTogether(
      h,
      Array.from({ length: 5 }, () => ({ issue: 42, maxSlots: 10 })),
    );
    expect(runs.map((r) => r.error ?? '')).toEqual(['', '', '', '', '']);
    const slots = new Set(runs.map((r) => r.slot));
    expect(slots.size).toBe(1);
    const stored = records(h);
    expect(stored).toHaveLength(1);
    expect(stored[0].data).toMatchObject({ issue: '42', slot: String([...slots][0]) });
    // Exactly one run created the environment; the others reused it (so bootstrap runs once).
    expect(runs.filter((r) => r.created)).toHaveLength(1);
  }, 120_000);

  it('a run killed with SIGKILL right after its claim: the re-run reuses that slot', async () => {
    await createStateNamespace(h);
    const crashed = await runAllocateCli(h, { issue: 77, crashAfterClaim: true });
    expect(crashed.signal).toBe('SIGKILL');
    expect(crashed.ok).toBe(false);
    const left = records(h);
    expect(left).toHaveLength(1);
    expect(left[0].data).toMatchObject({ issue: '77', slot: '1' });
    expect(left[0].metadata.annotations).toEqual({ 'codex-k8s.io/claim': 'pending' });

    const rerun = await runAllocateCli(h, { issue: 77 });
    expect(rerun).toMatchObject({ ok: true, slot: 1, created: false, kubectlCalls: 2 });
    expect(records(h)).toHaveLength(1);
  }, 120_000);
});
