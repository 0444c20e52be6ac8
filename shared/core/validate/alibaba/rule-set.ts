/**
 * Alibaba Cloud's static rule set: the field rules, the cloud-neutral rules, the HaVip binding rules and
 * the HaVip quotas. The rules are listed in the order of the table in docs/configuration.md.
 */
import type { SeverityTable } from '../../findings.js';
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
import { FIELD_CODES, type FieldCode, fieldRules } from '../field-rules.js';
import { eachGroup, type RuleSet } from '../rule-set.js';
import {
  addressToFailOver,
  HAVIP_CODES,
  type HaVipCode,
  keepalivedNeedsHaVip,
  noDirectEipWithHaVip,
  oneGroupPerEip,
  oneGroupPerHaVip,
  oneMemberKind,
  regionOffersHaVip,
} from './havip-rules.js';
import {
  eipsPerHaVip,
  haVipsPerInstance,
  haVipsPerRegion,
  membersPerHaVip,
  QUOTA_CODES,
  type QuotaCode,
} from './quota-rules.js';

/** Every code Alibaba's static rules can report. */
export type AlibabaCode = FieldCode | CommonCode | HaVipCode | QuotaCode;

export const ALIBABA_CODES: SeverityTable<AlibabaCode> = Object.freeze({
  ...FIELD_CODES,
  ...COMMON_CODES,
  ...HAVIP_CODES,
  ...QUOTA_CODES,
});

export const ALIBABA_RULE_SET: RuleSet<AlibabaCode> = Object.freeze({
  codes: ALIBABA_CODES,
  rules: Object.freeze([
    fieldRules,
    regionOffersHaVip,
    uniqueGroupNames,
    eachGroup(addressToFailOver),
    eachGroup(noDirectEipWithHaVip),
    eachGroup(keepalivedNeedsHaVip),
    eachGroup(noDelayUnderNopreempt),
    eachGroup(probeTimeoutBelowInterval),
    eachGroup(moreThanOneMember),
    eachGroup(membersPerHaVip),
    eachGroup(oneMemberKind),
    oneGroupPerHaVip,
    oneGroupPerEip,
    eipsPerHaVip,
    haVipsPerRegion,
    eachGroup(uniqueMembers),
    oneIpPerMember,
    haVipsPerInstance,
  ]),
});
