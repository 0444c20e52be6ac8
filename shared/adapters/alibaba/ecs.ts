/**
 * ECS calls: DescribeInstances (ids as a JSON array, 100 a call), DescribeNetworkInterfaces (100 ids a
 * call, paged by NextToken) and StopInstance. Answers are read into the core's states; items the call
 * did not ask for are dropped.
 */
import type { z } from 'zod';
import type { InstanceState, MutationResult, NetworkInterfaceState } from '../../core/ports.js';
import type { Caller } from './caller.js';
import { chunk, MAX_PAGES, pagedByNumber, TokenPager, unique } from './paging.js';
import { DescribeInstancesBody, DescribeNetworkInterfacesBody } from './schemas.js';
import * as wire from './wire.js';

type InstanceItem = NonNullable<z.output<typeof DescribeInstancesBody>['Instances']>['Instance'][number];

export async function describeInstances(
  caller: Caller,
  req: { regionId: string; instanceIds: readonly string[] },
): Promise<InstanceState[]> {
  const found = new Map<string, InstanceState>();
  for (const part of chunk(unique(req.instanceIds), wire.LIMITS.instanceIdsPerCall)) {
    const items = await pagedByNumber(async (pageNumber) => {
      const body = await caller.read(
        req.regionId,
        wire.describeInstances({ regionId: req.regionId, instanceIds: part, pageNumber }),
        DescribeInstancesBody,
      );
      return { items: body.Instances?.Instance ?? [], total: body.TotalCount };
    }, wire.LIMITS.instancePageSize);
    for (const i of items)
      if (part.includes(i.InstanceId)) found.set(i.InstanceId, toInstanceState(req.regionId, i));
  }
  return [...found.values()];
}

/**
 * ECS pages this call with MaxResults/NextToken (PageNumber/PageSize are deprecated); a server that
 * still pages by number is followed by page number ({@link TokenPager}).
 */
export async function describeNetworkInterfaces(
  caller: Caller,
  req: { regionId: string; networkInterfaceIds: readonly string[] },
): Promise<NetworkInterfaceState[]> {
  const found = new Map<string, NetworkInterfaceState>();
  for (const part of chunk(unique(req.networkInterfaceIds), wire.LIMITS.eniIdsPerCall)) {
    const pager = new TokenPager();
    for (let calls = 0; calls < MAX_PAGES; calls++) {
      const body = await caller.read(
        req.regionId,
        wire.describeNetworkInterfaces({
          regionId: req.regionId,
          networkInterfaceIds: part,
          ...pager.cursor(),
        }),
        DescribeNetworkInterfacesBody,
      );
      const items = body.NetworkInterfaceSets?.NetworkInterfaceSet ?? [];
      for (const n of items) {
        if (!part.includes(n.NetworkInterfaceId)) continue;
        found.set(n.NetworkInterfaceId, {
          networkInterfaceId: n.NetworkInterfaceId,
          regionId: req.regionId,
          status: n.Status,
          instanceId: n.InstanceId,
          vpcId: n.VpcId,
          vSwitchId: n.VSwitchId,
          privateIpAddress: n.PrivateIpAddress,
        });
      }
      if (!pager.advance({ nextToken: body.NextToken, count: items.length, total: body.TotalCount })) break;
    }
  }
  return [...found.values()];
}

export function stopInstance(
  caller: Caller,
  req: { regionId: string; instanceId: string; forceStop: boolean },
): Promise<MutationResult> {
  return caller.mutate(req.regionId, wire.stopInstance(req));
}

function toInstanceState(regionId: string, i: InstanceItem): InstanceState {
  return {
    instanceId: i.InstanceId,
    regionId: i.RegionId ?? regionId,
    status: i.Status,
    vpcId: i.VpcAttributes?.VpcId,
    vSwitchId: i.VpcAttributes?.VSwitchId,
    privateIpAddresses: (i.VpcAttributes?.PrivateIpAddress?.IpAddress ?? []).filter((s) => s !== ''),
    operationLocks: (i.OperationLocks?.LockReason ?? [])
      .map((l) => l.LockReason)
      .filter((r): r is string => r !== undefined),
  };
}
