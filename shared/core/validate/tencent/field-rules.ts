/**
 * Tencent Cloud's field rules: the format of one value of a Tencent group (`cloud: tencent`). An id
 * that is well formed for the other cloud gets a message saying so, because copying a group between
 * clouds is the likely mistake. The parser runs these inside its schema; the Tencent rule set runs them
 * again so a `Topology` built in code gets the same findings.
 */
import type { SeverityTable } from '../../findings.js';
import type { Group } from '../../model.js';
import { joinPath } from '../../paths.js';
import {
  type Problem as AlibabaProblem,
  checkGroupName,
  checkMemberIp,
  checkMembers,
} from '../field-rules.js';
import { checkWith, type FieldProblem, idRule } from '../id-rule.js';
import type { GroupRule } from '../rule-set.js';

/** The codes of the Tencent field rules (documented in docs/tencent-topology.md, marked _field_). */
export const TENCENT_FIELD_CODES = Object.freeze({
  'tencent.havip-id.format': 'error',
  'tencent.vpc-id.format': 'error',
  'tencent.subnet-id.format': 'error',
  'tencent.member.id.format': 'error',
  'tencent.eip.address-ip.format': 'error',
} as const satisfies SeverityTable<string>);

export type TencentFieldCode = keyof typeof TENCENT_FIELD_CODES;

/** The cloud-neutral field codes a Tencent group shares with Alibaba's (region, name, member IP, priority). */
export const SHARED_FIELD_CODES = Object.freeze({
  'region.format': 'error',
  'group.name.format': 'error',
  'member.ip.format': 'error',
  'member.ip.ipv6': 'error',
  'member.ip.reserved': 'error',
  'member.priority.owner': 'error',
  'member.priority.range': 'error',
} as const satisfies Partial<SeverityTable<AlibabaProblem['code']>>);

export type SharedFieldCode = keyof typeof SHARED_FIELD_CODES;

export type TencentProblem = FieldProblem<TencentFieldCode>;

/** Alibaba's id shapes, recognised so a misplaced one is named as such. */
const ALIBABA_IDS: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /^i-[a-z0-9]+$/, what: 'an Alibaba ECS instance id' },
  { pattern: /^vsw-[a-z0-9]+$/, what: 'an Alibaba vSwitch id' },
  { pattern: /^eip-[a-z0-9]+$/, what: 'an Alibaba EIP allocation id' },
];

const FIX_CLOUD = 'or set cloud: alibaba on the group if it is on Alibaba Cloud';

/** A Tencent id rule; `where` names the console page or API to copy a good id from. */
function tencentIdRule(
  code: TencentFieldCode,
  pattern: RegExp,
  what: string,
  example: string,
  where: string,
) {
  return idRule(code, pattern, what, example, {
    cloud: 'Tencent Cloud',
    copy: `copy the id from ${where}`,
    foreign: (id) => {
      const alibaba = ALIBABA_IDS.find((a) => a.pattern.test(id));
      if (alibaba === undefined) return undefined;
      return {
        detail: `, which is ${alibaba.what}: this group is on Tencent Cloud (cloud: tencent)`,
        hint: `copy the id from ${where}, ${FIX_CLOUD}`,
      };
    },
  });
}

/** A member of a Tencent group: a CVM instance (`ins-…`) or an ENI (`eni-…`). */
export const checkTencentMemberId = tencentIdRule(
  'tencent.member.id.format',
  /^(ins|eni)-[a-z0-9]{1,60}$/,
  'a CVM instance id (ins-…) or an ENI id (eni-…)',
  'ins-0demo001',
  'the CVM console or DescribeInstances',
);
/** A Tencent HAVIP id (`havip-…`). */
export const checkTencentHaVipId = tencentIdRule(
  'tencent.havip-id.format',
  /^havip-[a-z0-9]{1,60}$/,
  'a HAVIP id',
  'havip-0demo001',
  'the VPC console (HAVIP) or DescribeHaVips',
);
/** A Tencent VPC id (`vpc-…`). */
export const checkTencentVpcId = tencentIdRule(
  'tencent.vpc-id.format',
  /^vpc-[a-z0-9]{1,60}$/,
  'a VPC id',
  'vpc-0demo001',
  'the VPC console or DescribeVpcs',
);
/** A Tencent subnet id (`subnet-…`). */
export const checkTencentSubnetId = tencentIdRule(
  'tencent.subnet-id.format',
  /^subnet-[a-z0-9]{1,60}$/,
  'a subnet id',
  'subnet-0demo001',
  'the VPC console or DescribeSubnets',
);

/** The public IP of the EIP bound to the HAVIP (Tencent binds an EIP to a HAVIP by its address). */
export function checkTencentEipAddressIp(ip: string): TencentProblem | undefined {
  const asIp = checkMemberIp(ip);
  if (asIp === undefined) return undefined;
  const allocation = /^eip-[a-z0-9]+$/.test(ip);
  return {
    code: 'tencent.eip.address-ip.format',
    message: `must be the EIP's public IPv4 address like 203.0.113.10, got ${JSON.stringify(ip)}${allocation ? ', which is an EIP id: Tencent binds an EIP to a HAVIP by its address' : ''}`,
    hint: 'copy the public IP from the EIP console or DescribeAddresses (AddressIp)',
  };
}

/** Every Tencent field rule over one Tencent group (member IPs and priorities use the common rules). */
export const tencentFieldRules: GroupRule<TencentFieldCode | SharedFieldCode> = (
  g: Group,
  base,
  _t,
  report,
) => {
  const check = checkWith(report);
  check(checkGroupName(g.name), joinPath(base, 'name'));
  if (g.haVipId !== undefined) check(checkTencentHaVipId(g.haVipId), joinPath(base, 'haVipId'));
  if (g.tencent !== undefined) {
    check(checkTencentVpcId(g.tencent.vpcId), joinPath(base, 'vpcId'));
    check(checkTencentSubnetId(g.tencent.subnetId), joinPath(base, 'subnetId'));
    if (g.tencent.eipAddressIp !== undefined)
      check(checkTencentEipAddressIp(g.tencent.eipAddressIp), joinPath(base, 'eip', 'addressIp'));
  }
  checkMembers(g, base, checkTencentMemberId, check);
};
