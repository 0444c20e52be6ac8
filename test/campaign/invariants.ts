/**
 * The invariants that span several invocations: 5 (replaying a delivered event changes nothing) and 6
 * (after faults stop, each group converges within two sweeps). Invariants 1–4 and 7 are checked by the
 * world at every mutation and at the end of every step (world.ts).
 */
import type { Group, Member } from '../../shared/core/model.js';
import type { CampaignWorld, MemberInfo, OutboxItem } from './world.js';
import { AGENT_INTERVAL_MS, ENGINE_OPTIONS } from './world.js';

/** The timer trigger's interval in the deployment (s.yaml). */
export const SWEEP_INTERVAL_MS = 60_000;

const MUTATING_ACTIONS = [
  'AssociateHaVip',
  'UnassociateHaVip',
  'AssociateEipAddress',
  'UnassociateEipAddress',
  'StopInstance',
  'RunCommand',
];

function mutationCalls(w: CampaignWorld): number {
  const calls = w.sim.stats().calls;
  return MUTATING_ACTIONS.reduce((n, a) => n + (calls[a] ?? 0), 0);
}

function addressState(w: CampaignWorld): string {
  return w.topology.groups
    .map((g) => {
      const eip = g.eip === undefined ? undefined : w.sim.eip(g.eip.allocationId);
      return `${g.name}=[${w.bound(g).join(',')}] eip=${eip?.instanceId ?? '-'}/${eip?.status ?? '-'}`;
    })
    .join(' ');
}

/**
 * Invariant 5: delivers an already delivered event `times` more times (at-least-once delivery). Each
 * replay must be recognised as a duplicate — no reconcile, no cloud mutation — so the final state and the
 * number of effective mutations equal those of the single delivery.
 */
export async function replayDelivered(w: CampaignWorld, item: OutboxItem, times: number): Promise<void> {
  const state = addressState(w);
  const calls = mutationCalls(w);
  for (let i = 0; i < times; i++) {
    await w.clock.advance(1);
    const a = w.deliver(item, { noArm: true });
    await w.drive([a]);
    w.stats.check('inv5-replay');
    if (a.results.length > 0)
      w.violate(
        'inv5-replay',
        `replay ${i + 1} of ${item.label} reconciled ${a.results.map((r) => `${r.group}:${r.status}`).join(', ')} instead of being dropped as a duplicate`,
      );
  }
  w.stats.fault('event replayed (duplicate delivery)', times);
  const after = addressState(w);
  if (after !== state)
    w.violate('inv5-replay', `replaying ${item.label} ${times}× changed ${state} into ${after}`);
  const extra = mutationCalls(w) - calls;
  if (extra > 0)
    w.violate('inv5-replay', `replaying ${item.label} ${times}× sent ${extra} more cloud mutation(s)`);
}

/** keepalived's election (priority, then the higher IPv4, then the greater id), written out independently. */
function better(a: Member, b: Member): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  const ip = (s: string) => s.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  if (ip(a.ip) !== ip(b.ip)) return ip(a.ip) > ip(b.ip);
  return a.id > b.id;
}

function elected(ms: readonly MemberInfo[]): MemberInfo | undefined {
  let best: MemberInfo | undefined;
  for (const m of ms) if (best === undefined || better(m.member, best.member)) best = m;
  return best;
}

/**
 * Invariant 6. Stops every fault, lets crashed and paused invocations go (a paused one is killed, as FC
 * kills an invocation at its timeout), delivers every pending event, and waits out leases, flap-guard
 * windows and preempt delays (agents keep beating). Probe hysteresis needs up to max(fall, rise) answers
 * before the engine's view can match the truth, so sweeps run until the probe knowledge has settled.
 * From there, two sweeps one timer interval apart must converge every group on the elected member
 * (honouring nopreempt and the preempt delay, which the engine counts from the first sweep that sees the
 * member eligible), with
 * the EIP where it belongs and — where an announcer can run — the holder serving the address.
 */
export async function quiesceAndCheck(w: CampaignWorld): Promise<void> {
  w.beginStep(false);
  w.disturb();
  w.sim.faults.reset();
  w.setStaleness(0);
  w.armed = undefined;
  for (const a of [...w.actors]) if (a.status === 'paused') await w.releasePaused(a, 'crash');
  await deliverAll(w);

  const groups = w.topology.groups;
  const longest = (f: (g: Group) => number) => Math.max(...groups.map(f));
  const waitOut = () =>
    Math.max(
      longest((g) => g.flapGuard.windowSeconds * 1000),
      longest((g) => g.preemptDelaySeconds * 1000),
      ENGINE_OPTIONS.leaseTtlMs ?? 0,
    ) + 1_000;
  await w.clock.advance(waitOut());

  const maxHysteresis = longest((g) =>
    g.health.probe === undefined ? 0 : Math.max(g.health.fall, g.health.rise),
  );
  for (let i = 0; i <= maxHysteresis + 1; i++) {
    if ([...w.members.values()].every((m) => m.knowledge.probeSettled(m.appUp && w.hostRunning(m)))) break;
    await w.drive([w.sweep({ noArm: true })]);
    await w.clock.advance(1_000);
  }
  await deliverAll(w);
  await w.clock.advance(waitOut());
  w.endStep();

  const before = new Map(groups.map((g) => [g.name, w.bound(g)]));
  // A journal left unfinished by a crash is rolled forward toward its target by the next lease holder.
  const rollForward = new Map<string, string>();
  const forcedTarget = new Map<string, string>();
  for (const g of groups) {
    const j = await w.store.readJournal(g.name);
    const d = j?.decision;
    if (j === undefined || j.phase === 'DONE' || j.phase === 'FAILED' || d === undefined) continue;
    const target =
      d.kind === 'move'
        ? d.to
        : d.kind === 'attach'
          ? d.target
          : d.kind === 'repair-split-brain'
            ? d.keep
            : undefined;
    if (target !== undefined) rollForward.set(g.name, target);
    // An operator's forced move is carried out even onto an ineligible member (journaled with its actor).
    if (target !== undefined && (d.kind === 'move' || d.kind === 'attach') && d.forced)
      forcedTarget.set(g.name, target);
  }
  // Two sweeps one timer interval apart (preempt delays are shorter than the interval).
  for (let i = 0; i < 2; i++) {
    w.beginStep(false);
    await w.drive([w.sweep({ noArm: true })]);
    w.endStep();
    if (i === 0) await w.clock.advance(SWEEP_INTERVAL_MS);
  }
  // Give an agent one interval to announce what the last sweep bound.
  await w.clock.advance(AGENT_INTERVAL_MS + 1_000);

  const now = w.clock.now();
  const viewer = { start: now, step: undefined };
  for (const g of groups) {
    const ms = g.members.map((m) => w.members.get(m.id) as MemberInfo);
    const eligible = ms.filter((m) => m.knowledge.sureEligible(viewer, now, 0));
    const ineligible = ms.filter((m) => m.knowledge.sureIneligible(viewer, now, 0));
    if (eligible.length + ineligible.length !== ms.length) {
      w.stats.undecidedCheck('inv6-convergence');
      continue;
    }
    w.stats.check('inv6-convergence');
    const bound = w.bound(g);
    const was = before.get(g.name) ?? [];
    const show = () =>
      `${g.name}: bound [${bound.join(', ')}] (before the two sweeps [${was.join(', ')}]); members ${ms.map((m) => `${m.id}(p${m.member.priority}): ${m.knowledge.describe(now)}`).join('; ')}`;
    if (eligible.length === 0) {
      // Invariant 7 at rest: nothing eligible keeps the last holder, and attaches nobody.
      const forced = forcedTarget.get(g.name);
      const ok =
        (forced !== undefined && bound.length === 1 && bound[0] === forced) ||
        (was.length === 0 ? bound.length === 0 : bound.length === 1 && was.includes(bound[0] as string));
      if (!ok) w.violate('inv6-convergence', `no member is eligible, yet ${show()}`);
      continue;
    }
    const holder = bound.length === 1 ? ms.find((m) => m.id === bound[0]) : undefined;
    const best = elected(eligible) as MemberInfo;
    const prev = was.length === 1 ? was[0] : undefined;
    const ok =
      holder !== undefined &&
      eligible.includes(holder) &&
      (g.nopreempt || holder.member.priority === best.member.priority) &&
      (holder.id === prev ||
        holder.id === best.id ||
        holder.id === rollForward.get(g.name) ||
        (was.length > 1 && was.includes(holder.id)));
    if (!ok) {
      w.violate('inv6-convergence', `did not converge on ${best.id} within two sweeps: ${show()}`);
      continue;
    }
    if (g.eip !== undefined && g.haVipId !== undefined) {
      const e = w.sim.eip(g.eip.allocationId);
      if (e?.instanceId !== g.haVipId || e.status !== 'InUse')
        w.violate(
          'inv6-convergence',
          `${g.name}'s EIP is on ${e?.instanceId ?? 'nothing'} (${e?.status}), not on its HaVip`,
        );
    }
    if (g.haVipId !== undefined && (g.announce === 'cloud-assistant' || g.announce === 'agent')) {
      const canAnnounce = w.hostRunning(holder) && (g.announce === 'cloud-assistant' || holder.agentUp);
      if (!canAnnounce) continue;
      w.stats.check('data-plane');
      const serving = w.sim.servingInstance(g.haVipId);
      if (serving !== holder.id)
        w.violate(
          'data-plane',
          `${g.name} converged on ${holder.id}, which can announce, but ${serving ?? 'nobody'} serves the HaVip`,
        );
    }
  }
}

async function deliverAll(w: CampaignWorld): Promise<void> {
  while (w.outbox.length > 0) {
    const item = w.outbox.shift() as OutboxItem;
    await w.drive([w.deliver(item, { noArm: true })]);
  }
}
