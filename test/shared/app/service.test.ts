/**
 * The service over the engine, against the simulator (over the wire, through our adapter). What a
 * request costs in cloud calls is read from the simulator's own call counters.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BACKUP, createWorld, PRIMARY, type World } from '../../support/world.js';

const worlds: World[] = [];
async function world(): Promise<World> {
  const w = await createWorld();
  worlds.push(w);
  return w;
}
afterEach(async () => {
  while (worlds.length > 0) await worlds.pop()?.close();
});

describe('Service.getGroup (GET /v1/groups/{name})', () => {
  it('costs one describe round: the dry run decides on the status observation', async () => {
    const w = await world();
    w.sim.resetStats();
    const status = await w.service.getGroup('web');
    const calls = w.sim.stats().calls;
    expect(calls.DescribeHaVips).toBe(1);
    expect(calls.DescribeInstances).toBe(1);
    expect(status.holders).toEqual([PRIMARY]);
    expect(status.plan).toMatchObject({ status: 'planned', decision: { kind: 'noop', holder: PRIMARY } });
  });

  it('shows the plan a real run would take on what it observed, and changes nothing', async () => {
    const w = await world();
    w.sim.stopInstance(PRIMARY);
    await w.sim.settle();
    w.sim.resetStats();
    const status = await w.service.getGroup('web');
    const calls = w.sim.stats().calls;
    expect(calls.DescribeHaVips).toBe(1);
    expect(calls.AssociateHaVip ?? 0).toBe(0);
    expect(status.members.find((m) => m.id === PRIMARY)).toMatchObject({ eligible: false, bound: true });
    expect(status.plan).toMatchObject({ status: 'planned', decision: { kind: 'move', to: BACKUP } });
    expect(status.plan.steps.map((s) => `${s.key}=${s.outcome}`)).toEqual([
      `attach-havip:${BACKUP}=planned`,
      `detach-havip:${PRIMARY}=planned`,
    ]);
  });
});
