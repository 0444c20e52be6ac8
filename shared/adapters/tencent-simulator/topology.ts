/**
 * Builds a Tencent simulator world in which the Tencent groups of a topology are valid: each group's VPC
 * and subnet, each CVM member RUNNING with its IP, each ENI member attached (as a secondary ENI) to a
 * made-up host instance, the HAVIP with its drift scope checked, and the EIP. Made-up addresses are
 * deterministic, so the same topology always yields the same world.
 *
 * It reads the topology document itself (the Tencent fields: `cloud`, `region`, `haVipId`, `vpcId`,
 * `subnetId`, `members[{id, ip}]`, `eip.addressIp`) rather than the parsed model, and ignores every other
 * setting: `havip validate` is what checks a topology; this only needs enough to build a world.
 */
import { z } from 'zod';
import { compareCandidates } from '../../core/election.js';
import { HavipError } from '../../core/errors.js';
import { memberId } from '../../core/model.js';
import { parseInput } from '../simulator/common/json-input.js';
import { ipv4, type TencentRegionSeed, type TencentSimSeed } from './seed.js';

const member = z.looseObject({
  id: z.string().regex(/^(ins|eni)-/, 'must be ins-… or eni-…'),
  ip: ipv4,
  priority: z.number().optional(),
});
const group = z.looseObject({
  name: z.string().optional(),
  cloud: z.string().optional(),
  region: z.string().optional(),
  haVipId: z.string().regex(/^havip-/, 'must be havip-…'),
  vpcId: z.string().regex(/^vpc-/, 'must be vpc-…'),
  subnetId: z.string().regex(/^subnet-/, 'must be subnet-…'),
  eip: z.looseObject({ addressIp: ipv4 }).optional(),
  members: z.array(member).min(1),
});
const document = z.looseObject({
  cloud: z.string().optional(),
  region: z.string().optional(),
  groups: z.array(z.unknown()),
});

type TencentGroupDoc = z.output<typeof group>;

export interface TencentSeedFromTopologyOptions {
  /**
   * `highest` (default): each HAVIP's drift scope is its highest-priority member, which has announced it
   * (it holds the HAVIP) and the EIP is bound. `none`: empty scopes, nobody holds a HAVIP, EIPs free.
   */
  readonly attach?: 'highest' | 'none';
}

/** The groups of a topology document that are on Tencent Cloud (their own `cloud`, else the document's). */
function tencentGroups(doc: z.output<typeof document>): { group: TencentGroupDoc; region: string }[] {
  const out: { group: TencentGroupDoc; region: string }[] = [];
  doc.groups.forEach((raw, i) => {
    const cloud = (raw as { cloud?: unknown }).cloud ?? doc.cloud;
    if (cloud !== 'tencent') return;
    const g = parseInput(
      group,
      raw,
      'simulator.seed-invalid',
      `groups[${i}]: not a Tencent group the simulator can build`,
    );
    const region = g.region ?? doc.region;
    if (region === undefined)
      throw new HavipError(
        'simulator.seed-invalid',
        `groups[${i}] (${g.name ?? g.haVipId}) names no region`,
        {
          details: { path: `groups[${i}].region` },
        },
      );
    out.push({ group: g, region });
  });
  return out;
}

/** The /24 of a member address: made-up addresses (the VIP, ENI hosts) come from it. */
const base24 = (ip: string) => ip.split('.').slice(0, 3).join('.');

function freeAddress(base: string, used: Set<string>, from: number, step: number): string {
  for (let host = from; host >= 2 && host <= 254; host += step) {
    const ip = `${base}.${host}`;
    if (!used.has(ip)) {
      used.add(ip);
      return ip;
    }
  }
  throw new HavipError(
    'simulator.seed-invalid',
    `no free address left in ${base}.0/24 for a made-up resource`,
  );
}

function regionOf(seed: Map<string, TencentRegionSeed>, region: string): TencentRegionSeed {
  let r = seed.get(region);
  if (r === undefined) {
    r = { region, vpcs: [], instances: [], networkInterfaces: [], haVips: [], eips: [] };
    seed.set(region, r);
  }
  return r;
}

/** Adds one group's resources to its region (members shared between groups are declared once). */
function addGroup(
  r: TencentRegionSeed,
  g: TencentGroupDoc,
  used: Set<string>,
  attach: 'highest' | 'none',
): void {
  const vpc = r.vpcs.find((v) => v.vpcId === g.vpcId) ?? { vpcId: g.vpcId, subnets: [] };
  if (!r.vpcs.includes(vpc)) r.vpcs.push(vpc);
  const base = base24(g.members[0]?.ip ?? '10.0.0.1');
  if (!vpc.subnets.some((s) => s.subnetId === g.subnetId))
    vpc.subnets.push({ subnetId: g.subnetId, cidr: `${base}.0/24`, zone: `${r.region}-1` });
  for (const m of g.members) used.add(m.ip);
  for (const m of g.members) {
    if (m.id.startsWith('ins-')) {
      if (!r.instances.some((i) => i.instanceId === m.id))
        r.instances.push({ instanceId: m.id, subnetId: g.subnetId, privateIp: m.ip });
    } else if (!r.networkInterfaces.some((n) => n.networkInterfaceId === m.id)) {
      const host = `ins-host${m.id.slice('eni-'.length)}`;
      r.instances.push({
        instanceId: host,
        subnetId: g.subnetId,
        privateIp: freeAddress(base, used, 250, -1),
      });
      r.networkInterfaces.push({
        networkInterfaceId: m.id,
        subnetId: g.subnetId,
        privateIp: m.ip,
        instanceId: host,
      });
    }
  }
  // keepalived's election: higher priority, then higher IP (compareCandidates sorts the winner last).
  const top = g.members
    .map((m) => ({
      id: memberId(m.id),
      kind: m.id.startsWith('eni-') ? ('eni' as const) : ('ecs' as const),
      priority: m.priority ?? 100,
      ip: m.ip,
    }))
    .sort(compareCandidates)
    .at(-1);
  const bound = attach === 'highest' && top !== undefined;
  r.haVips.push({
    haVipId: g.haVipId,
    subnetId: g.subnetId,
    vip: freeAddress(base, used, 200, 1),
    ...(g.name === undefined ? {} : { name: g.name }),
    checkAssociate: true,
    associations: bound ? [top.id] : [],
    ...(bound ? { holder: top.id } : {}),
    ...(bound && g.eip !== undefined ? { addressIp: g.eip.addressIp } : {}),
  });
  if (g.eip !== undefined && !r.eips.some((e) => e.addressIp === g.eip?.addressIp))
    r.eips.push({ addressId: `eip-${g.haVipId.slice('havip-'.length)}`, addressIp: g.eip.addressIp });
}

/**
 * The simulator seed for the Tencent groups of a topology document (already read from YAML/JSON).
 * Throws `simulator.seed-invalid` when the document has no Tencent group or one lacks what a world needs.
 */
export function tencentSeedFromTopology(
  input: unknown,
  opts: TencentSeedFromTopologyOptions = {},
): TencentSimSeed {
  const doc = parseInput(
    document,
    input,
    'simulator.seed-invalid',
    'the topology cannot seed the Tencent simulator',
  );
  const groups = tencentGroups(doc);
  if (groups.length === 0)
    throw new HavipError('simulator.seed-invalid', 'the topology has no Tencent group', {
      details: { hint: 'set cloud: tencent on the document or on a group' },
    });
  const regions = new Map<string, TencentRegionSeed>();
  const used = new Map<string, Set<string>>();
  for (const { group: g, region } of groups) {
    const r = regionOf(regions, region);
    const key = `${region}/${g.vpcId}`;
    const ips = used.get(key) ?? new Set<string>();
    used.set(key, ips);
    addGroup(r, g, ips, opts.attach ?? 'highest');
  }
  return { regions: [...regions.values()] };
}
