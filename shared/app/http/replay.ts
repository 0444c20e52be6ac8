/**
 * Replay protection for HMAC-signed requests: each signature is accepted once within the window. The
 * guard is a port: deployed, a store-backed one (`StateStore.markEventSeen`) covers every FC instance;
 * the in-process one here serves a single server (local mode, tests).
 */
import type { Clock } from '../../core/ports.js';

/**
 * `first`: remembered now, accept. `replayed`: seen within its TTL, refuse. `full`: this principal has
 * as many live signatures as the guard may remember, refuse (a guard never forgets a live signature to
 * make room, or enough requests of one's own would make someone else's captured request valid again).
 */
export type ReplayVerdict = 'first' | 'replayed' | 'full';

export interface ReplayEntry {
  /** The authenticated key id (the signature was verified before the guard is asked). */
  readonly principal: string;
  /** What identifies the signed request; the same key within `ttlMs` is a replay. */
  readonly key: string;
  readonly ttlMs: number;
}

export type ReplayGuard = (entry: ReplayEntry) => Promise<ReplayVerdict>;

/**
 * A guard over a store's `markEventSeen(key, ttlMs, now)` (true the first time a key is seen within its
 * TTL): shared by every instance, and never forgets a live key.
 */
export function storeReplayGuard(
  markEventSeen: (key: string, ttlMs: number, now: number) => Promise<boolean>,
  clock: Pick<Clock, 'now'>,
): ReplayGuard {
  return async ({ key, ttlMs }) =>
    (await markEventSeen(`hmac:${key}`, ttlMs, clock.now())) ? 'first' : 'replayed';
}

/**
 * Default room per principal: at the default TTL (601 s) a key may sign about 33 requests a second,
 * sustained, before its own requests are refused; other keys are not affected.
 */
export const DEFAULT_MAX_ENTRIES_PER_PRINCIPAL = 20_000;

/**
 * An in-process guard for a single server. Behind several FC instances pass {@link storeReplayGuard}
 * instead, or a signature could be replayed once per instance. Memory is bounded per principal (and
 * principals are the configured keys); a principal whose room is full gets `full` until its oldest
 * signatures expire, and no other principal's entries are touched.
 */
export function memoryReplayGuard(
  clock: Pick<Clock, 'now'>,
  maxEntriesPerPrincipal = DEFAULT_MAX_ENTRIES_PER_PRINCIPAL,
): ReplayGuard {
  const byPrincipal = new Map<string, Map<string, number>>();
  return async ({ principal, key, ttlMs }) => {
    const now = clock.now();
    let seen = byPrincipal.get(principal);
    if (seen === undefined) {
      seen = new Map();
      byPrincipal.set(principal, seen);
    }
    for (const [k, expires] of seen) {
      if (expires > now) break; // insertion order ≈ expiry order: the rest are younger
      seen.delete(k);
    }
    const expires = seen.get(key);
    if (expires !== undefined && expires > now) return 'replayed';
    seen.delete(key);
    if (seen.size >= maxEntriesPerPrincipal) return 'full';
    seen.set(key, now + ttlMs);
    return 'first';
  };
}
