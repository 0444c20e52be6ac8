/**
 * Tencent Cloud's static topology rules: what a Tencent HAVIP allows, checked without calling the cloud.
 * Each rule is named after what it requires and reports the codes in its doc comment (documented in
 * docs/tencent-topology.md).
 */
import type { SeverityTable } from '../../findings.js';
import { joinPath } from '../../paths.js';
import { forEachRepeat, type GroupRule, type TopologyRule } from '../rule-set.js';

/** A HAVIP's drift scope takes at most 10 targets per call; the product supports 2–10 members. */
export const TENCENT_MAX_MEMBERS = 10;
/** Tencent's default quota of HAVIPs per VPC (`DescribeVpcLimits` key `vpc-max-havips`). */
export const TENCENT_DEFAULT_HAVIPS_PER_VPC = 10;

export const TENCENT_STATIC_CODES = Object.freeze({
  'tencent.members.too-many': 'error',
  'tencent.members.mixed-kinds': 'error',
  'tencent.havip.duplicate': 'error',
  'tencent.eip.duplicate': 'error',
  'tencent.vpc.havips.quota': 'error',
  'tencent.fencing.unsupported': 'error',
} as const satisfies SeverityTable<string>);

export type TencentStaticCode = keyof typeof TENCENT_STATIC_CODES;

/** `tencent.members.too-many`: at most 10 members (the drift scope of one HAVIP). */
export const atMostTenMembers: GroupRule<TencentStaticCode> = (g, base, _t, report) => {
  if (g.members.length <= TENCENT_MAX_MEMBERS) return;
  report(
    'tencent.members.too-many',
    joinPath(base, 'members'),
    `group ${g.name} lists ${g.members.length} members; a Tencent HAVIP group takes 2–${TENCENT_MAX_MEMBERS}`,
    `keep at most ${TENCENT_MAX_MEMBERS} members, or split them over more HAVIPs`,
  );
};

/** `tencent.members.mixed-kinds`: a HAVIP's drift scope takes one target type, CVM or ENI. */
export const oneTargetType: GroupRule<TencentStaticCode> = (g, base, _t, report) => {
  if (new Set(g.members.map((m) => m.kind)).size <= 1) return;
  const cvm = g.members.filter((m) => m.kind === 'ecs').map((m) => m.id);
  const eni = g.members.filter((m) => m.kind === 'eni').map((m) => m.id);
  report(
    'tencent.members.mixed-kinds',
    joinPath(base, 'members'),
    `group ${g.name} mixes CVM instances (${cvm.join(', ')}) and ENIs (${eni.join(', ')}); a HAVIP's drift scope takes one instance type (CVM or ENI)`,
    'use only ins-… ids or only eni-… ids in one group',
  );
};

/** `tencent.fencing.unsupported`: the Tencent port has no StopInstances, so `fencing: stop` cannot run. */
export const noStopFencing: GroupRule<TencentStaticCode> = (g, base, _t, report) => {
  if (g.fencing !== 'stop') return;
  report(
    'tencent.fencing.unsupported',
    joinPath(base, 'fencing'),
    `group ${g.name} sets fencing: stop, which is not available on Tencent Cloud: the drift scope already keeps the old member from taking the HAVIP back`,
    'set fencing: none (the default)',
  );
};

/** `tencent.havip.duplicate`: two groups managing one HAVIP would fight over it. */
export const oneGroupPerTencentHaVip: TopologyRule<TencentStaticCode> = (t, report) => {
  forEachRepeat(
    t,
    (g) => (g.haVipId === undefined ? undefined : `${g.region}/${g.haVipId}`),
    (g, at, first) =>
      report(
        'tencent.havip.duplicate',
        joinPath(at, 'haVipId'),
        `HAVIP ${g.haVipId} is already managed by group ${first.group.name} (${first.at}); two groups would fight over it`,
        'manage each HAVIP in exactly one group (merge the groups)',
      ),
  );
};

/** `tencent.eip.duplicate`: one EIP can be bound to one HAVIP only. */
export const oneGroupPerTencentEip: TopologyRule<TencentStaticCode> = (t, report) => {
  forEachRepeat(
    t,
    (g) => (g.tencent?.eipAddressIp === undefined ? undefined : `${g.region}/${g.tencent.eipAddressIp}`),
    (g, at, first) =>
      report(
        'tencent.eip.duplicate',
        joinPath(at, 'eip', 'addressIp'),
        `EIP ${g.tencent?.eipAddressIp} is already bound by group ${first.group.name} (${first.at})`,
        'give each group its own EIP',
      ),
  );
};

/**
 * `tencent.vpc.havips.quota`: at most 10 HAVIPs per VPC by default, counted here within the topology
 * (`havip validate --live` also counts the HAVIPs outside it and reads the account's quota).
 */
export const haVipsPerVpc: TopologyRule<TencentStaticCode> = (t, report) => {
  const seen = new Map<string, Set<string>>();
  t.groups.forEach((g, gi) => {
    if (g.tencent === undefined || g.haVipId === undefined) return;
    const vpc = `${g.region}/${g.tencent.vpcId}`;
    const haVips = seen.get(vpc) ?? new Set<string>();
    seen.set(vpc, haVips);
    if (haVips.has(g.haVipId)) return;
    haVips.add(g.haVipId);
    if (haVips.size !== TENCENT_DEFAULT_HAVIPS_PER_VPC + 1) return;
    report(
      'tencent.vpc.havips.quota',
      joinPath(`groups[${gi}]`, 'haVipId'),
      `VPC ${g.tencent.vpcId} would hold more than ${TENCENT_DEFAULT_HAVIPS_PER_VPC} HAVIPs (Tencent's default vpc-max-havips)`,
      'use fewer HAVIPs in the VPC, or raise the quota and check it with havip validate --live',
    );
  });
};
