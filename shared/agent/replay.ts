/**
 * The anti-replay window of IPsec (RFC 4303 §3.4.3), per group and sender: the highest sequence accepted
 * so far and a bitmap of the `WINDOW - 1` sequences below it. A higher sequence slides the window; one
 * inside it is accepted once; one below it is too old to tell apart from a replay, so it is refused.
 */

export const REPLAY_WINDOW = 64;

export interface ReplayWindow {
  /** Highest accepted sequence. */
  readonly top: number;
  /** Bit i set = sequence `top - i` was accepted (bit 0 is `top` itself). */
  readonly seen: bigint;
}

export type ReplayVerdict = 'accept' | 'replayed' | 'stale';

const FULL = (1n << BigInt(REPLAY_WINDOW)) - 1n;

/** Checks `sequence` against `window` (undefined: nothing accepted yet) and returns the new window. */
export function checkReplay(
  window: ReplayWindow | undefined,
  sequence: number,
): { verdict: ReplayVerdict; window: ReplayWindow | undefined } {
  if (window === undefined) return { verdict: 'accept', window: { top: sequence, seen: 1n } };
  if (sequence > window.top) {
    const shift = sequence - window.top;
    const seen = shift >= REPLAY_WINDOW ? 1n : ((window.seen << BigInt(shift)) | 1n) & FULL;
    return { verdict: 'accept', window: { top: sequence, seen } };
  }
  const offset = window.top - sequence;
  if (offset >= REPLAY_WINDOW) return { verdict: 'stale', window };
  const bit = 1n << BigInt(offset);
  if ((window.seen & bit) !== 0n) return { verdict: 'replayed', window };
  return { verdict: 'accept', window: { top: window.top, seen: window.seen | bit } };
}
