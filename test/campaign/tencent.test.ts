/**
 * The fault campaign on Tencent groups: seeded random groups and steps (tencent-world.ts), every invariant
 * checked after every step and at every mutation. CAMPAIGN_SEED pins the seed; TENCENT_CAMPAIGN_STEPS the
 * budget (300 steps in `npm test`, 600 in CI: `.ci/run` sets TENCENT_CAMPAIGN_STEPS=600).
 */
import { describe, expect, it } from 'vitest';
import { CampaignStats, mulberry32, randomGroupYaml, TencentCampaignWorld } from './tencent-world.js';

const seed = process.env.CAMPAIGN_SEED
  ? Number(process.env.CAMPAIGN_SEED)
  : Math.floor(Math.random() * 2 ** 31);
const steps = process.env.TENCENT_CAMPAIGN_STEPS ? Number(process.env.TENCENT_CAMPAIGN_STEPS) : 300;
const STEPS_PER_GROUP = 50;

describe('reliability campaign on Tencent groups', () => {
  it(`${steps} steps of operations and faults leave every invariant intact (seed ${seed})`, async () => {
    console.log(
      `tencent campaign seed ${seed} (reproduce: CAMPAIGN_SEED=${seed} npx vitest run test/campaign/tencent.test.ts)`,
    );
    const r = mulberry32(seed);
    const stats = new CampaignStats();
    for (let n = 0; stats.steps < steps; n++) {
      const w = new TencentCampaignWorld(randomGroupYaml(r, n), r, stats);
      try {
        for (let i = 0; i < STEPS_PER_GROUP && stats.steps < steps; i++) await w.step();
        await w.converge();
      } finally {
        await w.close();
      }
    }
    console.log(
      `tencent campaign: ${stats.steps} steps; checks ${JSON.stringify(Object.fromEntries(stats.checks))}; faults ${JSON.stringify(Object.fromEntries(stats.faults))}`,
    );
    expect(stats.violations.slice(0, 10)).toEqual([]);
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
      expect(stats.checks.get(inv) ?? 0, inv).toBeGreaterThan(0);
    for (const fault of [
      'instance stopped',
      'answer lost',
      'two orchestrators at once',
      'invocation cut off by its deadline',
      'manual failover',
    ])
      expect(stats.faults.get(fault) ?? 0, fault).toBeGreaterThan(0);
  }, 600_000);
});
