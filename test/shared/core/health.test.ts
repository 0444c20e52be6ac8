import { describe, expect, it } from 'vitest';
import {
  assessMember,
  type MemberObservation,
  STALE_DESCRIBE_GRACE_MS,
} from '../../../shared/core/health.js';
import type { HealthConfig, Member } from '../../../shared/core/model.js';
import { memberId } from '../../../shared/core/model.js';
import type {
  InstanceState,
  MemberHealthState,
  SignalKind,
  SignalRecord,
} from '../../../shared/core/ports.js';
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
const sig = (kind: SignalKind, receivedAt: number, value = ''): SignalRecord => ({
  memberId: memberId('i-a'),
  kind,
  receivedAt,
  sequence: undefined,
  value,
  eventId: undefined,
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
      signals: { 'instance-state': sig('instance-state', NOW - 5_000, 'Stopped') },
    },
    eligible: false,
    reasons: ['stopped'],
  },
  {
    name: 'Running describe long after a stop event (lost Running event) → up again',
    obs: {
      instance: instance('Running'),
      signals: { 'instance-state': sig('instance-state', NOW - STALE_DESCRIBE_GRACE_MS - 1, 'Stopped') },
    },
    eligible: true,
  },
  {
    name: 'latest event Running → eligible',
    obs: {
      instance: instance('Running'),
      signals: { 'instance-state': sig('instance-state', NOW - 1_000, 'Running') },
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
        heartbeat: sig('heartbeat', NOW - 20_000),
        'heartbeat-timeout': sig('heartbeat-timeout', NOW - 10_000),
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
        heartbeat: sig('heartbeat', NOW - 1_000),
        'heartbeat-timeout': sig('heartbeat-timeout', NOW - 10_000),
      },
    },
    eligible: true,
  },
  {
    name: 'silence past heartbeatTimeoutSeconds → down',
    health: { heartbeatTimeoutSeconds: 30 },
    obs: { instance: instance('Running'), signals: { heartbeat: sig('heartbeat', NOW - 30_001) } },
    eligible: false,
    reasons: ['heartbeat-timeout'],
  },
  {
    name: 'silence exactly at the timeout → still up',
    health: { heartbeatTimeoutSeconds: 30 },
    obs: { instance: instance('Running'), signals: { heartbeat: sig('heartbeat', NOW - 30_000) } },
    eligible: true,
  },
  {
    name: 'heartbeats not configured → timeouts ignored',
    obs: { instance: instance('Running'), signals: { 'heartbeat-timeout': sig('heartbeat-timeout', NOW) } },
    eligible: true,
  },
  // drains
  {
    name: 'drain signal → draining',
    obs: { instance: instance('Running'), signals: { drain: sig('drain', NOW - 5, 'spot-interruption') } },
    eligible: false,
    reasons: ['draining'],
  },
  {
    name: 'undrain after drain → eligible',
    obs: {
      instance: instance('Running'),
      signals: { drain: sig('drain', NOW - 10, 'manual'), undrain: sig('undrain', NOW - 5) },
    },
    eligible: true,
  },
  {
    name: 'drain after undrain → draining',
    obs: {
      instance: instance('Running'),
      signals: { drain: sig('drain', NOW - 5, 'maintenance'), undrain: sig('undrain', NOW - 10) },
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
    name: 'several reasons at once are all reported',
    health: { heartbeatTimeoutSeconds: 10 },
    obs: {
      instance: instance('Stopped'),
      signals: { drain: sig('drain', NOW, 'manual'), heartbeat: sig('heartbeat', NOW - 60_000) },
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
