/**
 * Alibaba Cloud's HaVip quotas (quotas.ts): each rule counts what this topology would bind and reports
 * the first binding over the limit. HaVips and bindings outside the topology are not counted here; live
 * validation sees them.
 */
import type { SeverityTable } from '../../findings.js';
import type { Topology } from '../../model.js';
import { joinPath } from '../../paths.js';
import { describeQuota, QUOTA_DESCRIPTIONS } from '../../quotas.js';
import type { GroupRule, TopologyRule } from '../rule-set.js';

/** The codes of the quota rules (documented in docs/configuration.md). */
export const QUOTA_CODES = Object.freeze({
  'group.members.quota': 'error',
  'havip.eips.quota': 'error',
  'region.havips.quota': 'error',
  'member.havips.quota': 'error',
} as const satisfies SeverityTable<string>);

export type QuotaCode = keyof typeof QUOTA_CODES;

/** `the <what the quota limits> (<where its value comes from>)`, for messages. */
function limitOf(t: Topology, key: keyof Topology['quotas']): string {
  return `the ${QUOTA_DESCRIPTIONS[key]} (${describeQuota(key, t.quotas, t.quotaProfile)})`;
}

/** Adds `item` to the set under `key` and returns the set's size (unchanged if it was there). */
function addTo(sets: Map<string, Set<string>>, key: string, item: string): number {
  const set = sets.get(key) ?? new Set<string>();
  set.add(item);
  sets.set(key, set);
  return set.size;
}

/** `group.members.quota`: members bound to one HaVip (direct-mode groups have no HaVip to count). */
export const membersPerHaVip: GroupRule<QuotaCode> = (g, base, t, report) => {
  if (g.haVipId === undefined || g.members.length <= t.quotas.membersPerHaVip) return;
  report(
    'group.members.quota',
    joinPath(base, 'members'),
    `group ${g.name} has ${g.members.length} members, more than ${limitOf(t, 'membersPerHaVip')}`,
    t.quotaProfile === 'legacy'
      ? 'remove members, or use quotaProfile: current if your account follows the current documentation (10)'
      : 'remove members, or raise the quota in Quota Center and set quotas.membersPerHaVip',
  );
};

/** `havip.eips.quota`: EIPs bound to one HaVip (havip-mode EIPs of the groups naming it). */
export const eipsPerHaVip: TopologyRule<QuotaCode> = (t, report) => {
  const bound = new Map<string, Set<string>>();
  t.groups.forEach((g, gi) => {
    if (g.eip?.mode !== 'havip' || g.haVipId === undefined) return;
    if (addTo(bound, g.haVipId, g.eip.allocationId) !== t.quotas.eipsPerHaVip + 1) return;
    const eips = [...(bound.get(g.haVipId) ?? [])];
    report(
      'havip.eips.quota',
      joinPath(`groups[${gi}]`, 'eip', 'allocationId'),
      `HaVip ${g.haVipId} would have ${eips.length} EIPs bound (${eips.join(', ')}), more than ${limitOf(t, 'eipsPerHaVip')}`,
      'bind one EIP per HaVip; for more public addresses use more HaVips',
    );
  });
};

/** `region.havips.quota`: distinct HaVips in one region, reported at the first one over the limit. */
export const haVipsPerRegion: TopologyRule<QuotaCode> = (t, report) => {
  const seen = new Map<string, Set<string>>();
  t.groups.forEach((g, gi) => {
    if (g.haVipId === undefined || seen.get(g.region)?.has(g.haVipId)) return;
    const count = addTo(seen, g.region, g.haVipId);
    if (count !== t.quotas.haVipsPerRegion + 1) return;
    report(
      'region.havips.quota',
      joinPath(`groups[${gi}]`, 'haVipId'),
      `${g.region} now has ${count} HaVips in this topology, more than ${limitOf(t, 'haVipsPerRegion')}`,
      'raise the HaVip quota in Quota Center and set quotas.haVipsPerRegion, or use fewer HaVips',
    );
  });
};

/**
 * `member.havips.quota`: HaVips bound to one ECS instance. The documented limit counts HaVips per ECS
 * instance; what an ENI counts against depends on the instance it is attached to, which only live
 * validation can see.
 */
export const haVipsPerInstance: TopologyRule<QuotaCode> = (t, report) => {
  const bound = new Map<string, Set<string>>();
  t.groups.forEach((g, gi) => {
    g.members.forEach((m, mi) => {
      if (m.kind !== 'ecs' || g.haVipId === undefined || bound.get(m.id)?.has(g.haVipId)) return;
      if (addTo(bound, m.id, g.haVipId) !== t.quotas.haVipsPerInstance + 1) return;
      const haVips = [...(bound.get(m.id) ?? [])];
      report(
        'member.havips.quota',
        joinPath(`groups[${gi}]`, 'members', mi, 'id'),
        `${m.id} is bound to ${haVips.length} HaVips in this topology (${haVips.join(', ')}), more than ${limitOf(t, 'haVipsPerInstance')}`,
        'spread the HaVips over more instances, or raise the quota and set quotas.haVipsPerInstance',
      );
    });
  });
};
