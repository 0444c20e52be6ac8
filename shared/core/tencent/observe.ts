/**
 * Observation of Tencent groups: one DescribeHaVips per region and chunked DescribeInstancesStatus /
 * DescribeNetworkInterfaces calls, like the Alibaba observer. The result is the engine's cloud-neutral
 * view, so health, the election, decide() and roll-forward run unchanged:
 *
 * - the **holder** is who the VPC sends the HAVIP's traffic to now: `InstanceId` for a CVM group, the
 *   announcing `NetworkInterfaceId` for an ENI group. It is the one "binding" the view reports, so there
 *   is never more than one (no split brain on Tencent: the last ARP announcer wins);
 * - a CVM's `InstanceState` becomes the status the health rules know (RUNNING → Running, STOPPED → Stopped…);
 *   an ENI member is usable only while attached to a RUNNING instance (its host is described too: an ENI
 *   on a stopped instance cannot announce);
 * - what only Tencent has (the drift scope, the EIP address, raw states) stays in `tencent`.
 */
import type { Group, GroupName, Member } from '../model.js';
import type { GroupObservation, ReadRetry } from '../observe.js';
import type { HaVipState, InstanceState, NetworkInterfaceState } from '../ports.js';
import type {
  TencentCloudApi,
  TencentHaVip,
  TencentInstanceStatus,
  TencentNetworkInterface,
} from '../tencent-ports.js';

/** What only Tencent reports about a group: the HAVIP as answered (its drift scope), CVM states, ENIs. */
export interface TencentObservation {
  readonly haVip: TencentHaVip | undefined;
  readonly statuses: ReadonlyMap<string, TencentInstanceStatus>;
  readonly enis: ReadonlyMap<string, TencentNetworkInterface>;
}

/** CVM `InstanceState` → the instance status the health rules read. Unlisted states stay as they are (not Running). */
const STATUS_OF: Readonly<Record<string, string>> = {
  RUNNING: 'Running',
  PENDING: 'Pending',
  STARTING: 'Starting',
  REBOOTING: 'Starting',
  STOPPING: 'Stopping',
  TERMINATING: 'Stopping',
  STOPPED: 'Stopped',
  SHUTDOWN: 'Stopped',
  LAUNCH_FAILED: 'Stopped',
};

/** Whether the group's members are ENIs (a HAVIP's drift scope then takes ENIs, and an ENI holds it). */
export const isEniGroup = (group: Group): boolean =>
  group.members.length > 0 && group.members.every((m) => m.kind === 'eni');

/** Who holds a Tencent HAVIP in the group's terms: the CVM, or the ENI for an ENI group. */
export function tencentHolder(group: Group, haVip: TencentHaVip | undefined): string | undefined {
  if (haVip === undefined) return undefined;
  const holder = isEniGroup(group) ? haVip.networkInterfaceId : haVip.instanceId;
  return holder === '' ? undefined : holder;
}

/** The engine's view of a Tencent HAVIP (see the module comment). */
export function haVipView(group: Group, h: TencentHaVip): HaVipState {
  const holder = tencentHolder(group, h);
  const eniGroup = isEniGroup(group);
  return {
    haVipId: h.haVipId,
    regionId: h.regionId,
    ipAddress: h.vip,
    status: holder === undefined ? 'Available' : 'InUse',
    vpcId: h.vpcId,
    vSwitchId: h.subnetId,
    masterInstanceId: holder,
    associatedInstanceType: holder === undefined ? undefined : eniGroup ? 'NetworkInterface' : 'EcsInstance',
    associatedInstances: holder === undefined ? [] : [holder],
    associatedEipAddresses: h.addressIp === undefined || h.addressIp === '' ? [] : [h.addressIp],
  };
}

function instanceView(regionId: string, s: TencentInstanceStatus): InstanceState {
  return {
    instanceId: s.instanceId,
    regionId,
    status: STATUS_OF[s.state] ?? s.state,
    vpcId: undefined,
    vSwitchId: undefined,
    privateIpAddresses: [],
    operationLocks: [],
  };
}

/** `InUse` only while attached to a RUNNING host; otherwise why not, which health reads as unusable. */
function eniView(e: TencentNetworkInterface, host: TencentInstanceStatus | undefined): NetworkInterfaceState {
  const status =
    e.instanceId === undefined
      ? 'Available'
      : host?.state === 'RUNNING'
        ? 'InUse'
        : `host ${host?.state ?? 'missing'}`;
  return {
    networkInterfaceId: e.networkInterfaceId,
    regionId: e.regionId,
    status,
    instanceId: e.instanceId,
    vpcId: e.vpcId,
    vSwitchId: e.subnetId,
    privateIpAddress: e.privateIpAddresses.find((a) => a.primary)?.address ?? '',
  };
}

/** DescribeInstancesStatus / DescribeNetworkInterfaces take at most 100 ids a call. */
const IDS_PER_CALL = 100;

/** Observes Tencent groups with batched describes per region; `retry` wraps each describe on its own. */
export async function observeTencentGroups(
  api: TencentCloudApi,
  groups: readonly Group[],
  now: () => number,
  retry: ReadRetry = (_what, read) => read(),
): Promise<Map<GroupName, GroupObservation>> {
  const haVips = new Map<string, TencentHaVip>();
  const statuses = new Map<string, TencentInstanceStatus>();
  const enis = new Map<string, TencentNetworkInterface>();
  const tasks: Promise<void>[] = [];
  for (const [regionId, gs] of byRegion(groups)) {
    const members = gs.flatMap((g) => g.members);
    const haVipIds = unique(gs.flatMap((g) => (g.haVipId === undefined ? [] : [g.haVipId])));
    const cvmIds = unique(idsOf(members, 'ecs'));
    const eniIds = unique(idsOf(members, 'eni'));
    if (haVipIds.length > 0)
      tasks.push(
        retry('DescribeHaVips', () => api.describeHaVips({ regionId, haVipIds })).then((found) => {
          for (const h of found) haVips.set(key(regionId, h.haVipId), h);
        }),
      );
    for (const instanceIds of chunks(cvmIds))
      tasks.push(
        retry('DescribeInstancesStatus', () => api.describeInstancesStatus({ regionId, instanceIds })).then(
          (found) => {
            for (const s of found) statuses.set(key(regionId, s.instanceId), s);
          },
        ),
      );
    for (const networkInterfaceIds of chunks(eniIds))
      tasks.push(
        retry('DescribeNetworkInterfaces', () =>
          api.describeNetworkInterfaces({ regionId, networkInterfaceIds }),
        ).then((found) => {
          for (const e of found) enis.set(key(regionId, e.networkInterfaceId), e);
        }),
      );
  }
  await Promise.all(tasks);
  await describeHosts(api, enis, statuses, retry);
  const observedAt = now();
  const out = new Map<GroupName, GroupObservation>();
  for (const g of groups) {
    const h = g.haVipId === undefined ? undefined : haVips.get(key(g.region, g.haVipId));
    const own = {
      haVip: h,
      statuses: pick(statuses, g.region, idsOf(g.members, 'ecs')),
      enis: pick(enis, g.region, idsOf(g.members, 'eni')),
    };
    const hostOf = (e: TencentNetworkInterface) =>
      e.instanceId === undefined ? undefined : statuses.get(key(g.region, e.instanceId));
    out.set(g.name, {
      haVip: h === undefined ? undefined : haVipView(g, h),
      instances: new Map([...own.statuses].map(([id, s]) => [id, instanceView(g.region, s)])),
      enis: new Map([...own.enis].map(([id, e]) => [id, eniView(e, hostOf(e))])),
      eip: undefined,
      observedAt,
      tencent: own,
    });
  }
  return out;
}

/** The states of the instances ENI members are attached to (those not already described as members). */
async function describeHosts(
  api: TencentCloudApi,
  enis: ReadonlyMap<string, TencentNetworkInterface>,
  statuses: Map<string, TencentInstanceStatus>,
  retry: ReadRetry,
): Promise<void> {
  const hosts = new Map<string, string[]>();
  for (const e of enis.values()) {
    if (e.instanceId === undefined || statuses.has(key(e.regionId, e.instanceId))) continue;
    hosts.set(e.regionId, unique([...(hosts.get(e.regionId) ?? []), e.instanceId]));
  }
  const reads = [...hosts].flatMap(([regionId, ids]) =>
    chunks(ids).map((instanceIds) =>
      retry('DescribeInstancesStatus', () => api.describeInstancesStatus({ regionId, instanceIds })).then(
        (found) => {
          for (const s of found) statuses.set(key(regionId, s.instanceId), s);
        },
      ),
    ),
  );
  await Promise.all(reads);
}

const key = (regionId: string, id: string): string => `${regionId}/${id}`;
const idsOf = (members: readonly Member[], kind: Member['kind']): string[] =>
  members.filter((m) => m.kind === kind).map((m) => m.id);
const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

function byRegion(groups: readonly Group[]): Map<string, Group[]> {
  const out = new Map<string, Group[]>();
  for (const g of groups) out.set(g.region, [...(out.get(g.region) ?? []), g]);
  return out;
}

function chunks(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_CALL) out.push(ids.slice(i, i + IDS_PER_CALL));
  return out;
}

function pick<V>(from: ReadonlyMap<string, V>, regionId: string, ids: readonly string[]): Map<string, V> {
  const m = new Map<string, V>();
  for (const id of ids) {
    const v = from.get(key(regionId, id));
    if (v !== undefined) m.set(id, v);
  }
  return m;
}
