/**
 * The switch plan on Tencent Cloud. No API moves a HAVIP: the member that announces it by ARP gets its
 * traffic, within the drift scope. So a move is: narrow the drift scope to the elected member (keeping
 * the old holder until the new one serves), make the new member announce, verify that `InstanceId`
 * names it, bind the EIP if it is configured and missing, then drop the old member from the scope.
 *
 * When the answer carries no drift scope (`associations` undefined: the account's API lacks it), no scope
 * step is planned: announce and verify alone move the address. Pure, like the Alibaba planner.
 */
import type { Decision, Group, MemberId } from '../model.js';
import type { GroupObservation } from '../observe.js';
import type { SagaStep } from '../saga/steps.js';
import type { TencentHaVipTargetType } from '../tencent-ports.js';
import { isEniGroup } from './observe.js';

const targetTypeOf = (group: Group): TencentHaVipTargetType => (isEniGroup(group) ? 'ENI' : 'CVM');

/** The steps that carry `decision` out on a Tencent group, against what was observed. */
export function planTencentSteps(group: Group, decision: Decision, obs: GroupObservation): SagaStep[] {
  const scope = new Scope(group, obs);
  const eip = eipSteps(group, obs);
  if (group.announce === 'keepalived') return [...keepalivedSteps(group, decision, obs, scope), ...eip];
  switch (decision.kind) {
    case 'attach':
      return [
        ...scope.add(decision.target),
        ...scope.narrowTo([decision.target]),
        ...takeover(group, decision.target, obs),
        ...eip,
      ];
    case 'move':
      return [
        ...scope.add(decision.to),
        ...scope.narrowTo([decision.from, decision.to]),
        ...takeover(group, decision.to, obs),
        ...eip,
        ...scope.drop(decision.from),
      ];
    case 'noop':
      // Drift repair: the scope follows the holder the rules keep.
      return decision.holder === undefined
        ? eip
        : [...scope.add(decision.holder), ...scope.narrowTo([decision.holder]), ...eip];
    default:
      // An alert changes nothing. Split brain cannot happen: one InstanceId holds the HAVIP.
      return eip;
  }
}

/** The drift scope as observed; every method plans nothing when the answer did not carry it. */
class Scope {
  private readonly ids: ReadonlySet<string> | undefined;
  private readonly type: TencentHaVipTargetType;

  constructor(
    private readonly group: Group,
    obs: GroupObservation,
  ) {
    const associations = obs.tencent?.haVip?.associations;
    this.ids = associations === undefined ? undefined : new Set(associations.map((a) => a.instanceId));
    this.type = targetTypeOf(group);
  }

  add(member: MemberId): SagaStep[] {
    if (this.ids === undefined || this.ids.has(member)) return [];
    return [{ op: 'scope-add', member, targetType: this.type }];
  }

  drop(member: MemberId, evict = false): SagaStep[] {
    if (this.ids === undefined || !this.ids.has(member)) return [];
    return [{ op: 'scope-drop', member, targetType: this.type, evict }];
  }

  /** Drops every other member of the group from the scope (targets outside the group are not ours). */
  narrowTo(keep: readonly MemberId[]): SagaStep[] {
    return this.group.members.filter((m) => !keep.includes(m.id)).flatMap((m) => this.drop(m.id));
  }
}

/** Make the member announce (TAT, with `announce: cloud-assistant`) and verify it serves. */
function takeover(group: Group, member: MemberId, obs: GroupObservation): SagaStep[] {
  if (group.announce === 'none') return [];
  const host = member.startsWith('eni-') ? (obs.enis.get(member)?.instanceId ?? member) : member;
  return [
    ...(group.announce === 'cloud-assistant' ? [{ op: 'announce' as const, member, host }] : []),
    { op: 'verify', member, waitSeconds: group.announceDeadlineSeconds },
  ];
}

/**
 * keepalived coexistence: keepalived on the members announces, so every present member stays in the
 * scope; a forced move drops the unhealthy holder (evicting it, if Tencent does) and verifies the peer.
 */
function keepalivedSteps(group: Group, decision: Decision, obs: GroupObservation, scope: Scope): SagaStep[] {
  const leaving = decision.kind === 'move' ? decision.from : undefined;
  const present = group.members.filter((m) =>
    m.kind === 'eni'
      ? obs.enis.get(m.id)?.instanceId !== undefined
      : obs.instances.get(m.id)?.status === 'Running',
  );
  const steps = present.filter((m) => m.id !== leaving).flatMap((m) => scope.add(m.id));
  if (decision.kind !== 'move') return steps;
  return [
    ...steps,
    ...scope.drop(decision.from, true),
    { op: 'verify', member: decision.to, waitSeconds: group.announceDeadlineSeconds },
  ];
}

/** The configured EIP bound to the HAVIP when it has none (one bound to another address is not ours). */
function eipSteps(group: Group, obs: GroupObservation): SagaStep[] {
  const want = group.tencent?.eipAddressIp;
  const h = obs.tencent?.haVip;
  if (want === undefined || h === undefined || group.haVipId === undefined) return [];
  if (h.addressIp !== undefined && h.addressIp !== '') return [];
  return [{ op: 'havip-eip', haVipId: group.haVipId, addressIp: want }];
}
