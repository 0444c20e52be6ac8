/**
 * The Tencent simulator world of a topology: members, ENI hosts, the HAVIP's scope, holder and EIP,
 * deterministic made-up addresses, and only the Tencent groups of a mixed document.
 */
import { describe, expect, it } from 'vitest';
import {
  TencentSimulatedCloud,
  tencentSeedFromTopology,
} from '../../../../shared/adapters/tencent-simulator/index.js';

const doc = {
  region: 'ap-guangzhou',
  groups: [
    {
      name: 'web',
      cloud: 'tencent',
      haVipId: 'havip-web',
      vpcId: 'vpc-a',
      subnetId: 'subnet-a',
      eip: { addressIp: '203.0.113.7' },
      members: [
        { id: 'ins-a', priority: 50, ip: '10.0.1.11' },
        { id: 'ins-b', priority: 50, ip: '10.0.1.12' },
      ],
    },
    {
      name: 'db',
      cloud: 'tencent',
      region: 'ap-shanghai',
      haVipId: 'havip-db',
      vpcId: 'vpc-b',
      subnetId: 'subnet-b',
      members: [
        { id: 'eni-x', priority: 100, ip: '10.2.0.5' },
        { id: 'eni-y', priority: 10, ip: '10.2.0.6' },
      ],
    },
    { name: 'ali', vSwitchId: 'vsw-a', haVipId: 'havip-ali', members: [{ id: 'i-a', ip: '10.9.0.1' }] },
  ],
};

describe('tencentSeedFromTopology', () => {
  it('builds a world where the highest member (priority, then IP) holds each HAVIP in a checked scope', () => {
    const cloud = new TencentSimulatedCloud(tencentSeedFromTopology(doc));
    expect(cloud.haVip('havip-web')).toMatchObject({
      regionId: 'ap-guangzhou',
      vip: '10.0.1.200',
      checkAssociate: true,
      scope: [{ instanceId: 'ins-b', type: 'CVM' }],
      holder: { instanceId: 'ins-b' },
      addressIp: '203.0.113.7',
    });
    expect(cloud.haVip('havip-db')).toMatchObject({
      regionId: 'ap-shanghai',
      scope: [{ instanceId: 'eni-x', type: 'ENI' }],
      holder: { networkInterfaceId: 'eni-x' },
    });
    const eni = cloud.networkInterface('eni-y');
    expect(eni).toMatchObject({ primary: false, subnetId: 'subnet-b' });
    expect(cloud.instance(eni?.instanceId ?? '')?.state).toBe('RUNNING');
    expect(cloud.haVip('havip-ali')).toBeUndefined();
  });

  it('with attach none, leaves scopes empty, HAVIPs unheld and EIPs free', () => {
    const cloud = new TencentSimulatedCloud(tencentSeedFromTopology(doc, { attach: 'none' }));
    expect(cloud.haVip('havip-web')).toMatchObject({ scope: [], holder: undefined, addressIp: undefined });
    expect(cloud.snapshot().eips.map((e) => e.addressIp)).toEqual(['203.0.113.7']);
  });

  it('is deterministic', () => {
    expect(tencentSeedFromTopology(doc)).toEqual(tencentSeedFromTopology(doc));
  });

  it('takes the cloud of the document for groups that do not say', () => {
    const seed = tencentSeedFromTopology({
      ...doc,
      cloud: 'tencent',
      groups: [{ ...doc.groups[0], cloud: undefined }],
    });
    expect(seed.regions[0]?.haVips?.map((h) => h.haVipId)).toEqual(['havip-web']);
  });
});
