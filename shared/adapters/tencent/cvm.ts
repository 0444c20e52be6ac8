/**
 * CVM calls: DescribeInstancesStatus (the state the engine decides on) and DescribeInstances (type,
 * VPC, subnet and IPs, for the validators), 100 ids a call, paged by `Offset`. Items the call did not
 * ask for are dropped.
 */
import type { TencentInstance, TencentInstanceStatus } from '../../core/tencent-ports.js';
import { chunk, pagedByNumber, unique } from '../alibaba/paging.js';
import type { Caller } from './caller.js';
import { DescribeInstancesBody, DescribeInstancesStatusBody } from './schemas.js';
import * as wire from './wire.js';

const offsetOf = (page: number): number => (page - 1) * wire.LIMITS.pageSize;

export async function describeInstancesStatus(
  caller: Caller,
  req: { regionId: string; instanceIds: readonly string[] },
): Promise<TencentInstanceStatus[]> {
  const found = new Map<string, TencentInstanceStatus>();
  for (const part of chunk(unique(req.instanceIds), wire.LIMITS.idsPerCall)) {
    const items = await pagedByNumber(async (page) => {
      const body = await caller.read(
        req.regionId,
        wire.describeInstancesStatus({ ids: part, offset: offsetOf(page) }),
        DescribeInstancesStatusBody,
      );
      return { items: body.InstanceStatusSet, total: body.TotalCount };
    }, wire.LIMITS.pageSize);
    for (const i of items)
      if (part.includes(i.InstanceId))
        found.set(i.InstanceId, { instanceId: i.InstanceId, state: i.InstanceState });
  }
  return [...found.values()];
}

export async function describeInstances(
  caller: Caller,
  req: { regionId: string; instanceIds: readonly string[] },
): Promise<TencentInstance[]> {
  const found = new Map<string, TencentInstance>();
  for (const part of chunk(unique(req.instanceIds), wire.LIMITS.idsPerCall)) {
    const items = await pagedByNumber(async (page) => {
      const body = await caller.read(
        req.regionId,
        wire.describeInstances({ ids: part, offset: offsetOf(page) }),
        DescribeInstancesBody,
      );
      return { items: body.InstanceSet, total: body.TotalCount };
    }, wire.LIMITS.pageSize);
    for (const i of items) {
      if (!part.includes(i.InstanceId)) continue;
      found.set(i.InstanceId, {
        instanceId: i.InstanceId,
        regionId: req.regionId,
        state: i.InstanceState,
        instanceType: i.InstanceType,
        vpcId: i.VirtualPrivateCloud?.VpcId,
        subnetId: i.VirtualPrivateCloud?.SubnetId,
        privateIpAddresses: i.PrivateIpAddresses.filter((a) => a !== ''),
        zone: i.Placement?.Zone,
      });
    }
  }
  return [...found.values()];
}
