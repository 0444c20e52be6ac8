import type { SimSeed } from './types.js';

/**
 * The world `havip sim` serves without `--seed`: one region, one VPC, one vSwitch, two Running web
 * instances sharing a HaVip (bound to the first, which has announced it and is master) with an EIP on the HaVip, and two
 * ENIs on two more instances with an unbound HaVip.
 */
export function demoSeed(): SimSeed {
  return {
    regions: [
      {
        regionId: 'cn-hangzhou',
        vpcs: [
          {
            vpcId: 'vpc-bp1demo',
            cidr: '192.168.0.0/16',
            vSwitches: [{ vSwitchId: 'vsw-bp1demo', cidr: '192.168.1.0/24', zoneId: 'cn-hangzhou-h' }],
          },
        ],
        instances: [
          {
            instanceId: 'i-bp1demo0000000000001',
            vSwitchId: 'vsw-bp1demo',
            privateIp: '192.168.1.11',
            instanceName: 'web-primary',
          },
          {
            instanceId: 'i-bp1demo0000000000002',
            vSwitchId: 'vsw-bp1demo',
            privateIp: '192.168.1.12',
            instanceName: 'web-standby',
          },
          {
            instanceId: 'i-bp1demo0000000000003',
            vSwitchId: 'vsw-bp1demo',
            privateIp: '192.168.1.13',
            instanceName: 'db-a',
          },
          {
            instanceId: 'i-bp1demo0000000000004',
            vSwitchId: 'vsw-bp1demo',
            privateIp: '192.168.1.14',
            instanceName: 'db-b',
          },
        ],
        enis: [
          {
            networkInterfaceId: 'eni-bp1demo0000000000003',
            vSwitchId: 'vsw-bp1demo',
            privateIp: '192.168.1.23',
            instanceId: 'i-bp1demo0000000000003',
          },
          {
            networkInterfaceId: 'eni-bp1demo0000000000004',
            vSwitchId: 'vsw-bp1demo',
            privateIp: '192.168.1.24',
            instanceId: 'i-bp1demo0000000000004',
          },
        ],
        haVips: [
          {
            haVipId: 'havip-bp1demoweb',
            vSwitchId: 'vsw-bp1demo',
            ipAddress: '192.168.1.100',
            associatedInstances: ['i-bp1demo0000000000001'],
            masterInstanceId: 'i-bp1demo0000000000001',
          },
          { haVipId: 'havip-bp1demodb', vSwitchId: 'vsw-bp1demo', ipAddress: '192.168.1.200' },
        ],
        eips: [
          { allocationId: 'eip-bp1demoweb', ipAddress: '203.0.113.10', instanceId: 'havip-bp1demoweb' },
          { allocationId: 'eip-bp1demospare', ipAddress: '203.0.113.11' },
        ],
      },
    ],
  };
}
