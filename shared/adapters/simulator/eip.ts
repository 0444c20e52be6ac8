/**
 * VPC EIPs: DescribeEipAddresses, AssociateEipAddress and UnassociateEipAddress, on an ECS instance, an
 * ENI or a HaVip, with the rules and error codes of the real API. A change is accepted at once
 * (`Associating` / `Unassociating`) and completes after the EIP transition delay.
 */
import { mutation, type Operations, read, requireRegion, type SimContext } from './context.js';
import { byParam, describePage } from './describe.js';
import { E, SimApiError } from './errors.js';
import { bindTarget, haVipIn, requireHaVipSettled } from './havip.js';
import { oneOf, optional, type Params, required } from './params.js';
import { renderEip } from './render.js';
import type { SimEipInstanceType } from './types.js';
import type { EipRec, World, WorldView } from './world.js';

const EIP_TYPES = ['EcsInstance', 'NetworkInterface', 'HaVip'] as const;

export function eipOperations(ctx: SimContext): Operations {
  return {
    DescribeEipAddresses: read((p, v) => describeEipAddresses(ctx.world, p, v)),
    AssociateEipAddress: mutation((p) => associateEip(ctx, p)),
    UnassociateEipAddress: mutation((p) => unassociateEip(ctx, p)),
  };
}

function describeEipAddresses(world: World, p: Params, view: WorldView): Record<string, unknown> {
  return describePage<EipRec>(
    world,
    {
      pageSize: [10, 100],
      records: (v) => v.eips,
      filters: (q) => [
        { values: allocationIds(q), field: (e) => e.allocationId },
        byParam(q, 'Status', (e) => e.status),
        byParam(q, 'AssociatedInstanceId', (e) => e.instanceId),
        byParam(q, 'AssociatedInstanceType', (e) => e.instanceType),
        byParam(q, 'EipAddress', (e) => e.ipAddress),
      ],
      list: ['EipAddresses', 'EipAddress'],
      render: renderEip,
    },
    p,
    view,
  );
}

/** The SDK models AllocationId as one string; the API docs accept up to 50 comma-separated ids. */
function allocationIds(p: Params): string[] | undefined {
  const ids = optional(p, 'AllocationId')
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (ids !== undefined && ids.length > 50)
    throw E.invalid('AllocationId', `at most 50 ids are allowed, got ${ids.length}`);
  return ids;
}

function eipIn(world: World, regionId: string, id: string): EipRec {
  const e = world.eips.get(id);
  if (e === undefined || e.regionId !== regionId) throw E.allocationNotFound(id);
  return e;
}

/** The parameters both EIP changes take, and the EIP they name. */
function eipChange(world: World, p: Params) {
  const regionId = requireRegion(world, p);
  const allocationId = required(p, 'AllocationId');
  const instanceId = required(p, 'InstanceId');
  const type = oneOf(p, 'InstanceType', EIP_TYPES, 'EcsInstance');
  return { regionId, allocationId, instanceId, type, eip: eipIn(world, regionId, allocationId) };
}

function associateEip(ctx: SimContext, p: Params): Record<string, unknown> {
  const { regionId, allocationId, instanceId, type, eip } = eipChange(ctx.world, p);
  if (eip.status === 'InUse' && eip.instanceId === instanceId) {
    throw new SimApiError(
      400,
      'InvalidAssociation.Duplicated',
      `Specified instance ${instanceId} already is associated with ${allocationId}.`,
    );
  }
  if (eip.status !== 'Available') throw E.eipStatus(allocationId, eip.status, 'Available');
  if (type === 'HaVip') requireHaVipTakesEip(ctx, regionId, allocationId, instanceId);
  else requireTargetTakesEip(ctx.world, regionId, allocationId, instanceId, type);
  ctx.world.eips.set(allocationId, { ...eip, status: 'Associating', instanceId, instanceType: type });
  ctx.commit();
  ctx.transition('eip', () => completeEip(ctx, allocationId, 'InUse'));
  return {};
}

/** EIPs other than `allocationId` that are on `instanceId` or on their way to it. */
function otherEipsOn(world: World, instanceId: string, allocationId: string): EipRec[] {
  return [...world.eips.values()].filter(
    (e) => e.instanceId === instanceId && e.status !== 'Available' && e.allocationId !== allocationId,
  );
}

function requireHaVipTakesEip(
  ctx: SimContext,
  regionId: string,
  allocationId: string,
  haVipId: string,
): void {
  const h = haVipIn(ctx.world, regionId, haVipId);
  requireHaVipSettled(h);
  if (otherEipsOn(ctx.world, haVipId, allocationId).length >= ctx.quotas.eipsPerHaVip) {
    throw new SimApiError(
      400,
      'InvalidAssociation.Duplicated',
      `HaVip ${haVipId} already has ${ctx.quotas.eipsPerHaVip} EIP(s) bound, the most allowed.`,
    );
  }
}

function requireTargetTakesEip(
  world: World,
  regionId: string,
  allocationId: string,
  instanceId: string,
  type: Exclude<SimEipInstanceType, 'HaVip'>,
): void {
  const target = bindTarget(world, regionId, instanceId, type);
  if (
    type === 'EcsInstance' &&
    target.host !== undefined &&
    target.host.status !== 'Running' &&
    target.host.status !== 'Stopped'
  ) {
    throw E.instanceStatus(400, instanceId, target.host.status, 'Running or Stopped');
  }
  const other = otherEipsOn(world, instanceId, allocationId)[0];
  if (other !== undefined) {
    throw new SimApiError(
      400,
      'InvalidAssociation.Duplicated',
      `Specified instance ${instanceId} already is associated with ${other.allocationId}.`,
    );
  }
}

function unassociateEip(ctx: SimContext, p: Params): Record<string, unknown> {
  const { regionId, allocationId, instanceId, type, eip } = eipChange(ctx.world, p);
  if (eip.status === 'Associating' || eip.status === 'Unassociating') {
    throw E.eipStatus(allocationId, eip.status, 'InUse');
  }
  if (eip.status !== 'InUse' || eip.instanceId !== instanceId || eip.instanceType !== type) {
    throw new SimApiError(
      400,
      'InvalidBindingStatus',
      `The eip binding status invalid: ${allocationId} is not associated with ${type} ${instanceId}.`,
    );
  }
  if (type === 'HaVip') requireHaVipSettled(haVipIn(ctx.world, regionId, instanceId));
  ctx.world.eips.set(allocationId, { ...eip, status: 'Unassociating' });
  ctx.commit();
  ctx.transition('eip', () => completeEip(ctx, allocationId, 'Available'));
  return {};
}

function completeEip(ctx: SimContext, allocationId: string, to: 'InUse' | 'Available'): void {
  const e = ctx.world.eips.get(allocationId);
  if (e === undefined || (e.status !== 'Associating' && e.status !== 'Unassociating')) return;
  ctx.world.eips.set(
    allocationId,
    to === 'InUse'
      ? { ...e, status: 'InUse' }
      : { ...e, status: 'Available', instanceId: undefined, instanceType: undefined },
  );
  ctx.commit();
}
