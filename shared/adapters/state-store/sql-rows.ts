/**
 * The rows of the SQL stores (SQLite and PostgreSQL), which lay out the lease, signals, observations and
 * probe health in the same columns, and how each row reads as the store-neutral record. Each store keeps its
 * own statements; only SQLite's flags (`released`, `probe_healthy`) differ in type (0/1 rather than a boolean).
 */
import type { GroupName, MemberId } from '../../core/model.js';
import type { MemberHealthState } from '../../core/ports.js';
import type { StoredLease } from './lease.js';
import type { StoredObservation } from './observations.js';
import type { StoredSignal } from './signals.js';

/** The lease columns of a group row; `released` is a boolean in PostgreSQL and 0 or 1 in SQLite. */
export interface LeaseRow<Flag extends boolean | number> {
  epoch: number;
  holder: string;
  expires_at: number;
  released: Flag;
}

export function fromLeaseRow(group: string, r: LeaseRow<boolean | number>): StoredLease {
  return {
    group: group as GroupName,
    epoch: r.epoch,
    holder: r.holder,
    expiresAt: r.expires_at,
    released: isSet(r.released),
  };
}

const isSet = (flag: boolean | number): boolean => flag !== false && flag !== 0;

/** A `signals` row; `kind` holds the slot. */
export interface SignalRow {
  member_id: string;
  kind: string;
  received_at: number;
  sequence: number | null;
  event_id: string | null;
  payload: string;
}

export function fromSignalRow(r: SignalRow): StoredSignal {
  return {
    memberId: r.member_id,
    kind: r.kind,
    receivedAt: r.received_at,
    sequence: r.sequence ?? undefined,
    eventId: r.event_id ?? undefined,
    payload: r.payload,
  };
}

/** An `observations` row. */
export interface ObservationRow {
  group_name: string;
  observed_at: number;
  payload: string;
}

export function fromObservationRow(r: ObservationRow): StoredObservation {
  return { group: r.group_name, observedAt: r.observed_at, payload: r.payload };
}

/** A `health` row; `probe_healthy` is a boolean in PostgreSQL and 0 or 1 in SQLite. */
export interface HealthRow<Flag extends boolean | number> {
  member_id: string;
  probe_healthy: Flag;
  consecutive_failures: number;
  consecutive_successes: number;
  eligible_since: number | null;
  ineligible_since: number | null;
  updated_at: number;
  version: number;
}

export function fromHealthRow(r: HealthRow<boolean | number>): MemberHealthState {
  return {
    memberId: r.member_id as MemberId,
    probeHealthy: isSet(r.probe_healthy),
    consecutiveFailures: r.consecutive_failures,
    consecutiveSuccesses: r.consecutive_successes,
    eligibleSince: r.eligible_since ?? undefined,
    ineligibleSince: r.ineligible_since ?? undefined,
    updatedAt: r.updated_at,
    version: r.version,
  };
}
