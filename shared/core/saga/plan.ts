/**
 * Planning: a decision becomes the steps that carry it out against what was observed. Pure — no I/O, no
 * clock — so the dry run (`plan`) shows exactly the steps a real run would take.
 */
import type { Decision, Group, Member, MemberId, Quotas } from '../model.js';
import type { GroupObservation } from '../observe.js';
import type { EipInstanceType, EipState, HaVipInstanceType } from '../ports.js';
import { planTencentSteps } from '../tencent/plan.js';
import type { SagaStep } from './steps.js';

type MemberOf = (id: MemberId) => Member;

const haVipType = (m: Member): HaVipInstanceType => (m.kind === 'eni' ? 'NetworkInterface' : 'EcsInstance');
const eipType = (m: Member): EipInstanceType => (m.kind === 'eni' ? 'NetworkInterface' : 'EcsInstance');

/** Turns a decision into steps against what was observed. Pure; used by real runs and by `plan`. */
export function planSteps(
  group: Group,
  decision: Decision,
  obs: GroupObservation,
  quotas: Quotas,
): SagaStep[] {
  if (group.cloud === 'tencent') return planTencentSteps(group, decision, obs);
  const byId = new Map<string, Member>(group.members.map((m) => [m.id, m]));
  const member: MemberOf = (id) => byId.get(id) as Member;
  const steps: SagaStep[] = [];
  if (group.haVipId !== undefined) {
    steps.push(
      ...(group.announce === 'keepalived'
        ? keepalivedSteps(group, decision, obs, member)
        : exclusiveSteps(group, decision, obs, quotas, member)),
    );
    if (group.eip?.mode === 'havip') steps.push(...eipOnHaVipSteps(group, obs.eip));
  } else if (group.eip !== undefined) {
    steps.push(...directEipSteps(decision, member));
  }
  steps.push(...fencingSteps(group, decision, obs, member));
  return steps;
}

/** Exclusive mode: the HaVip is bound to one member, which then has to take over on the data plane. */
function exclusiveSteps(
  group: Group,
  decision: Decision,
  obs: GroupObservation,
  quotas: Quotas,
  member: MemberOf,
): SagaStep[] {
  const { target, steps } = bindingSteps(group, decision, obs, quotas, member);
  return [...steps, ...takeoverSteps(group, decision, obs, target, steps)];
}

/** The binding changes, and the member that should serve the address once they are done. */
function bindingSteps(
  group: Group,
  decision: Decision,
  obs: GroupObservation,
  quotas: Quotas,
  member: MemberOf,
): { target: MemberId | undefined; steps: SagaStep[] } {
  const master = obs.haVip?.masterInstanceId;
  const detach = (id: MemberId): SagaStep => ({
    op: 'detach-havip',
    member: id,
    instanceType: haVipType(member(id)),
    force: master === undefined || master === id,
  });
  const attach = (id: MemberId): SagaStep => ({
    op: 'attach-havip',
    member: id,
    instanceType: haVipType(member(id)),
  });
  switch (decision.kind) {
    case 'attach':
      return { target: decision.target, steps: [attach(decision.target)] };
    case 'move': {
      const { from, to } = decision;
      // Attach first when the HaVip may hold two bindings: traffic never has nowhere to go.
      if (quotas.membersPerHaVip < 2) return { target: to, steps: [detach(from), attach(to)] };
      // With Cloud Assistant the new holder announces while the old one is still bound: traffic switches
      // as soon as the script has run, before the detach round trips.
      if (group.announce === 'cloud-assistant')
        return { target: to, steps: [attach(to), announceStep(to, obs), detach(from)] };
      return { target: to, steps: [attach(to), detach(from)] };
    }
    case 'repair-split-brain':
      return { target: decision.keep, steps: decision.detach.map(detach) };
    default:
      return { target: undefined, steps: [] };
  }
}

/** Announce and verify on the member that should serve; or re-check a holder bound but not serving. */
function takeoverSteps(
  group: Group,
  decision: Decision,
  obs: GroupObservation,
  target: MemberId | undefined,
  binding: readonly SagaStep[],
): SagaStep[] {
  const bound = obs.haVip?.associatedInstances ?? [];
  const holder = decision.kind === 'noop' ? decision.holder : undefined;
  const verify = (id: MemberId, waitSeconds: number): SagaStep => ({ op: 'verify', member: id, waitSeconds });
  if (
    target === undefined &&
    holder !== undefined &&
    bound.length === 1 &&
    obs.haVip?.masterInstanceId !== holder
  ) {
    // Bound but not serving (an earlier switch-incomplete, or the holder lost its address): retry the
    // announcement (cloud-assistant), or check once whether the agent has announced since.
    if (group.announce === 'cloud-assistant')
      return [announceStep(holder, obs), verify(holder, group.announceDeadlineSeconds)];
    if (group.announce === 'agent') return [verify(holder, 0)];
    return [];
  }
  if (target === undefined || group.announce === 'none') return [];
  const announced = binding.some((x) => x.op === 'announce');
  return [
    ...(group.announce === 'cloud-assistant' && !announced ? [announceStep(target, obs)] : []),
    verify(target, group.announceDeadlineSeconds),
  ];
}

/**
 * keepalived coexistence: every present member stays bound (a replaced member is re-bound); a forced move
 * unbinds the unhealthy master so keepalived on the peers takes over, then verifies the new master.
 */
function keepalivedSteps(
  group: Group,
  decision: Decision,
  obs: GroupObservation,
  member: MemberOf,
): SagaStep[] {
  const steps: SagaStep[] = [];
  const bound = new Set(obs.haVip?.associatedInstances ?? []);
  const unbinding = decision.kind === 'move' ? decision.from : undefined;
  for (const m of group.members) {
    if (bound.has(m.id) || m.id === unbinding) continue;
    const present =
      m.kind === 'eni'
        ? obs.enis.get(m.id)?.instanceId !== undefined
        : obs.instances.get(m.id)?.status === 'Running';
    if (present) steps.push({ op: 'attach-havip', member: m.id, instanceType: haVipType(m) });
  }
  if (decision.kind === 'move') {
    steps.push({
      op: 'detach-havip',
      member: decision.from,
      instanceType: haVipType(member(decision.from)),
      force: true,
    });
    steps.push({ op: 'verify', member: decision.to, waitSeconds: group.announceDeadlineSeconds });
  }
  return steps;
}

/** `direct` mode: the EIP itself is the floating address. */
function directEipSteps(decision: Decision, member: MemberOf): SagaStep[] {
  const bind = (id: MemberId): SagaStep => ({
    op: 'eip-bind',
    instanceId: id,
    instanceType: eipType(member(id)),
  });
  if (decision.kind === 'attach') return [bind(decision.target)];
  if (decision.kind !== 'move') return [];
  return [
    { op: 'eip-unbind', instanceId: decision.from, instanceType: eipType(member(decision.from)) },
    bind(decision.to),
  ];
}

/** Opt-in fencing: stop an old holder that is still Running but unhealthy, after it lost the address. */
function fencingSteps(group: Group, decision: Decision, obs: GroupObservation, member: MemberOf): SagaStep[] {
  if (decision.kind !== 'move' || decision.cause !== 'failover' || group.fencing !== 'stop') return [];
  const old = member(decision.from);
  if (old.kind !== 'ecs' || obs.instances.get(old.id)?.status !== 'Running') return [];
  return [{ op: 'fence-stop', member: old.id }];
}

/** Cloud Assistant runs on instances: an ENI member announces through the instance it is attached to. */
function announceStep(member: MemberId, obs: GroupObservation): SagaStep {
  const host = member.startsWith('eni-') ? (obs.enis.get(member)?.instanceId ?? member) : member;
  return { op: 'announce', member, host };
}

/** EIP drift repair in `havip` mode: the EIP must be bound to the HaVip. */
function eipOnHaVipSteps(group: Group, eip: EipState | undefined): SagaStep[] {
  if (group.haVipId === undefined || eip === undefined) return [];
  const onHaVip = eip.instanceId === group.haVipId && eip.status !== 'Available';
  if (onHaVip) return [];
  const steps: SagaStep[] = [];
  if (eip.instanceId !== undefined && eip.instanceId !== '' && eip.status !== 'Available') {
    // Drifted onto something else. Only take it back from one of our own members; anything else is foreign.
    if (!group.members.some((m) => m.id === eip.instanceId)) return [];
    steps.push({
      op: 'eip-unbind',
      instanceId: eip.instanceId,
      instanceType: (eip.instanceType as EipInstanceType) ?? 'EcsInstance',
    });
  }
  steps.push({ op: 'eip-bind', instanceId: group.haVipId, instanceType: 'HaVip' });
  return steps;
}
