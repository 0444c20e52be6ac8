/**
 * What every trigger parser returns: the core's signals (`shared/core/signals.ts`), whatever the payload
 * looked like, plus what it ignored and why.
 */
import type { InputIssue } from '../core/errors.js';
import type { Signal } from '../core/signals.js';

/**
 * Something in the payload that produced no signal. `issues` is present only when the element was
 * malformed (inside a batch, where one bad element must not hold up the good ones); otherwise the
 * element was well-formed but not something the orchestrator acts on.
 */
export interface IgnoredEvent {
  readonly eventId?: string;
  readonly reason: string;
  readonly issues?: readonly InputIssue[];
}

export interface ParseResult {
  readonly signals: Signal[];
  readonly ignored: IgnoredEvent[];
}
