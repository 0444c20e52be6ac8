/**
 * The campaign's checkers must be able to fail. Each test makes a rogue invocation (holding a real lease,
 * sending real mutations through the instrumented ports) or sabotages the store, and expects the
 * matching invariant to be reported; the knowledge model's rules are pinned by tables.
 */
import { describe, expect, it } from 'vitest';
import { clientToken } from '../../shared/core/saga.js';
import { quiesceAndCheck, replayDelivered } from './invariants.js';
import { MemberKnowledge, probeStep } from './knowledge.js';
import { CampaignStats } from './stats.js';
import { type GroupSpec, pairSpec as pair } from './topology.js';
import { type Actor, CampaignWorld, type MemberInfo } from './world.js';

function setup(over: Partial<GroupSpec> = {}) {
  const w = new CampaignWorld(
    { spec: { groups: [pair(over)] }, seed: 1, transitionDelayMs: 0, cloudAssistantDelayMs: 300 },
    new CampaignStats(),
  );
  const g = w.group(0);
  return { w, g, holder: w.memberOf(g, 0), backup: w.memberOf(g, 1) };
}

/** An invocation that takes the group lease and then does whatever `act` does with its instrumented ports. */
async function rogue(
  w: CampaignWorld,
  act: (a: Actor, epoch: number) => Promise<void>,
  opts: { manual?: boolean; status?: string } = {},
): Promise<Actor> {
  const g = w.group(0);
  const a = w.makeActor(opts.manual ? 'manual' : 'sweep', 'rogue', {
    probeCertain: true,
    ...(opts.manual ? { manual: { force: true } } : {}),
  });
  w.launch(a, async (rt) => {
    const got = await rt.store.acquireLease(g.name, a.id, 90_000, w.clock.now());
    if (!got.acquired) throw new Error('lease busy');
    await act(a, got.lease.epoch);
    await rt.store.releaseLease(g.name, got.lease.epoch);
    return [{ group: g.name, status: opts.status ?? 'done' }];
  });
  await w.drive([a]);
  return a;
}

const attach = (a: Actor, _g: string, haVipId: string, m: MemberInfo, token: string) =>
  a.runtime.cloud.associateHaVip({
    regionId: 'cn-hangzhou',
    haVipId,
    instanceId: m.id,
    instanceType: 'EcsInstance',
    clientToken: token,
  });
const detach = (a: Actor, haVipId: string, m: MemberInfo, token: string) =>
  a.runtime.cloud.unassociateHaVip({
    regionId: 'cn-hangzhou',
    haVipId,
    instanceId: m.id,
    instanceType: 'EcsInstance',
    force: true,
    clientToken: token,
  });

const kinds = (w: CampaignWorld) => w.violations.map((v) => v.slice(1, v.indexOf(']')));

describe('the checkers catch what they claim to', () => {
  it('invariant 2: attaching a member that was certainly down', async () => {
    const { w, g, backup } = setup();
    w.sim.stopInstance(backup.host);
    await w.clock.advance(5_000);
    await rogue(
      w,
      (a, epoch) =>
        attach(a, g.name, g.haVipId!, backup, clientToken(g.name, epoch, `attach-havip:${backup.id}`)).then(
          () => undefined,
        ),
      { status: 'failed' },
    );
    expect(kinds(w)).toContain('inv2-eligible-target');
    w.close();
  });

  it('invariant 3: moving an eligible holder under nopreempt', async () => {
    const { w, g, backup } = setup();
    await w.clock.advance(5_000);
    await rogue(
      w,
      async (a, epoch) => {
        await attach(a, g.name, g.haVipId!, backup, clientToken(g.name, epoch, `attach-havip:${backup.id}`));
      },
      { status: 'failed' },
    );
    expect(kinds(w)).toEqual(['inv3-nopreempt']);
    w.close();
  });

  it('invariant 4: a mutation with another epoch, and one without a derived ClientToken', async () => {
    const { w, g, backup } = setup();
    await rogue(
      w,
      async (a, epoch) => {
        await attach(
          a,
          g.name,
          g.haVipId!,
          backup,
          clientToken(g.name, epoch + 1, `attach-havip:${backup.id}`),
        );
      },
      { manual: true, status: 'failed' },
    );
    await rogue(
      w,
      async (a) => {
        await attach(a, g.name, g.haVipId!, backup, 'made-up-token').catch(() => undefined);
      },
      { manual: true, status: 'failed' },
    );
    expect(kinds(w)).toEqual(['inv4-fencing', 'inv4-fencing']);
    w.close();
  });

  it('invariant 7: detaching the only holder', async () => {
    const { w, g, holder } = setup();
    await rogue(
      w,
      async (a, epoch) => {
        await detach(a, g.haVipId!, holder, clientToken(g.name, epoch, `detach-havip:${holder.id}`));
      },
      { status: 'failed' },
    );
    expect(kinds(w)).toContain('inv7-last-holder');
    w.close();
  });

  it('invariant 1: two holders after a reconcile that reports success', async () => {
    const { w, g, backup } = setup();
    w.beginStep(false);
    await rogue(
      w,
      async (a, epoch) => {
        await attach(a, g.name, g.haVipId!, backup, clientToken(g.name, epoch, `attach-havip:${backup.id}`));
        await w.clock.sleep(10);
      },
      { manual: true, status: 'done' },
    );
    w.endStep();
    expect(kinds(w)).toEqual(['inv1-exclusive']);
    w.close();
  });

  it('the data plane: "done" while nobody serves the address', async () => {
    const { w, g, holder, backup } = setup({ announce: 'cloud-assistant' });
    await rogue(
      w,
      async (a, epoch) => {
        await attach(a, g.name, g.haVipId!, backup, clientToken(g.name, epoch, `attach-havip:${backup.id}`));
        await w.clock.sleep(10);
        await detach(a, g.haVipId!, holder, clientToken(g.name, epoch, `detach-havip:${holder.id}`));
        await w.clock.sleep(10);
      },
      { manual: true, status: 'done' },
    );
    expect(kinds(w)).toEqual(['data-plane']);
    w.close();
  });

  it('invariant 5: a replayed event that is not recognised as a duplicate', async () => {
    const { w, holder } = setup({ heartbeatTimeoutSeconds: 30 });
    w.enqueueHeartbeatMessage(holder, false);
    const item = w.outbox.shift()!;
    await w.drive([w.deliver(item)]);
    expect(w.violations).toEqual([]);
    // Sabotage: the store forgets every event it has seen (a later copy then counts as a new signal).
    (w.store as { markEventSeen: unknown }).markEventSeen = async () => true;
    await replayDelivered(w, item, 2);
    expect(kinds(w)).toContain('inv5-replay');
    w.close();
  });

  it('invariant 6: a group that does not converge after faults stop', async () => {
    const { w, holder, backup } = setup({ nopreempt: false });
    // Sabotage: the engine is told the elected member is draining, which nothing delivered.
    const latest = w.store.latestSignals.bind(w.store);
    (w.store as { latestSignals: unknown }).latestSignals = async (ids: never) => {
      const m = await latest(ids);
      const s = m.get(holder.id as never);
      if (s !== undefined)
        s.drain = {
          memberId: holder.id as never,
          kind: 'drain',
          source: 'http',
          cause: 'manual',
          reason: 'x',
          receivedAt: w.clock.now(),
          eventId: undefined,
        };
      return m;
    };
    await quiesceAndCheck(w);
    expect(kinds(w)).toContain('inv6-convergence');
    expect(w.bound(w.group(0))).toEqual([backup.id]);
    w.close();
  });

  it('stays silent on a correct failover', async () => {
    const { w, g, holder, backup } = setup();
    w.sim.stopInstance(holder.host);
    await w.clock.advance(1);
    await w.drive([w.deliver(w.outbox.shift()!)]);
    w.beginStep(false);
    await w.drive([w.sweep()]);
    w.endStep();
    await quiesceAndCheck(w);
    expect(w.bound(g)).toEqual([backup.id]);
    expect(w.violations).toEqual([]);
    expect(w.stats.checks.get('inv2-eligible-target')).toBeGreaterThan(0);
    expect(w.stats.checks.get('inv6-convergence')).toBe(1);
    w.close();
  });
});

describe('knowledge', () => {
  it.each([
    // state, answer, fall/rise, next
    ['H0', false, 3, 2, 'H1'],
    ['H2', false, 3, 2, 'U0'],
    ['H1', true, 3, 2, 'H0'],
    ['U0', true, 3, 2, 'U1'],
    ['U1', true, 3, 2, 'H0'],
    ['U1', false, 3, 2, 'U0'],
    ['H0', false, 1, 1, 'U0'],
    ['U0', true, 1, 1, 'H0'],
  ] as const)(
    'probe %s + %s (fall %i, rise %i) → %s, as keepalived counts',
    (state, ok, fall, rise, next) => {
      expect(probeStep(state, ok, { fall, rise })).toBe(next);
    },
  );

  const k = () =>
    new MemberKnowledge(
      'i-x',
      { heartbeatTimeoutMs: 15_000, probe: { fall: 2, rise: 2 }, kind: 'ecs', reportTtlMs: 90_000 },
      0,
      true,
    );
  const at = (start: number, step?: number) => ({ start, step });

  it('a probe answer that may have been lost leaves both states possible, and no verdict', () => {
    const m = k();
    m.probeAnswer(10, false, false);
    m.probeAnswer(20, false, false);
    expect(m.sureIneligible(at(30), 30, 0)).toBe(false);
    expect(m.sureEligible(at(30), 30, 0)).toBe(false);
    m.probeAnswer(40, false, true);
    m.probeAnswer(50, false, true);
    expect(m.sureIneligible(at(60), 60, 0)).toBe(true);
  });

  it('heartbeat silence: eligible until the timeout passes, then certainly not', () => {
    const m = k();
    m.heartbeat(1_000);
    expect(m.sureEligible(at(2_000), 16_000, 0)).toBe(true);
    expect(m.sureEligible(at(2_000), 16_001, 0)).toBe(false);
    expect(m.sureIneligible(at(16_001), 20_000, 0)).toBe(true);
    // A signal is applied only when strictly newer (receiver time).
    expect(m.heartbeat(1_000)).toBe(false);
  });

  it('a stopped instance behind stale describes is not certainly down until the staleness has passed', () => {
    const m = k();
    m.setRunning(10_000, false);
    expect(m.sureIneligible(at(12_000), 13_000, 5_000)).toBe(false);
    expect(m.sureIneligible(at(15_000), 16_000, 5_000)).toBe(true);
    expect(m.sureIneligible(at(12_000), 13_000, 0)).toBe(true);
  });

  it('a delivered down event keeps a running instance from being certainly eligible for the grace period', () => {
    const m = k();
    m.heartbeat(0);
    m.downEvent(1_000);
    m.heartbeat(2_000);
    expect(m.sureEligible(at(3_000), 4_000, 0)).toBe(false);
  });

  it('agent reports: one reporter against a member whose witness answers leaves it certainly eligible', () => {
    const lone = k();
    lone.heartbeat(1_000);
    lone.report(2_000, 'i-peer');
    expect(lone.sureEligible(at(2_000), 3_000, 0)).toBe(true);
    // A second reporter is a second witness.
    const two = k();
    two.heartbeat(1_000);
    two.report(2_000, 'i-peer');
    two.report(2_500, 'i-other');
    expect(two.sureEligible(at(2_000), 3_000, 0)).toBe(false);
    // So is a witness probe that could fail: the member's agent (or service) down in the window.
    const frozen = k();
    frozen.heartbeat(1_000);
    frozen.report(2_000, 'i-peer');
    frozen.setWitness(2_500, false);
    expect(frozen.sureEligible(at(2_000), 3_000, 0)).toBe(false);
    // Its own failed checks need no second witness, and count for the report TTL only.
    const failing = k();
    failing.heartbeat(1_000);
    failing.report(2_000, 'self');
    expect(failing.sureEligible(at(2_000), 3_000, 0)).toBe(false);
    failing.heartbeat(92_000);
    expect(failing.sureEligible(at(92_001), 93_000, 0)).toBe(true);
  });

  it('a change delivered in a concurrent step is uncertain for that step only', () => {
    const m = k();
    m.drain(5_000, true, 7);
    expect(m.sureIneligible(at(5_000, 7), 6_000, 0)).toBe(false);
    expect(m.sureIneligible(at(5_000, 8), 6_000, 0)).toBe(true);
    expect(m.sureIneligible(at(5_000), 6_000, 0)).toBe(true);
  });
});
