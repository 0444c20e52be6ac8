/**
 * The scheduler of later work (`common/scheduler.ts`): jobs run on the clock in due order (ties in
 * scheduling order), `settle()` runs what is pending at once — including jobs those jobs schedule —
 * and a settled job never runs a second time when its timer would have fired. Then the same through
 * the simulator: transitions that complete on the next tick, or all at once on settle().
 */
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../../../../shared/adapters/simulator/common/scheduler.js';
import { ManualClock } from '../../../../../shared/adapters/simulator/index.js';
import { $Vpc, harnessPerTest, REGION } from '../../../../support/simulator.js';

const { delayed } = harnessPerTest();

describe('Scheduler', () => {
  it('runs jobs when the clock reaches them, in due order, ties in scheduling order', async () => {
    const clock = new ManualClock();
    const s = new Scheduler(clock);
    const ran: string[] = [];
    s.after(200, () => ran.push('b@200'));
    s.after(100, () => ran.push('a@100'));
    s.after(200, () => ran.push('c@200'));
    expect(s.pending()).toBe(3);
    await clock.advance(99);
    expect(ran).toEqual([]);
    await clock.advance(1);
    expect(ran).toEqual(['a@100']);
    await clock.advance(100);
    expect(ran).toEqual(['a@100', 'b@200', 'c@200']);
    expect(s.pending()).toBe(0);
  });

  it('settle() runs everything pending now, including what the jobs schedule, and nothing twice', async () => {
    const clock = new ManualClock();
    const s = new Scheduler(clock);
    const ran: string[] = [];
    s.after(5_000, () => {
      ran.push('late');
      s.after(1_000, () => ran.push('chained'));
    });
    s.after(10, () => ran.push('early'));
    await s.settle();
    expect(ran).toEqual(['early', 'late', 'chained']);
    expect(s.pending()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    await clock.advance(10_000);
    expect(ran).toEqual(['early', 'late', 'chained']);
  });
});

describe('through the simulator', () => {
  it('a delay of 0 completes on the next timer tick; settle() completes everything at once', async () => {
    const { x, clock } = await delayed(0);
    await x.vpc.associateHaVip(
      new $Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId: 'havip-2', instanceId: 'i-a2' }),
    );
    expect(x.cloud.haVip('havip-2')?.status).toBe('Associating');
    await clock.advance(0);
    expect(x.cloud.haVip('havip-2')?.status).toBe('InUse');

    x.cloud.faults.setTransitionDelay('instance', 60_000);
    x.cloud.stopInstance('i-b1');
    x.cloud.stopInstance('i-e2');
    expect(x.cloud.pendingTransitions()).toBe(2);
    await x.cloud.settle();
    expect([x.cloud.instance('i-b1')?.status, x.cloud.instance('i-e2')?.status]).toEqual([
      'Stopped',
      'Stopped',
    ]);
    expect(x.cloud.pendingTransitions()).toBe(0);
    // The cancelled timers must not fire a second time later.
    await clock.advance(60_000);
    expect(x.cloud.instance('i-b1')?.status).toBe('Stopped');
  });
});
