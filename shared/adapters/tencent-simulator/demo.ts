/**
 * The world `havip sim --cloud tencent` serves without `--seed`: one subnet in ap-guangzhou with two
 * web servers, a HAVIP whose drift scope is checked and holds the first server (which has announced
 * it and so receives its traffic), an EIP on the HAVIP and a spare EIP.
 */
import type { TencentSimSeed } from './seed.js';

export function tencentDemoSeed(): TencentSimSeed {
  return {
    regions: [
      {
        region: 'ap-guangzhou',
        vpcs: [
          {
            vpcId: 'vpc-demo0001',
            cidr: '10.0.0.0/16',
            subnets: [{ subnetId: 'subnet-demo0001', cidr: '10.0.1.0/24', zone: 'ap-guangzhou-3' }],
          },
        ],
        instances: [
          { instanceId: 'ins-demoweb1', subnetId: 'subnet-demo0001', privateIp: '10.0.1.11', name: 'web-1' },
          { instanceId: 'ins-demoweb2', subnetId: 'subnet-demo0001', privateIp: '10.0.1.12', name: 'web-2' },
        ],
        haVips: [
          {
            haVipId: 'havip-demoweb',
            subnetId: 'subnet-demo0001',
            vip: '10.0.1.100',
            name: 'web',
            checkAssociate: true,
            associations: ['ins-demoweb1'],
            holder: 'ins-demoweb1',
            addressIp: '203.0.113.10',
          },
        ],
        eips: [
          { addressId: 'eip-demoweb', addressIp: '203.0.113.10' },
          { addressId: 'eip-spare', addressIp: '203.0.113.11' },
        ],
      },
    ],
  };
}
