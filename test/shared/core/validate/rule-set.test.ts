/**
 * The rule-set machinery another cloud's rules will plug into: a set of its own codes and rules, built
 * from the cloud-neutral rules and its own, run beside Alibaba's.
 */
import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../../../shared/core/config.js';
import {
  COMMON_CODES,
  type CommonCode,
  uniqueGroupNames,
} from '../../../../shared/core/validate/common-rules.js';
import {
  eachGroup,
  forEachRepeat,
  type RuleSet,
  runRuleSet,
} from '../../../../shared/core/validate/rule-set.js';

const member = (id: string, ip: string) => ({ id, ip });
const topology = parseTopology({
  region: 'cn-hangzhou',
  groups: [
    { name: 'a', vSwitchId: 'vsw-1', haVipId: 'havip-1', members: [member('i-1', '10.0.0.1')] },
    { name: 'b', vSwitchId: 'vsw-2', haVipId: 'havip-2', members: [member('i-2', '10.0.0.2')] },
    { name: 'a', vSwitchId: 'vsw-1', haVipId: 'havip-3', members: [member('i-3', '10.0.0.3')] },
  ],
});

type MadeUpCode = CommonCode | 'madeup.one-subnet' | 'madeup.note';
const MADE_UP: RuleSet<MadeUpCode> = {
  codes: { ...COMMON_CODES, 'madeup.one-subnet': 'error', 'madeup.note': 'warning' },
  rules: [
    uniqueGroupNames,
    (t, report) =>
      forEachRepeat(
        t,
        () => 'the one subnet',
        (g, at, first) =>
          report('madeup.one-subnet', `${at}.vSwitchId`, `${g.vSwitchId} after ${first.at}`, 'one subnet'),
      ),
    eachGroup((g, at, _t, report) => report('madeup.note', at, `group ${g.name}`, 'a note')),
  ],
};

describe('runRuleSet', () => {
  it('runs a rule set of its own codes, with their severities, sorted by path then code', () => {
    expect(runRuleSet(topology, MADE_UP).map((f) => [f.severity, f.code, f.path, f.message])).toEqual([
      ['warning', 'madeup.note', 'groups[0]', 'group a'],
      ['warning', 'madeup.note', 'groups[1]', 'group b'],
      ['error', 'madeup.one-subnet', 'groups[1].vSwitchId', 'vsw-2 after groups[0]'],
      ['warning', 'madeup.note', 'groups[2]', 'group a'],
      ['error', 'group.name.duplicate', 'groups[2].name', 'group name a is already used by groups[0]'],
      ['error', 'madeup.one-subnet', 'groups[2].vSwitchId', 'vsw-1 after groups[0]'],
    ]);
  });

  it('returns frozen findings', () => {
    const [f] = runRuleSet(topology, MADE_UP);
    expect(Object.isFrozen(f)).toBe(true);
  });
});
