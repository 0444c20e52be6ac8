/**
 * VPC HaVips: DescribeHaVips, AssociateHaVip and UnassociateHaVip with the rules and error codes of the
 * real API. A change is accepted at once (`Associating` / `Unassociating`) and completes after the
 * HaVip transition delay. Binding never names a master: only an ARP announcement does (`dataplane.ts`).
 */
import type { FieldFilter } from './common/paging.js';
import { mutation, type Operations, read, requireRegion, type SimContext } from './context.js';
import { describePage } from './describe.js';
import { E, SimApiError } from './errors.js';
import { bool, filters, oneOf, type Params, required } from './params.js';
import { renderHaVip } from './render.js';
import type { SimHaVipInstanceType } from './types.js';
import type { HaVipRec, InstanceRec, World, WorldView } from './world.js';

const HAVIP_TYPES = ['EcsInstance', 'NetworkInterface'] as const;
const HAVIP_FILTER_KEYS = ['HaVipId', 'VpcId', 'VSwitchId', 'Status', 'HaVipAddress'] as const;
type HaVipFilterKey = (typeof HAVIP_FILTER_KEYS)[number];
const FILTER_FIELDS: Readonly<Record<HaVipFilterKey, (h: HaVipRec) => string>> = {
  HaVipId: (h) => h.haVipId,
  VpcId: (h) => h.vpcId,
  VSwitchId: (h) => h.vSwitchId,
  Status: (h) => h.status,
  HaVipAddress: (h) => h.ipAddress,
};

export function haVipOperations(ctx: SimContext): Operations {
  return {
    DescribeHaVips: read((p, v) => describeHaVips(ctx.world, p, v)),
    AssociateHaVip: mutation((p) => associateHaVip(ctx, p)),
    UnassociateHaVip: mutation((p) => unassociateHaVip(ctx, p)),
  };
}

function describeHaVips(world: World, p: Params, view: WorldView): Record<string, unknown> {
  return describePage<HaVipRec>(
    world,
    {
      pageSize: [10, 50],
      records: (v) => v.haVips,
      filters: haVipFilters,
      list: ['HaVips', 'HaVip'],
      render: renderHaVip,
    },
    p,
    view,
  );
}

/** `Filter.N.Key` / `Filter.N.Value.M`: at most 5 filters of 50 values, on the supported keys only. */
function haVipFilters(p: Params): FieldFilter<HaVipRec>[] {
  return filters(p, 5, 50).map((f) => {
    if (!(HAVIP_FILTER_KEYS as readonly string[]).includes(f.key)) {
      throw new SimApiError(
        400,
        'InvalidFilterKey.ValueNotSupported',
        `Filter key ${f.key} is not supported; use one of ${HAVIP_FILTER_KEYS.join(', ')}.`,
      );
    }
    return { values: f.values, field: FILTER_FIELDS[f.key as HaVipFilterKey] };
  });
}

export function haVipIn(world: World, regionId: string, id: string): HaVipRec {
  const h = world.haVips.get(id);
  if (h === undefined || h.regionId !== regionId) throw E.haVipNotFound(id);
  return h;
}

export function requireHaVipSettled(h: HaVipRec): void {
  if (h.status !== 'Available' && h.status !== 'InUse') throw E.haVipStatus(h.haVipId, h.status);
}

/** The instance whose status governs a HaVip/EIP target: the instance itself, or the ENI's host. */
export function bindTarget(
  world: World,
  regionId: string,
  id: string,
  type: SimHaVipInstanceType,
): { vSwitchId: string; host: InstanceRec | undefined } {
  if (type === 'NetworkInterface') {
    const eni = world.enis.get(id);
    if (eni === undefined || eni.regionId !== regionId) throw E.instanceNotFound(id);
    const host = eni.instanceId === undefined ? undefined : world.instances.get(eni.instanceId);
    return { vSwitchId: eni.vSwitchId, host };
  }
  const inst = world.instances.get(id);
  if (inst === undefined || inst.regionId !== regionId) throw E.instanceNotFound(id);
  return { vSwitchId: inst.vSwitchId, host: inst };
}

/** The parameters both HaVip changes take, in the order the API checks them. */
function haVipChange(world: World, p: Params) {
  const regionId = requireRegion(world, p);
  const haVipId = required(p, 'HaVipId');
  const instanceId = required(p, 'InstanceId');
  const type = oneOf(p, 'InstanceType', HAVIP_TYPES, 'EcsInstance');
  return { regionId, haVipId, instanceId, type };
}

function associateHaVip(ctx: SimContext, p: Params): Record<string, unknown> {
  const { regionId, haVipId, instanceId, type } = haVipChange(ctx.world, p);
  const h = haVipIn(ctx.world, regionId, haVipId);
  requireHaVipSettled(h);
  requireBindable(ctx, h, regionId, instanceId, type);
  requireMemberIdle(ctx.world, instanceId, haVipId);
  ctx.world.haVips.set(haVipId, {
    ...h,
    status: 'Associating',
    pending: { op: 'associate', instanceId, instanceType: type },
  });
  ctx.commit();
  ctx.transition('haVip', () => completeHaVip(ctx, haVipId));
  return {};
}

/** AssociateHaVip's rules for the target, in the order the API checks them. */
function requireBindable(
  ctx: SimContext,
  h: HaVipRec,
  regionId: string,
  instanceId: string,
  type: SimHaVipInstanceType,
): void {
  const haVipId = h.haVipId;
  const target = bindTarget(ctx.world, regionId, instanceId, type);
  if (h.bindings.includes(instanceId)) {
    throw new SimApiError(
      400,
      'InvalidAssociation.Duplicated',
      `${instanceId} is already associated with HaVip ${haVipId}.`,
    );
  }
  if (h.bindingType !== undefined && h.bindingType !== type) {
    throw new SimApiError(
      400,
      'InvalidAssociation.InstanceTypeConflict',
      `HaVip ${haVipId} is bound to ${h.bindingType} targets; it cannot also bind a ${type} (ECS instances and ENIs never mix).`,
    );
  }
  if (target.vSwitchId !== h.vSwitchId) {
    throw new SimApiError(
      400,
      'NotBelongToSameVSwitch',
      `${instanceId} is in vSwitch ${target.vSwitchId} but HaVip ${haVipId} is in ${h.vSwitchId}; they must share a vSwitch.`,
    );
  }
  if (type === 'NetworkInterface' && target.host === undefined) {
    throw new SimApiError(
      400,
      'InvalidStatus.EniStatusNotSupport',
      `ENI ${instanceId} is not attached to an instance; attach it before binding it to a HaVip.`,
    );
  }
  if (target.host !== undefined && target.host.status !== 'Running' && target.host.status !== 'Stopped') {
    throw E.instanceStatus(400, target.host.instanceId, target.host.status, 'Running or Stopped');
  }
  requireQuotas(ctx, h, instanceId);
}

function requireQuotas(ctx: SimContext, h: HaVipRec, instanceId: string): void {
  const { quotas } = ctx;
  if (h.bindings.length >= quotas.membersPerHaVip) {
    throw new SimApiError(
      400,
      'QuotaExceeded.HaVipAssociatedInstance',
      `HaVip ${h.haVipId} already has ${h.bindings.length} bindings; the quota is ${quotas.membersPerHaVip}.`,
    );
  }
  if (ctx.world.haVipsOf(instanceId).length >= quotas.haVipsPerInstance) {
    throw new SimApiError(
      400,
      'CountLimitExceeded.HaVipOnECSInstance',
      `${instanceId} is already bound to ${quotas.haVipsPerInstance} HaVips, the most allowed.`,
    );
  }
}

/** One HaVip change at a time per bound target (the cloud serialises changes to one ENI's config). */
function requireMemberIdle(world: World, instanceId: string, haVipId: string): void {
  for (const other of world.haVips.values()) {
    if (other.haVipId !== haVipId && other.pending?.instanceId === instanceId) {
      throw new SimApiError(
        400,
        'OperationConflict',
        `${instanceId} is being changed by another operation on HaVip ${other.haVipId}; retry when it finishes.`,
      );
    }
  }
}

function unassociateHaVip(ctx: SimContext, p: Params): Record<string, unknown> {
  const { regionId, haVipId, instanceId, type } = haVipChange(ctx.world, p);
  const force = bool(p, 'Force') ?? false;
  const h = haVipIn(ctx.world, regionId, haVipId);
  requireHaVipSettled(h);
  if (!h.bindings.includes(instanceId) || h.bindingType !== type) {
    throw new SimApiError(
      400,
      'ResourceNotAssociated',
      `${type} ${instanceId} is not associated with HaVip ${haVipId}.`,
    );
  }
  if (h.master === instanceId && !force) {
    throw new SimApiError(
      400,
      'Forbidden.UnassociateMaster',
      `${instanceId} is the master of HaVip ${haVipId}; pass Force=True to detach it.`,
    );
  }
  requireMemberIdle(ctx.world, instanceId, haVipId);
  ctx.world.haVips.set(haVipId, {
    ...h,
    status: 'Unassociating',
    pending: { op: 'unassociate', instanceId, instanceType: type },
  });
  ctx.commit();
  ctx.transition('haVip', () => completeHaVip(ctx, haVipId));
  return {};
}

function completeHaVip(ctx: SimContext, haVipId: string): void {
  const h = ctx.world.haVips.get(haVipId);
  if (h?.pending === undefined) return;
  const { op, instanceId, instanceType } = h.pending;
  let bindings = h.bindings;
  const stillExists =
    instanceType === 'NetworkInterface'
      ? ctx.world.enis.has(instanceId)
      : ctx.world.instances.has(instanceId);
  if (op === 'associate' && stillExists) bindings = [...bindings, instanceId];
  if (op === 'unassociate') bindings = bindings.filter((b) => b !== instanceId);
  const next: HaVipRec = {
    ...h,
    bindings,
    bindingType: bindings.length === 0 ? undefined : (h.bindingType ?? instanceType),
    status: bindings.length > 0 ? 'InUse' : 'Available',
    pending: undefined,
  };
  // Binding alone never names a master; unbinding the master clears it (in commit()).
  ctx.world.haVips.set(haVipId, next);
  ctx.commit();
}
