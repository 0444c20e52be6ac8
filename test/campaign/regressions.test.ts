/**
 * Counterexamples the campaign found, shrunk by fast-check, kept as regular tests. Each names the defect
 * it caught; each fails on the code before its fix.
 */
import { describe, expect, it } from 'vitest';
import { CampaignStats } from './stats.js';
import type { GroupSpec } from './topology.js';
import { CampaignWorld } from './world.js';

const pair = (over: Partial<GroupSpec> = {}): GroupSpec => ({
  kind: 'ecs',
  priorities: [100, 10],
  address: 'havip',
  nopreempt: true,
  preemptDelaySeconds: 0,
  announce: 'none',
  announceDeadlineSeconds: 5,
  heartbeatTimeoutSeconds: undefined,
  probe: undefined,
  flapGuard: { maxMoves: 3, windowSeconds: 60 },
  fencing: 'none',
  ...over,
});

function world(groups: GroupSpec[]): CampaignWorld {
  return new CampaignWorld(
    { spec: { groups }, seed: 1, transitionDelayMs: 0, cloudAssistantDelayMs: 300 },
    new CampaignStats(),
  );
}

describe('campaign regressions', () => {
  it('a throttled describe does not fail a failover: the engine retries reads inside the deadline', async () => {
    // Found as: fault(throttle 1/s, burst 1), sweep() — the sweep's parallel describes could never all
    // get a token, so the whole observation (and every failover behind it) failed until the storm ended.
    const w = world([pair()]);
    const g = w.group(0);
    const [primary, backup] = [w.memberOf(g, 0), w.memberOf(g, 1)];
    expect(w.bound(g)).toEqual([primary.id]);
    w.sim.faults.setThrottle({ ratePerSecond: 1, burst: 1 });
    w.sim.stopInstance(primary.host);
    await w.clock.advance(1);
    const event = w.outbox.find((e) => e.label.includes(`${primary.id} Stopping`));
    expect(event).toBeDefined();
    w.outbox.length = 0;
    const a = w.deliver(event!);
    await w.drive([a]);
    expect(a.results).toEqual([{ group: g.name, status: 'unverified' }]);
    expect(w.bound(g)).toEqual([backup.id]);
    const sweep = w.sweep();
    await w.drive([sweep]);
    expect(sweep.status).toBe('finished');
    expect(sweep.results).toEqual([{ group: g.name, status: 'noop' }]);
    expect(w.sim.stats().throttled).toBeGreaterThan(0);
    expect(w.violations).toEqual([]);
    w.close();
  });
});
