/**
 * The service against the simulator (over the wire, through our adapter) and the SQLite store: its signal
 * paths (heartbeats, drains) on a clock the test moves, and what a request costs in cloud calls, read from
 * the simulator's own call counters.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Service } from '../../../shared/app/service.js';
import { NotFoundError } from '../../../shared/core/errors.js';
import { type GroupName, memberId } from '../../../shared/core/model.js';
import { MAX_SEQUENCE_SKEW_MS } from '../../../shared/core/signals.js';
import { BACKUP, createWorld, HAVIP, PRIMARY, type World } from '../../support/world.js';

const worlds: World[] = [];
afterEach(async () => {
  while (worlds.length > 0) await worlds.pop()?.close();
});

/** A service over a fresh world whose clock only moves when the test says so. */
async function setup() {
  const w = await createWorld();
  worlds.push(w);
  const clock = { t: Date.UTC(2026, 10, 20, 8, 0, 0), now: () => clock.t, sleep: async () => undefined };
  const service = new Service({
    engine: w.engine,
    store: w.store,
    clock,
    logger: w.logger,
    validateLive: async () => [],
    deadline: () => clock.t + 15_000,
  });
  const latest = async (id: string) => (await w.store.latestSignals([memberId(id)])).get(memberId(id));
  return { w, service, clock, latest };
}

describe('heartbeat', () => {
  it('records the agent sequence and orders heartbeats by it', async () => {
    const { service, clock, latest } = await setup();
    expect((await service.heartbeat({ instanceId: PRIMARY, sequence: clock.t })).accepted).toBe(true);
    // A replay (same sequence), even received later, is not newer.
    clock.t += 1_000;
    expect((await service.heartbeat({ instanceId: PRIMARY, sequence: clock.t - 1_000 })).accepted).toBe(
      false,
    );
    expect((await latest(PRIMARY))?.heartbeat).toMatchObject({ sequence: clock.t - 1_000, source: 'http' });
  });

  it('regression: a sequence far in the future (9007199254740991) does not poison the member', async () => {
    const { service, clock, latest } = await setup();
    const poisoned = await service.heartbeat({ instanceId: PRIMARY, sequence: Number.MAX_SAFE_INTEGER });
    expect(poisoned.accepted).toBe(true);
    expect((await latest(PRIMARY))?.heartbeat).toMatchObject({ sequence: undefined, receivedAt: clock.t });
    // The agent's next genuine beats are still recorded.
    for (let beat = 1; beat <= 3; beat++) {
      clock.t += 1_000;
      expect((await service.heartbeat({ instanceId: PRIMARY, sequence: clock.t })).accepted).toBe(true);
      expect((await latest(PRIMARY))?.heartbeat).toMatchObject({ sequence: clock.t, receivedAt: clock.t });
    }
  });

  it('the skew margin is the same as for events: up to five minutes ahead is trusted', async () => {
    const { service, clock, latest } = await setup();
    await service.heartbeat({ instanceId: PRIMARY, sequence: clock.t + MAX_SEQUENCE_SKEW_MS });
    expect((await latest(PRIMARY))?.heartbeat?.sequence).toBe(clock.t + MAX_SEQUENCE_SKEW_MS);
    await service.heartbeat({ instanceId: BACKUP, sequence: clock.t + MAX_SEQUENCE_SKEW_MS + 1 });
    expect((await latest(BACKUP))?.heartbeat?.sequence).toBeUndefined();
  });

  it('refuses an instance outside the topology and records nothing', async () => {
    const { service, latest } = await setup();
    await expect(service.heartbeat({ instanceId: 'i-elsewhere' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await latest('i-elsewhere')).toEqual({});
  });
});

describe('heartbeat replies: who holds the HaVip, from the stored observation', () => {
  const haVip = (bound: string[]) => ({
    haVipId: HAVIP,
    regionId: 'cn-hangzhou',
    ipAddress: '10.0.0.100',
    status: 'InUse',
    vpcId: 'vpc-1',
    vSwitchId: 'vsw-1',
    masterInstanceId: undefined,
    associatedInstanceType: 'EcsInstance' as const,
    associatedInstances: bound,
    associatedEipAddresses: [],
  });
  // A move in flight (announce: agent) keeps the member it promoted; heartbeats name it the holder.
  it.each([
    { case: 'one member bound', bound: [PRIMARY], promoted: undefined, holder: PRIMARY },
    {
      case: 'two bound, no move in flight',
      bound: [PRIMARY, BACKUP],
      promoted: undefined,
      holder: undefined,
    },
    {
      case: 'two bound, the move promoted the backup',
      bound: [PRIMARY, BACKUP],
      promoted: BACKUP,
      holder: BACKUP,
    },
    { case: 'the promoted member is no longer bound', bound: [PRIMARY], promoted: BACKUP, holder: PRIMARY },
    { case: 'nothing bound', bound: [], promoted: BACKUP, holder: undefined },
  ])('$case → $holder', async ({ bound, promoted, holder }) => {
    const { w, service, clock } = await setup();
    const group = 'web' as GroupName;
    await w.store.recordObservation({
      group,
      observedAt: clock.t + 60_000,
      haVip: haVip(bound),
      promoted: promoted === undefined ? undefined : memberId(promoted),
    });
    for (const id of [PRIMARY, BACKUP]) {
      const { holds } = await service.heartbeat({ instanceId: id });
      expect(holds.map((h) => h.haVipId)).toEqual(id === holder ? [HAVIP] : []);
    }
  });
});

describe('setDrain', () => {
  it("records the operator's drain with reason and actor, then its undrain", async () => {
    const { service, clock, latest } = await setup();
    const drained = await service.setDrain(BACKUP, true, {
      reason: 'swap',
      actor: 'ops',
      invocationId: 'd-1',
    });
    expect(drained.groups).toEqual(['web']);
    expect((await latest(BACKUP))?.drain).toEqual({
      memberId: BACKUP,
      kind: 'drain',
      source: 'http',
      cause: 'manual',
      reason: 'swap',
      actor: 'ops',
      receivedAt: clock.t,
    });
    clock.t += 1;
    await service.setDrain(BACKUP, false, { reason: 'done', actor: 'ops', invocationId: 'u-1' });
    expect((await latest(BACKUP))?.undrain).toEqual({
      memberId: BACKUP,
      kind: 'undrain',
      source: 'http',
      reason: 'done',
      actor: 'ops',
      receivedAt: clock.t,
    });
  });

  it('refuses a member outside the topology', async () => {
    const { service } = await setup();
    await expect(
      service.setDrain('i-elsewhere', true, { reason: 'x', actor: 'ops', invocationId: 'd-1' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('Service.getGroup (GET /v1/groups/{name})', () => {
  it('costs one describe round: the dry run decides on the status observation', async () => {
    const { w } = await setup();
    w.sim.resetStats();
    const status = await w.service.getGroup('web');
    const calls = w.sim.stats().calls;
    expect(calls.DescribeHaVips).toBe(1);
    expect(calls.DescribeInstances).toBe(1);
    expect(status.holders).toEqual([PRIMARY]);
    expect(status.plan).toMatchObject({ status: 'planned', decision: { kind: 'noop', holder: PRIMARY } });
  });

  it('shows the plan a real run would take on what it observed, and changes nothing', async () => {
    const { w } = await setup();
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
