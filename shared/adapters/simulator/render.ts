/**
 * Records → JSON bodies in exactly the shapes the v7 SDKs cast (each model's `names()` lists the wire
 * keys; unknown keys are dropped and a single object where an array is expected throws). Note the
 * DescribeHaVips quirk: the inner list keys are lowercase (`associatedInstance`,
 * `associatedEipAddresse` — sic); a capitalised key would silently vanish in the SDK.
 */
import type { EipRec, EniRec, HaVipRec, InstanceRec, WorldView } from './world.js';

/** EIPs counted as bound to a HaVip: bound, or still bound while being unbound. */
export function eipsOfHaVip(view: WorldView, haVipId: string): EipRec[] {
  return [...view.eips.values()].filter(
    (e) =>
      e.instanceType === 'HaVip' &&
      e.instanceId === haVipId &&
      (e.status === 'InUse' || e.status === 'Unassociating'),
  );
}

export function renderHaVip(h: HaVipRec, view: WorldView): Record<string, unknown> {
  return {
    HaVipId: h.haVipId,
    RegionId: h.regionId,
    VpcId: h.vpcId,
    VSwitchId: h.vSwitchId,
    IpAddress: h.ipAddress,
    Status: h.status,
    // Alibaba returns empty strings rather than omitting unset scalar fields.
    MasterInstanceId: h.master ?? '',
    AssociatedInstanceType: h.bindingType ?? '',
    AssociatedInstances: { associatedInstance: [...h.bindings] },
    AssociatedEipAddresses: { associatedEipAddresse: eipsOfHaVip(view, h.haVipId).map((e) => e.ipAddress) },
    ChargeType: 'Free',
    CreateTime: h.createTime,
    Name: '',
    Description: '',
    ResourceGroupId: 'rg-sim-default',
    Tags: { Tag: [] },
  };
}

export function renderEip(e: EipRec, view: WorldView): Record<string, unknown> {
  const haVip =
    e.instanceType === 'HaVip' && e.instanceId !== undefined ? view.haVips.get(e.instanceId) : undefined;
  return {
    AllocationId: e.allocationId,
    IpAddress: e.ipAddress,
    Status: e.status,
    InstanceId: e.instanceId ?? '',
    InstanceType: e.instanceType ?? '',
    InstanceRegionId: e.instanceId === undefined ? '' : e.regionId,
    PrivateIpAddress: haVip?.ipAddress ?? '',
    RegionId: e.regionId,
    AllocationTime: e.allocationTime,
    Bandwidth: '5',
    ChargeType: 'PostPaid',
    InternetChargeType: 'PayByTraffic',
    ISP: 'BGP',
    Mode: 'NAT',
    Name: '',
    Description: '',
    OperationLocks: { LockReason: [] },
    Tags: { Tag: [] },
  };
}

export function renderInstance(i: InstanceRec, view: WorldView): Record<string, unknown> {
  const enis = [...view.enis.values()].filter((n) => n.instanceId === i.instanceId);
  return {
    InstanceId: i.instanceId,
    InstanceName: i.instanceName,
    HostName: i.instanceName,
    RegionId: i.regionId,
    ZoneId: i.zoneId,
    Status: i.status,
    InstanceNetworkType: 'vpc',
    InstanceType: 'ecs.g7.large',
    InstanceChargeType: 'PostPaid',
    CreationTime: i.creationTime,
    VpcAttributes: {
      VpcId: i.vpcId,
      VSwitchId: i.vSwitchId,
      NatIpAddress: '',
      PrivateIpAddress: { IpAddress: [i.privateIp] },
    },
    InnerIpAddress: { IpAddress: [] },
    PublicIpAddress: { IpAddress: [] },
    EipAddress: { AllocationId: '', IpAddress: '', InternetChargeType: '' },
    OperationLocks: { LockReason: i.operationLocks.map((r) => ({ LockReason: r, LockMsg: '' })) },
    NetworkInterfaces: {
      NetworkInterface: enis.map((n) => ({
        NetworkInterfaceId: n.networkInterfaceId,
        PrimaryIpAddress: n.privateIp,
        Type: 'Secondary',
        PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: n.privateIp, Primary: true }] },
      })),
    },
    Tags: { Tag: [] },
  };
}

export function renderEni(n: EniRec): Record<string, unknown> {
  return {
    NetworkInterfaceId: n.networkInterfaceId,
    NetworkInterfaceName: '',
    Status: n.instanceId === undefined ? 'Available' : 'InUse',
    Type: 'Secondary',
    InstanceId: n.instanceId ?? '',
    Attachment: n.instanceId === undefined ? undefined : { InstanceId: n.instanceId, DeviceIndex: 1 },
    VpcId: n.vpcId,
    VSwitchId: n.vSwitchId,
    ZoneId: n.zoneId,
    PrivateIpAddress: n.privateIp,
    PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: n.privateIp, Primary: true }] },
    CreationTime: n.creationTime,
    SecurityGroupIds: { SecurityGroupId: [] },
    Tags: { Tag: [] },
  };
}
