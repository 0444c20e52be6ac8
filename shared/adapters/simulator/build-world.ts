/**
 * Builds the world from a parsed seed, enforcing the same rules the API enforces (a seed cannot
 * describe a state the cloud would never reach). All problems are reported at once, in seed order:
 * networks, instances, ENIs, HaVips (with their bindings and masters), then EIPs, each step checking
 * what the steps before it declared.
 */
import { type InputIssue, InvalidInputError } from '../../core/errors.js';
import type { ParsedSimSeed, SimEipInstanceType, SimQuotas } from './types.js';
import { type HaVipRec, type VSwitchRec, World } from './world.js';

type RegionSeed = ParsedSimSeed['regions'][number];
type HaVipSeed = RegionSeed['haVips'][number];
type EipSeed = RegionSeed['eips'][number];

/** What the steps share: the world so far, the problems found so far and the ids declared so far. */
class WorldBuild {
  readonly w = new World();
  readonly issues: InputIssue[] = [];
  private readonly seen = new Map<string, string>();

  constructor(
    readonly quotas: SimQuotas,
    readonly createdAt: string,
  ) {}

  /** Declares an id at `path`; a second declaration anywhere in the seed is a problem. */
  claim(id: string, path: string): void {
    const prev = this.seen.get(id);
    if (prev !== undefined)
      this.issues.push({ path, message: `duplicate id ${id} (also at ${prev})`, hint: 'ids must be unique' });
    else this.seen.set(id, path);
  }

  /** The vSwitch a resource at `path` names, which must be declared in its region. */
  vSwitchIn(regionId: string, vSwitchId: string, path: string): VSwitchRec | undefined {
    const s = this.w.vSwitches.get(vSwitchId);
    if (s === undefined || s.regionId !== regionId) {
      this.issues.push({
        path,
        message: `vSwitch ${vSwitchId} is not declared in region ${regionId}`,
        hint: 'add it under vpcs[].vSwitches of the same region',
      });
      return undefined;
    }
    return s;
  }
}

export function buildWorld(seed: ParsedSimSeed, quotas: SimQuotas, createdAt: string): World {
  const b = new WorldBuild(quotas, createdAt);
  const regions = [...seed.regions.entries()].map(([ri, r]) => ({ r, rp: `regions[${ri}]` }));
  for (const { r, rp } of regions) declareNetworks(b, r, rp);
  for (const { r, rp } of regions) addInstances(b, r, rp);
  for (const { r, rp } of regions) addEnis(b, r, rp);
  for (const { r, rp } of regions) {
    for (const [hi, h] of r.haVips.entries()) addHaVip(b, r, h, `${rp}.haVips[${hi}]`);
  }
  checkMastersLive(b, seed);
  checkHaVipsPerTarget(b);
  const eipTargets = new Map<string, string>();
  for (const { r, rp } of regions) {
    for (const [ei, e] of r.eips.entries()) addEip(b, r, e, `${rp}.eips[${ei}]`, eipTargets);
  }
  checkEipsPerHaVip(b);
  if (b.issues.length > 0) {
    throw new InvalidInputError(
      'simulator.seed-invalid',
      'the simulator seed describes an impossible world',
      b.issues,
    );
  }
  return b.w;
}

function declareNetworks(b: WorldBuild, r: RegionSeed, rp: string): void {
  const { w } = b;
  if (w.regions.has(r.regionId))
    b.issues.push({ path: `${rp}.regionId`, message: `region ${r.regionId} is listed twice` });
  w.regions.add(r.regionId);
  r.vpcs.forEach((v, vi) => {
    b.claim(v.vpcId, `${rp}.vpcs[${vi}].vpcId`);
    w.vpcs.set(v.vpcId, { vpcId: v.vpcId, regionId: r.regionId });
    v.vSwitches.forEach((s, si) => {
      b.claim(s.vSwitchId, `${rp}.vpcs[${vi}].vSwitches[${si}].vSwitchId`);
      w.vSwitches.set(s.vSwitchId, {
        vSwitchId: s.vSwitchId,
        vpcId: v.vpcId,
        regionId: r.regionId,
        zoneId: s.zoneId ?? `${r.regionId}-a`,
        cidr: s.cidr ?? v.cidr,
      });
    });
  });
}

function addInstances(b: WorldBuild, r: RegionSeed, rp: string): void {
  r.instances.forEach((i, ii) => {
    const p = `${rp}.instances[${ii}]`;
    b.claim(i.instanceId, `${p}.instanceId`);
    const s = b.vSwitchIn(r.regionId, i.vSwitchId, `${p}.vSwitchId`);
    if (s === undefined) return;
    b.w.instances.set(i.instanceId, {
      instanceId: i.instanceId,
      regionId: r.regionId,
      vpcId: s.vpcId,
      vSwitchId: s.vSwitchId,
      zoneId: s.zoneId,
      privateIp: i.privateIp,
      status: i.status ?? 'Running',
      instanceName: i.instanceName ?? i.instanceId,
      operationLocks: i.operationLocks ?? [],
      creationTime: b.createdAt,
      keepalived:
        i.keepalived === undefined
          ? undefined
          : { priority: i.keepalived.priority, priorities: { ...(i.keepalived.priorities ?? {}) } },
    });
  });
}

function addEnis(b: WorldBuild, r: RegionSeed, rp: string): void {
  r.enis.forEach((e, ei) => {
    const p = `${rp}.enis[${ei}]`;
    b.claim(e.networkInterfaceId, `${p}.networkInterfaceId`);
    const s = b.vSwitchIn(r.regionId, e.vSwitchId, `${p}.vSwitchId`);
    if (s === undefined) return;
    if (e.instanceId !== undefined) {
      const host = b.w.instances.get(e.instanceId);
      if (host === undefined || host.regionId !== r.regionId) {
        b.issues.push({
          path: `${p}.instanceId`,
          message: `instance ${e.instanceId} is not declared in region ${r.regionId}`,
        });
      } else if (host.vpcId !== s.vpcId) {
        b.issues.push({
          path: `${p}.instanceId`,
          message: `ENI ${e.networkInterfaceId} (VPC ${s.vpcId}) cannot be attached to ${e.instanceId} in VPC ${host.vpcId}`,
        });
      }
    }
    b.w.enis.set(e.networkInterfaceId, {
      networkInterfaceId: e.networkInterfaceId,
      regionId: r.regionId,
      vpcId: s.vpcId,
      vSwitchId: s.vSwitchId,
      zoneId: s.zoneId,
      privateIp: e.privateIp,
      instanceId: e.instanceId,
      creationTime: b.createdAt,
    });
  });
}

function addHaVip(b: WorldBuild, r: RegionSeed, h: HaVipSeed, p: string): void {
  b.claim(h.haVipId, `${p}.haVipId`);
  const s = b.vSwitchIn(r.regionId, h.vSwitchId, `${p}.vSwitchId`);
  if (s === undefined) return;
  const bindings = [...new Set(h.associatedInstances ?? [])];
  checkBindings(b, r, h, s, bindings, p);
  const rec: HaVipRec = {
    haVipId: h.haVipId,
    regionId: r.regionId,
    vpcId: s.vpcId,
    vSwitchId: s.vSwitchId,
    ipAddress: h.ipAddress,
    status: h.status ?? (bindings.length > 0 ? 'InUse' : 'Available'),
    bindings,
    bindingType:
      bindings.length === 0
        ? undefined
        : bindings[0]!.startsWith('eni-')
          ? 'NetworkInterface'
          : 'EcsInstance',
    master: h.masterInstanceId,
    pending: undefined,
    createTime: b.createdAt,
  };
  b.w.haVips.set(h.haVipId, rec);
}

/** A HaVip's bindings and master, as AssociateHaVip and the ARP rules would have allowed them. */
function checkBindings(
  b: WorldBuild,
  r: RegionSeed,
  h: HaVipSeed,
  s: VSwitchRec,
  bindings: readonly string[],
  p: string,
): void {
  const kinds = new Set(bindings.map((id) => (id.startsWith('eni-') ? 'NetworkInterface' : 'EcsInstance')));
  if (kinds.size > 1) {
    b.issues.push({
      path: `${p}.associatedInstances`,
      message: 'a HaVip binds ECS instances or ENIs, never both',
    });
  }
  if (bindings.length > b.quotas.membersPerHaVip) {
    b.issues.push({
      path: `${p}.associatedInstances`,
      message: `${bindings.length} bindings exceed the quota of ${b.quotas.membersPerHaVip} per HaVip`,
      hint: 'raise quotas.membersPerHaVip',
    });
  }
  for (const [bi, id] of bindings.entries()) checkBinding(b, r, h, s, id, `${p}.associatedInstances[${bi}]`);
  if (h.masterInstanceId !== undefined && !bindings.includes(h.masterInstanceId)) {
    b.issues.push({
      path: `${p}.masterInstanceId`,
      message: `${h.masterInstanceId} is not one of associatedInstances`,
      hint: 'only a bound target can have announced the HaVip',
    });
  }
}

function checkBinding(
  b: WorldBuild,
  r: RegionSeed,
  h: HaVipSeed,
  s: VSwitchRec,
  id: string,
  bp: string,
): void {
  const target = id.startsWith('eni-') ? b.w.enis.get(id) : b.w.instances.get(id);
  if (target === undefined || target.regionId !== r.regionId) {
    b.issues.push({
      path: bp,
      message: `${id} is not a declared instance or ENI of region ${r.regionId}`,
    });
  } else if (target.vSwitchId !== s.vSwitchId) {
    b.issues.push({
      path: bp,
      message: `${id} is in vSwitch ${target.vSwitchId}, HaVip ${h.haVipId} in ${s.vSwitchId}`,
      hint: 'a HaVip binds only targets in its own vSwitch',
    });
  } else if ('networkInterfaceId' in target && target.instanceId === undefined) {
    b.issues.push({
      path: bp,
      message: `ENI ${id} must be attached to an instance before it can be bound`,
    });
  }
}

/** A master must be able to have announced: its instance (or the ENI's host) must be Running. */
function checkMastersLive(b: WorldBuild, seed: ParsedSimSeed): void {
  seed.regions.forEach((r, ri) => {
    r.haVips.forEach((h, hi) => {
      const m = h.masterInstanceId;
      if (m !== undefined && b.w.haVips.get(h.haVipId)?.bindings.includes(m) && !b.w.isLive(m)) {
        b.issues.push({
          path: `regions[${ri}].haVips[${hi}].masterInstanceId`,
          message: `${m} is not live (its instance is not Running), so it cannot be the master`,
          hint: 'name a Running bound target, or leave masterInstanceId out (nobody has announced)',
        });
      }
    });
  });
}

function checkHaVipsPerTarget(b: WorldBuild): void {
  for (const id of new Set([...b.w.instances.keys(), ...b.w.enis.keys()])) {
    const n = b.w.haVipsOf(id).length;
    if (n > b.quotas.haVipsPerInstance) {
      b.issues.push({
        path: 'regions',
        message: `${id} is bound to ${n} HaVips; the quota is ${b.quotas.haVipsPerInstance}`,
        hint: 'raise quotas.haVipsPerInstance',
      });
    }
  }
}

const inferEipType = (id: string): SimEipInstanceType | undefined =>
  id.startsWith('i-')
    ? 'EcsInstance'
    : id.startsWith('eni-')
      ? 'NetworkInterface'
      : id.startsWith('havip-')
        ? 'HaVip'
        : undefined;

/** `eipTargets`: the EIP already on each target (an instance or ENI holds one EIP at most). */
function addEip(b: WorldBuild, r: RegionSeed, e: EipSeed, p: string, eipTargets: Map<string, string>): void {
  b.claim(e.allocationId, `${p}.allocationId`);
  let type: SimEipInstanceType | undefined;
  if (e.instanceId !== undefined) {
    type = e.instanceType ?? inferEipType(e.instanceId);
    const target =
      type === 'HaVip'
        ? b.w.haVips.get(e.instanceId)
        : type === 'NetworkInterface'
          ? b.w.enis.get(e.instanceId)
          : b.w.instances.get(e.instanceId);
    if (type === undefined || target === undefined || target.regionId !== r.regionId) {
      b.issues.push({
        path: `${p}.instanceId`,
        message: `${e.instanceId} is not a declared ${type ?? 'resource'} of region ${r.regionId}`,
      });
    }
    const prev = eipTargets.get(e.instanceId);
    if (type !== 'HaVip' && prev !== undefined) {
      b.issues.push({ path: `${p}.instanceId`, message: `${e.instanceId} already has EIP ${prev}` });
    }
    eipTargets.set(e.instanceId, e.allocationId);
  }
  b.w.eips.set(e.allocationId, {
    allocationId: e.allocationId,
    regionId: r.regionId,
    ipAddress: e.ipAddress,
    status: e.instanceId === undefined ? 'Available' : 'InUse',
    instanceId: e.instanceId,
    instanceType: type,
    allocationTime: b.createdAt,
  });
}

function checkEipsPerHaVip(b: WorldBuild): void {
  for (const h of b.w.haVips.values()) {
    const n = [...b.w.eips.values()].filter(
      (e) => e.instanceType === 'HaVip' && e.instanceId === h.haVipId,
    ).length;
    if (n > b.quotas.eipsPerHaVip) {
      b.issues.push({
        path: 'regions',
        message: `HaVip ${h.haVipId} has ${n} EIPs; the quota is ${b.quotas.eipsPerHaVip}`,
      });
    }
  }
}
