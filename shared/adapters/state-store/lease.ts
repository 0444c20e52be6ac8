/**
 * The lease rules every adapter applies to its group row: when a lease is free, whether an epoch may act
 * (`assertEpoch` and every fenced write), and the `StaleEpochError` a refused write reports.
 */
import { StaleEpochError } from '../../core/errors.js';
import type { GroupName } from '../../core/model.js';
import type { Lease } from '../../core/ports.js';

/** A lease as every adapter stores it. `released` leases keep their epoch for the counter. */
export interface StoredLease {
  readonly group: GroupName;
  readonly epoch: number;
  readonly holder: string;
  readonly expiresAt: number;
  readonly released: boolean;
}

export type LeaseVerdict = 'current' | 'no-lease' | 'superseded' | 'not-issued' | 'released' | 'expired';

/** Why `epoch` may or may not act for the group at `now` (a lease is live while `now < expiresAt`). */
export function leaseVerdict(row: StoredLease | undefined, epoch: number, now: number): LeaseVerdict {
  if (row === undefined) return 'no-lease';
  if (row.epoch > epoch) return 'superseded';
  if (row.epoch < epoch) return 'not-issued';
  if (row.released) return 'released';
  if (row.expiresAt <= now) return 'expired';
  return 'current';
}

/** Whether a new acquirer may take the lease at `now`. */
export function isLeaseFree(row: StoredLease, now: number): boolean {
  return row.released || row.expiresAt <= now;
}

/** The port's view of a stored lease (without the `released` flag). */
export function toLease(row: StoredLease): Lease {
  return { group: row.group, epoch: row.epoch, holder: row.holder, expiresAt: row.expiresAt };
}

/**
 * The error for a fenced operation that did not apply, with the reason derived from the row as read
 * afterwards. Without `now`, expiry is ignored (renewal may revive our own expired lease).
 */
export function staleEpoch(
  group: string,
  epoch: number,
  row: StoredLease | undefined,
  now?: number,
): StaleEpochError {
  const verdict = leaseVerdict(row, epoch, now ?? Number.NEGATIVE_INFINITY);
  return new StaleEpochError(group, epoch, {
    reason: verdict === 'current' ? 'changed-concurrently' : verdict,
    currentEpoch: row?.epoch,
    currentExpiresAt: row?.expiresAt,
  });
}
