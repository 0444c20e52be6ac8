/**
 * The failover-latency benchmark on Tencent local mode, tiny: one run per failure with real agent
 * processes. Asserts the report's shape and that each sample's phases add up to its total — never a
 * timing threshold (the figures go in docs/failover-latency.md).
 */
import { describe, expect, it } from 'vitest';
import {
  PHASES,
  printFailoverLatency,
  runFailoverLatencyBench,
  TENCENT_SCENARIOS,
} from '../../bench/failover-latency.js';

describe('failover latency on Tencent local mode', () => {
  it('times every failure through its own path; each sample’s phases add up to its total', async () => {
    const r = await runFailoverLatencyBench({
      cloud: 'tencent',
      runs: 1,
      scenarios: TENCENT_SCENARIOS,
      transitionMs: 300,
    });
    expect(r.options).toMatchObject({ cloud: 'tencent', runs: 1, transitionMs: 300 });
    expect(r.scenarios.map((s) => s.scenario)).toEqual(['freeze', 'service-kill', 'cvm-stop']);
    for (const sc of r.scenarios) {
      // A run fails when the move came without its report (freeze, service kill) or CloudAudit event.
      expect(sc.failures).toEqual([]);
      expect(sc.samples).toHaveLength(1);
      for (const s of sc.samples) {
        for (const ph of PHASES) expect(s[ph], `${sc.scenario} ${ph}`).toBeGreaterThanOrEqual(0);
        expect(s.detection + s.delivery + s.decision + s.switch + s.announce).toBe(s.total);
        expect(s.fenced).toBeGreaterThanOrEqual(s.total);
      }
    }
    // The CloudAudit event goes straight to the havip-cvm-events handler: no topic in between.
    expect(r.scenarios[2]?.samples[0]?.delivery).toBe(0);
    const printed = printFailoverLatency(r);
    expect(printed.text).toContain('Tencent local mode');
    expect(printed.rows.map((x) => x.bench)).toContain('failover latency (Tencent): cvm-stop');
    expect(printed.rows).toHaveLength(9);
  }, 300_000);
});
