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
    expect(r.adapter.readyMs.median).toBeGreaterThan(r.bare.readyMs.median);
    expect(r.adapter.firstCallMs.median).toBeGreaterThan(0);
    expect(r.sdk.peakRssMb.median).toBeGreaterThan(r.bare.peakRssMb.median);
    const { text, rows } = tencentColdStartSection(r);
    expect(text).toContain('Tencent adapter bundle');
    expect(rows.map((x) => x.metric)).toContain('import above bare node (median)');
  }, 120_000);
});
