/**
 * The shape of a static rule set. A cloud's topology rules are a {@link RuleSet}: the table of codes it
 * can report (with severities, as docs/configuration.md lists them) and the rules themselves, each a
 * small named function. Alibaba's set is in `alibaba/rule-set.ts`; another cloud's set sits beside it,
 * built from the cloud-neutral rules (`field-rules.ts`, `common-rules.ts`) and its own.
 */
import { collectFindings, type Report, type SeverityTable } from '../findings.js';
import type { Finding, Group, Topology } from '../model.js';

/** A rule over the whole topology; it reports each finding through `report`. */
export type TopologyRule<C extends string> = (t: Topology, report: Report<C>) => void;

/** A rule over one group; `at` is the group's path (`groups[1]`). */
export type GroupRule<C extends string> = (g: Group, at: string, t: Topology, report: Report<C>) => void;

/** Runs a {@link GroupRule} on every group, in document order. */
export function eachGroup<C extends string>(rule: GroupRule<C>): TopologyRule<C> {
  return (t, report) => {
    t.groups.forEach((g, gi) => {
      rule(g, `groups[${gi}]`, t, report);
    });
  };
}

/**
 * Calls `repeated` for every group whose key (when it has one) an earlier group already has, with the
 * first group that had it: the shape of every "one per topology" rule.
 */
export function forEachRepeat(
  t: Topology,
  keyOf: (g: Group) => string | undefined,
  repeated: (g: Group, at: string, first: { readonly group: Group; readonly at: string }) => void,
): void {
  const firsts = new Map<string, { group: Group; at: string }>();
  t.groups.forEach((g, gi) => {
    const key = keyOf(g);
    if (key === undefined) return;
    const at = `groups[${gi}]`;
    const first = firsts.get(key);
    if (first === undefined) firsts.set(key, { group: g, at });
    else repeated(g, at, first);
  });
}

export interface RuleSet<C extends string> {
  /** Every code the rules can report, with its severity. */
  readonly codes: SeverityTable<C>;
  readonly rules: readonly TopologyRule<C>[];
}

/** Runs every rule of `set` over `t`; findings are sorted by path (indices numerically), then by code. */
export function runRuleSet<C extends string>(t: Topology, set: RuleSet<C>): Finding[] {
  return collectFindings(set.codes, (report) => {
    for (const rule of set.rules) rule(t, report);
  });
}
