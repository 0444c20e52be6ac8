/**
 * Tencent Cloud's static rule set: the Tencent field rules, the cloud-neutral rules and Tencent's HAVIP
 * rules. It runs over the Tencent groups of a topology (validate.ts gives it only those).
 */
import type { SeverityTable } from '../../findings.js';
import { REGION_ID_PATTERN } from '../../regions.js';
import {
  COMMON_CODES,
  type CommonCode,
  moreThanOneMember,
  noDelayUnderNopreempt,
  oneIpPerMember,
  probeTimeoutBelowInterval,
  uniqueGroupNames,
  uniqueMembers,
} from '../common-rules.js';
import { eachGroup, type RuleSet, type TopologyRule } from '../rule-set.js';
import {
  SHARED_FIELD_CODES,
  type SharedFieldCode,
  TENCENT_FIELD_CODES,
  type TencentFieldCode,
  tencentFieldRules,
} from './field-rules.js';
import {
  atMostTenMembers,
  haVipsPerVpc,
  noStopFencing,
  oneGroupPerTencentEip,
  oneGroupPerTencentHaVip,
  oneTargetType,
  TENCENT_STATIC_CODES,
  type TencentStaticCode,
} from './static-rules.js';

/** Every code Tencent's static rules can report. */
export type TencentCode = SharedFieldCode | TencentFieldCode | CommonCode | TencentStaticCode;

export const TENCENT_CODES: SeverityTable<TencentCode> = Object.freeze({
  ...SHARED_FIELD_CODES,
  ...TENCENT_FIELD_CODES,
  ...COMMON_CODES,
  ...TENCENT_STATIC_CODES,
});

/** `region.format` of each Tencent group's region (Alibaba's HaVip region list does not apply). */
const regionFormat: TopologyRule<TencentCode> = (t, report) => {
  t.groups.forEach((g, gi) => {
    if (REGION_ID_PATTERN.test(g.region)) return;
    report(
      'region.format',
      `groups[${gi}].region`,
      `must be a Tencent Cloud region id like ap-guangzhou, got ${JSON.stringify(g.region)}`,
      'use the region id, not its display name (ap-shanghai, not "South China (Guangzhou)")',
    );
  });
};

export const TENCENT_RULE_SET: RuleSet<TencentCode> = Object.freeze({
  codes: TENCENT_CODES,
  rules: Object.freeze([
    regionFormat,
    eachGroup(tencentFieldRules),
    uniqueGroupNames,
    eachGroup(noDelayUnderNopreempt),
    eachGroup(probeTimeoutBelowInterval),
    eachGroup(moreThanOneMember),
    eachGroup(atMostTenMembers),
    eachGroup(oneTargetType),
    eachGroup(noStopFencing),
    oneGroupPerTencentHaVip,
    oneGroupPerTencentEip,
    haVipsPerVpc,
    eachGroup(uniqueMembers),
    oneIpPerMember,
  ]),
});
