/**
 * Static validation of a topology: Alibaba's HaVip quotas and the topology rules the orchestrator
 * relies on, checked without calling the cloud.
 *
 * The rules are a table (docs/configuration.md, "Validation codes"), and so is the code: each rule is a
 * small named function in `validate/`, reporting the codes its doc comment names.
 * - **Field rules** (`validate/field-rules.ts`): the format or range of one value (an id, an IP, a
 *   priority). The topology parser runs them as part of its schema, so a document with a bad field
 *   never becomes a `Topology`; {@link validateTopology} runs them again so a `Topology` built in code
 *   gets the same findings, with the same codes and messages.
 * - **Topology rules**: relations between fields, groups and quotas, cloud-neutral
 *   (`validate/common-rules.ts`) or Alibaba's (`validate/alibaba/`). Only {@link validateTopology}
 *   runs them, so `havip validate` can report every such finding at once.
 */
import { ConfigError } from './errors.js';
import { sortFindings } from './findings.js';
import type { CloudKind, Finding, Topology } from './model.js';
import { ALIBABA_CODES, ALIBABA_RULE_SET, type AlibabaCode } from './validate/alibaba/rule-set.js';
import { cloudsOf, partOn } from './validate/clouds.js';
import { uniqueGroupNames } from './validate/common-rules.js';
import { type RuleSet, runRuleSet } from './validate/rule-set.js';
import { TENCENT_RULE_SET } from './validate/tencent/rule-set.js';

export {
  checkAllocationId,
  checkGroupName,
  checkHaVipId,
  checkMemberId,
  checkMemberIp,
  checkPriority,
  checkRegionId,
  checkVSwitchId,
  type FieldCode,
  GROUP_NAME_PATTERN,
  PRIORITY_OWNER_MESSAGE,
  type Problem,
} from './validate/field-rules.js';
export { TENCENT_CODES, type TencentCode } from './validate/tencent/rule-set.js';

/** Every code {@link validateTopology} can report. */
export type ValidationCode = AlibabaCode;

/**
 * Every code {@link validateTopology} can report, with its severity. Field-rule codes are also
 * reported by the parser. docs/configuration.md documents each one.
 */
export const VALIDATION_CODES = ALIBABA_CODES;

/**
 * Runs every static rule over `t`. Findings are sorted by path (indices numerically), then by code.
 * Paths point at the effective group setting, which may have been inherited from `defaults`.
 */
export function validateTopology(t: Topology): Finding[] {
  const clouds = cloudsOf(t);
  if (!clouds.has('tencent')) return runRuleSet(t, ALIBABA_RULE_SET);
  const findings = [
    ...(clouds.has('alibaba') ? onCloud(t, 'alibaba', ALIBABA_RULE_SET) : []),
    ...onCloud(t, 'tencent', TENCENT_RULE_SET),
  ];
  // Group names key the lease, journal and API across clouds too.
  if (clouds.size > 1) findings.push(...runRuleSet(t, { codes: ALIBABA_CODES, rules: [uniqueGroupNames] }));
  return sortFindings(unique(findings));
}

/** Runs one cloud's rule set over that cloud's groups, with paths into the whole document. */
function onCloud<C extends string>(t: Topology, cloud: CloudKind, set: RuleSet<C>): Finding[] {
  const part = partOn(t, cloud);
  return runRuleSet(part.topology, set).map(part.toDocument);
}

function unique(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}\u0000${f.path}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Throws {@link ConfigError} (`config.invalid`) listing every error-severity finding; warnings pass. */
export function assertValid(t: Topology): void {
  const errors = validateTopology(t).filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    throw new ConfigError(`topology is invalid: ${plural(errors.length, 'error')}`, errors);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
