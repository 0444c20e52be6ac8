/**
 * The simulator's state. Records are immutable: a change replaces the record in its map. Each map
 * keeps, per record, the versions of the last `historyMs`, so "the world as it was N ms ago" (stale
 * describes) is exact while memory grows with the number of changes in the window, not with the
 * number of changes times the size of the world.
 */
import { type InputIssue, InvalidInputError } from '../../core/errors.js';
import type {
  ParsedSimSeed,
  SimEipInstanceType,
  SimEipView,
  SimEniView,
  SimHaVipInstanceType,
  SimHaVipStatus,
  SimInstanceView,
  SimInvocationStatus,
  SimQuotas,
} from './types.js';

/** A map that remembers the versions of each entry, committed at points in time. */
export class VersionedMap<V> extends Map<string, V> {
  private readonly dirty = new Set<string>();
  private readonly versions = new Map<string, { at: number; value: V | undefined }[]>();

  override set(key: string, value: V): this {
    this.dirty.add(key);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.dirty.add(key);
    return super.delete(key);
  }

  /** Records the current value of every entry changed since the last commit as its version at `at`. */
  commit(at: number, keepFrom: number): void {
    for (const key of this.dirty) {
      const list = this.versions.get(key) ?? [];
      const value = super.get(key);
      const last = list.at(-1);
      if (last !== undefined && last.at === at) last.value = value;
      else list.push({ at, value });
      // Keep the last version at or before the window start: it is the state at the window start.
      while (list.length > 1 && list[1]!.at <= keepFrom) list.shift();
      this.versions.set(key, list);
    }
    this.dirty.clear();
  }

  /** The entries as they were at time `t`. */
  at(t: number): Map<string, V> {
    const out = new Map<string, V>();
    for (const [key, list] of this.versions) {
      let found: V | undefined;
      for (const v of list) {
        if (v.at > t) break;
        found = v.value;
      }
      if (found !== undefined) out.set(key, found);
    }
    return out;
  }
}

export interface VSwitchRec {
  readonly vSwitchId: string;
  readonly vpcId: string;
  readonly regionId: string;
  readonly zoneId: string;
  readonly cidr: string | undefined;
}

/** Records are the ground-truth views plus what only the world keeps (creation times). */
export type InstanceRec = SimInstanceView & { readonly creationTime: string };

export type EniRec = Omit<SimEniView, 'status'> & { readonly creationTime: string };

export interface PendingHaVipOp {
  readonly op: 'associate' | 'unassociate';
  readonly instanceId: string;
  readonly instanceType: SimHaVipInstanceType;
}

export interface HaVipRec {
  readonly haVipId: string;
  readonly regionId: string;
  readonly vpcId: string;
  readonly vSwitchId: string;
  readonly ipAddress: string;
  readonly status: SimHaVipStatus;
  /** Completed bindings, in binding order. */
  readonly bindings: readonly string[];
  readonly bindingType: SimHaVipInstanceType | undefined;
  /** The bound target that last announced the address by ARP while live (`MasterInstanceId`). */
  readonly master: string | undefined;
  readonly pending: PendingHaVipOp | undefined;
  readonly createTime: string;
}

export type EipRec = SimEipView & { readonly allocationTime: string };

/** One Cloud Assistant invocation on one instance. */
export interface InvocationRec {
  readonly invokeId: string;
  readonly regionId: string;
  readonly instanceId: string;
  readonly name: string;
  /** `RunShellScript`, `RunBatScript` or `RunPowerShellScript`. */
  readonly commandType: string;
  readonly commandContent: string;
  readonly status: SimInvocationStatus;
  readonly exitCode: number | undefined;
  readonly output: string;
  readonly errorCode: string | undefined;
  readonly errorInfo: string | undefined;
  readonly startTime: string;
  readonly finishedTime: string | undefined;
}

/** A consistent, read-only picture of the mutable part of the world. */
export interface WorldView {
  readonly haVips: ReadonlyMap<string, HaVipRec>;
  readonly instances: ReadonlyMap<string, InstanceRec>;
  readonly enis: ReadonlyMap<string, EniRec>;
  readonly eips: ReadonlyMap<string, EipRec>;
  readonly invocations: ReadonlyMap<string, InvocationRec>;
}

export class World implements WorldView {
  readonly regions = new Set<string>();
  readonly vpcs = new Map<string, { vpcId: string; regionId: string }>();
  readonly vSwitches = new Map<string, VSwitchRec>();
  readonly haVips = new VersionedMap<HaVipRec>();
  readonly instances = new VersionedMap<InstanceRec>();
  readonly enis = new VersionedMap<EniRec>();
  readonly eips = new VersionedMap<EipRec>();
  readonly invocations = new VersionedMap<InvocationRec>();
  private committed = false;

  /**
   * Records the changes since the last commit as the state at `now`, keeping `keepMs` of history.
   * The first commit is dated at minus infinity: before the simulator existed the world was the seed.
   */
  commit(now: number, keepMs: number): void {
    const at = this.committed ? now : Number.NEGATIVE_INFINITY;
    this.committed = true;
    const keepFrom = now - keepMs;
    this.haVips.commit(at, keepFrom);
    this.instances.commit(at, keepFrom);
    this.enis.commit(at, keepFrom);
    this.eips.commit(at, keepFrom);
    this.invocations.commit(at, keepFrom);
  }

  /** The world as it was at time `t` (no further back than the kept history). */
  viewAt(t: number): WorldView {
    return {
      haVips: this.haVips.at(t),
      instances: this.instances.at(t),
      enis: this.enis.at(t),
      eips: this.eips.at(t),
      invocations: this.invocations.at(t),
    };
  }

  /** A bound target is *live* (can hold the HaVip's traffic) when its instance is Running. */
  isLive(id: string): boolean {
    if (id.startsWith('eni-')) {
      const eni = this.enis.get(id);
      return eni?.instanceId !== undefined && this.instances.get(eni.instanceId)?.status === 'Running';
    }
    return this.instances.get(id)?.status === 'Running';
  }

  /** The instance that sends a target's ARP: the instance itself, or the instance an ENI is attached to. */
  hostOf(id: string): InstanceRec | undefined {
    if (id.startsWith('eni-')) {
      const host = this.enis.get(id)?.instanceId;
      return host === undefined ? undefined : this.instances.get(host);
    }
    return this.instances.get(id);
  }

  /** The private IPv4 of a target (keepalived's tie-break). */
  addressOf(id: string): string | undefined {
    return id.startsWith('eni-') ? this.enis.get(id)?.privateIp : this.instances.get(id)?.privateIp;
  }

  /**
   * The data plane keeps a master only while it is bound and live: unbinding it, stopping its instance
   * (or the ENI's host) or releasing the instance clears `MasterInstanceId`. Nobody is promoted here;
   * only a new announcement names a new master. Returns whether anything changed.
   */
  clearLostMasters(): boolean {
    let changed = false;
    for (const [id, h] of this.haVips) {
      if (h.master !== undefined && !(h.bindings.includes(h.master) && this.isLive(h.master))) {
        this.haVips.set(id, { ...h, master: undefined });
        changed = true;
      }
    }
    return changed;
  }

  /** HaVips bound (or being bound) to `id`. */
  haVipsOf(id: string): HaVipRec[] {
    return [...this.haVips.values()].filter(
      (h) => h.bindings.includes(id) || (h.pending?.op === 'associate' && h.pending.instanceId === id),
    );
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

/**
 * Builds the world from a parsed seed, enforcing the same rules the API enforces (a seed cannot
 * describe a state the cloud would never reach). All problems are reported at once.
 */
export function buildWorld(seed: ParsedSimSeed, quotas: SimQuotas, createdAt: string): World {
  const w = new World();
  const issues: InputIssue[] = [];
  const seen = new Map<string, string>();
  const claim = (id: string, path: string) => {
    const prev = seen.get(id);
    if (prev !== undefined)
      issues.push({ path, message: `duplicate id ${id} (also at ${prev})`, hint: 'ids must be unique' });
    else seen.set(id, path);
  };

  seed.regions.forEach((r, ri) => {
    const rp = `regions[${ri}]`;
    if (w.regions.has(r.regionId))
      issues.push({ path: `${rp}.regionId`, message: `region ${r.regionId} is listed twice` });
    w.regions.add(r.regionId);
    r.vpcs.forEach((v, vi) => {
      claim(v.vpcId, `${rp}.vpcs[${vi}].vpcId`);
      w.vpcs.set(v.vpcId, { vpcId: v.vpcId, regionId: r.regionId });
      v.vSwitches.forEach((s, si) => {
        claim(s.vSwitchId, `${rp}.vpcs[${vi}].vSwitches[${si}].vSwitchId`);
        w.vSwitches.set(s.vSwitchId, {
          vSwitchId: s.vSwitchId,
          vpcId: v.vpcId,
          regionId: r.regionId,
          zoneId: s.zoneId ?? `${r.regionId}-a`,
          cidr: s.cidr ?? v.cidr,
        });
      });
    });
  });

  const vswIn = (regionId: string, vSwitchId: string, path: string): VSwitchRec | undefined => {
    const s = w.vSwitches.get(vSwitchId);
    if (s === undefined || s.regionId !== regionId) {
      issues.push({
        path,
        message: `vSwitch ${vSwitchId} is not declared in region ${regionId}`,
        hint: 'add it under vpcs[].vSwitches of the same region',
      });
      return undefined;
    }
    return s;
  };

  seed.regions.forEach((r, ri) => {
    const rp = `regions[${ri}]`;
    r.instances.forEach((i, ii) => {
      const p = `${rp}.instances[${ii}]`;
      claim(i.instanceId, `${p}.instanceId`);
      const s = vswIn(r.regionId, i.vSwitchId, `${p}.vSwitchId`);
      if (s === undefined) return;
      w.instances.set(i.instanceId, {
        instanceId: i.instanceId,
        regionId: r.regionId,
        vpcId: s.vpcId,
        vSwitchId: s.vSwitchId,
        zoneId: s.zoneId,
        privateIp: i.privateIp,
        status: i.status ?? 'Running',
        instanceName: i.instanceName ?? i.instanceId,
        operationLocks: i.operationLocks ?? [],
        creationTime: createdAt,
        keepalived:
          i.keepalived === undefined
            ? undefined
            : { priority: i.keepalived.priority, priorities: { ...(i.keepalived.priorities ?? {}) } },
      });
    });
  });

  seed.regions.forEach((r, ri) => {
    const rp = `regions[${ri}]`;
    r.enis.forEach((e, ei) => {
      const p = `${rp}.enis[${ei}]`;
      claim(e.networkInterfaceId, `${p}.networkInterfaceId`);
      const s = vswIn(r.regionId, e.vSwitchId, `${p}.vSwitchId`);
      if (s === undefined) return;
      if (e.instanceId !== undefined) {
        const host = w.instances.get(e.instanceId);
        if (host === undefined || host.regionId !== r.regionId) {
          issues.push({
            path: `${p}.instanceId`,
            message: `instance ${e.instanceId} is not declared in region ${r.regionId}`,
          });
        } else if (host.vpcId !== s.vpcId) {
          issues.push({
            path: `${p}.instanceId`,
            message: `ENI ${e.networkInterfaceId} (VPC ${s.vpcId}) cannot be attached to ${e.instanceId} in VPC ${host.vpcId}`,
          });
        }
      }
      w.enis.set(e.networkInterfaceId, {
        networkInterfaceId: e.networkInterfaceId,
        regionId: r.regionId,
        vpcId: s.vpcId,
        vSwitchId: s.vSwitchId,
        zoneId: s.zoneId,
        privateIp: e.privateIp,
        instanceId: e.instanceId,
        creationTime: createdAt,
      });
    });
  });

  seed.regions.forEach((r, ri) => {
    const rp = `regions[${ri}]`;
    r.haVips.forEach((h, hi) => {
      const p = `${rp}.haVips[${hi}]`;
      claim(h.haVipId, `${p}.haVipId`);
      const s = vswIn(r.regionId, h.vSwitchId, `${p}.vSwitchId`);
      if (s === undefined) return;
      const bindings = [...new Set(h.associatedInstances ?? [])];
      const kinds = new Set(bindings.map((b) => (b.startsWith('eni-') ? 'NetworkInterface' : 'EcsInstance')));
      if (kinds.size > 1) {
        issues.push({
          path: `${p}.associatedInstances`,
          message: 'a HaVip binds ECS instances or ENIs, never both',
        });
      }
      if (bindings.length > quotas.membersPerHaVip) {
        issues.push({
          path: `${p}.associatedInstances`,
          message: `${bindings.length} bindings exceed the quota of ${quotas.membersPerHaVip} per HaVip`,
          hint: 'raise quotas.membersPerHaVip',
        });
      }
      bindings.forEach((b, bi) => {
        const bp = `${p}.associatedInstances[${bi}]`;
        const target = b.startsWith('eni-') ? w.enis.get(b) : w.instances.get(b);
        if (target === undefined || target.regionId !== r.regionId) {
          issues.push({
            path: bp,
            message: `${b} is not a declared instance or ENI of region ${r.regionId}`,
          });
        } else if (target.vSwitchId !== s.vSwitchId) {
          issues.push({
            path: bp,
            message: `${b} is in vSwitch ${target.vSwitchId}, HaVip ${h.haVipId} in ${s.vSwitchId}`,
            hint: 'a HaVip binds only targets in its own vSwitch',
          });
        } else if ('networkInterfaceId' in target && target.instanceId === undefined) {
          issues.push({
            path: bp,
            message: `ENI ${b} must be attached to an instance before it can be bound`,
          });
        }
      });
      if (h.masterInstanceId !== undefined && !bindings.includes(h.masterInstanceId)) {
        issues.push({
          path: `${p}.masterInstanceId`,
          message: `${h.masterInstanceId} is not one of associatedInstances`,
          hint: 'only a bound target can have announced the HaVip',
        });
      }
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
        createTime: createdAt,
      };
      w.haVips.set(h.haVipId, rec);
    });
  });
  // A master must be able to have announced: its instance (or the ENI's host) must be Running.
  seed.regions.forEach((r, ri) => {
    r.haVips.forEach((h, hi) => {
      const m = h.masterInstanceId;
      if (m !== undefined && w.haVips.get(h.haVipId)?.bindings.includes(m) && !w.isLive(m)) {
        issues.push({
          path: `regions[${ri}].haVips[${hi}].masterInstanceId`,
          message: `${m} is not live (its instance is not Running), so it cannot be the master`,
          hint: 'name a Running bound target, or leave masterInstanceId out (nobody has announced)',
        });
      }
    });
  });
  for (const id of new Set([...w.instances.keys(), ...w.enis.keys()])) {
    const n = w.haVipsOf(id).length;
    if (n > quotas.haVipsPerInstance) {
      issues.push({
        path: 'regions',
        message: `${id} is bound to ${n} HaVips; the quota is ${quotas.haVipsPerInstance}`,
        hint: 'raise quotas.haVipsPerInstance',
      });
    }
  }

  const eipTargets = new Map<string, string>();
  seed.regions.forEach((r, ri) => {
    const rp = `regions[${ri}]`;
    r.eips.forEach((e, ei) => {
      const p = `${rp}.eips[${ei}]`;
      claim(e.allocationId, `${p}.allocationId`);
      let type: SimEipInstanceType | undefined;
      if (e.instanceId !== undefined) {
        type = e.instanceType ?? inferEipType(e.instanceId);
        const target =
          type === 'HaVip'
            ? w.haVips.get(e.instanceId)
            : type === 'NetworkInterface'
              ? w.enis.get(e.instanceId)
              : w.instances.get(e.instanceId);
        if (type === undefined || target === undefined || target.regionId !== r.regionId) {
          issues.push({
            path: `${p}.instanceId`,
            message: `${e.instanceId} is not a declared ${type ?? 'resource'} of region ${r.regionId}`,
          });
        }
        const prev = eipTargets.get(e.instanceId);
        if (type !== 'HaVip' && prev !== undefined) {
          issues.push({ path: `${p}.instanceId`, message: `${e.instanceId} already has EIP ${prev}` });
        }
        eipTargets.set(e.instanceId, e.allocationId);
      }
      w.eips.set(e.allocationId, {
        allocationId: e.allocationId,
        regionId: r.regionId,
        ipAddress: e.ipAddress,
        status: e.instanceId === undefined ? 'Available' : 'InUse',
        instanceId: e.instanceId,
        instanceType: type,
        allocationTime: createdAt,
      });
    });
  });
  for (const h of w.haVips.values()) {
    const n = [...w.eips.values()].filter(
      (e) => e.instanceType === 'HaVip' && e.instanceId === h.haVipId,
    ).length;
    if (n > quotas.eipsPerHaVip) {
      issues.push({
        path: 'regions',
        message: `HaVip ${h.haVipId} has ${n} EIPs; the quota is ${quotas.eipsPerHaVip}`,
      });
    }
  }

  if (issues.length > 0) {
    throw new InvalidInputError(
      'simulator.seed-invalid',
      'the simulator seed describes an impossible world',
      issues,
    );
  }
  return w;
}
