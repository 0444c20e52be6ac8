/** Small builders for core tests: a valid Group with defaults, members, and health maps. */
import {
  type Group,
  groupName,
  haVipId,
  type IneligibleReason,
  type Member,
  type MemberHealth,
  type MemberId,
  memberId,
  memberKindOf,
  vSwitchId,
} from '../../shared/core/model.js';

export function member(id: string, priority: number, ip: string): Member {
  return { id: memberId(id), kind: memberKindOf(id) ?? 'ecs', priority, ip };
}

export function makeGroup(overrides: Partial<Group> & { members: readonly Member[] }): Group {
  return {
    name: groupName('web'),
    cloud: 'alibaba',
    region: 'cn-hangzhou',
    vSwitchId: vSwitchId('vsw-test'),
    haVipId: haVipId('havip-test'),
    eip: undefined,
    nopreempt: true,
    preemptDelaySeconds: 0,
    flapGuard: { maxMoves: 3, windowSeconds: 600 },
    health: { heartbeatTimeoutSeconds: undefined, probe: undefined, fall: 3, rise: 2 },
    announce: 'none',
    announceDeadlineSeconds: 30,
    fencing: 'none',
    keepalivedForceMove: false,
    ...overrides,
  };
}

export type HealthSpec = 'ok' | IneligibleReason | { eligibleSince: number };

/** Builds a health map: `'ok'` = eligible since time 0; a reason = ineligible for that reason. */
export function healthMap(spec: Record<string, HealthSpec>): Map<MemberId, MemberHealth> {
  const map = new Map<MemberId, MemberHealth>();
  for (const [id, s] of Object.entries(spec)) {
    const mid = memberId(id);
    if (s === 'ok') map.set(mid, { id: mid, eligible: true, eligibleSince: 0, reasons: [] });
    else if ('eligibleSince' in s)
      map.set(mid, { id: mid, eligible: true, eligibleSince: s.eligibleSince, reasons: [] });
    else map.set(mid, { id: mid, eligible: false, eligibleSince: undefined, reasons: [s] });
  }
  return map;
}

export const STOPPED: IneligibleReason = { kind: 'stopped', status: 'Stopped' };
export const HB_TIMEOUT: IneligibleReason = { kind: 'heartbeat-timeout', since: 0 };
export const PROBE_FAIL: IneligibleReason = { kind: 'probe-failed', failures: 3 };
export const DRAINING: IneligibleReason = { kind: 'draining', source: 'spot-interruption' };
export const REPORTED_SILENT: IneligibleReason = {
  kind: 'reported-silent',
  by: [memberId('i-b')],
  witness: 'the witness probe failed',
};
export const CHECKS_FAILED: IneligibleReason = { kind: 'checks-failed', since: 0 };
