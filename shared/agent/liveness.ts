/**
 * Peer liveness, keepalived style: a peer is silent once no valid advert has arrived for the advert
 * interval × the dead factor (keepalived's master-down interval, without the priority skew). A peer not
 * heard from since watching began counts from that moment, so a peer that is already down is declared
 * silent after the same interval. Pure: every call takes the time.
 */
import type { CheckState } from '../events/agent-report.js';

export type PeerState = 'waiting' | 'alive' | 'silent';

/** What a peer's last valid advert said about itself. */
export interface Advertised {
  readonly checks: CheckState;
  readonly draining: boolean;
}

export interface PeerRecord {
  readonly state: PeerState;
  /** When the last valid advert arrived (receiver's clock); undefined if none yet. */
  readonly lastSeenAt: number | undefined;
  /**
   * When watching began, or when the agent last resumed from a stall: silence is counted from the later
   * of this and `lastSeenAt`.
   */
  readonly watchSince: number;
  readonly advertised: Advertised | undefined;
}

export type LivenessEvent =
  | { readonly kind: 'silent'; readonly lastSeenAt: number | undefined }
  | { readonly kind: 'recovered' }
  | { readonly kind: 'first-heard' }
  | { readonly kind: 'advertised-changed'; readonly from: Advertised; readonly to: Advertised };

export function watchPeer(now: number): PeerRecord {
  return { state: 'waiting', lastSeenAt: undefined, watchSince: now, advertised: undefined };
}

/** A valid advert arrived. */
export function heard(
  rec: PeerRecord,
  now: number,
  advertised: Advertised,
): { rec: PeerRecord; events: LivenessEvent[] } {
  const events: LivenessEvent[] = [];
  if (rec.state === 'silent') events.push({ kind: 'recovered' });
  if (rec.state === 'waiting') events.push({ kind: 'first-heard' });
  const before = rec.advertised;
  if (
    before !== undefined &&
    (before.checks !== advertised.checks || before.draining !== advertised.draining)
  ) {
    events.push({ kind: 'advertised-changed', from: before, to: advertised });
  }
  return { rec: { ...rec, state: 'alive', lastSeenAt: now, advertised }, events };
}

/** When the peer turns silent unless an advert arrives first; undefined once it is silent. */
export function deadline(rec: PeerRecord, deadMs: number): number | undefined {
  if (rec.state === 'silent') return undefined;
  return Math.max(rec.lastSeenAt ?? rec.watchSince, rec.watchSince) + deadMs;
}

/**
 * The agent itself was stalled (frozen, starved, suspended) until `now`: the silence it would measure is
 * its own, and the adverts that arrived meanwhile are still unread in the socket. A fresh dead interval
 * from `now` lets them be read before anyone is declared silent.
 */
export function resumed(rec: PeerRecord, now: number): PeerRecord {
  return rec.state === 'silent' ? rec : { ...rec, watchSince: now };
}

/** Declares the peer silent if its deadline has passed. */
export function expire(
  rec: PeerRecord,
  now: number,
  deadMs: number,
): { rec: PeerRecord; event: LivenessEvent | undefined } {
  const due = deadline(rec, deadMs);
  if (due === undefined || now < due) return { rec, event: undefined };
  return {
    rec: { ...rec, state: 'silent' },
    event: { kind: 'silent', lastSeenAt: rec.lastSeenAt },
  };
}
