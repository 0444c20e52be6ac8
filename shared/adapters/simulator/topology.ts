/**
 * Builds a simulator world in which a topology is valid: every vSwitch (in one made-up VPC per
 * region), every member Running with its IP, each ENI member attached to a made-up instance, every
 * HaVip and EIP. Made-up addresses are deterministic, so the same topology always yields the same world.
 * Groups with `announce: keepalived` get simulated keepalived on their members' hosts.
 */
import { compareCandidates } from '../../core/election.js';
import { HavipError } from '../../core/errors.js';
import type { Group, Member, Topology } from '../../core/model.js';
import type {
  SimEipSeed,
  SimEniSeed,
  SimHaVipSeed,
  SimInstanceSeed,
  SimKeepalivedSeed,
  SimRegionSeed,
  SimSeed,
} from './types.js';

export interface SeedFromTopologyOptions {
  /**
   * `highest`: bind each HaVip to its highest-priority member (keepalived election, everyone healthy),
   * which has announced it and is the master (the world starts served); bind each EIP to its HaVip
   * (`havip` mode) or to that member (`direct`). In `announce: keepalived` groups every member is bound
   * (coexistence) and the highest one is master. `none` (default): nothing is bound or announced.
   */
  readonly attach?: 'highest' | 'none';
}

function prefix24(ip: string): string {
  return ip.split('.').slice(0, 3).join('.');
}

/** A free host address in `base.x`, scanning hosts in `order`; deterministic for a given `used` set. */
function freeAddress(base: string, used: Set<string>, order: readonly number[]): string {
  for (const host of order) {
    const ip = `${base}.${host}`;
    if (!used.has(ip)) {
      used.add(ip);
      return ip;
    }
  }
  throw new HavipError(
    'simulator.seed-invalid',
    `no free address left in ${base}.0/24 for a made-up simulator resource`,
    {
      details: { base },
    },
  );
}

const range = (from: number, to: number): number[] => {
  const out: number[] = [];
  for (let i = from; from <= to ? i <= to : i >= to; i += from <= to ? 1 : -1) out.push(i);
  return out;
};
const HAVIP_HOSTS = [...range(200, 254), ...range(199, 2)];
const HOST_INSTANCE_HOSTS = [...range(250, 2)];

/** Made-up public addresses come from the documentation ranges (RFC 5737), never real ones. */
function publicAddress(n: number): string {
  const blocks = ['203.0.113', '198.51.100', '192.0.2'];
  const block = blocks[Math.floor(n / 254) % blocks.length]!;
  return `${block}.${(n % 254) + 1}`;
}

function highest(group: Group): Member | undefined {
  let best: Member | undefined;
  for (const m of group.members) if (best === undefined || compareCandidates(m, best) > 0) best = m;
  return best;
}

export function seedFromTopology(t: Topology, opts: SeedFromTopologyOptions = {}): SimSeed {
  const attach = opts.attach ?? 'none';
  interface RegionAcc {
    vSwitches: string[];
    instances: Map<string, SimInstanceSeed>;
    enis: Map<string, SimEniSeed>;
    haVips: Map<string, SimHaVipSeed>;
    eips: Map<string, SimEipSeed>;
  }
  const regions = new Map<string, RegionAcc>();
  const usedByVSwitch = new Map<string, Set<string>>();
  const used = (vsw: string) => {
    let s = usedByVSwitch.get(vsw);
    if (s === undefined) {
      s = new Set();
      usedByVSwitch.set(vsw, s);
    }
    return s;
  };
  const acc = (regionId: string): RegionAcc => {
    let r = regions.get(regionId);
    if (r === undefined) {
      r = { vSwitches: [], instances: new Map(), enis: new Map(), haVips: new Map(), eips: new Map() };
      regions.set(regionId, r);
    }
    return r;
  };

  // Members' own addresses are taken first so made-up addresses never collide with them.
  for (const g of t.groups) for (const m of g.members) used(g.vSwitchId).add(m.ip);

  let eipCount = 0;
  // keepalived runs on the host that owns the interface: the instance, or an ENI member's made-up host.
  const hostId = (m: Member) => (m.kind === 'ecs' ? m.id : `i-sim${m.id.slice('eni-'.length)}`);
  const keepalived = new Map<string, { priority: number; priorities: Record<string, number> }>();
  for (const g of t.groups) {
    if (g.announce !== 'keepalived') continue;
    for (const m of g.members) {
      const k = keepalived.get(hostId(m)) ?? { priority: m.priority, priorities: {} };
      if (g.haVipId !== undefined) k.priorities[g.haVipId] = m.priority;
      keepalived.set(hostId(m), k);
    }
  }
  const withKeepalived = (id: string): { keepalived?: SimKeepalivedSeed } => {
    const k = keepalived.get(id);
    if (k === undefined) return {};
    // One priority for every HaVip collapses to the plain form.
    const distinct = new Set(Object.values(k.priorities));
    return {
      keepalived:
        distinct.size <= 1 && (distinct.size === 0 || distinct.has(k.priority))
          ? { priority: k.priority }
          : { priority: k.priority, priorities: k.priorities },
    };
  };

  for (const g of t.groups) {
    const r = acc(g.region);
    if (!r.vSwitches.includes(g.vSwitchId)) r.vSwitches.push(g.vSwitchId);
    for (const m of g.members) {
      if (m.kind === 'ecs') {
        if (!r.instances.has(m.id))
          r.instances.set(m.id, {
            instanceId: m.id,
            vSwitchId: g.vSwitchId,
            privateIp: m.ip,
            status: 'Running',
            ...withKeepalived(m.id),
          });
        continue;
      }
      if (r.enis.has(m.id)) continue;
      const host = hostId(m);
      r.instances.set(host, {
        instanceId: host,
        vSwitchId: g.vSwitchId,
        privateIp: freeAddress(prefix24(m.ip), used(g.vSwitchId), HOST_INSTANCE_HOSTS),
        status: 'Running',
        instanceName: `host of ${m.id}`,
        ...withKeepalived(host),
      });
      r.enis.set(m.id, {
        networkInterfaceId: m.id,
        vSwitchId: g.vSwitchId,
        privateIp: m.ip,
        instanceId: host,
      });
    }
    const top = attach === 'highest' ? highest(g) : undefined;
    if (g.haVipId !== undefined && !r.haVips.has(g.haVipId)) {
      const base = prefix24(g.members[0]?.ip ?? '192.168.0.1');
      // Coexistence binds every member (keepalived decides who serves); exclusive mode binds one.
      const bound =
        top === undefined ? [] : g.announce === 'keepalived' ? g.members.map((m) => m.id) : [top.id];
      r.haVips.set(g.haVipId, {
        haVipId: g.haVipId,
        vSwitchId: g.vSwitchId,
        ipAddress: freeAddress(base, used(g.vSwitchId), HAVIP_HOSTS),
        ...(top === undefined ? {} : { associatedInstances: bound, masterInstanceId: top.id }),
      });
    }
    if (g.eip !== undefined && !r.eips.has(g.eip.allocationId)) {
      const target = top === undefined ? undefined : g.eip.mode === 'havip' ? g.haVipId : top.id;
      r.eips.set(g.eip.allocationId, {
        allocationId: g.eip.allocationId,
        ipAddress: publicAddress(eipCount++),
        ...(target === undefined ? {} : { instanceId: target }),
      });
    }
  }

  const regionSeeds: SimRegionSeed[] = [...regions].map(([regionId, r]) => ({
    regionId,
    vpcs: [{ vpcId: `vpc-sim-${regionId}`, vSwitches: r.vSwitches.map((vSwitchId) => ({ vSwitchId })) }],
    instances: [...r.instances.values()],
    enis: [...r.enis.values()],
    haVips: [...r.haVips.values()],
    eips: [...r.eips.values()],
  }));
  if (regionSeeds.length === 0) regionSeeds.push({ regionId: t.region, vpcs: [] });
  return {
    regions: regionSeeds,
    quotas: {
      profile: t.quotaProfile,
      membersPerHaVip: t.quotas.membersPerHaVip,
      haVipsPerInstance: t.quotas.haVipsPerInstance,
      eipsPerHaVip: t.quotas.eipsPerHaVip,
    },
  };
}
