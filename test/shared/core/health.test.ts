import { describe, expect, it } from 'vitest';
import {
  assessMember,
  type MemberObservation,
  STALE_DESCRIBE_GRACE_MS,
} from '../../../shared/core/health.js';
import type { HealthConfig, Member } from '../../../shared/core/model.js';
import { memberId } from '../../../shared/core/model.js';
import type { InstanceState, MemberHealthState } from '../../../shared/core/ports.js';
import type { SignalRecordOf } from '../../../shared/core/signals.js';
import { makeGroup, member } from '../../support/builders.js';

const NOW = 10_000_000;
const m = member('i-a', 100, '10.0.0.1');
const eniMember: Member = member('eni-a', 100, '10.0.0.5');

const instance = (status: string): InstanceState => ({
  instanceId: 'i-a',
  regionId: 'cn-hangzhou',
  status,
  vpcId: 'vpc-1',
  vSwitchId: 'vsw-test',
  privateIpAddresses: ['10.0.0.1'],
  operationLocks: [],
});
const about = { memberId: memberId('i-a'), eventId: undefined } as const;
const stateEvent = (status: string, receivedAt: number): SignalRecordOf<'instance-state'> => ({
  ...about,
  kind: 'instance-state',
  source: 'eventbridge',
  status,
  effect: status === 'Running' || status === 'Starting' ? 'up' : 'down',
  receivedAt,
});
const beat = (receivedAt: number): SignalRecordOf<'heartbeat'> => ({
  ...about,
  kind: 'heartbeat',
  source: 'http',
  receivedAt,
});
const silent = (receivedAt: number): SignalRecordOf<'heartbeat-timeout'> => ({
  ...about,
  kind: 'heartbeat-timeout',
  source: 'mns',
  receivedAt,
});
const ecsDrain = (
  receivedAt: number,
  cause: 'spot-interruption' | 'maintenance',
): SignalRecordOf<'drain'> => ({
  ...about,
  kind: 'drain',
  source: 'eventbridge',
  cause,
  eventType: cause === 'maintenance' ? 'SystemMaintenance.Reboot' : 'PreemptibleInstanceInterruption',
  receivedAt,
});
const manualDrain = (receivedAt: number, actor?: string): SignalRecordOf<'drain'> => ({
  ...about,
  kind: 'drain',
  source: 'http',
  cause: 'manual',
  reason: 'hardware swap',
  actor,
  receivedAt,
});
const undrain = (receivedAt: number): SignalRecordOf<'undrain'> => ({
  ...about,
  kind: 'undrain',
  source: 'http',
  reason: 'done',
  actor: 'ops',
  receivedAt,
});
const state = (s: Partial<MemberHealthState>): MemberHealthState => ({
  memberId: memberId('i-a'),
  probeHealthy: true,
  consecutiveFailures: 0,
  consecutiveSuccesses: 0,
  eligibleSince: undefined,
  updatedAt: 0,
  version: 1,
  ...s,
});

const withHealth = (h: Partial<HealthConfig>) =>
  makeGroup({
    members: [m],
    health: { heartbeatTimeoutSeconds: undefined, probe: undefined, fall: 3, rise: 2, ...h },
  });
const tcp = { kind: 'tcp' as const, port: 80, timeoutMs: 500, intervalSeconds: 10 };

interface Row {
  name: string;
  health?: Partial<HealthConfig>;
  obs: Partial<MemberObservation>;
  eligible: boolean;
  reasons?: string[];
}

const rows: Row[] = [
  { name: 'Running, no signals → eligible', obs: { instance: instance('Running') }, eligible: true },
  {
    name: 'Stopped per describe → stopped (hard)',
    obs: { instance: instance('Stopped') },
    eligible: false,
    reasons: ['stopped'],
  },
  {
    name: 'Stopping per describe → stopped',
    obs: { instance: instance('Stopping') },
    eligible: false,
    reasons: ['stopped'],
  },
  {
    name: 'unknown to the cloud → missing',
    obs: { instance: undefined },
    eligible: false,
    reasons: ['missing'],
  },
  {
    name: 'Starting → not running (soft)',
    obs: { instance: instance('Starting') },
    eligible: false,
    reasons: ['not-running'],
  },
  {
    name: 'stop event newer than a stale Running describe → down',
    obs: {
      instance: instance('Running'),
      signals: { 'instance-state': stateEvent('Stopped', NOW - 5_000) },
    },
    eligible: false,
    reasons: ['stopped'],
  },
  {
    name: 'Running describe long after a stop event (lost Running event) → up again',
    obs: {
      instance: instance('Running'),
      signals: { 'instance-state': stateEvent('Stopped', NOW - STALE_DESCRIBE_GRACE_MS - 1) },
    },
    eligible: true,
  },
  {
    name: 'Tencent: a StartInstances call (Starting) after the stop, Running describe → eligible at once',
    obs: {
      instance: instance('Running'),
      signals: { 'instance-state': stateEvent('Starting', NOW - 5_000) },
    },
    eligible: true,
  },
  {
    name: 'Tencent: a StartInstances call (Starting), the describe still Stopped → down',
    obs: {
      instance: instance('Stopped'),
      signals: { 'instance-state': stateEvent('Starting', NOW - 5_000) },
    },
    eligible: false,
    reasons: ['stopped'],
  },
  {
    name: 'Tencent: a StartInstances call (Starting), the describe Starting → not running yet',
    obs: {
      instance: instance('Starting'),
      signals: { 'instance-state': stateEvent('Starting', NOW - 5_000) },
    },
    eligible: false,
    reasons: ['not-running'],
  },
  {
    name: 'latest event Running → eligible',
    obs: {
      instance: instance('Running'),
      signals: { 'instance-state': stateEvent('Running', NOW - 1_000) },
    },
    eligible: true,
  },
  // heartbeats
  {
    name: 'queue-reported timeout newer than the last heartbeat → down',
    health: { heartbeatTimeoutSeconds: 30 },
    obs: {
      instance: instance('Running'),
      signals: {
        heartbeat: beat(NOW - 20_000),
        'heartbeat-timeout': silent(NOW - 10_000),
      },
    },
    eligible: false,
    reasons: ['heartbeat-timeout'],
  },
  {
    name: 'heartbeat after the timeout message → up',
    health: { heartbeatTimeoutSeconds: 30 },
    obs: {
      instance: instance('Running'),
      signals: {
        heartbeat: beat(NOW - 1_000),
        'heartbeat-timeout': silent(NOW - 10_000),
      },
    },
    eligible: true,
  },
  {
    name: 'silence past heartbeatTimeoutSeconds → down',
    health: { heartbeatTimeoutSeconds: 30 },
    obs: { instance: instance('Running'), signals: { heartbeat: beat(NOW - 30_001) } },
    eligible: false,
    reasons: ['heartbeat-timeout'],
  },
  {
    name: 'silence exactly at the timeout → still up',
    health: { heartbeatTimeoutSeconds: 30 },
    obs: { instance: instance('Running'), signals: { heartbeat: beat(NOW - 30_000) } },
    eligible: true,
  },
  {
    name: 'heartbeats not configured → timeouts ignored',
    obs: { instance: instance('Running'), signals: { 'heartbeat-timeout': silent(NOW) } },
    eligible: true,
  },
  // drains
  {
    name: 'drain signal → draining',
    obs: { instance: instance('Running'), signals: { drain: ecsDrain(NOW - 5, 'spot-interruption') } },
    eligible: false,
    reasons: ['draining'],
  },
  {
    name: 'undrain after drain → eligible',
    obs: {
      instance: instance('Running'),
      signals: { drain: manualDrain(NOW - 10, 'ops'), undrain: undrain(NOW - 5) },
    },
    eligible: true,
  },
  {
    name: 'drain after undrain → draining',
    obs: {
      instance: instance('Running'),
      signals: { drain: ecsDrain(NOW - 5, 'maintenance'), undrain: undrain(NOW - 10) },
    },
    eligible: false,
    reasons: ['draining'],
  },
  // probes (fall 3 / rise 2)
  {
    name: 'first probe failure keeps healthy (fall 3)',
    health: { probe: tcp },
    obs: { instance: instance('Running'), probe: false },
    eligible: true,
  },
  {
    name: 'third consecutive failure → probe-failed',
    health: { probe: tcp },
    obs: { instance: instance('Running'), probe: false, state: state({ consecutiveFailures: 2 }) },
    eligible: false,
    reasons: ['probe-failed'],
  },
  {
    name: 'unhealthy stays unhealthy after one success (rise 2)',
    health: { probe: tcp },
    obs: {
      instance: instance('Running'),
      probe: true,
      state: state({ probeHealthy: false, consecutiveFailures: 5 }),
    },
    eligible: false,
    reasons: ['probe-failed'],
  },
  {
    name: 'second consecutive success → healthy',
    health: { probe: tcp },
    obs: {
      instance: instance('Running'),
      probe: true,
      state: state({ probeHealthy: false, consecutiveSuccesses: 1 }),
    },
    eligible: true,
  },
  {
    name: 'no probe this round keeps the previous verdict',
    health: { probe: tcp },
    obs: { instance: instance('Running'), probe: undefined, state: state({ probeHealthy: false }) },
    eligible: false,
    reasons: ['probe-failed'],
  },
  {
    name: 'a corroborated agent report → ineligible, soft',
    obs: {
      instance: instance('Running'),
      reported: { kind: 'reported-silent', by: [memberId('i-b')], witness: 'a second reporter' },
    },
    eligible: false,
    reasons: ['reported-silent'],
  },
  {
    name: 'its own checks-failed report beside a drain → both reported, the report first',
    obs: {
      instance: instance('Running'),
      reported: { kind: 'checks-failed', since: NOW - 1 },
      signals: { drain: manualDrain(NOW, 'ops') },
    },
    eligible: false,
    reasons: ['checks-failed', 'draining'],
  },
  {
    name: 'several reasons at once are all reported',
    health: { heartbeatTimeoutSeconds: 10 },
    obs: {
      instance: instance('Stopped'),
      signals: { drain: manualDrain(NOW, 'ops'), heartbeat: beat(NOW - 60_000) },
    },
    eligible: false,
    reasons: ['stopped', 'heartbeat-timeout', 'draining'],
  },
];

describe('assessMember (SEMANTICS.md Health)', () => {
  it.each(rows)('$name', (row) => {
    const group = withHealth(row.health ?? {});
    const obs: MemberObservation = {
      member: m,
      instance: undefined,
      eni: undefined,
      signals: {},
      state: undefined,
      probe: undefined,
      ...row.obs,
    };
    const a = assessMember(group, obs, NOW);
    expect(a.health.eligible).toBe(row.eligible);
    expect(a.health.reasons.map((r) => r.kind)).toEqual(row.reasons ?? []);
  });

  it.each([
    {
      name: 'a stop event names the status it carried',
      signals: { 'instance-state': stateEvent('Stopping', NOW - 5_000) },
      reason: { kind: 'stopped', status: 'Stopping' },
    },
    {
      name: 'an ECS drain names its cause and event code',
      signals: { drain: ecsDrain(NOW - 5, 'maintenance') },
      reason: { kind: 'draining', source: 'maintenance: SystemMaintenance.Reboot' },
    },
    {
      name: "an operator's drain names the reason and the operator",
      signals: { drain: manualDrain(NOW - 5, 'ops') },
      reason: { kind: 'draining', source: 'manual: hardware swap (ops)' },
    },
    {
      name: 'a drain nobody is named for (a what-if scenario) shows its reason alone',
      signals: { drain: manualDrain(NOW - 5) },
      reason: { kind: 'draining', source: 'hardware swap' },
    },
  ])('$name', ({ signals, reason }) => {
    const obs: MemberObservation = {
      member: m,
      instance: instance('Running'),
      eni: undefined,
      signals,
      state: undefined,
      probe: undefined,
    };
    expect(assessMember(withHealth({}), obs, NOW).health.reasons).toEqual([reason]);
  });

  it('keeps eligibleSince while continuously eligible and clears it when not', () => {
    const group = withHealth({});
    const base = { member: m, eni: undefined, signals: {}, probe: undefined };
    const first = assessMember(group, { ...base, instance: instance('Running'), state: undefined }, NOW);
    expect(first.next.eligibleSince).toBe(NOW);
    const later = assessMember(
      group,
      { ...base, instance: instance('Running'), state: state({ eligibleSince: NOW }) },
      NOW + 60_000,
    );
    expect(later.health.eligibleSince).toBe(NOW);
    expect(later.changed).toBe(false);
    const down = assessMember(
      group,
      { ...base, instance: instance('Stopped'), state: state({ eligibleSince: NOW }) },
      NOW + 70_000,
    );
    expect(down.next.eligibleSince).toBeUndefined();
    expect(down.changed).toBe(true);
  });

  it.each([
    { name: 'attached ENI → eligible', eni: { status: 'InUse', instanceId: 'i-host' }, eligible: true },
    { name: 'detached ENI → missing', eni: { status: 'Available', instanceId: undefined }, eligible: false },
    { name: 'unknown ENI → missing', eni: undefined, eligible: false },
  ])('$name', ({ eni, eligible }) => {
    const group = makeGroup({ members: [eniMember] });
    const obs: MemberObservation = {
      member: eniMember,
      instance: undefined,
      eni:
        eni === undefined
          ? undefined
          : {
              networkInterfaceId: 'eni-a',
              regionId: 'cn-hangzhou',
              vpcId: 'vpc-1',
              vSwitchId: 'vsw-test',
              privateIpAddress: '10.0.0.5',
              ...eni,
            },
      signals: {},
      state: undefined,
      probe: undefined,
    };
    expect(assessMember(group, obs, NOW).health.eligible).toBe(eligible);
  });
});
