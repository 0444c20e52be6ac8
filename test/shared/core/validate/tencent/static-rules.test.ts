/** Tencent's static topology rules, run through validateTopology over mixed and Tencent-only topologies. */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Group, Member, Topology } from '../../../../../shared/core/model.js';
import { haVipId, memberId, vSwitchId } from '../../../../../shared/core/model.js';
import { TENCENT_CODES, validateTopology } from '../../../../../shared/core/validate.js';
import { makeGroup } from '../../../../support/builders.js';

const cvm = (n: number, priority = 100): Member => ({
  id: memberId(`ins-0aaa${String(n).padStart(4, '0')}`),
  kind: 'ecs',
  priority,
  ip: `10.0.1.${10 + n}`,
});
const eni = (n: number): Member => ({
  id: memberId(`eni-0bbb${n}`),
  kind: 'eni',
  priority: 100,
  ip: `10.0.2.${10 + n}`,
});

function tencent(name: string, over: Partial<Group> = {}): Group {
  return makeGroup({
    name: name as Group['name'],
    cloud: 'tencent',
    region: 'ap-guangzhou',
    vSwitchId: vSwitchId('subnet-0abc'),
    haVipId: haVipId(`havip-${name}`),
    tencent: { vpcId: 'vpc-0abc', subnetId: 'subnet-0abc', eipAddressIp: undefined },
    members: [cvm(1), cvm(2, 10)],
    ...over,
  });
}

const topo = (groups: Group[]): Topology => ({
  region: 'ap-guangzhou',
  quotaProfile: 'current',
  quotas: { membersPerHaVip: 10, haVipsPerInstance: 5, eipsPerHaVip: 1, haVipsPerRegion: 50 },
  groups,
});

const codesAt = (t: Topology) => validateTopology(t).map((f) => `${f.code}@${f.path}`);

describe('Tencent static rules', () => {
  const cases: { name: string; groups: Group[]; expected: string[] }[] = [
    { name: 'a valid pair', groups: [tencent('a')], expected: [] },
    {
      name: 'eleven members',
      groups: [tencent('a', { members: Array.from({ length: 11 }, (_, i) => cvm(i + 1)) })],
      expected: ['tencent.members.too-many@groups[0].members'],
    },
    {
      name: 'CVM and ENI mixed',
      groups: [tencent('a', { members: [cvm(1), eni(1)] })],
      expected: ['tencent.members.mixed-kinds@groups[0].members'],
    },
    {
      name: 'one member only (a warning, as on Alibaba)',
      groups: [tencent('a', { members: [cvm(1)] })],
      expected: ['group.members.single@groups[0].members'],
    },
    {
      name: 'fencing: stop',
      groups: [tencent('a', { fencing: 'stop' })],
      expected: ['tencent.fencing.unsupported@groups[0].fencing'],
    },
    {
      name: 'one HAVIP in two groups',
      groups: [tencent('a'), tencent('b', { haVipId: haVipId('havip-a') })],
      expected: ['tencent.havip.duplicate@groups[1].haVipId'],
    },
    {
      name: 'one EIP in two groups',
      groups: [
        tencent('a', {
          tencent: { vpcId: 'vpc-0abc', subnetId: 'subnet-0abc', eipAddressIp: '203.0.113.1' },
        }),
        tencent('b', {
          tencent: { vpcId: 'vpc-0abc', subnetId: 'subnet-0abc', eipAddressIp: '203.0.113.1' },
        }),
      ],
      expected: ['tencent.eip.duplicate@groups[1].eip.addressIp'],
    },
    {
      name: 'eleven HAVIPs in one VPC',
      groups: Array.from({ length: 11 }, (_, i) =>
        tencent(`g${i}`, { members: [cvm(2 * i + 1), cvm(2 * i + 2, 10)] }),
      ),
      expected: ['tencent.vpc.havips.quota@groups[10].haVipId'],
    },
    {
      name: 'an Alibaba id in a group built in code',
      groups: [tencent('a', { members: [{ ...cvm(1), id: memberId('i-bp1a') }, cvm(2)] })],
      expected: ['tencent.member.id.format@groups[0].members[0].id'],
    },
  ];
  it.each(cases)('$name', ({ groups, expected }) => {
    expect(codesAt(topo(groups))).toEqual(expected);
  });

  it('maps findings back to the document when Alibaba and Tencent groups are mixed', () => {
    const alibaba = makeGroup({ name: 'ali' as Group['name'], members: [] });
    const t: Topology = {
      ...topo([alibaba, tencent('a'), tencent('b', { haVipId: haVipId('havip-a') })]),
      region: 'cn-hangzhou',
    };
    const found = validateTopology(t);
    expect(found.map((f) => `${f.code}@${f.path}`)).toContain('tencent.havip.duplicate@groups[2].haVipId');
    const dup = found.find((f) => f.code === 'tencent.havip.duplicate');
    expect(dup?.message).toContain('(groups[1])');
    // Alibaba's rules see only the Alibaba group: its empty member list is reported at groups[0].
    expect(found.every((f) => f.code.startsWith('tencent.') || !f.path.startsWith('groups[1]'))).toBe(true);
  });

  it('reports a group name used on both clouds', () => {
    const alibaba = makeGroup({ name: 'a' as Group['name'], members: [] });
    expect(codesAt({ ...topo([alibaba, tencent('a')]), region: 'cn-hangzhou' })).toContain(
      'group.name.duplicate@groups[1].name',
    );
  });
});

describe('docs/tencent-topology.md', () => {
  const doc = readFileSync(new URL('../../../../../docs/tencent-topology.md', import.meta.url), 'utf8');
  it.each(Object.keys(TENCENT_CODES).filter((c) => c.startsWith('tencent.')))('documents %s', (code) => {
    expect(doc).toContain(`\`${code}\``);
  });
});
