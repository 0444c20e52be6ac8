/**
 * Tencent Cloud's live rules: does Tencent agree with the Tencent groups of the topology? Each rule
 * compares one part of a group with what the VPC and CVM APIs reported (a {@link TencentSnapshot}); the
 * codes are documented in docs/tencent-topology.md. Pure: validate-live.ts collects the snapshot.
 */
import type { Report, SeverityTable } from '../../findings.js';
import type { Group, Member, Topology } from '../../model.js';
import { joinPath } from '../../paths.js';
import { isEniGroup, tencentHolder } from '../../tencent/observe.js';
import type { TencentHaVip, TencentInstance, TencentNetworkInterface } from '../../tencent-ports.js';
import { TENCENT_DEFAULT_HAVIPS_PER_VPC } from './static-rules.js';

/** A network interface carries at most 5 HAVIPs (Tencent's keepalived guide). */
export const TENCENT_HAVIPS_PER_ENI = 5;

/** What Tencent reported for the topology's Tencent groups. */
export interface TencentSnapshot {
  /** Regions whose HAVIPs were listed completely (a HAVIP absent there does not exist). */
  readonly regions: readonly string[];
  /** Every HAVIP of those regions, including HAVIPs no group references. */
  readonly haVips: readonly TencentHaVip[];
  /** CVM members and the instances ENI members are attached to. Missing ids are absent. */
  readonly instances: readonly TencentInstance[];
  readonly enis: readonly TencentNetworkInterface[];
  /** `vpc-max-havips` per region, where DescribeVpcLimits answered it. */
  readonly maxHaVipsPerVpc: ReadonlyMap<string, number>;
}

export const TENCENT_LIVE_CODES = Object.freeze({
  'tencent.live.havip.missing': 'error',
  'tencent.live.havip.placement': 'error',
  'tencent.live.havip.foreign-holder': 'warning',
  'tencent.live.havip.foreign-scope': 'error',
  'tencent.live.vpc.havips.quota': 'error',
  'tencent.live.member.missing': 'error',
  'tencent.live.member.placement': 'error',
  'tencent.live.member.not-running': 'warning',
  'tencent.live.eni.detached': 'error',
  'tencent.live.eni.primary': 'error',
  'tencent.live.eni.havips.quota': 'error',
} as const satisfies SeverityTable<string>);

export type TencentLiveCode = keyof typeof TENCENT_LIVE_CODES;
type LiveReport = Report<TencentLiveCode>;
type LiveRule = (t: Topology, snap: TencentIndex, report: LiveReport) => void;

const key = (regionId: string, id: string): string => `${regionId}/${id}`;

/** The snapshot indexed by region and id. */
interface TencentIndex {
  readonly snapshot: TencentSnapshot;
  listed(region: string): boolean;
  haVip(region: string, id: string): TencentHaVip | undefined;
  instance(region: string, id: string): TencentInstance | undefined;
  eni(region: string, id: string): TencentNetworkInterface | undefined;
}

export function indexTencentSnapshot(snap: TencentSnapshot): TencentIndex {
  const listed = new Set(snap.regions);
  const haVips = new Map(snap.haVips.map((h) => [key(h.regionId, h.haVipId), h]));
  const instances = new Map(snap.instances.map((i) => [key(i.regionId, i.instanceId), i]));
  const enis = new Map(snap.enis.map((e) => [key(e.regionId, e.networkInterfaceId), e]));
  return {
    snapshot: snap,
    listed: (r) => listed.has(r),
    haVip: (r, id) => haVips.get(key(r, id)),
    instance: (r, id) => instances.get(key(r, id)),
    eni: (r, id) => enis.get(key(r, id)),
  };
}

const eachTencentGroup =
  (rule: (g: Group, at: string, snap: TencentIndex, report: LiveReport, t: Topology) => void): LiveRule =>
  (t, snap, report) =>
    t.groups.forEach((g, gi) => {
      if (g.cloud === 'tencent') rule(g, `groups[${gi}]`, snap, report, t);
    });

/** `havip.missing`, `havip.placement`, `havip.foreign-holder`, `havip.foreign-scope`. */
const haVipAgrees = eachTencentGroup((g, at, snap, report) => {
  if (g.haVipId === undefined || g.tencent === undefined || !snap.listed(g.region)) return;
  const path = joinPath(at, 'haVipId');
  const h = snap.haVip(g.region, g.haVipId);
  if (h === undefined) {
    report(
      'tencent.live.havip.missing',
      path,
      `HAVIP ${g.haVipId} does not exist in ${g.region}`,
      'check haVipId and region',
    );
    return;
  }
  if (h.vpcId !== g.tencent.vpcId || h.subnetId !== g.tencent.subnetId)
    report(
      'tencent.live.havip.placement',
      path,
      `HAVIP ${g.haVipId} is in ${h.vpcId} / ${h.subnetId}, the group says ${g.tencent.vpcId} / ${g.tencent.subnetId}`,
      "use the HAVIP's VpcId and SubnetId",
    );
  const members = new Set<string>(g.members.map((m) => m.id));
  const holder = tencentHolder(g, h);
  if (holder !== undefined && !members.has(holder))
    report(
      'tencent.live.havip.foreign-holder',
      path,
      `HAVIP ${g.haVipId} is held by ${holder}, which is not a member of group ${g.name}`,
      'add it to the group, or move the HAVIP to a member first; the engine will not take it from a foreign holder',
    );
  const type = isEniGroup(g) ? 'ENI' : 'CVM';
  const foreign = (h.associations ?? []).filter(
    (a) => !members.has(a.instanceId) || (a.instanceType !== undefined && a.instanceType !== type),
  );
  if (foreign.length > 0)
    report(
      'tencent.live.havip.foreign-scope',
      path,
      `HAVIP ${g.haVipId}'s drift scope holds ${foreign.map((a) => a.instanceId).join(', ')}, outside group ${g.name} or not of type ${type}: they could take the address`,
      'disassociate them (DisassociateHaVipInstance); a HAVIP takes one instance type',
    );
});

/** `vpc.havips.quota`: HAVIPs per VPC, counting those outside the topology, against `vpc-max-havips`. */
const haVipsPerVpc: LiveRule = (t, snap, report) => {
  const reported = new Set<string>();
  t.groups.forEach((g, gi) => {
    if (g.cloud !== 'tencent' || g.tencent === undefined || !snap.listed(g.region)) return;
    const vpc = g.tencent.vpcId;
    if (reported.has(key(g.region, vpc))) return;
    const ids = new Set(
      snap.snapshot.haVips.filter((h) => h.regionId === g.region && h.vpcId === vpc).map((h) => h.haVipId),
    );
    for (const o of t.groups)
      if (
        o.cloud === 'tencent' &&
        o.region === g.region &&
        o.tencent?.vpcId === vpc &&
        o.haVipId !== undefined
      )
        ids.add(o.haVipId);
    const limit = snap.snapshot.maxHaVipsPerVpc.get(g.region) ?? TENCENT_DEFAULT_HAVIPS_PER_VPC;
    if (ids.size <= limit) return;
    reported.add(key(g.region, vpc));
    report(
      'tencent.live.vpc.havips.quota',
      joinPath(`groups[${gi}]`, 'vpcId'),
      `VPC ${vpc} holds ${ids.size} HAVIPs (counting those outside the topology); its vpc-max-havips is ${limit}`,
      'delete unused HAVIPs or raise the quota',
    );
  });
};

/** `member.missing`, `member.placement`, `member.not-running`, `eni.detached`, `eni.primary`, `eni.havips.quota`. */
const membersAgree = eachTencentGroup((g, at, snap, report, t) => {
  g.members.forEach((m, mi) => {
    const path = joinPath(at, 'members', mi, 'id');
    if (m.kind === 'eni') eniAgrees(g, m, path, snap, report, t);
    else instanceAgrees(g, m, path, snap, report);
  });
});

function placementOf(
  g: Group,
  m: Member,
  vpcId: string | undefined,
  subnetId: string | undefined,
): string | undefined {
  if (g.tencent === undefined) return undefined;
  if (vpcId !== g.tencent.vpcId) return `${m.id} is in ${vpcId ?? 'no VPC'}, the HAVIP in ${g.tencent.vpcId}`;
  if (subnetId !== g.tencent.subnetId)
    return `${m.id} is in ${subnetId ?? 'no subnet'}, the HAVIP in ${g.tencent.subnetId}: a HAVIP drifts only within its subnet`;
  return undefined;
}

function instanceAgrees(g: Group, m: Member, path: string, snap: TencentIndex, report: LiveReport): void {
  const i = snap.instance(g.region, m.id);
  if (i === undefined) {
    report(
      'tencent.live.member.missing',
      path,
      `CVM instance ${m.id} does not exist in ${g.region}`,
      'fix the id or the region',
    );
    return;
  }
  const wrong = placementOf(g, m, i.vpcId, i.subnetId);
  if (wrong) report('tencent.live.member.placement', path, wrong, "use members of the HAVIP's subnet");
  if (i.state !== 'RUNNING')
    report(
      'tencent.live.member.not-running',
      path,
      `${m.id} is ${i.state}`,
      'start it, or expect it to be ineligible',
    );
}

function eniAgrees(
  g: Group,
  m: Member,
  path: string,
  snap: TencentIndex,
  report: LiveReport,
  t: Topology,
): void {
  const e = snap.eni(g.region, m.id);
  if (e === undefined) {
    report(
      'tencent.live.member.missing',
      path,
      `ENI ${m.id} does not exist in ${g.region}`,
      'fix the id or the region',
    );
    return;
  }
  const wrong = placementOf(g, m, e.vpcId, e.subnetId);
  if (wrong) report('tencent.live.member.placement', path, wrong, "use ENIs of the HAVIP's subnet");
  if (e.instanceId === undefined)
    report(
      'tencent.live.eni.detached',
      path,
      `ENI ${m.id} is not attached to an instance`,
      'attach it to a CVM instance',
    );
  if (e.primary)
    report(
      'tencent.live.eni.primary',
      path,
      `ENI ${m.id} is ${e.instanceId ?? 'an instance'}'s primary ENI; a HAVIP's drift scope takes only secondary ENIs`,
      'use a secondary ENI, or use the instance (ins-…) as the member',
    );
  const carried = haVipsOnEni(snap, t, g.region, m.id);
  if (carried.size > TENCENT_HAVIPS_PER_ENI)
    report(
      'tencent.live.eni.havips.quota',
      path,
      `ENI ${m.id} would carry ${carried.size} HAVIPs (counting those outside the topology); an ENI carries at most ${TENCENT_HAVIPS_PER_ENI}`,
      'spread the HAVIPs over more ENIs',
    );
}

/** HAVIPs whose scope names the ENI or which it holds, plus those of every group it is a member of. */
function haVipsOnEni(snap: TencentIndex, t: Topology, region: string, eniId: string): Set<string> {
  const ids = new Set<string>();
  for (const h of snap.snapshot.haVips) {
    if (h.regionId !== region) continue;
    if (h.networkInterfaceId === eniId || (h.associations ?? []).some((a) => a.instanceId === eniId))
      ids.add(h.haVipId);
  }
  for (const g of t.groups)
    if (
      g.cloud === 'tencent' &&
      g.region === region &&
      g.haVipId !== undefined &&
      g.members.some((m) => m.id === eniId)
    )
      ids.add(g.haVipId);
  return ids;
}

export const TENCENT_LIVE_RULES: readonly LiveRule[] = Object.freeze([
  haVipAgrees,
  haVipsPerVpc,
  membersAgree,
]);
