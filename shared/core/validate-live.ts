/**
 * Live validation: does the cloud agree with the topology? The static validators check the document
 * alone; these rules compare it with what the VPC and ECS APIs report (a {@link CloudSnapshot}).
 *
 * The rules themselves ({@link validateLiveSnapshot}) are pure; {@link collectSnapshot} is the only
 * part that talks to the cloud, in batches: one HaVip listing per region (HaVips outside the topology
 * count towards the per-instance quota) and chunked instance, ENI and EIP describes.
 */
import type { Finding, Group, Severity, Topology } from './model.js';
import { comparePaths, joinPath } from './paths.js';
import type { CloudApi, EipState, HaVipState, InstanceState, NetworkInterfaceState } from './ports.js';

/** What the cloud reported, as returned by the {@link CloudApi} port. */
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

/** Every code {@link validateLiveSnapshot} can report, with its severity (documented in docs/cloud-adapter.md). */
export const LIVE_CODES: Readonly<Record<string, Severity>> = Object.freeze({
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
});

const key = (regionId: string, id: string): string => `${regionId}/${id}`;

function index<T extends { readonly regionId: string }>(
  items: readonly T[],
  id: (t: T) => string,
): Map<string, T> {
  return new Map(items.map((i) => [key(i.regionId, id(i)), i]));
}

/**
 * Compare the topology with a snapshot of the cloud. Findings use the same shape as the static
 * validators (severity, stable `live.*` code, path into the topology, message, hint), sorted by path.
 */
export function validateLiveSnapshot(t: Topology, snap: CloudSnapshot): Finding[] {
  const out: Finding[] = [];
  const add = (code: string, path: string, message: string, hint: string): void => {
    const severity = LIVE_CODES[code];
    if (severity === undefined) throw new Error(`undocumented finding code ${code}`);
    out.push(Object.freeze({ severity, code, path, message, hint }));
  };

  const listed = new Set(snap.regions);
  const haVips = index(snap.haVips, (h) => h.haVipId);
  const instances = index(snap.instances, (i) => i.instanceId);
  const enis = index(snap.enis, (e) => e.networkInterfaceId);
  const eips = index(snap.eips, (e) => e.allocationId);

  t.groups.forEach((g, gi) => {
    const base = `groups[${gi}]`;
    const haVip = g.haVipId === undefined ? undefined : haVips.get(key(g.region, g.haVipId));
    if (g.haVipId !== undefined) haVipRules(g, base, haVip, listed.has(g.region), add);
    g.members.forEach((m, mi) => {
      const mp = joinPath(base, 'members', mi);
      if (m.kind === 'ecs') {
        const inst = instances.get(key(g.region, m.id));
        if (!inst) {
          add(
            'live.member.missing',
            joinPath(mp, 'id'),
            `ECS instance ${m.id} does not exist in region ${g.region}`,
            'check the instance id and the group region; a released instance must be removed from the group',
          );
          return;
        }
        placement(
          g,
          mp,
          haVip,
          { vpcId: inst.vpcId, vSwitchId: inst.vSwitchId },
          `ECS instance ${m.id}`,
          add,
        );
        const primary = inst.privateIpAddresses[0];
        if (primary !== m.ip) {
          const secondary = inst.privateIpAddresses.includes(m.ip);
          add(
            'live.member.ip',
            joinPath(mp, 'ip'),
            secondary
              ? `${m.ip} is a secondary address of ${m.id}; its primary private IP is ${primary}`
              : `ECS instance ${m.id} has primary private IP ${primary ?? '(none)'}, not ${m.ip}`,
            `set ip to ${primary ?? "the instance's primary private IP"} (elections break ties on the primary address)`,
          );
        }
        runningRules(mp, m.id, inst, add);
      } else {
        const eni = enis.get(key(g.region, m.id));
        if (!eni) {
          add(
            'live.member.missing',
            joinPath(mp, 'id'),
            `network interface ${m.id} does not exist in region ${g.region}`,
            'check the ENI id and the group region',
          );
          return;
        }
        placement(
          g,
          mp,
          haVip,
          { vpcId: eni.vpcId, vSwitchId: eni.vSwitchId },
          `network interface ${m.id}`,
          add,
        );
        if (eni.privateIpAddress !== m.ip) {
          add(
            'live.member.ip',
            joinPath(mp, 'ip'),
            `network interface ${m.id} has primary private IP ${eni.privateIpAddress}, not ${m.ip}`,
            `set ip to ${eni.privateIpAddress}`,
          );
        }
        if (eni.instanceId === undefined) {
          add(
            'live.member.eni-detached',
            joinPath(mp, 'id'),
            `network interface ${m.id} is not attached to an instance (status ${eni.status})`,
            'attach the ENI to an ECS instance: a HaVip binds only to attached ENIs',
          );
        } else {
          const owner = instances.get(key(g.region, eni.instanceId));
          if (owner) runningRules(mp, `${m.id} (attached to ${eni.instanceId})`, owner, add);
        }
      }
    });
    if (g.eip !== undefined) eipRules(g, base, haVip, eips.get(key(g.region, g.eip.allocationId)), add);
  });

  haVipsPerInstance(t, snap, add);

  return out.sort((a, b) => comparePaths(a.path, b.path) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

type Add = (code: string, path: string, message: string, hint: string) => void;

function haVipRules(g: Group, base: string, haVip: HaVipState | undefined, listed: boolean, add: Add): void {
  const path = joinPath(base, 'haVipId');
  if (!haVip) {
    if (listed)
      add(
        'live.havip.missing',
        path,
        `HaVip ${g.haVipId} does not exist in region ${g.region}`,
        `check the id and region, or create the HaVip in vSwitch ${g.vSwitchId}`,
      );
    return;
  }
  if (haVip.status === 'Creating' || haVip.status === 'Deleting') {
    add(
      'live.havip.status',
      path,
      `HaVip ${haVip.haVipId} is ${haVip.status}`,
      haVip.status === 'Creating'
        ? 'wait until it is Available and validate again'
        : 'the HaVip is being deleted: use another HaVip in this group',
    );
  }
  if (haVip.vSwitchId !== g.vSwitchId) {
    add(
      'live.havip.vswitch',
      joinPath(base, 'vSwitchId'),
      `HaVip ${haVip.haVipId} is in vSwitch ${haVip.vSwitchId}, not ${g.vSwitchId}`,
      `set vSwitchId to ${haVip.vSwitchId}: a HaVip binds only to instances and ENIs of its own vSwitch`,
    );
  }
  const members = new Set<string>(g.members.map((m) => m.id));
  const foreign = haVip.associatedInstances.filter((id) => !members.has(id));
  if (foreign.length > 0) {
    add(
      'live.havip.foreign-binding',
      path,
      `HaVip ${haVip.haVipId} is bound to ${foreign.join(', ')}, which ${foreign.length === 1 ? 'is' : 'are'} not a member of group ${g.name}`,
      'add the instance to the group or unbind it; the orchestrator never moves a HaVip bound outside its group',
    );
  }
}

function placement(
  g: Group,
  mp: string,
  haVip: HaVipState | undefined,
  where: { vpcId: string | undefined; vSwitchId: string | undefined },
  what: string,
  add: Add,
): void {
  if (where.vSwitchId !== g.vSwitchId) {
    add(
      'live.member.vswitch',
      joinPath(mp, 'id'),
      `${what} is in vSwitch ${where.vSwitchId ?? '(none)'}, not the group's ${g.vSwitchId}`,
      'a HaVip binds only to instances and ENIs in its own vSwitch: move the member or fix vSwitchId',
    );
  }
  if (haVip && where.vpcId !== haVip.vpcId) {
    add(
      'live.member.vpc',
      joinPath(mp, 'id'),
      `${what} is in VPC ${where.vpcId ?? '(none)'}, the HaVip ${haVip.haVipId} in VPC ${haVip.vpcId}`,
      "members must be in the HaVip's VPC and vSwitch",
    );
  }
}

function runningRules(mp: string, what: string, inst: InstanceState, add: Add): void {
  if (inst.status !== 'Running') {
    add(
      'live.member.not-running',
      joinPath(mp, 'id'),
      `${what} is ${inst.status}`,
      'a member that is not Running is not eligible to hold the HaVip',
    );
  }
  if (inst.operationLocks.length > 0) {
    add(
      'live.member.locked',
      joinPath(mp, 'id'),
      `instance ${inst.instanceId} is locked (${inst.operationLocks.join(', ')})`,
      'resolve the lock (e.g. an overdue payment) in the console; locked instances may refuse bindings',
    );
  }
}

function eipRules(
  g: Group,
  base: string,
  haVip: HaVipState | undefined,
  eip: EipState | undefined,
  add: Add,
): void {
  const binding = g.eip;
  if (!binding) return;
  const path = joinPath(base, 'eip', 'allocationId');
  if (!eip) {
    add(
      'live.eip.missing',
      path,
      `EIP ${binding.allocationId} does not exist in region ${g.region}`,
      'check the allocation id; an EIP must be in the same region as the group',
    );
    return;
  }
  const bound = eip.instanceId !== undefined && eip.status !== 'Available';
  if (bound) {
    const ok =
      binding.mode === 'havip'
        ? eip.instanceType === 'HaVip' && eip.instanceId === g.haVipId
        : g.members.some((m) => m.id === eip.instanceId);
    if (!ok) {
      add(
        'live.eip.bound-elsewhere',
        path,
        `EIP ${eip.allocationId} is bound to ${eip.instanceType ?? 'resource'} ${eip.instanceId}`,
        binding.mode === 'havip'
          ? `unbind it, or bind it to HaVip ${g.haVipId ?? ''}: in havip mode the EIP must be Available or bound to the group's HaVip`
          : 'unbind it: in direct mode the EIP must be Available or bound to a member of the group',
      );
    }
  }
  if (eip.status === 'Associating' || eip.status === 'Unassociating') {
    add(
      'live.eip.status',
      path,
      `EIP ${eip.allocationId} is ${eip.status}`,
      'validate again when the change has settled',
    );
  }
  if (binding.mode === 'havip' && haVip) {
    const others = haVip.associatedEipAddresses.filter((ip) => ip !== eip.ipAddress);
    if (others.length > 0) {
      add(
        'live.havip.other-eip',
        joinPath(base, 'haVipId'),
        `HaVip ${haVip.haVipId} already has EIP ${others.join(', ')} bound; the group names ${eip.ipAddress}`,
        'a HaVip takes one EIP: unbind the other EIP or name it in eip.allocationId',
      );
    }
  }
}

/**
 * HaVips bound to one ECS instance are limited (5 by default). Count what the instance already has in
 * the cloud, including HaVips outside the topology, plus every topology HaVip that may be bound to it.
 */
function haVipsPerInstance(t: Topology, snap: CloudSnapshot, add: Add): void {
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
  for (const h of snap.haVips) {
    for (const id of h.associatedInstances) projected.get(key(h.regionId, id))?.haVips.add(h.haVipId);
  }
  for (const [k, entry] of projected) {
    if (entry.haVips.size <= limit) continue;
    const id = k.slice(entry.region.length + 1);
    add(
      'live.member.havips.quota',
      entry.path,
      `ECS instance ${id} would hold ${entry.haVips.size} HaVips (${[...entry.haVips].sort().join(', ')}), more than the limit of ${limit}`,
      'unbind HaVips the topology does not manage, spread groups over other instances, or raise the quota (quotas.haVipsPerInstance)',
    );
  }
}

const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];

/**
 * Read everything the live rules need, batched: per region one HaVip listing, one chunked describe of
 * the ECS members, one of the ENI members (then their owner instances) and one of the EIPs.
 */
export async function collectSnapshot(cloud: CloudApi, t: Topology): Promise<CloudSnapshot> {
  const regions = uniq(t.groups.map((g) => g.region));
  const haVips: HaVipState[] = [];
  const instances: InstanceState[] = [];
  const enis: NetworkInterfaceState[] = [];
  const eips: EipState[] = [];
  await Promise.all(
    regions.map(async (regionId) => {
      const groups = t.groups.filter((g) => g.region === regionId);
      const members = groups.flatMap((g) => g.members);
      const instanceIds = uniq(members.filter((m) => m.kind === 'ecs').map((m) => m.id));
      const eniIds = uniq(members.filter((m) => m.kind === 'eni').map((m) => m.id));
      const allocationIds = uniq(groups.flatMap((g) => (g.eip ? [g.eip.allocationId] : [])));
      const [hs, is, es, ps] = await Promise.all([
        cloud.listHaVips({ regionId }),
        instanceIds.length > 0 ? cloud.describeInstances({ regionId, instanceIds }) : [],
        eniIds.length > 0 ? cloud.describeNetworkInterfaces({ regionId, networkInterfaceIds: eniIds }) : [],
        allocationIds.length > 0 ? cloud.describeEipAddresses({ regionId, allocationIds }) : [],
      ]);
      const known = new Set(is.map((i) => i.instanceId));
      const owners = uniq(
        es.flatMap((e) => (e.instanceId && !known.has(e.instanceId) ? [e.instanceId] : [])),
      );
      const os = owners.length > 0 ? await cloud.describeInstances({ regionId, instanceIds: owners }) : [];
      haVips.push(...hs);
      instances.push(...is, ...os);
      enis.push(...es);
      eips.push(...ps);
    }),
  );
  return { regions, haVips, instances, enis, eips };
}

/** {@link collectSnapshot} then {@link validateLiveSnapshot}. */
export async function validateLive(cloud: CloudApi, t: Topology): Promise<Finding[]> {
  return validateLiveSnapshot(t, await collectSnapshot(cloud, t));
}
