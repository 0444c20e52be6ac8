/** The Tencent switch plan, table-driven and pure: decision + observation → steps. */
import { describe, expect, it } from 'vitest';
import type { Decision, Group } from '../../../../shared/core/model.js';
import { haVipId, memberId, vSwitchId } from '../../../../shared/core/model.js';
import type { GroupObservation } from '../../../../shared/core/observe.js';
import { planSteps, stepKey } from '../../../../shared/core/saga.js';
import { haVipView } from '../../../../shared/core/tencent/observe.js';
import type { TencentHaVip } from '../../../../shared/core/tencent-ports.js';
import { makeGroup, member } from '../../../support/builders.js';

const A = memberId('ins-0a');
const B = memberId('ins-0b');
const C = memberId('ins-0c');
const QUOTAS = { membersPerHaVip: 10, haVipsPerInstance: 5, eipsPerHaVip: 1, haVipsPerRegion: 50 };

function group(over: Partial<Group> = {}): Group {
  return makeGroup({
    cloud: 'tencent',
    region: 'ap-guangzhou',
    vSwitchId: vSwitchId('subnet-0x'),
    haVipId: haVipId('havip-0x'),
    tencent: { vpcId: 'vpc-0x', subnetId: 'subnet-0x', eipAddressIp: undefined },
    announce: 'cloud-assistant',
    members: [member(A, 100, '10.0.0.1'), member(B, 50, '10.0.0.2'), member(C, 10, '10.0.0.3')],
    ...over,
  });
}

function obs(
  g: Group,
  holder: string | undefined,
  scope: string[] | undefined,
  addressIp?: string,
): GroupObservation {
  const h: TencentHaVip = {
    haVipId: 'havip-0x',
    regionId: 'ap-guangzhou',
    name: undefined,
    vip: '10.0.0.100',
    vpcId: 'vpc-0x',
    subnetId: 'subnet-0x',
    instanceId: holder,
    networkInterfaceId: undefined,
    addressIp,
    state: holder ? 'AVAILABLE' : 'UNBIND',
    rawState: holder ? 'AVAILABLE' : 'UNBIND',
    associations: scope?.map((id) => ({ haVipId: 'havip-0x', instanceId: id, instanceType: 'CVM' as const })),
    checkAssociate: scope === undefined ? undefined : true,
    flushedTime: undefined,
    business: undefined,
    createdTime: undefined,
  };
  return {
    haVip: haVipView(g, h),
    instances: new Map(),
    enis: new Map(),
    eip: undefined,
    observedAt: 0,
    tencent: { haVip: h, statuses: new Map(), enis: new Map() },
  };
}

const move: Decision = { kind: 'move', from: A, to: B, cause: 'failover', forced: false, reason: 't' };
const attach: Decision = { kind: 'attach', target: A, forced: false, reason: 't' };
const noopA: Decision = { kind: 'noop', holder: A, reason: 't' };
const alert: Decision = { kind: 'alert', alert: 'no-eligible-member', holder: A, reason: 't' };

describe('planTencentSteps', () => {
  const cases: {
    name: string;
    g?: Partial<Group>;
    d: Decision;
    holder?: string;
    scope?: string[];
    eip?: string;
    steps: string[];
  }[] = [
    {
      name: 'move: narrow to the new member, announce, verify, then drop the old one',
      d: move,
      holder: A,
      scope: [A, C],
      steps: [`scope-add:${B}`, `scope-drop:${C}`, `announce:${B}`, `verify:${B}`, `scope-drop:${A}`],
    },
    {
      name: 'move with the agent announcing: no TAT',
      g: { announce: 'agent' },
      d: move,
      holder: A,
      scope: [A],
      steps: [`scope-add:${B}`, `verify:${B}`, `scope-drop:${A}`],
    },
    {
      name: 'move with an unknown scope: announce and verify only',
      d: move,
      holder: A,
      scope: undefined,
      steps: [`announce:${B}`, `verify:${B}`],
    },
    {
      name: 'move with a configured EIP missing from the HAVIP: bound after the verify, before the drop',
      g: { tencent: { vpcId: 'vpc-0x', subnetId: 'subnet-0x', eipAddressIp: '203.0.113.1' } },
      d: move,
      holder: A,
      scope: [A],
      steps: [`scope-add:${B}`, `announce:${B}`, `verify:${B}`, 'havip-eip:havip-0x', `scope-drop:${A}`],
    },
    {
      name: 'the EIP already on the HAVIP: no EIP step',
      g: { tencent: { vpcId: 'vpc-0x', subnetId: 'subnet-0x', eipAddressIp: '203.0.113.1' } },
      d: noopA,
      holder: A,
      scope: [A],
      eip: '203.0.113.1',
      steps: [],
    },
    {
      name: 'attach with nothing held',
      d: attach,
      scope: [],
      steps: [`scope-add:${A}`, `announce:${A}`, `verify:${A}`],
    },
    { name: 'noop, settled: nothing', d: noopA, holder: A, scope: [A], steps: [] },
    {
      name: 'noop, scope drifted: it follows the holder',
      d: noopA,
      holder: A,
      scope: [B, C],
      steps: [`scope-add:${A}`, `scope-drop:${B}`, `scope-drop:${C}`],
    },
    { name: 'alert: nothing changes', d: alert, holder: A, scope: [A, B], steps: [] },
    {
      name: 'keepalived: every present member in the scope; a forced move evicts the holder and verifies',
      g: { announce: 'keepalived' },
      d: move,
      holder: A,
      scope: [A],
      steps: [`scope-drop:${A}`, `verify:${B}`],
    },
  ];
  it.each(cases)('$name', ({ g: over, d, holder, scope, eip, steps }) => {
    const g = group(over);
    expect(planSteps(g, d, obs(g, holder, scope, eip), QUOTAS).map(stepKey)).toEqual(steps);
  });

  it('never plans to drop the holder except a keepalived eviction', () => {
    const g = group();
    for (const d of [move, attach, noopA, alert]) {
      const steps = planSteps(g, d, obs(g, A, [A, B, C]), QUOTAS);
      const drops = steps.filter((s) => s.op === 'scope-drop' && s.evict);
      expect(drops).toEqual([]);
    }
  });
});
