/** The topology schema on Tencent groups: `cloud` per group or per file, Tencent fields, clear errors. */
import { describe, expect, it } from 'vitest';
import { safeParseTopology } from '../../../../shared/core/config.js';
import type { Finding } from '../../../../shared/core/model.js';

type Doc = Record<string, unknown>;

const tencentGroup = (over: Doc = {}): Doc => ({
  name: 'tweb',
  cloud: 'tencent',
  haVipId: 'havip-0abc1234',
  vpcId: 'vpc-0abc1234',
  subnetId: 'subnet-0abc1234',
  members: [
    { id: 'ins-0aaa0001', priority: 100, ip: '10.0.1.11' },
    { id: 'ins-0aaa0002', priority: 10, ip: '10.0.1.12' },
  ],
  ...over,
});

const alibabaGroup = (over: Doc = {}): Doc => ({
  name: 'web',
  vSwitchId: 'vsw-bp1a',
  haVipId: 'havip-bp1a',
  members: [
    { id: 'i-bp1a1', priority: 100, ip: '192.168.0.11' },
    { id: 'i-bp1a2', priority: 10, ip: '192.168.0.12' },
  ],
  ...over,
});

function findings(doc: Doc): readonly Finding[] {
  const r = safeParseTopology(doc);
  return r.ok ? [] : r.findings;
}

describe('a Tencent group', () => {
  it('parses with its VPC, subnet, HAVIP, CVM members and EIP address', () => {
    const r = safeParseTopology({
      region: 'ap-guangzhou',
      groups: [
        tencentGroup({ eip: { addressIp: '203.0.113.10' }, nopreempt: false, preemptDelaySeconds: 30 }),
      ],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [g] = r.topology.groups;
    expect(g?.cloud).toBe('tencent');
    expect(g?.tencent).toEqual({
      vpcId: 'vpc-0abc1234',
      subnetId: 'subnet-0abc1234',
      eipAddressIp: '203.0.113.10',
    });
    expect(g?.vSwitchId).toBe('subnet-0abc1234');
    expect(g?.eip).toBeUndefined();
    expect(g?.members.map((m) => m.kind)).toEqual(['ecs', 'ecs']);
    expect([g?.nopreempt, g?.preemptDelaySeconds]).toEqual([false, 30]);
  });

  it('takes its cloud from the file when the group does not say', () => {
    const { cloud: _c, ...group } = tencentGroup();
    const r = safeParseTopology({ region: 'ap-guangzhou', cloud: 'tencent', groups: [group] });
    expect(r.ok && r.topology.groups[0]?.cloud).toBe('tencent');
  });

  it('lets a group on Alibaba sit in a Tencent file, and defaults to alibaba', () => {
    const mixed = safeParseTopology({
      region: 'cn-hangzhou',
      cloud: 'tencent',
      groups: [alibabaGroup({ cloud: 'alibaba' }), tencentGroup({ cloud: undefined })],
    });
    expect(mixed.ok && mixed.topology.groups.map((g) => g.cloud)).toEqual(['alibaba', 'tencent']);
    const plain = safeParseTopology({ region: 'cn-hangzhou', groups: [alibabaGroup()] });
    expect(plain.ok && plain.topology.groups[0]?.cloud).toBe('alibaba');
  });
});

describe('bad Tencent input names the field and the fix', () => {
  const cases: { name: string; doc: Doc; code: string; path: string; says: RegExp; hint: RegExp }[] = [
    {
      name: 'an Alibaba instance id in a Tencent group',
      doc: {
        region: 'ap-guangzhou',
        groups: [tencentGroup({ members: [{ id: 'i-bp1a1', ip: '10.0.1.11' }] })],
      },
      code: 'tencent.member.id.format',
      path: 'groups[0].members[0].id',
      says: /Alibaba ECS instance id: this group is on Tencent Cloud/,
      hint: /cloud: alibaba/,
    },
    {
      name: 'a vSwitch id as the subnet',
      doc: { region: 'ap-guangzhou', groups: [tencentGroup({ subnetId: 'vsw-bp1a' })] },
      code: 'tencent.subnet-id.format',
      path: 'groups[0].subnetId',
      says: /Alibaba vSwitch id/,
      hint: /subnet|cloud: alibaba/,
    },
    {
      name: 'vSwitchId written in a Tencent group',
      doc: { region: 'ap-guangzhou', groups: [tencentGroup({ vSwitchId: 'vsw-bp1a' })] },
      code: 'config.unknown-key',
      path: 'groups[0].vSwitchId',
      says: /not a known setting.*subnetId/,
      hint: /subnetId: subnet-/,
    },
    {
      name: 'an allocation id as the EIP',
      doc: { region: 'ap-guangzhou', groups: [tencentGroup({ eip: { addressIp: 'eip-0abc' } })] },
      code: 'tencent.eip.address-ip.format',
      path: 'groups[0].eip.addressIp',
      says: /EIP id: Tencent binds an EIP to a HAVIP by its address/,
      hint: /AddressIp/,
    },
    {
      name: 'eip.allocationId in a Tencent group',
      doc: { region: 'ap-guangzhou', groups: [tencentGroup({ eip: { allocationId: 'eip-0abc' } })] },
      code: 'config.unknown-key',
      path: 'groups[0].eip.allocationId',
      says: /not a known setting/,
      hint: /addressIp/,
    },
    {
      name: 'a missing subnet',
      doc: { region: 'ap-guangzhou', groups: [tencentGroup({ subnetId: undefined })] },
      code: 'config.required',
      path: 'groups[0].subnetId',
      says: /is required/,
      hint: /SubnetId/,
    },
    {
      name: 'a Tencent instance id in an Alibaba group',
      doc: {
        region: 'cn-hangzhou',
        groups: [alibabaGroup({ members: [{ id: 'ins-0aaa0001', ip: '10.0.0.1' }] })],
      },
      code: 'member.id.format',
      path: 'groups[0].members[0].id',
      says: /must be an ECS instance id/,
      hint: /Tencent Cloud id: set cloud: tencent/,
    },
    {
      name: 'Tencent fields in an Alibaba group',
      doc: { region: 'cn-hangzhou', groups: [alibabaGroup({ subnetId: 'subnet-0abc' })] },
      code: 'config.unknown-key',
      path: 'groups[0].subnetId',
      says: /not a known setting/,
      hint: /set cloud: tencent/,
    },
    {
      name: 'an unknown cloud on a group',
      doc: { region: 'cn-hangzhou', groups: [alibabaGroup({ cloud: 'aws' })] },
      code: 'config.enum',
      path: 'groups[0].cloud',
      says: /must be one of alibaba, tencent/,
      hint: /.*/,
    },
    {
      name: 'an unknown cloud on the file',
      doc: { region: 'cn-hangzhou', cloud: 'tencnet', groups: [alibabaGroup()] },
      code: 'config.enum',
      path: 'cloud',
      says: /must be one of alibaba, tencent/,
      hint: /did you mean tencent/,
    },
  ];
  it.each(cases)('$name', ({ doc, code, path, says, hint }) => {
    const found = findings(doc).filter((f) => f.path === path);
    expect(found.map((f) => f.code)).toEqual([code]);
    expect(found[0]?.message).toMatch(says);
    expect(found[0]?.hint).toMatch(hint);
  });
});
