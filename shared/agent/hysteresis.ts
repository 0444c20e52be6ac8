/**
 * keepalived's `track_script` / `vrrp_script` hysteresis: a check goes down after `fall` consecutive
 * failures and comes back after `rise` consecutive successes; a single result in between changes nothing.
 */

export interface Hysteresis {
  readonly fall: number;
  readonly rise: number;
}

export interface CheckTally {
  /** The state the check is in (after hysteresis). */
  readonly up: boolean;
  /** Consecutive results disagreeing with `up` so far. */
  readonly streak: number;
}

/** A check's starting tally: up (keepalived's default) unless `initFail`. */
export function initialTally(initFail = false): CheckTally {
  return { up: !initFail, streak: 0 };
}

/** The tally after one result; `changed` says whether `up` flipped. */
export function recordResult(
  tally: CheckTally,
  passed: boolean,
  h: Hysteresis,
): CheckTally & { readonly changed: boolean } {
  if (passed === tally.up) return { up: tally.up, streak: 0, changed: false };
  const streak = tally.streak + 1;
  const needed = tally.up ? h.fall : h.rise;
  if (streak >= needed) return { up: passed, streak: 0, changed: true };
  return { up: tally.up, streak, changed: false };
}
