/**
 * The shape every cloud's field rules share: a problem with one value, the id rule (a pattern, and a
 * hint that names the likely slip: capitals, spaces, or an id of the other cloud, since copying a group
 * between clouds is the likely mistake), and the check that reports a problem at a path. Alibaba's
 * rules are in `field-rules.ts`, Tencent's in `tencent/field-rules.ts`.
 */
import type { Report } from '../findings.js';

/** What is wrong with one value, as a field rule reports it. */
export interface FieldProblem<C extends string> {
  readonly code: C;
  readonly message: string;
  readonly hint: string;
}

/** A field rule: the problem with one value, or undefined for a good one. */
export type FieldCheck<V, C extends string> = (value: V) => FieldProblem<C> | undefined;

/** How one cloud explains an id that does not match. */
export interface IdHints {
  /** The cloud's name, as in "Alibaba Cloud ids are lowercase". */
  readonly cloud: string;
  /** Where to copy a good id from. */
  readonly copy: string;
  /** When `id` is well formed for the other cloud: what to add to the message, and the hint. */
  readonly foreign: (id: string) => { readonly detail: string; readonly hint: string } | undefined;
}

/** The rule for one kind of id: `what` and `example` name the shape in the message. */
export function idRule<C extends string>(
  code: C,
  pattern: RegExp,
  what: string,
  example: string,
  hints: IdHints,
): FieldCheck<string, C> {
  return (id) => {
    if (pattern.test(id)) return undefined;
    const message = `must be ${what} like ${example}, got ${JSON.stringify(id)}`;
    // An id of the other cloud is lowercase without spaces, so it never needs the hints below.
    const foreign = hints.foreign(id);
    if (foreign !== undefined) return { code, message: message + foreign.detail, hint: foreign.hint };
    const lower = id.toLowerCase();
    return {
      code,
      message,
      hint:
        lower !== id && pattern.test(lower)
          ? `${hints.cloud} ids are lowercase`
          : id.trim() !== id
            ? 'remove the surrounding spaces'
            : hints.copy,
    };
  };
}

/** Reports `problem`, when there is one, at `path`. */
export type Check<C extends string> = (problem: FieldProblem<C> | undefined, path: string) => void;

/** The {@link Check} that reports through `report`. */
export function checkWith<C extends string>(report: Report<C>): Check<C> {
  return (problem, path) => {
    if (problem) report(problem.code, path, problem.message, problem.hint);
  };
}
