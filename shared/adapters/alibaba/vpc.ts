/**
 * VPC calls: HaVips (DescribeHaVips by id or for a whole region, AssociateHaVip, UnassociateHaVip) and
 * EIPs (DescribeEipAddresses, AssociateEipAddress, UnassociateEipAddress). Answers are read into the
 * core's states; items the call did not ask for are dropped, so a sloppy answer cannot inject them.
 */
import type { z } from 'zod';
import type { CloudApi, EipState, HaVipState, MutationResult } from '../../core/ports.js';
import type { Caller } from './caller.js';
import { chunk, MAX_PAGES, pagedByNumber, unique } from './paging.js';
import { DescribeEipAddressesBody, DescribeHaVipsBody } from './schemas.js';
import * as wire from './wire.js';

type HaVipFilter = { haVipIds?: readonly string[]; vpcId?: string };
type HaVipItem = NonNullable<z.output<typeof DescribeHaVipsBody>['HaVips']>['HaVip'][number];

async function haVipPage(
  caller: Caller,
  regionId: string,
  filter: HaVipFilter,
  pageNumber: number,
): Promise<{ items: HaVipState[]; total: number | undefined; last: boolean }> {
  const size = wire.LIMITS.haVipPageSize;
  const body = await caller.read(
    regionId,
    wire.describeHaVips({ regionId, pageNumber, ...filter }),
    DescribeHaVipsBody,
  );
  const raw = body.HaVips?.HaVip ?? [];
  const total = body.TotalCount;
  const last = raw.length < size || (total !== undefined && pageNumber * size >= total);
  return { items: raw.map((h) => toHaVipState(regionId, h)), total, last };
}

async function haVipPages(
  caller: Caller,
  regionId: string,
  filter: HaVipFilter,
  fromPage = 1,
): Promise<HaVipState[]> {
  const out: HaVipState[] = [];
  for (let page = fromPage; page < fromPage + MAX_PAGES; page++) {
    const { items, last } = await haVipPage(caller, regionId, filter, page);
    out.push(...items);
    if (last) break;
  }
  return out;
}

/**
 * DescribeHaVips accepts at most 5 values per filter key, so n ids cost ceil(n/5) filtered calls.
 * Listing the whole region costs ceil(total/50) calls. For more than 5 ids we read the first region
 * page (which also tells the total) and continue with whichever way needs fewer calls.
 */
export async function describeHaVips(
  caller: Caller,
  req: { regionId: string; haVipIds: readonly string[] },
): Promise<HaVipState[]> {
  const ids = unique(req.haVipIds);
  const wanted = new Set(ids);
  const found = new Map<string, HaVipState>();
  // The filter is the service's job; we double-check so a sloppy answer cannot inject other HaVips.
  const keep = (hs: readonly HaVipState[]): void => {
    for (const h of hs) if (wanted.has(h.haVipId)) found.set(h.haVipId, h);
  };
  let todo = ids;
  if (ids.length > wire.LIMITS.haVipFilterValues) {
    const first = await haVipPage(caller, req.regionId, {}, 1);
    keep(first.items);
    if (first.last) return [...found.values()];
    todo = ids.filter((id) => !found.has(id));
    const pagesLeft =
      first.total === undefined
        ? Number.POSITIVE_INFINITY
        : Math.ceil(first.total / wire.LIMITS.haVipPageSize) - 1;
    if (todo.length > 0 && pagesLeft <= Math.ceil(todo.length / wire.LIMITS.haVipFilterValues)) {
      keep(await haVipPages(caller, req.regionId, {}, 2));
      return [...found.values()];
    }
  }
  for (const part of chunk(todo, wire.LIMITS.haVipFilterValues)) {
    keep(await haVipPages(caller, req.regionId, { haVipIds: part }));
  }
  return [...found.values()];
}

export async function listHaVips(
  caller: Caller,
  req: { regionId: string; vpcId?: string },
): Promise<HaVipState[]> {
  const found = new Map<string, HaVipState>();
  for (const h of await haVipPages(caller, req.regionId, req.vpcId ? { vpcId: req.vpcId } : {}))
    found.set(h.haVipId, h);
  return [...found.values()];
}

export function associateHaVip(
  caller: Caller,
  req: Parameters<CloudApi['associateHaVip']>[0],
): Promise<MutationResult> {
  return caller.mutate(req.regionId, wire.associateHaVip(req));
}

export function unassociateHaVip(
  caller: Caller,
  req: Parameters<CloudApi['unassociateHaVip']>[0],
): Promise<MutationResult> {
  return caller.mutate(req.regionId, wire.unassociateHaVip(req));
}

export async function describeEipAddresses(
  caller: Caller,
  req: { regionId: string; allocationIds: readonly string[] },
): Promise<EipState[]> {
  const found = new Map<string, EipState>();
  for (const part of chunk(unique(req.allocationIds), wire.LIMITS.eipIdsPerCall)) {
    const items = await pagedByNumber(async (pageNumber) => {
      const body = await caller.read(
        req.regionId,
        wire.describeEipAddresses({ regionId: req.regionId, allocationIds: part, pageNumber }),
        DescribeEipAddressesBody,
      );
      return { items: body.EipAddresses?.EipAddress ?? [], total: body.TotalCount };
    }, wire.LIMITS.eipPageSize);
    for (const e of items) {
      if (!part.includes(e.AllocationId)) continue;
      found.set(e.AllocationId, {
        allocationId: e.AllocationId,
        regionId: req.regionId,
        ipAddress: e.IpAddress,
        status: e.Status,
        instanceId: e.InstanceId,
        instanceType: e.InstanceType,
      });
    }
  }
  return [...found.values()];
}

export function associateEipAddress(
  caller: Caller,
  req: Parameters<CloudApi['associateEipAddress']>[0],
): Promise<MutationResult> {
  return caller.mutate(req.regionId, wire.associateEipAddress(req));
}

export function unassociateEipAddress(
  caller: Caller,
  req: Parameters<CloudApi['unassociateEipAddress']>[0],
): Promise<MutationResult> {
  return caller.mutate(req.regionId, wire.unassociateEipAddress(req));
}

function toHaVipState(regionId: string, h: HaVipItem): HaVipState {
  const type = h.AssociatedInstanceType;
  return {
    haVipId: h.HaVipId,
    regionId: h.RegionId ?? regionId,
    ipAddress: h.IpAddress,
    status: h.Status,
    vpcId: h.VpcId,
    vSwitchId: h.VSwitchId,
    masterInstanceId: h.MasterInstanceId,
    associatedInstanceType: type === 'EcsInstance' || type === 'NetworkInterface' ? type : undefined,
    associatedInstances: (h.AssociatedInstances?.associatedInstance ?? []).filter((s) => s !== ''),
    associatedEipAddresses: (h.AssociatedEipAddresses?.associatedEipAddresse ?? []).filter((s) => s !== ''),
  };
}
