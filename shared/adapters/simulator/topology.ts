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

/** A region's resources as they are gathered, by id (a resource shared by groups is declared once). */
interface RegionAcc {
  readonly vSwitches: string[];
  readonly instances: Map<string, SimInstanceSeed>;
  readonly enis: Map<string, SimEniSeed>;
  readonly haVips: Map<string, SimHaVipSeed>;
  readonly eips: Map<string, SimEipSeed>;
}

/** What the steps share while a seed is gathered. */
class SeedBuild {
  readonly regions = new Map<string, RegionAcc>();
  private readonly usedByVSwitch = new Map<string, Set<string>>();
  private eipCount = 0;

  constructor(
    readonly attach: 'highest' | 'none',
    /** Simulated keepalived by host instance id. */
    readonly keepalived: ReadonlyMap<string, HostKeepalived>,
  ) {}

  region(regionId: string): RegionAcc {
    let r = this.regions.get(regionId);
    if (r === undefined) {
      r = { vSwitches: [], instances: new Map(), enis: new Map(), haVips: new Map(), eips: new Map() };
      this.regions.set(regionId, r);
    }
    return r;
  }

  /** Addresses taken in a vSwitch, so made-up addresses never collide with real or other made-up ones. */
  used(vSwitchId: string): Set<string> {
    let s = this.usedByVSwitch.get(vSwitchId);
    if (s === undefined) {
      s = new Set();
      this.usedByVSwitch.set(vSwitchId, s);
    }
    return s;
  }

  nextPublicAddress(): string {
    return publicAddress(this.eipCount++);
  }

  /** The `keepalived` field of a host's seed, when the host runs it. */
  keepalivedOf(hostId: string): { keepalived?: SimKeepalivedSeed } {
    const k = this.keepalived.get(hostId);
    if (k === undefined) return {};
    // One priority for every HaVip collapses to the plain form.
    const distinct = new Set(Object.values(k.priorities));
    return {
      keepalived:
        distinct.size <= 1 && (distinct.size === 0 || distinct.has(k.priority))
          ? { priority: k.priority }
          : { priority: k.priority, priorities: k.priorities },
    };
  }
}

interface HostKeepalived {
  readonly priority: number;
  readonly priorities: Record<string, number>;
}

// keepalived runs on the host that owns the interface: the instance, or an ENI member's made-up host.
const hostId = (m: Member) => (m.kind === 'ecs' ? m.id : `i-sim${m.id.slice('eni-'.length)}`);

export function seedFromTopology(t: Topology, opts: SeedFromTopologyOptions = {}): SimSeed {
  const b = new SeedBuild(opts.attach ?? 'none', keepalivedHosts(t));
  // Members' own addresses are taken first so made-up addresses never collide with them.
  for (const g of t.groups) for (const m of g.members) b.used(g.vSwitchId).add(m.ip);
  for (const g of t.groups) {
    const r = b.region(g.region);
    if (!r.vSwitches.includes(g.vSwitchId)) r.vSwitches.push(g.vSwitchId);
    for (const m of g.members) addMember(b, r, g, m);
    const top = b.attach === 'highest' ? highest(g) : undefined;
    addHaVip(b, r, g, top);
    addEip(b, r, g, top);
  }
  return {
    regions: regionSeeds(b, t),
    quotas: {
      profile: t.quotaProfile,
      membersPerHaVip: t.quotas.membersPerHaVip,
      haVipsPerInstance: t.quotas.haVipsPerInstance,
      eipsPerHaVip: t.quotas.eipsPerHaVip,
    },
  };
}

/** The hosts of `announce: keepalived` groups, with their priority (per HaVip where groups differ). */
function keepalivedHosts(t: Topology): Map<string, HostKeepalived> {
  const keepalived = new Map<string, { priority: number; priorities: Record<string, number> }>();
  for (const g of t.groups) {
    if (g.announce !== 'keepalived') continue;
    for (const m of g.members) {
      const k = keepalived.get(hostId(m)) ?? { priority: m.priority, priorities: {} };
      if (g.haVipId !== undefined) k.priorities[g.haVipId] = m.priority;
      keepalived.set(hostId(m), k);
    }
  }
  return keepalived;
}

/** An ECS member as a Running instance; an ENI member attached to a made-up Running host. */
function addMember(b: SeedBuild, r: RegionAcc, g: Group, m: Member): void {
  if (m.kind === 'ecs') {
    if (!r.instances.has(m.id))
      r.instances.set(m.id, {
        instanceId: m.id,
        vSwitchId: g.vSwitchId,
        privateIp: m.ip,
        status: 'Running',
        ...b.keepalivedOf(m.id),
      });
    return;
  }
  if (r.enis.has(m.id)) return;
  const host = hostId(m);
  r.instances.set(host, {
    instanceId: host,
    vSwitchId: g.vSwitchId,
    privateIp: freeAddress(prefix24(m.ip), b.used(g.vSwitchId), HOST_INSTANCE_HOSTS),
    status: 'Running',
    instanceName: `host of ${m.id}`,
    ...b.keepalivedOf(host),
  });
  r.enis.set(m.id, { networkInterfaceId: m.id, vSwitchId: g.vSwitchId, privateIp: m.ip, instanceId: host });
}

function addHaVip(b: SeedBuild, r: RegionAcc, g: Group, top: Member | undefined): void {
  if (g.haVipId === undefined || r.haVips.has(g.haVipId)) return;
  const base = prefix24(g.members[0]?.ip ?? '192.168.0.1');
  // Coexistence binds every member (keepalived decides who serves); exclusive mode binds one.
  const bound = top === undefined ? [] : g.announce === 'keepalived' ? g.members.map((m) => m.id) : [top.id];
  r.haVips.set(g.haVipId, {
    haVipId: g.haVipId,
    vSwitchId: g.vSwitchId,
    ipAddress: freeAddress(base, b.used(g.vSwitchId), HAVIP_HOSTS),
    ...(top === undefined ? {} : { associatedInstances: bound, masterInstanceId: top.id }),
  });
}

function addEip(b: SeedBuild, r: RegionAcc, g: Group, top: Member | undefined): void {
  if (g.eip === undefined || r.eips.has(g.eip.allocationId)) return;
  const target = top === undefined ? undefined : g.eip.mode === 'havip' ? g.haVipId : top.id;
  r.eips.set(g.eip.allocationId, {
    allocationId: g.eip.allocationId,
    ipAddress: b.nextPublicAddress(),
    ...(target === undefined ? {} : { instanceId: target }),
  });
}

/** One VPC per region holding the groups' vSwitches; a topology without groups still has its region. */
function regionSeeds(b: SeedBuild, t: Topology): SimRegionSeed[] {
  const seeds: SimRegionSeed[] = [...b.regions].map(([regionId, r]) => ({
    regionId,
    vpcs: [{ vpcId: `vpc-sim-${regionId}`, vSwitches: r.vSwitches.map((vSwitchId) => ({ vSwitchId })) }],
    instances: [...r.instances.values()],
    enis: [...r.enis.values()],
    haVips: [...r.haVips.values()],
    eips: [...r.eips.values()],
  }));
  if (seeds.length === 0) seeds.push({ regionId: t.region, vpcs: [] });
  return seeds;
}
