/**
 * Findings, the one report format of the parser, the static validators and the live validators:
 * `{severity, code, path, message, hint}`. This module orders them and collects them for a rule set
 * whose codes are listed, with their severity, in a table.
 */
import type { Finding, Severity } from './model.js';
import { comparePaths } from './paths.js';

/** Every code a set of rules can report, with the severity it is reported at. */
export type SeverityTable<C extends string> = Readonly<Record<C, Severity>>;

/** How a rule reports one finding; the severity comes from the rule set's {@link SeverityTable}. */
export type Report<C extends string> = (code: C, path: string, message: string, hint: string) => void;

/** Orders findings as a reader scans the document: by path (indices numerically), then by code. */
export function compareFindings(a: Finding, b: Finding): number {
  return comparePaths(a.path, b.path) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

/** Sorts `findings` in place with {@link compareFindings} and returns them. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(compareFindings);
}

/**
 * Runs `rules` with a {@link Report} that looks each code's severity up in `codes`, and returns the
 * frozen findings sorted with {@link compareFindings}.
 */
export function collectFindings<C extends string>(
  codes: SeverityTable<C>,
  rules: (report: Report<C>) => void,
): Finding[] {
  const out: Finding[] = [];
  rules((code, path, message, hint) => {
    out.push(Object.freeze({ severity: codes[code], code, path, message, hint }));
  });
  return sortFindings(out);
}
