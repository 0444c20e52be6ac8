/**
 * Field rules: the format or range of one value (an id, an IP, a priority). The topology parser runs
 * them inside its schema, so a document with a bad field never becomes a `Topology`; the validators
 * run them again ({@link fieldRules}) so that a `Topology` built in code gets the same findings, with
 * the same codes and messages. The id formats are Alibaba Cloud's.
 */
import type { SeverityTable } from '../findings.js';
import type { Group, Topology } from '../model.js';
import { joinPath } from '../paths.js';
import { REGION_ID_PATTERN } from '../regions.js';
import { type Check, checkWith, type FieldCheck, type FieldProblem, idRule } from './id-rule.js';
import type { TopologyRule } from './rule-set.js';

/** The codes of the field rules (documented in docs/configuration.md, marked _field_). */
export const FIELD_CODES = Object.freeze({
  'region.format': 'error',
  'group.name.format': 'error',
  'group.vswitch-id.format': 'error',
  'group.havip-id.format': 'error',
  'group.eip.allocation-id.format': 'error',
  'member.id.format': 'error',
  'member.ip.format': 'error',
  'member.ip.ipv6': 'error',
  'member.ip.reserved': 'error',
  'member.priority.owner': 'error',
  'member.priority.range': 'error',
} as const satisfies SeverityTable<string>);

export type FieldCode = keyof typeof FIELD_CODES;

/** What is wrong with one value, as a field rule reports it. */
export type Problem = FieldProblem<FieldCode>;

/** The codes of the rules every cloud applies to a member's IP and priority. */
type MemberIpCode = 'member.ip.format' | 'member.ip.ipv6' | 'member.ip.reserved';
type PriorityCode = 'member.priority.owner' | 'member.priority.range';

/** The message for priority 255; the parser and the validator both use it verbatim. */
export const PRIORITY_OWNER_MESSAGE =
  'must be an integer 1–254; 255 is the keepalived address-owner priority, which a HaVip member cannot be';

/**
 * Member priority: an integer 1–254, keepalived's range for a router that does not own the address.
 * 255 means "address owner" in VRRP; with a HaVip no instance owns the address, so it is refused.
 */
export function checkPriority(priority: number): FieldProblem<PriorityCode> | undefined {
  if (Number.isInteger(priority) && priority >= 1 && priority <= 254) return undefined;
  if (priority === 255) {
    return {
      code: 'member.priority.owner',
      message: PRIORITY_OWNER_MESSAGE,
      hint: 'use 254 or lower; the highest-priority eligible member holds the HaVip',
    };
  }
  return {
    code: 'member.priority.range',
    message: `must be an integer 1–254, got ${priority}`,
    hint: 'higher wins; keepalived-style pairs often use 100 for the primary and 10 for the backup',
  };
}

const DOTTED_QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/**
 * Member IP: a dotted IPv4 address a VPC can assign. HaVip is IPv4-only, and the election's
 * tie-break compares primary IPv4 addresses as numbers, as keepalived does.
 */
export function checkMemberIp(ip: string): FieldProblem<MemberIpCode> | undefined {
  if (ip.includes(':')) {
    return {
      code: 'member.ip.ipv6',
      message: `must be an IPv4 address, got the IPv6 address ${JSON.stringify(ip)}: HaVip works only with IPv4 in a VPC, and the election tie-break compares IPv4 addresses`,
      hint: "use the member's primary private IPv4 address",
    };
  }
  const m = DOTTED_QUAD.exec(ip);
  const octets = m ? m.slice(1).map(Number) : [];
  if (!m || octets.some((o) => o > 255)) {
    return {
      code: 'member.ip.format',
      message: `must be a dotted IPv4 address like 192.168.0.11 (no leading zeros), got ${JSON.stringify(ip)}`,
      hint: "use the member's primary private IPv4 address",
    };
  }
  const reserved = reservedRange(octets as [number, number, number, number]);
  if (reserved) {
    return {
      code: 'member.ip.reserved',
      message: `${ip} is ${reserved}, which a VPC never assigns to an instance`,
      hint: "use the member's primary private IPv4 address (ECS console → instance → Primary private IP)",
    };
  }
  return undefined;
}

/** The kind of address a VPC never assigns, or undefined for an assignable one. */
function reservedRange([a, b]: readonly [number, number, number, number]): string | undefined {
  if (a === 0) return 'an unspecified ("this network") address';
  if (a === 127) return 'a loopback address';
  if (a === 169 && b === 254) return 'a link-local address';
  if (a >= 224) return 'a multicast or reserved address';
  return undefined;
}

/** Tencent Cloud's id shapes (CVM instance, subnet, VPC), recognised so a misplaced one is named as such. */
const TENCENT_ID = /^(ins|subnet|vpc)-[a-z0-9]+$/;

const ALIBABA_HINTS = {
  cloud: 'Alibaba Cloud',
  copy: 'copy the id from the console or the DescribeXxx API',
  foreign: (id: string) =>
    TENCENT_ID.test(id)
      ? {
          detail: '',
          hint: 'that is a Tencent Cloud id: set cloud: tencent on the group (or the file), or copy the Alibaba id from the console',
        }
      : undefined,
};

const alibabaIdRule = <C extends FieldCode>(code: C, pattern: RegExp, what: string, example: string) =>
  idRule(code, pattern, what, example, ALIBABA_HINTS);

/** A member id: an ECS instance (`i-…`) or an ENI (`eni-…`). The member kind follows from the prefix. */
export const checkMemberId = alibabaIdRule(
  'member.id.format',
  /^(i|eni)-[a-z0-9]{1,60}$/,
  'an ECS instance id (i-…) or an ENI id (eni-…)',
  'i-bp1demo0000000000001',
);
/** A HaVip id (`havip-…`). */
export const checkHaVipId = alibabaIdRule(
  'group.havip-id.format',
  /^havip-[a-z0-9]{1,60}$/,
  'a HaVip id',
  'havip-bp1demo0000000000001',
);
/** A vSwitch id (`vsw-…`). */
export const checkVSwitchId = alibabaIdRule(
  'group.vswitch-id.format',
  /^vsw-[a-z0-9]{1,60}$/,
  'a vSwitch id',
  'vsw-bp1demo0000000000001',
);
/** An EIP allocation id (`eip-…`). */
export const checkAllocationId = alibabaIdRule(
  'group.eip.allocation-id.format',
  /^eip-[a-z0-9]{1,60}$/,
  'an EIP allocation id',
  'eip-bp1demo0000000000001',
);

/** Group names appear in store keys, URLs and ClientTokens, so they are kept to a safe alphabet. */
export const GROUP_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export function checkGroupName(name: string): FieldProblem<'group.name.format'> | undefined {
  if (GROUP_NAME_PATTERN.test(name)) return undefined;
  return {
    code: 'group.name.format',
    message: `must be 1–63 characters of lowercase letters, digits and dashes, starting with a letter or digit, got ${JSON.stringify(name)}`,
    hint: 'e.g. web or db-primary; the name appears in URLs, store keys and ClientTokens',
  };
}

/** A region id's shape; whether HaVip is offered there is a separate warning (`region.unknown`). */
export function checkRegionId(region: string): Problem | undefined {
  if (REGION_ID_PATTERN.test(region)) return undefined;
  return {
    code: 'region.format',
    message: `must be an Alibaba Cloud region id like cn-hangzhou, got ${JSON.stringify(region)}`,
    hint: 'use the region id, not its display name (cn-shanghai, not "China (Shanghai)")',
  };
}

/**
 * The regions a topology names, each where it is written: the top-level region, then each group's
 * region where it differs from the top level (a group that inherits it was checked at `region`).
 */
export function regionsAt(t: Topology): { readonly region: string; readonly path: string }[] {
  return [
    { region: t.region, path: 'region' },
    ...t.groups.flatMap((g, gi) =>
      g.region === t.region ? [] : [{ region: g.region, path: joinPath(`groups[${gi}]`, 'region') }],
    ),
  ];
}

/** The field rules of every member of `g` (at `base`): the cloud's id rule, then the IP and priority. */
export function checkMembers<C extends string>(
  g: Group,
  base: string,
  checkId: FieldCheck<string, C>,
  check: Check<C | MemberIpCode | PriorityCode>,
): void {
  g.members.forEach((m, mi) => {
    const mp = joinPath(base, 'members', mi);
    check(checkId(m.id), joinPath(mp, 'id'));
    check(checkMemberIp(m.ip), joinPath(mp, 'ip'));
    check(checkPriority(m.priority), joinPath(mp, 'priority'));
  });
}

/** Every field rule over every field of the topology they apply to. */
export const fieldRules: TopologyRule<FieldCode> = (t, report) => {
  const check = checkWith(report);
  for (const { region, path } of regionsAt(t)) check(checkRegionId(region), path);
  t.groups.forEach((g, gi) => {
    const base = `groups[${gi}]`;
    check(checkGroupName(g.name), joinPath(base, 'name'));
    check(checkVSwitchId(g.vSwitchId), joinPath(base, 'vSwitchId'));
    if (g.haVipId !== undefined) check(checkHaVipId(g.haVipId), joinPath(base, 'haVipId'));
    if (g.eip !== undefined)
      check(checkAllocationId(g.eip.allocationId), joinPath(base, 'eip', 'allocationId'));
    checkMembers(g, base, checkMemberId, check);
  });
};
