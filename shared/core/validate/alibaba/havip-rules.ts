/**
 * Alibaba Cloud's HaVip binding rules: what a group must name for there to be an address to move, how
 * an EIP follows a HaVip, which members one HaVip can bind, and that a HaVip or EIP has one owner.
 */
import type { SeverityTable } from '../../findings.js';
import { joinPath } from '../../paths.js';
import { isKnownHaVipRegion } from '../../regions.js';
import { checkRegionId, regionsAt } from '../field-rules.js';
import { forEachRepeat, type GroupRule, type TopologyRule } from '../rule-set.js';

/** The codes of the HaVip binding rules (documented in docs/configuration.md). */
export const HAVIP_CODES = Object.freeze({
  'region.unknown': 'warning',
  'group.address.missing': 'error',
  'group.havip.required': 'error',
  'group.eip.direct-with-havip': 'error',
  'group.announce.keepalived-direct': 'error',
  'group.members.mixed-kinds': 'error',
  'group.havip.duplicate': 'error',
  'group.eip.duplicate': 'error',
} as const satisfies SeverityTable<string>);

export type HaVipCode = keyof typeof HAVIP_CODES;

/** `region.unknown`: a well-formed region that is not on the documented HaVip list (a warning only). */
export const regionOffersHaVip: TopologyRule<HaVipCode> = (t, report) => {
  for (const { region, path } of regionsAt(t)) {
    if (checkRegionId(region) !== undefined || isKnownHaVipRegion(region)) continue;
    report(
      'region.unknown',
      path,
      `${region} is not on the 2025 list of regions offering HaVip`,
      'check the region id; if Alibaba has since opened HaVip there, ignore this warning',
    );
  }
};

/**
 * `group.address.missing`, `group.havip.required`: a group moves a HaVip, or an EIP directly; an EIP in
 * havip mode is bound to the group's HaVip, so it needs one.
 */
export const addressToFailOver: GroupRule<HaVipCode> = (g, base, _t, report) => {
  if (g.haVipId === undefined && g.eip === undefined) {
    report(
      'group.address.missing',
      base,
      `group ${g.name} has neither haVipId nor eip, so there is no address to fail over`,
      'set haVipId (and optionally eip), or eip with mode: direct for a group without a HaVip',
    );
  } else if (g.haVipId === undefined && g.eip?.mode === 'havip') {
    report(
      'group.havip.required',
      joinPath(base, 'haVipId'),
      `group ${g.name} sets eip.mode: havip, which binds the EIP to the group's HaVip, but has no haVipId`,
      'add haVipId, or set eip.mode: direct to move the EIP itself between members',
    );
  }
};

/** `group.eip.direct-with-havip`: with a HaVip, the EIP is bound to the HaVip and follows it. */
export const noDirectEipWithHaVip: GroupRule<HaVipCode> = (g, base, _t, report) => {
  if (g.haVipId === undefined || g.eip?.mode !== 'direct') return;
  report(
    'group.eip.direct-with-havip',
    joinPath(base, 'eip', 'mode'),
    `group ${g.name} has a HaVip and eip.mode: direct; direct mode moves the EIP itself between members and is only for groups without a HaVip (with a HaVip, the EIP is bound to the HaVip and follows it)`,
    'use eip.mode: havip, or remove haVipId',
  );
};

/** `group.announce.keepalived-direct`: keepalived announces a HaVip address, which direct mode lacks. */
export const keepalivedNeedsHaVip: GroupRule<HaVipCode> = (g, base, _t, report) => {
  if (g.announce !== 'keepalived' || g.eip?.mode !== 'direct') return;
  report(
    'group.announce.keepalived-direct',
    joinPath(base, 'announce'),
    `group ${g.name} uses announce: keepalived with eip.mode: direct; keepalived announces a HaVip address by ARP, and a direct-mode group has no HaVip to announce`,
    'use announce: agent, cloud-assistant or none, or give the group a HaVip with eip.mode: havip',
  );
};

/** `group.members.mixed-kinds`: a HaVip binds ECS instances or ENIs, never both. */
export const oneMemberKind: GroupRule<HaVipCode> = (g, base, _t, report) => {
  if (new Set(g.members.map((m) => m.kind)).size <= 1) return;
  const ecs = g.members.filter((m) => m.kind === 'ecs').map((m) => m.id);
  const eni = g.members.filter((m) => m.kind === 'eni').map((m) => m.id);
  report(
    'group.members.mixed-kinds',
    joinPath(base, 'members'),
    `group ${g.name} mixes ECS instances (${ecs.join(', ')}) and ENIs (${eni.join(', ')}); a HaVip binds either ECS instances or ENIs, never both`,
    'use only i-… ids or only eni-… ids in one group (an ENI member can stand for an instance)',
  );
};

/** `group.havip.duplicate`: two groups managing one HaVip would fight over it. */
export const oneGroupPerHaVip: TopologyRule<HaVipCode> = (t, report) => {
  forEachRepeat(
    t,
    (g) => g.haVipId,
    (g, at, first) =>
      report(
        'group.havip.duplicate',
        joinPath(at, 'haVipId'),
        `HaVip ${g.haVipId} is already managed by group ${first.group.name} (${first.at}); two groups would fight over it`,
        'manage each HaVip in exactly one group (merge the groups)',
      ),
  );
};

/** `group.eip.duplicate`: two groups managing one EIP would move it in opposite directions. */
export const oneGroupPerEip: TopologyRule<HaVipCode> = (t, report) => {
  forEachRepeat(
    t,
    (g) => g.eip?.allocationId,
    (g, at, first) =>
      report(
        'group.eip.duplicate',
        joinPath(at, 'eip', 'allocationId'),
        `EIP ${g.eip?.allocationId} is already managed by group ${first.group.name} (${first.at}); two groups would move it in opposite directions`,
        'manage each EIP in exactly one group',
      ),
  );
};
