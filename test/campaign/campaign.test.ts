/**
 * The bounded campaign every `npm test` runs: 2,500 steps here (the suite stays within two minutes on a
 * 2-core machine), 10,000 in CI (`.ci/run` sets CAMPAIGN_STEPS=10000) — of random operations, faults,
 * saga crashes and pauses and concurrent schedules over random topologies, with every invariant checked
 * after every step. The seed is random unless CAMPAIGN_SEED pins it, and is printed so a failure replays
 * with `npm run campaign -- --steps N --seed S`. CAMPAIGN_STEPS changes the budget; CAMPAIGN_REPORT
 * names a file for the figures as JSON.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign, summary, writeReport } from './runner.js';

const seed = process.env.CAMPAIGN_SEED
  ? Number(process.env.CAMPAIGN_SEED)
  : Math.floor(Math.random() * 2 ** 31);
const steps = process.env.CAMPAIGN_STEPS ? Number(process.env.CAMPAIGN_STEPS) : 2_500;

describe('reliability campaign', () => {
  it(`${steps} steps of operations and faults leave every invariant intact (seed ${seed})`, async () => {
    console.log(`campaign seed ${seed} (reproduce: npm run campaign -- --steps ${steps} --seed ${seed})`);
    const result = await runCampaign({ seed, steps });
    console.log(summary(result, { seed, steps }));
    if (process.env.CAMPAIGN_REPORT) writeReport(process.env.CAMPAIGN_REPORT, result, { seed, steps });
    expect(result.failure?.report).toBeUndefined();
    expect(result.stats.totalViolations()).toBe(0);
    expect(result.stats.steps).toBeGreaterThanOrEqual(steps);
    // The run exercised what it claims to: each fault family, saga crashes and concurrent schedules.
    const faults = [...result.stats.faults.keys()].join('\n');
    for (const kind of [
      /cloud answered: throttle/,
      /cloud answered: error/,
      /cloud answered: drop/,
      /cloud answered: stale/,
      /slow haVip transitions/,
      /crash-before at journal/,
      /crash-after at (Associate|Unassociate)/,
      /pause released \(proceed, past the lease TTL\)/,
      /event delivered out of order/,
      /event replayed/,
      /agent report calls a live, healthy peer silent/,
      /agent report forged \(refused\)/,
    ])
      expect(faults).toMatch(kind);
    expect(result.stats.concurrentSchedules).toBeGreaterThan(100);
    // Reports reached the engine and made it probe the suspect (corroborate.ts).
    expect(result.stats.outcomes.get('witness probe run') ?? 0).toBeGreaterThan(0);
    for (const inv of [
      'inv1-exclusive',
      'inv2-eligible-target',
      'inv3-nopreempt',
      'inv4-fencing',
      'inv5-replay',
      'inv6-convergence',
      'inv7-last-holder',
      'data-plane',
    ] as const)
      expect(result.stats.checks.get(inv) ?? 0, inv).toBeGreaterThan(0);
  }, 600_000);
});
