/**
 * The Tencent adapter's cold-start benchmark: one round yields figures for every variant, the bundled
 * adapter's first signed call reaches the simulator, and the section names what was measured. Shape
 * only: the figures themselves are not asserted (machines are noisy).
 */
import { describe, expect, it } from 'vitest';
import { runTencentColdStartBench, tencentColdStartSection } from '../../bench/cold-start-tencent.js';

describe('cold start of the Tencent adapter', () => {
  it('bundles the adapter, loads it in a fresh process and makes its first call; figures per variant', async () => {
    const r = await runTencentColdStartBench({ runs: 1 });
    expect(r.failures).toEqual([]);
    expect(r.bundleKb).toBeGreaterThan(0);
    expect(r.adapter.readyMs.n).toBe(1);
    // Figures exist for every variant; how they compare is the benchmark's to print, not a test's to
    // assert (one start each on a shared machine says nothing about which is slower).
    for (const v of [r.bare, r.adapter, r.sdk]) {
      expect(v.readyMs.n).toBe(1);
      expect(Number.isFinite(v.readyMs.median)).toBe(true);
      expect(v.peakRssMb.median).toBeGreaterThan(0);
    }
    expect(r.adapter.firstCallMs.median).toBeGreaterThan(0);
    const { text, rows } = tencentColdStartSection(r);
    expect(text).toContain('Tencent adapter bundle');
    expect(rows.map((x) => x.metric)).toContain('import above bare node (median)');
  }, 120_000);
});
