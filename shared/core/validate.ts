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
import type { Finding, Topology } from './model.js';
import { ALIBABA_CODES, ALIBABA_RULE_SET, type AlibabaCode } from './validate/alibaba/rule-set.js';
import { runRuleSet } from './validate/rule-set.js';

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
  return runRuleSet(t, ALIBABA_RULE_SET);
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
