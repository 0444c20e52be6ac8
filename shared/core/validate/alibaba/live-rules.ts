/**
 * Alibaba Cloud's live rules: does the cloud agree with the topology? Each rule compares one part of a
 * group with what the VPC and ECS APIs reported (a {@link CloudSnapshot}); the codes are documented in
 * docs/cloud-adapter.md.
 */
import type { Report, SeverityTable } from '../../findings.js';
import type { Group, Member, Topology } from '../../model.js';
import { joinPath } from '../../paths.js';
import type { EipState, HaVipState, InstanceState, NetworkInterfaceState } from '../../ports.js';

/** What the cloud reported, as returned by the `CloudApi` port. */
export interface CloudSnapshot {
  /** Regions whose HaVips were listed completely: a HaVip absent here does not exist. */
  readonly regions: readonly string[];
  /** Every HaVip in those regions, including HaVips that no group references. */
  readonly haVips: readonly HaVipState[];
  /** ECS members, plus the instances that ENI members are attached to. Missing ids are absent. */
  readonly instances: readonly InstanceState[];
  readonly enis: readonly NetworkInterfaceState[];
  readonly eips: readonly EipState[];
}

/** Every code the live rules can report, with its severity (documented in docs/cloud-adapter.md). */
export const LIVE_CODES = Object.freeze({
  'live.havip.missing': 'error',
  'live.havip.status': 'error',
  'live.havip.vswitch': 'error',
  'live.havip.foreign-binding': 'error',
  'live.havip.other-eip': 'error',
  'live.member.missing': 'error',
  'live.member.vswitch': 'error',
  'live.member.vpc': 'error',
  'live.member.ip': 'error',
  'live.member.eni-detached': 'error',
  'live.member.havips.quota': 'error',
  'live.member.not-running': 'warning',
  'live.member.locked': 'warning',
  'live.eip.missing': 'error',
  'live.eip.bound-elsewhere': 'error',
  'live.eip.status': 'warning',
} as const satisfies SeverityTable<string>);

export type LiveCode = keyof typeof LIVE_CODES;

type LiveReport = Report<LiveCode>;

const key = (regionId: string, id: string): string => `${regionId}/${id}`;

function index<T extends { readonly regionId: string }>(
  items: readonly T[],
  id: (t: T) => string,
): Map<string, T> {
  return new Map(items.map((i) => [key(i.regionId, id(i)), i]));
}

/** The snapshot indexed by region and id, as the rules look things up. */
export interface CloudIndex {
  readonly snapshot: CloudSnapshot;
  /** Whether the region's HaVips were listed (so a HaVip absent from it does not exist). */
  listed(region: string): boolean;
  haVip(region: string, id: string): HaVipState | undefined;
  instance(region: string, id: string): InstanceState | undefined;
  eni(region: string, id: string): NetworkInterfaceState | undefined;
  eip(region: string, id: string): EipState | undefined;
}

export function indexSnapshot(snap: CloudSnapshot): CloudIndex {
  const listed = new Set(snap.regions);
  const haVips = index(snap.haVips, (h) => h.haVipId);
  const instances = index(snap.instances, (i) => i.instanceId);
  const enis = index(snap.enis, (e) => e.networkInterfaceId);
  const eips = index(snap.eips, (e) => e.allocationId);
  return {
    snapshot: snap,
    listed: (region) => listed.has(region),
    haVip: (region, id) => haVips.get(key(region, id)),
    instance: (region, id) => instances.get(key(region, id)),
    eni: (region, id) => enis.get(key(region, id)),
    eip: (region, id) => eips.get(key(region, id)),
  };
}

/** One group as the rules see it: where it is in the document and its HaVip as the cloud reports it. */
export interface GroupInCloud {
  readonly g: Group;
  /** The group's path, `groups[1]`. */
  readonly base: string;
  readonly haVip: HaVipState | undefined;
  readonly cloud: CloudIndex;
}

/** A live rule over one group. */
export type LiveGroupRule = (at: GroupInCloud, report: LiveReport) => void;

/** A live rule over the whole topology. */
export type LiveRule = (t: Topology, cloud: CloudIndex, report: LiveReport) => void;

/** Runs a {@link LiveGroupRule} on every group, with the group's HaVip looked up. */
export function eachGroupInCloud(rule: LiveGroupRule): LiveRule {
  return (t, cloud, report) => {
    t.groups.forEach((g, gi) => {
      const haVip = g.haVipId === undefined ? undefined : cloud.haVip(g.region, g.haVipId);
      rule({ g, base: `groups[${gi}]`, haVip, cloud }, report);
    });
  };
}

// =============================================================================================
// The group's HaVip

/**
 * `live.havip.missing`, `live.havip.status`, `live.havip.vswitch`, `live.havip.foreign-binding`: the
 * HaVip exists, is settled, is in the group's vSwitch and is bound to members of the group only.
 */
export const haVipMatches: LiveGroupRule = ({ g, base, haVip, cloud }, report) => {
  if (g.haVipId === undefined) return;
  const path = joinPath(base, 'haVipId');
  if (!haVip) {
    if (cloud.listed(g.region))
      report(
        'live.havip.missing',
        path,
        `HaVip ${g.haVipId} does not exist in region ${g.region}`,
        `check the id and region, or create the HaVip in vSwitch ${g.vSwitchId}`,
      );
    return;
  }
  if (haVip.status === 'Creating' || haVip.status === 'Deleting') {
    report(
      'live.havip.status',
      path,
      `HaVip ${haVip.haVipId} is ${haVip.status}`,
      haVip.status === 'Creating'
        ? 'wait until it is Available and validate again'
        : 'the HaVip is being deleted: use another HaVip in this group',
    );
  }
  if (haVip.vSwitchId !== g.vSwitchId) {
    report(
      'live.havip.vswitch',
      joinPath(base, 'vSwitchId'),
      `HaVip ${haVip.haVipId} is in vSwitch ${haVip.vSwitchId}, not ${g.vSwitchId}`,
      `set vSwitchId to ${haVip.vSwitchId}: a HaVip binds only to instances and ENIs of its own vSwitch`,
    );
  }
  const members = new Set<string>(g.members.map((m) => m.id));
  const foreign = haVip.associatedInstances.filter((id) => !members.has(id));
  if (foreign.length > 0) {
    report(
      'live.havip.foreign-binding',
      path,
      `HaVip ${haVip.haVipId} is bound to ${foreign.join(', ')}, which ${foreign.length === 1 ? 'is' : 'are'} not a member of group ${g.name}`,
      'add the instance to the group or unbind it; the orchestrator never moves a HaVip bound outside its group',
    );
  }
};

// =============================================================================================
// Members

/** The rules for each member, by kind; `mp` is the member's path (`groups[1].members[0]`). */
type MemberRule = (at: GroupInCloud, m: Member, mp: string, report: LiveReport) => void;

/** Every member rule, ECS instances and ENIs each by their own. */
export const membersMatch: LiveGroupRule = (at, report) => {
  at.g.members.forEach((m, mi) => {
    const rule = m.kind === 'ecs' ? ecsMemberMatches : eniMemberMatches;
    rule(at, m, joinPath(at.base, 'members', mi), report);
  });
};

/**
 * An ECS member: `live.member.missing`, then where it is (`live.member.vswitch`, `live.member.vpc`),
 * `live.member.ip` (the topology names its primary IP) and whether it can hold the HaVip
 * (`live.member.not-running`, `live.member.locked`).
 */
const ecsMemberMatches: MemberRule = (at, m, mp, report) => {
  const { g } = at;
  const inst = at.cloud.instance(g.region, m.id);
  if (!inst) {
    report(
      'live.member.missing',
      joinPath(mp, 'id'),
      `ECS instance ${m.id} does not exist in region ${g.region}`,
      'check the instance id and the group region; a released instance must be removed from the group',
    );
    return;
  }
  placement(at, mp, { vpcId: inst.vpcId, vSwitchId: inst.vSwitchId }, `ECS instance ${m.id}`, report);
  const primary = inst.privateIpAddresses[0];
  if (primary !== m.ip) {
    const secondary = inst.privateIpAddresses.includes(m.ip);
    report(
      'live.member.ip',
      joinPath(mp, 'ip'),
      secondary
        ? `${m.ip} is a secondary address of ${m.id}; its primary private IP is ${primary}`
        : `ECS instance ${m.id} has primary private IP ${primary ?? '(none)'}, not ${m.ip}`,
      `set ip to ${primary ?? "the instance's primary private IP"} (elections break ties on the primary address)`,
    );
  }
  running(mp, m.id, inst, report);
};

/**
 * An ENI member: `live.member.missing`, then where it is (`live.member.vswitch`, `live.member.vpc`),
 * `live.member.ip`, and `live.member.eni-detached` or the state of the instance it is attached to.
 */
const eniMemberMatches: MemberRule = (at, m, mp, report) => {
  const { g } = at;
  const eni = at.cloud.eni(g.region, m.id);
  if (!eni) {
    report(
      'live.member.missing',
      joinPath(mp, 'id'),
      `network interface ${m.id} does not exist in region ${g.region}`,
      'check the ENI id and the group region',
    );
    return;
  }
  placement(at, mp, { vpcId: eni.vpcId, vSwitchId: eni.vSwitchId }, `network interface ${m.id}`, report);
  if (eni.privateIpAddress !== m.ip) {
    report(
      'live.member.ip',
      joinPath(mp, 'ip'),
      `network interface ${m.id} has primary private IP ${eni.privateIpAddress}, not ${m.ip}`,
      `set ip to ${eni.privateIpAddress}`,
    );
  }
  if (eni.instanceId === undefined) {
    report(
      'live.member.eni-detached',
      joinPath(mp, 'id'),
      `network interface ${m.id} is not attached to an instance (status ${eni.status})`,
      'attach the ENI to an ECS instance: a HaVip binds only to attached ENIs',
    );
    return;
  }
  const owner = at.cloud.instance(g.region, eni.instanceId);
  if (owner) running(mp, `${m.id} (attached to ${eni.instanceId})`, owner, report);
};

/** `live.member.vswitch`, `live.member.vpc`: a HaVip binds only within its own vSwitch (and VPC). */
function placement(
  { g, haVip }: GroupInCloud,
  mp: string,
  where: { vpcId: string | undefined; vSwitchId: string | undefined },
  what: string,
  report: LiveReport,
): void {
  if (where.vSwitchId !== g.vSwitchId) {
    report(
      'live.member.vswitch',
      joinPath(mp, 'id'),
      `${what} is in vSwitch ${where.vSwitchId ?? '(none)'}, not the group's ${g.vSwitchId}`,
      'a HaVip binds only to instances and ENIs in its own vSwitch: move the member or fix vSwitchId',
    );
  }
  if (haVip && where.vpcId !== haVip.vpcId) {
    report(
      'live.member.vpc',
      joinPath(mp, 'id'),
      `${what} is in VPC ${where.vpcId ?? '(none)'}, the HaVip ${haVip.haVipId} in VPC ${haVip.vpcId}`,
      "members must be in the HaVip's VPC and vSwitch",
    );
  }
}

/** `live.member.not-running`, `live.member.locked`: warnings, as the state can change at any time. */
function running(mp: string, what: string, inst: InstanceState, report: LiveReport): void {
  if (inst.status !== 'Running') {
    report(
      'live.member.not-running',
      joinPath(mp, 'id'),
      `${what} is ${inst.status}`,
      'a member that is not Running is not eligible to hold the HaVip',
    );
  }
  if (inst.operationLocks.length > 0) {
    report(
      'live.member.locked',
      joinPath(mp, 'id'),
      `instance ${inst.instanceId} is locked (${inst.operationLocks.join(', ')})`,
      'resolve the lock (e.g. an overdue payment) in the console; locked instances may refuse bindings',
    );
  }
}

// =============================================================================================
// The group's EIP

/**
 * `live.eip.missing`, `live.eip.bound-elsewhere`, `live.eip.status`, `live.havip.other-eip`: the EIP
 * exists, is free or bound where the group's mode binds it, is settled, and is the HaVip's only EIP.
 */
export const eipMatches: LiveGroupRule = ({ g, base, haVip, cloud }, report) => {
  const binding = g.eip;
  if (!binding) return;
  const eip = cloud.eip(g.region, binding.allocationId);
  const path = joinPath(base, 'eip', 'allocationId');
  if (!eip) {
    report(
      'live.eip.missing',
      path,
      `EIP ${binding.allocationId} does not exist in region ${g.region}`,
      'check the allocation id; an EIP must be in the same region as the group',
    );
    return;
  }
  if (eip.instanceId !== undefined && eip.status !== 'Available' && !boundWhereExpected(g, eip)) {
    report(
      'live.eip.bound-elsewhere',
      path,
      `EIP ${eip.allocationId} is bound to ${eip.instanceType ?? 'resource'} ${eip.instanceId}`,
      binding.mode === 'havip'
        ? `unbind it, or bind it to HaVip ${g.haVipId ?? ''}: in havip mode the EIP must be Available or bound to the group's HaVip`
        : 'unbind it: in direct mode the EIP must be Available or bound to a member of the group',
    );
  }
  if (eip.status === 'Associating' || eip.status === 'Unassociating') {
    report(
      'live.eip.status',
      path,
      `EIP ${eip.allocationId} is ${eip.status}`,
      'validate again when the change has settled',
    );
  }
  if (binding.mode !== 'havip' || !haVip) return;
  const others = haVip.associatedEipAddresses.filter((ip) => ip !== eip.ipAddress);
  if (others.length > 0) {
    report(
      'live.havip.other-eip',
      joinPath(base, 'haVipId'),
      `HaVip ${haVip.haVipId} already has EIP ${others.join(', ')} bound; the group names ${eip.ipAddress}`,
      'a HaVip takes one EIP: unbind the other EIP or name it in eip.allocationId',
    );
  }
};

/** In havip mode the EIP belongs on the group's HaVip; in direct mode on one of its members. */
function boundWhereExpected(g: Group, eip: EipState): boolean {
  return g.eip?.mode === 'havip'
    ? eip.instanceType === 'HaVip' && eip.instanceId === g.haVipId
    : g.members.some((m) => m.id === eip.instanceId);
}

// =============================================================================================
// Quotas

/**
 * `live.member.havips.quota`: HaVips bound to one ECS instance are limited (5 by default). Counts what
 * the instance already has in the cloud, including HaVips outside the topology, plus every topology
 * HaVip that may be bound to it.
 */
export const haVipsPerInstance: LiveRule = (t, cloud, report) => {
  const limit = t.quotas.haVipsPerInstance;
  const projected = new Map<string, { path: string; region: string; haVips: Set<string> }>();
  t.groups.forEach((g, gi) => {
    g.members.forEach((m, mi) => {
      if (m.kind !== 'ecs') return;
      const k = key(g.region, m.id);
      let entry = projected.get(k);
      if (!entry) {
        entry = { path: joinPath(`groups[${gi}]`, 'members', mi, 'id'), region: g.region, haVips: new Set() };
        projected.set(k, entry);
      }
      if (g.haVipId !== undefined) entry.haVips.add(g.haVipId);
    });
  });
  for (const h of cloud.snapshot.haVips) {
    for (const id of h.associatedInstances) projected.get(key(h.regionId, id))?.haVips.add(h.haVipId);
  }
  for (const [k, entry] of projected) {
    if (entry.haVips.size <= limit) continue;
    const id = k.slice(entry.region.length + 1);
    report(
      'live.member.havips.quota',
      entry.path,
      `ECS instance ${id} would hold ${entry.haVips.size} HaVips (${[...entry.haVips].sort().join(', ')}), more than the limit of ${limit}`,
      'unbind HaVips the topology does not manage, spread groups over other instances, or raise the quota (quotas.haVipsPerInstance)',
    );
  }
};

/** Alibaba's live rules, in the order of the table in docs/cloud-adapter.md. */
export const ALIBABA_LIVE_RULES: readonly LiveRule[] = [
  eachGroupInCloud(haVipMatches),
  eachGroupInCloud(membersMatch),
  eachGroupInCloud(eipMatches),
  haVipsPerInstance,
];
