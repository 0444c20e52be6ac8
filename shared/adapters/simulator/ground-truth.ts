/**
 * Ground truth: the live state of every resource as the simulator's public views, for tests, dumps
 * and the admin endpoint. Never stale and never subject to faults.
 */
import { invocationKey } from './assistant-wire.js';
import { eipsOfHaVip } from './render.js';
import type { SimEipView, SimEniView, SimHaVipView, SimInstanceView, SimInvocationView } from './types.js';
import type { InvocationRec, World } from './world.js';

/** Every resource, live. */
export interface SimSnapshot {
  regions: string[];
  haVips: SimHaVipView[];
  instances: SimInstanceView[];
  enis: SimEniView[];
  eips: SimEipView[];
  invocations: SimInvocationView[];
}

export function haVipView(world: World, id: string): SimHaVipView | undefined {
  const h = world.haVips.get(id);
  if (h === undefined) return undefined;
  const eips = eipsOfHaVip(world, id);
  return {
    haVipId: h.haVipId,
    regionId: h.regionId,
    vpcId: h.vpcId,
    vSwitchId: h.vSwitchId,
    ipAddress: h.ipAddress,
    status: h.status,
    associatedInstanceType: h.bindingType,
    associatedInstances: [...h.bindings],
    masterInstanceId: h.master,
    associatedEipIds: eips.map((e) => e.allocationId),
    associatedEipAddresses: eips.map((e) => e.ipAddress),
  };
}

export function instanceView(world: World, id: string): SimInstanceView | undefined {
  const i = world.instances.get(id);
  if (i === undefined) return undefined;
  const { creationTime: _c, ...rest } = i;
  return { ...rest, operationLocks: [...i.operationLocks] };
}

export function eniView(world: World, id: string): SimEniView | undefined {
  const n = world.enis.get(id);
  if (n === undefined) return undefined;
  const { creationTime: _c, ...rest } = n;
  return { ...rest, status: n.instanceId === undefined ? 'Available' : 'InUse' };
}

/** A Cloud Assistant invocation on one instance (the first instance when `instanceId` is omitted). */
export function invocationView(
  world: World,
  invokeId: string,
  instanceId?: string,
): SimInvocationView | undefined {
  let rec: InvocationRec | undefined;
  if (instanceId !== undefined) rec = world.invocations.get(invocationKey(invokeId, instanceId));
  else
    for (const r of world.invocations.values())
      if (r.invokeId === invokeId) {
        rec = r;
        break;
      }
  if (rec === undefined) return undefined;
  const { startTime: _s, finishedTime: _f, commandType: _t, ...rest } = rec;
  return rest;
}

export function eipView(world: World, id: string): SimEipView | undefined {
  const e = world.eips.get(id);
  if (e === undefined) return undefined;
  const { allocationTime: _a, ...rest } = e;
  return rest;
}

export function snapshotOf(world: World): SimSnapshot {
  return {
    regions: [...world.regions],
    haVips: [...world.haVips.keys()].map((id) => haVipView(world, id)!),
    instances: [...world.instances.keys()].map((id) => instanceView(world, id)!),
    enis: [...world.enis.keys()].map((id) => eniView(world, id)!),
    eips: [...world.eips.keys()].map((id) => eipView(world, id)!),
    invocations: [...world.invocations.values()].map((r) => invocationView(world, r.invokeId, r.instanceId)!),
  };
}
