/**
 * Retry policy: full-jitter exponential backoff, only for retryable errors, capped by the invocation
 * deadline. Hand-written rather than a library because it must run on the Clock port (tests and the fault
 * campaign drive time) and stop at an absolute deadline, which general-purpose retry packages do not model.
 */
import { DeadlineExceededError, HavipError } from './errors.js';
import type { Clock } from './ports.js';

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 3_000 };

/** Full jitter: a uniform delay in [0, min(max, base·2^attempt)]. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}

export function isRetryable(e: unknown): boolean {
  return e instanceof HavipError && e.retryable;
}

/**
 * Sleeps the backoff for `attempt`, or throws `DeadlineExceededError` (carrying the last error) when the
 * sleep would pass the deadline.
 */
export async function backoffOrGiveUp(
  attempt: number,
  clock: Clock,
  deadline: number,
  policy: BackoffPolicy,
  random: () => number,
  what: string,
  lastError: unknown,
): Promise<void> {
  const delay = Math.max(1, backoffDelay(attempt, policy, random));
  if (clock.now() + delay >= deadline) {
    throw new DeadlineExceededError(what, {
      attempts: attempt + 1,
      lastError: lastError instanceof HavipError ? lastError.code : String(lastError),
    });
  }
  await clock.sleep(delay);
}
