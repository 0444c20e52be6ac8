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
import {
  ALIBABA_LIVE_RULES,
  type CloudSnapshot,
  indexSnapshot,
  LIVE_CODES,
} from './validate/alibaba/live-rules.js';

export { type CloudSnapshot, LIVE_CODES, type LiveCode } from './validate/alibaba/live-rules.js';

/**
 * Compare the topology with a snapshot of the cloud. Findings use the same shape as the static
 * validators (severity, stable `live.*` code, path into the topology, message, hint), sorted by path.
 */
export function validateLiveSnapshot(t: Topology, snap: CloudSnapshot): Finding[] {
  const cloud = indexSnapshot(snap);
  return collectFindings(LIVE_CODES, (report) => {
    for (const rule of ALIBABA_LIVE_RULES) rule(t, cloud, report);
  });
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
