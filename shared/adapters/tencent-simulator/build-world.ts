/**
 * Builds the Tencent world from a parsed seed, enforcing the rules the APIs enforce (a seed cannot
 * describe a state the cloud would never reach). Every problem is reported at once, in seed order:
 * networks, instances (each with its primary ENI), secondary ENIs, HAVIPs (scope, holder, EIP), then
 * the quotas, each step checking what the steps before it declared.
 */
import { ipv4ToNumber } from '../../core/election.js';
import { type InputIssue, InvalidInputError } from '../../core/errors.js';
import type { ParsedTencentSeed, TencentRegionSeed, TencentSimQuotas } from './seed.js';
import {
  type Holder,
  isoTime,
  NEVER_FLUSHED,
  type ScopeEntry,
  type SubnetRec,
  TencentWorld,
  vpcTime,
} from './world.js';

type HaVipSeed = TencentRegionSeed['haVips'][number];

/** Whether `ip` lies in `cidr` (both already validated in shape). */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/') as [string, string];
  const bits = Number(bitsText);
  const a = ipv4ToNumber(ip);
  const b = ipv4ToNumber(base);
  if (a === undefined || b === undefined || bits > 32) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

/** What the steps share: the world so far, the problems found so far and the ids and IPs declared so far. */
class WorldBuild {
  readonly w = new TencentWorld();
  readonly issues: InputIssue[] = [];
  private readonly ids = new Map<string, string>();
  private readonly ips = new Map<string, string>();

  constructor(
    readonly quotas: TencentSimQuotas,
    readonly now: number,
  ) {}

  problem(path: string, message: string, hint?: string): void {
    this.issues.push(hint === undefined ? { path, message } : { path, message, hint });
  }

  /** Declares an id at `path`; a second declaration anywhere in the seed is a problem. */
  claim(id: string, path: string): void {
    const prev = this.ids.get(id);
    if (prev !== undefined) this.problem(path, `duplicate id ${id} (also at ${prev})`, 'ids must be unique');
    else this.ids.set(id, path);
  }

  /** Declares a private IP of a subnet: inside its CIDR, and used once per VPC. */
  claimIp(ip: string, s: SubnetRec, path: string): void {
    if (s.cidr !== undefined && !inCidr(ip, s.cidr))
      this.problem(path, `${ip} is outside subnet ${s.subnetId} (${s.cidr})`);
    const key = `${s.vpcId}/${ip}`;
    const prev = this.ips.get(key);
    if (prev !== undefined) this.problem(path, `${ip} is already used in ${s.vpcId} (at ${prev})`);
    else this.ips.set(key, path);
  }

  /** The subnet a resource at `path` names, which must be declared in its region. */
  subnetIn(regionId: string, subnetId: string, path: string): SubnetRec | undefined {
    const s = this.w.subnets.get(subnetId);
    if (s === undefined || s.regionId !== regionId) {
      this.problem(
        path,
        `subnet ${subnetId} is not declared in region ${regionId}`,
        'add it under vpcs[].subnets of the same region',
      );
      return undefined;
    }
    return s;
  }
}

export function buildTencentWorld(
  seed: ParsedTencentSeed,
  quotas: TencentSimQuotas,
  now: number,
): TencentWorld {
  const b = new WorldBuild(quotas, now);
  const regions = [...seed.regions.entries()].map(([ri, r]) => ({ r, rp: `regions[${ri}]` }));
  for (const { r, rp } of regions) declareNetworks(b, r, rp);
  for (const { r, rp } of regions) addInstances(b, r, rp);
  for (const { r, rp } of regions) addEnis(b, r, rp);
  for (const { r, rp } of regions) addEips(b, r, rp);
  for (const { r, rp } of regions)
    for (const [hi, h] of r.haVips.entries()) addHaVip(b, r.region, h, `${rp}.haVips[${hi}]`);
  checkQuotas(b, regions);
  if (b.issues.length > 0)
    throw new InvalidInputError(
      'simulator.seed-invalid',
      'the Tencent simulator seed describes an impossible world',
      b.issues,
    );
  return b.w;
}

function declareNetworks(b: WorldBuild, r: TencentRegionSeed, rp: string): void {
  if (b.w.regions.has(r.region)) b.problem(`${rp}.region`, `region ${r.region} is listed twice`);
  b.w.regions.add(r.region);
  r.vpcs.forEach((v, vi) => {
    b.claim(v.vpcId, `${rp}.vpcs[${vi}].vpcId`);
    b.w.vpcs.set(v.vpcId, { vpcId: v.vpcId, regionId: r.region });
    v.subnets.forEach((s, si) => {
      const p = `${rp}.vpcs[${vi}].subnets[${si}]`;
      b.claim(s.subnetId, `${p}.subnetId`);
      if (s.cidr !== undefined && v.cidr !== undefined && !inCidr(s.cidr.split('/')[0] as string, v.cidr))
        b.problem(`${p}.cidr`, `${s.cidr} is outside VPC ${v.vpcId} (${v.cidr})`);
      b.w.subnets.set(s.subnetId, {
        subnetId: s.subnetId,
        vpcId: v.vpcId,
        regionId: r.region,
        zone: s.zone ?? `${r.region}-1`,
        cidr: s.cidr,
      });
    });
  });
}

function addInstances(b: WorldBuild, r: TencentRegionSeed, rp: string): void {
  r.instances.forEach((i, ii) => {
    const p = `${rp}.instances[${ii}]`;
    b.claim(i.instanceId, `${p}.instanceId`);
    const primaryId = i.primaryNetworkInterfaceId ?? `eni-${i.instanceId.slice('ins-'.length)}`;
    b.claim(primaryId, `${p}.primaryNetworkInterfaceId`);
    const s = b.subnetIn(r.region, i.subnetId, `${p}.subnetId`);
    if (s === undefined) return;
    b.claimIp(i.privateIp, s, `${p}.privateIp`);
    const common = {
      regionId: r.region,
      vpcId: s.vpcId,
      subnetId: s.subnetId,
      zone: s.zone,
      privateIp: i.privateIp,
    };
    b.w.instances.set(i.instanceId, {
      ...common,
      instanceId: i.instanceId,
      instanceType: i.instanceType ?? 'S5.MEDIUM2',
      state: i.state ?? 'RUNNING',
      name: i.name ?? i.instanceId,
      primaryNetworkInterfaceId: primaryId,
      tatAgent: i.tatAgent ?? 'online',
      createdTime: isoTime(b.now),
    });
    b.w.enis.set(primaryId, {
      ...common,
      networkInterfaceId: primaryId,
      primary: true,
      instanceId: i.instanceId,
      createdTime: vpcTime(b.now),
    });
  });
}

function addEnis(b: WorldBuild, r: TencentRegionSeed, rp: string): void {
  r.networkInterfaces.forEach((n, ni) => {
    const p = `${rp}.networkInterfaces[${ni}]`;
    b.claim(n.networkInterfaceId, `${p}.networkInterfaceId`);
    const s = b.subnetIn(r.region, n.subnetId, `${p}.subnetId`);
    if (s === undefined) return;
    b.claimIp(n.privateIp, s, `${p}.privateIp`);
    if (n.instanceId !== undefined) {
      const host = b.w.instances.get(n.instanceId);
      if (host === undefined || host.regionId !== r.region)
        b.problem(`${p}.instanceId`, `instance ${n.instanceId} is not declared in region ${r.region}`);
      else if (host.vpcId !== s.vpcId)
        b.problem(
          `${p}.instanceId`,
          `instance ${n.instanceId} is in ${host.vpcId}, the ENI in ${s.vpcId}`,
          'an ENI attaches only to an instance of its VPC',
        );
    }
    b.w.enis.set(n.networkInterfaceId, {
      networkInterfaceId: n.networkInterfaceId,
      regionId: r.region,
      vpcId: s.vpcId,
      subnetId: s.subnetId,
      zone: s.zone,
      privateIp: n.privateIp,
      primary: false,
      instanceId: n.instanceId,
      createdTime: vpcTime(b.now),
    });
  });
}

function addEips(b: WorldBuild, r: TencentRegionSeed, rp: string): void {
  r.eips.forEach((e, ei) => {
    b.claim(e.addressId, `${rp}.eips[${ei}].addressId`);
    b.claim(e.addressIp, `${rp}.eips[${ei}].addressIp`);
    b.w.eips.set(e.addressId, {
      addressId: e.addressId,
      regionId: r.region,
      addressIp: e.addressIp,
      haVipId: undefined,
    });
  });
}

function addHaVip(b: WorldBuild, regionId: string, h: HaVipSeed, p: string): void {
  b.claim(h.haVipId, `${p}.haVipId`);
  const s = b.subnetIn(regionId, h.subnetId, `${p}.subnetId`);
  if (s === undefined) return;
  b.claimIp(h.vip, s, `${p}.vip`);
  const scope = scopeOf(b, h, s, p);
  const checkAssociate = h.checkAssociate ?? false;
  const holder = h.holder === undefined ? undefined : holderOf(b, h.holder, s, `${p}.holder`);
  if (holder !== undefined && checkAssociate && !scope.some((e) => e.instanceId === h.holder))
    b.problem(
      `${p}.holder`,
      `${h.holder} is outside the drift scope while checkAssociate is on`,
      'add it to associations',
    );
  let addressIp: string | undefined;
  if (h.addressIp !== undefined) {
    const eip = [...b.w.eips.values()].find((e) => e.addressIp === h.addressIp && e.regionId === regionId);
    if (eip === undefined)
      b.problem(`${p}.addressIp`, `no EIP ${h.addressIp} is declared in region ${regionId}`);
    else if (eip.haVipId !== undefined)
      b.problem(`${p}.addressIp`, `EIP ${h.addressIp} is already bound to ${eip.haVipId}`);
    else {
      b.w.eips.set(eip.addressId, { ...eip, haVipId: h.haVipId });
      addressIp = h.addressIp;
    }
  }
  b.w.haVips.set(h.haVipId, {
    haVipId: h.haVipId,
    regionId,
    vpcId: s.vpcId,
    subnetId: s.subnetId,
    vip: h.vip,
    name: h.name ?? h.haVipId,
    checkAssociate,
    scope,
    holder,
    addressIp,
    flushedTime: holder === undefined ? NEVER_FLUSHED : vpcTime(b.now),
    runningTask: undefined,
    createdTime: vpcTime(b.now),
  });
}

/** The seed's scope: targets that exist in the HAVIP's subnet, one kind, ENIs attached and secondary. */
function scopeOf(b: WorldBuild, h: HaVipSeed, s: SubnetRec, p: string): ScopeEntry[] {
  const out: ScopeEntry[] = [];
  (h.associations ?? []).forEach((id, ai) => {
    const type = id.startsWith('eni-') ? 'ENI' : 'CVM';
    const problem = scopeProblem(b, out, id, type, s);
    if (problem === undefined) out.push({ instanceId: id, type });
    else b.problem(`${p}.associations[${ai}]`, problem);
  });
  return out;
}

function scopeProblem(
  b: WorldBuild,
  scope: readonly ScopeEntry[],
  id: string,
  type: 'CVM' | 'ENI',
  s: SubnetRec,
): string | undefined {
  if (scope.some((e) => e.instanceId === id)) return `${id} is listed twice`;
  const first = scope[0]?.type;
  if (first !== undefined && first !== type)
    return `${id} is a ${type} but the scope holds ${first} targets (one HAVIP takes CVMs or ENIs, never both)`;
  const eni = type === 'ENI' ? b.w.enis.get(id) : undefined;
  const subnetId = type === 'ENI' ? eni?.subnetId : b.w.instances.get(id)?.subnetId;
  if (subnetId === undefined) return `${id} is not declared`;
  if (eni?.primary === true) return `${id} is a primary ENI (a drift scope takes secondary ENIs only)`;
  if (type === 'ENI' && eni?.instanceId === undefined) return `${id} is not attached to an instance`;
  if (subnetId !== s.subnetId) return `${id} is in ${subnetId}, the HAVIP in ${s.subnetId}`;
  return undefined;
}

/** The seed's holder: a RUNNING instance (or an ENI of one) in the HAVIP's subnet. */
function holderOf(b: WorldBuild, id: string, s: SubnetRec, p: string): Holder | undefined {
  const host = b.w.hostOf(id);
  if (host === undefined) {
    b.problem(p, `${id} is not declared, or is an ENI not attached to an instance`);
    return undefined;
  }
  const eni = id.startsWith('eni-') ? b.w.enis.get(id) : b.w.enis.get(host.primaryNetworkInterfaceId);
  if (eni === undefined || eni.subnetId !== s.subnetId) {
    b.problem(p, `${id} has no interface in subnet ${s.subnetId}`);
    return undefined;
  }
  if (host.state !== 'RUNNING') {
    b.problem(p, `${host.instanceId} is ${host.state}; only a RUNNING instance announces a HAVIP`);
    return undefined;
  }
  return { instanceId: host.instanceId, networkInterfaceId: eni.networkInterfaceId };
}

function checkQuotas(b: WorldBuild, regions: readonly { r: TencentRegionSeed; rp: string }[]): void {
  const perVpc = new Map<string, number>();
  const perTarget = new Map<string, number>();
  for (const { r, rp } of regions) {
    r.haVips.forEach((h, hi) => {
      const rec = b.w.haVips.get(h.haVipId);
      if (rec === undefined) return;
      const inVpc = (perVpc.get(rec.vpcId) ?? 0) + 1;
      perVpc.set(rec.vpcId, inVpc);
      if (inVpc === b.quotas.havipsPerVpc + 1)
        b.problem(
          `${rp}.haVips[${hi}]`,
          `${rec.vpcId} has more than ${b.quotas.havipsPerVpc} HAVIPs (vpc-max-havips)`,
        );
      for (const e of rec.scope) {
        const n = (perTarget.get(e.instanceId) ?? 0) + 1;
        perTarget.set(e.instanceId, n);
        if (n === b.quotas.havipsPerEni + 1)
          b.problem(
            `${rp}.haVips[${hi}].associations`,
            `${e.instanceId} is in more than ${b.quotas.havipsPerEni} drift scopes`,
            'an ENI carries at most 5 HAVIPs',
          );
      }
    });
  }
}
