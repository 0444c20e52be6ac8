import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../../shared/core/model.js';
import { allocationId, memberId } from '../../../../shared/core/model.js';
import type { GroupObservation } from '../../../../shared/core/observe.js';
import type { EipState, HaVipState } from '../../../../shared/core/ports.js';
import { QUOTA_PROFILES } from '../../../../shared/core/quotas.js';
import { planSteps } from '../../../../shared/core/saga/plan.js';
import { stepKey } from '../../../../shared/core/saga/steps.js';
import { makeGroup, member } from '../../../support/builders.js';

const A = memberId('i-a');
const B = memberId('i-b');
const members = [member(A, 100, '10.0.0.1'), member(B, 10, '10.0.0.2')];
const current = QUOTA_PROFILES.current;

const haVip = (bound: string[], master?: string): HaVipState => ({
  haVipId: 'havip-test',
  regionId: 'cn-hangzhou',
  ipAddress: '10.0.0.100',
  status: bound.length > 0 ? 'InUse' : 'Available',
  vpcId: 'vpc-1',
  vSwitchId: 'vsw-test',
  masterInstanceId: master,
  associatedInstanceType: 'EcsInstance',
  associatedInstances: bound,
  associatedEipAddresses: [],
});
const eip = (instanceId: string | undefined, instanceType?: string): EipState => ({
  allocationId: 'eip-1',
  regionId: 'cn-hangzhou',
  ipAddress: '203.0.113.10',
  status: instanceId ? 'InUse' : 'Available',
  instanceId,
  instanceType,
});
const running = (id: string) => ({
  instanceId: id,
  regionId: 'cn-hangzhou',
  status: 'Running',
  vpcId: undefined,
  vSwitchId: undefined,
  privateIpAddresses: [],
  operationLocks: [],
});
const obs = (o: Partial<GroupObservation>): GroupObservation => ({
  haVip: undefined,
  instances: new Map(),
  enis: new Map(),
  eip: undefined,
  observedAt: 0,
  ...o,
});
const move = (from: string, to: string, cause: 'failover' | 'manual' = 'failover'): Decision => ({
  kind: 'move',
  from: memberId(from),
  to: memberId(to),
  cause,
  forced: false,
  reason: 'test',
});

describe('planSteps', () => {
  it.each([
    {
      name: 'move with room for two bindings: attach first, then force-detach the master',
      group: makeGroup({ members }),
      decision: move(A, B),
      obs: obs({ haVip: haVip([A], A) }),
      quotas: current,
      steps: ['attach-havip:i-b', 'detach-havip:i-a'],
      force: true,
    },
    {
      name: 'move with a one-binding quota: detach first',
      group: makeGroup({ members }),
      decision: move(A, B),
      obs: obs({ haVip: haVip([A], A) }),
      quotas: { ...current, membersPerHaVip: 1 },
      steps: ['detach-havip:i-a', 'attach-havip:i-b'],
    },
    {
      name: 'detaching a non-master needs no force',
      group: makeGroup({ members }),
      decision: move(A, B),
      obs: obs({ haVip: haVip([A], 'i-zzz') }),
      quotas: current,
      steps: ['attach-havip:i-b', 'detach-havip:i-a'],
      force: false,
    },
    {
      name: 'cloud-assistant announces then verifies the new holder',
      group: makeGroup({ members, announce: 'cloud-assistant' }),
      decision: { kind: 'attach', target: A, forced: false, reason: 't' } as Decision,
      obs: obs({ haVip: haVip([]) }),
      quotas: current,
      steps: ['attach-havip:i-a', 'announce:i-a', 'verify:i-a'],
    },
    {
      name: 'agent policy verifies only',
      group: makeGroup({ members, announce: 'agent' }),
      decision: { kind: 'attach', target: A, forced: false, reason: 't' } as Decision,
      obs: obs({ haVip: haVip([]) }),
      quotas: current,
      steps: ['attach-havip:i-a', 'verify:i-a'],
    },
    {
      name: 'split-brain repair detaches the extras',
      group: makeGroup({ members }),
      decision: { kind: 'repair-split-brain', keep: A, detach: [B], reason: 't' } as Decision,
      obs: obs({ haVip: haVip([A, B], A) }),
      quotas: current,
      steps: ['detach-havip:i-b'],
    },
    {
      name: 'noop with the EIP drifted onto a member: take it back onto the HaVip',
      group: makeGroup({ members, eip: { allocationId: allocationId('eip-1'), mode: 'havip' } }),
      decision: { kind: 'noop', holder: A, reason: 't' } as Decision,
      obs: obs({ haVip: haVip([A], A), eip: eip('i-b', 'EcsInstance') }),
      quotas: current,
      steps: ['eip-unbind:i-b', 'eip-bind:havip-test'],
    },
    {
      name: 'noop with the EIP unbound: bind it to the HaVip',
      group: makeGroup({ members, eip: { allocationId: allocationId('eip-1'), mode: 'havip' } }),
      decision: { kind: 'noop', holder: A, reason: 't' } as Decision,
      obs: obs({ haVip: haVip([A], A), eip: eip(undefined) }),
      quotas: current,
      steps: ['eip-bind:havip-test'],
    },
    {
      name: 'EIP bound to something foreign is left alone',
      group: makeGroup({ members, eip: { allocationId: allocationId('eip-1'), mode: 'havip' } }),
      decision: { kind: 'noop', holder: A, reason: 't' } as Decision,
      obs: obs({ haVip: haVip([A], A), eip: eip('i-foreign', 'EcsInstance') }),
      quotas: current,
      steps: [],
    },
    {
      name: 'direct EIP mode moves the EIP itself',
      group: makeGroup({
        members,
        haVipId: undefined,
        eip: { allocationId: allocationId('eip-1'), mode: 'direct' },
      }),
      decision: move(A, B),
      obs: obs({ eip: eip('i-a', 'EcsInstance') }),
      quotas: current,
      steps: ['eip-unbind:i-a', 'eip-bind:i-b'],
    },
    {
      name: 'fencing stop on a failover away from a still-Running holder',
      group: makeGroup({ members, fencing: 'stop' }),
      decision: move(A, B),
      obs: obs({
        haVip: haVip([A], A),
        instances: new Map([
          [
            'i-a',
            {
              instanceId: 'i-a',
              regionId: 'cn-hangzhou',
              status: 'Running',
              vpcId: undefined,
              vSwitchId: undefined,
              privateIpAddresses: [],
              operationLocks: [],
            },
          ],
        ]),
      }),
      quotas: current,
      steps: ['attach-havip:i-b', 'detach-havip:i-a', 'fence-stop:i-a'],
    },
    {
      name: 'no fencing on a manual move',
      group: makeGroup({ members, fencing: 'stop' }),
      decision: move(A, B, 'manual'),
      obs: obs({ haVip: haVip([A], A) }),
      quotas: current,
      steps: ['attach-havip:i-b', 'detach-havip:i-a'],
    },
    {
      name: 'bound but not serving, cloud-assistant: re-announce and verify',
      group: makeGroup({ members, announce: 'cloud-assistant' }),
      decision: { kind: 'noop', holder: A, reason: 't' } as Decision,
      obs: obs({ haVip: haVip([A], undefined) }),
      quotas: current,
      steps: ['announce:i-a', 'verify:i-a'],
    },
    {
      name: 'bound but not serving, agent: one verification read',
      group: makeGroup({ members, announce: 'agent' }),
      decision: { kind: 'noop', holder: A, reason: 't' } as Decision,
      obs: obs({ haVip: haVip([A], B) }),
      quotas: current,
      steps: ['verify:i-a'],
    },
    {
      name: 'serving holder: nothing to do',
      group: makeGroup({ members, announce: 'cloud-assistant' }),
      decision: { kind: 'noop', holder: A, reason: 't' } as Decision,
      obs: obs({ haVip: haVip([A], A) }),
      quotas: current,
      steps: [],
    },
    {
      name: 'keepalived: a running member missing from the bindings is re-bound',
      group: makeGroup({ members, announce: 'keepalived' }),
      decision: { kind: 'noop', holder: A, reason: 't' } as Decision,
      obs: obs({ haVip: haVip([A], A), instances: new Map([['i-b', running('i-b')]]) }),
      quotas: current,
      steps: ['attach-havip:i-b'],
    },
    {
      name: 'keepalived: a stopped member is not re-bound',
      group: makeGroup({ members, announce: 'keepalived' }),
      decision: { kind: 'noop', holder: A, reason: 't' } as Decision,
      obs: obs({
        haVip: haVip([A], A),
        instances: new Map([['i-b', { ...running('i-b'), status: 'Stopped' }]]),
      }),
      quotas: current,
      steps: [],
    },
    {
      name: 'keepalived force move: unbind the unhealthy master, verify the peer took over',
      group: makeGroup({ members, announce: 'keepalived' }),
      decision: move(A, B),
      obs: obs({ haVip: haVip([A, B], A) }),
      quotas: current,
      steps: ['detach-havip:i-a', 'verify:i-b'],
      force: true,
    },
    {
      name: 'cloud-assistant move: the new holder announces before the old one is detached',
      group: makeGroup({ members, announce: 'cloud-assistant' }),
      decision: move(A, B),
      obs: obs({ haVip: haVip([A], A) }),
      quotas: current,
      steps: ['attach-havip:i-b', 'announce:i-b', 'detach-havip:i-a', 'verify:i-b'],
    },
    {
      name: 'alert → nothing',
      group: makeGroup({ members }),
      decision: { kind: 'alert', alert: 'no-eligible-member', holder: A, reason: 't' } as Decision,
      obs: obs({ haVip: haVip([A], A) }),
      quotas: current,
      steps: [],
    },
  ])('$name', ({ group, decision, obs: o, quotas, steps, force }) => {
    const plan = planSteps(group, decision, o, quotas);
    expect(plan.map(stepKey)).toEqual(steps);
    if (force !== undefined) {
      const detach = plan.find((s) => s.op === 'detach-havip');
      expect(detach && 'force' in detach ? detach.force : undefined).toBe(force);
    }
  });
});
