/**
 * Live validation: does the cloud agree with the topology? The static validators check the document
 * alone; these rules compare it with what the VPC and ECS APIs report (a {@link CloudSnapshot}).
 *
 * The rules themselves ({@link validateLiveSnapshot}, each a named function in
 * `validate/alibaba/live-rules.ts`) are pure; {@link collectSnapshot} is the only part that talks to
 * the cloud, in batches: one HaVip listing per region (HaVips outside the topology count towards the
 * per-instance quota) and chunked instance, ENI and EIP describes.
 */
import { collectFindings } from './findings.js';
import type { Finding, Topology } from './model.js';
import type { CloudApi, EipState, HaVipState, InstanceState, NetworkInterfaceState } from './ports.js';
import type {
  TencentCloudApi,
  TencentHaVip,
  TencentInstance,
  TencentNetworkInterface,
} from './tencent-ports.js';
import {
  ALIBABA_LIVE_RULES,
  type CloudSnapshot,
  indexSnapshot,
  LIVE_CODES,
} from './validate/alibaba/live-rules.js';
import { cloudsOf, partOn } from './validate/clouds.js';
import {
  indexTencentSnapshot,
  TENCENT_LIVE_CODES,
  TENCENT_LIVE_RULES,
  type TencentSnapshot,
} from './validate/tencent/live-rules.js';

export { type CloudSnapshot, LIVE_CODES, type LiveCode } from './validate/alibaba/live-rules.js';
export {
  TENCENT_LIVE_CODES,
  type TencentLiveCode,
  type TencentSnapshot,
} from './validate/tencent/live-rules.js';

/**
 * Compare the topology with a snapshot of the cloud. Findings use the same shape as the static
 * validators (severity, stable `live.*` code, path into the topology, message, hint), sorted by path.
 */
export function validateLiveSnapshot(t: Topology, snap: CloudSnapshot): Finding[] {
  // Alibaba's rules see the Alibaba groups only (the whole topology when it has no other cloud).
  if (!cloudsOf(t).has('alibaba')) return [];
  const part = partOn(t, 'alibaba');
  const cloud = indexSnapshot(snap);
  return collectFindings(LIVE_CODES, (report) => {
    for (const rule of ALIBABA_LIVE_RULES) rule(part.topology, cloud, report);
  }).map(part.toDocument);
}

const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];

/**
 * Read everything the live rules need, batched: per region one HaVip listing, one chunked describe of
 * the ECS members, one of the ENI members (then their owner instances) and one of the EIPs.
 */
export async function collectSnapshot(cloud: CloudApi, whole: Topology): Promise<CloudSnapshot> {
  const t = partOn(whole, 'alibaba').topology;
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

/** Tencent's live rules over the Tencent groups, with paths into the whole document. */
export function validateTencentLiveSnapshot(t: Topology, snap: TencentSnapshot): Finding[] {
  const index = indexTencentSnapshot(snap);
  return collectFindings(TENCENT_LIVE_CODES, (report) => {
    for (const rule of TENCENT_LIVE_RULES) rule(t, index, report);
  });
}

/**
 * Reads what Tencent's live rules need, batched per region: every HAVIP (those outside the topology
 * count towards the VPC and ENI quotas), `vpc-max-havips`, the CVM members and the instances ENI members
 * are attached to, the ENI members.
 */
export async function collectTencentSnapshot(
  api: TencentCloudApi,
  whole: Topology,
): Promise<TencentSnapshot> {
  const t = partOn(whole, 'tencent').topology;
  const regions = uniq(t.groups.map((g) => g.region));
  const haVips: TencentHaVip[] = [];
  const instances: TencentInstance[] = [];
  const enis: TencentNetworkInterface[] = [];
  const maxHaVipsPerVpc = new Map<string, number>();
  await Promise.all(
    regions.map(async (regionId) => {
      const members = t.groups.filter((g) => g.region === regionId).flatMap((g) => g.members);
      const instanceIds = uniq(members.filter((m) => m.kind === 'ecs').map((m) => m.id));
      const eniIds = uniq(members.filter((m) => m.kind === 'eni').map((m) => m.id));
      const [hs, is, es, limits] = await Promise.all([
        api.listHaVips({ regionId }),
        instanceIds.length > 0 ? api.describeInstances({ regionId, instanceIds }) : [],
        eniIds.length > 0 ? api.describeNetworkInterfaces({ regionId, networkInterfaceIds: eniIds }) : [],
        api.describeVpcLimits({ regionId, limitTypes: ['vpc-max-havips'] }),
      ]);
      const known = new Set(is.map((i) => i.instanceId));
      const owners = uniq(
        es.flatMap((e) => (e.instanceId && !known.has(e.instanceId) ? [e.instanceId] : [])),
      );
      const os = owners.length > 0 ? await api.describeInstances({ regionId, instanceIds: owners }) : [];
      haVips.push(...hs);
      instances.push(...is, ...os);
      enis.push(...es);
      const limit = limits.get('vpc-max-havips');
      if (limit !== undefined) maxHaVipsPerVpc.set(regionId, limit);
    }),
  );
  return { regions, haVips, instances, enis, maxHaVipsPerVpc };
}

/** {@link collectTencentSnapshot} then {@link validateTencentLiveSnapshot}. */
export async function validateTencentLive(api: TencentCloudApi, t: Topology): Promise<Finding[]> {
  return validateTencentLiveSnapshot(t, await collectTencentSnapshot(api, t));
}
