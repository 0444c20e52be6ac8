/**
 * The member and event records: the latest signal per (member, kind), probe health with its CAS version,
 * and event de-duplication. Each write is one conditional statement; when its answer is lost, the row is
 * read back and a write that shows there is recognised as ours, so a retry never reports a write twice
 * or loses one.
 */
import type { MemberId } from '../../core/model.js';
import type { MemberHealthState } from '../../core/ports.js';
import { type LatestSignals, latestOf, type SignalRecord } from '../../core/signals.js';
import {
  decodeSignal,
  encodeSignal,
  fromHealthRow,
  fromSignalRow,
  type HealthRow,
  isNewerSignal,
  type SignalRow,
  type StoredSignal,
} from '../state-store/index.js';
import type { PgDatabase } from './database.js';
import { contention, isOutcomeUnknown } from './group-row.js';

const READ = { idempotent: true } as const;
const ONCE = { idempotent: false } as const;

// -- signals ---------------------------------------------------------------------------------------

function sameSignal(a: StoredSignal, b: StoredSignal): boolean {
  return (
    a.receivedAt === b.receivedAt &&
    a.sequence === b.sequence &&
    a.eventId === b.eventId &&
    a.payload === b.payload
  );
}

/**
 * Read, compare with `isNewerSignal`, then write on the condition that the row still has the order
 * columns we compared with. That suffices: whether a signal is newer depends on those columns only.
 */
export async function recordSignal(
  db: PgDatabase,
  maxAttempts: number,
  signal: SignalRecord,
): Promise<boolean> {
  const s = encodeSignal(signal);
  const t = db.tables.signals;
  const values = [s.memberId, s.kind, s.receivedAt, s.sequence ?? null, s.eventId ?? null, s.payload];
  let lostAnswer = false;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const rows = await db.query<SignalRow>(
      'recordSignal',
      `SELECT * FROM ${t} WHERE member_id = $1 AND kind = $2`,
      [s.memberId, s.kind],
      READ,
    );
    const existing = rows[0] === undefined ? undefined : fromSignalRow(rows[0]);
    if (existing !== undefined && lostAnswer && sameSignal(existing, s)) return true;
    if (existing !== undefined && !isNewerSignal(s, existing)) return false;
    const write =
      existing === undefined
        ? `INSERT INTO ${t} (member_id, kind, received_at, sequence, event_id, payload)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1`
        : `UPDATE ${t} SET received_at = $3, sequence = $4, event_id = $5, payload = $6
            WHERE member_id = $1 AND kind = $2
              AND received_at = $7 AND sequence IS NOT DISTINCT FROM $8 RETURNING 1`;
    const order = existing === undefined ? [] : [existing.receivedAt, existing.sequence ?? null];
    try {
      if ((await db.query('recordSignal', write, [...values, ...order], ONCE)).length === 1) return true;
    } catch (e) {
      if (!isOutcomeUnknown(e)) throw e;
      lostAnswer = true;
    }
  }
  throw contention(db, 'recordSignal', `signal ${s.memberId}/${s.kind}`);
}

export async function latestSignals(
  db: PgDatabase,
  memberIds: readonly MemberId[],
): Promise<Map<MemberId, LatestSignals>> {
  const out = new Map<MemberId, LatestSignals>(memberIds.map((id) => [id, {}]));
  if (memberIds.length === 0) return out;
  const rows = await db.query<SignalRow>(
    'latestSignals',
    `SELECT * FROM ${db.tables.signals} WHERE member_id = ANY($1)`,
    [memberIds],
    READ,
  );
  // One row per slot: a member's own kinds and one peer report per reporter (`signalSlot`).
  const byMember = new Map<MemberId, SignalRecord[]>();
  for (const row of rows) {
    const s = decodeSignal(`signal ${row.member_id}/${row.kind} in PostgreSQL`, fromSignalRow(row));
    byMember.set(s.memberId, [...(byMember.get(s.memberId) ?? []), s]);
  }
  for (const [id, records] of byMember) out.set(id, latestOf(records));
  return out;
}

// -- health ----------------------------------------------------------------------------------------

export async function getHealth(
  db: PgDatabase,
  memberIds: readonly MemberId[],
): Promise<Map<MemberId, MemberHealthState>> {
  const out = new Map<MemberId, MemberHealthState>();
  if (memberIds.length === 0) return out;
  const rows = await db.query<HealthRow<boolean>>(
    'getHealth',
    `SELECT * FROM ${db.tables.health} WHERE member_id = ANY($1)`,
    [memberIds],
    READ,
  );
  for (const row of rows) out.set(row.member_id as MemberId, fromHealthRow(row));
  return out;
}

/** Compare-and-set on `version`. After a lost answer, the row at `expectedVersion + 1` with our values is ours. */
export async function putHealth(
  db: PgDatabase,
  state: Omit<MemberHealthState, 'version'>,
  expectedVersion: number,
): Promise<boolean> {
  const t = db.tables.health;
  const values = [
    state.memberId,
    state.probeHealthy,
    state.consecutiveFailures,
    state.consecutiveSuccesses,
    state.eligibleSince ?? null,
    state.ineligibleSince ?? null,
    state.updatedAt,
  ];
  const write =
    expectedVersion === 0
      ? `INSERT INTO ${t} (member_id, probe_healthy, consecutive_failures, consecutive_successes,
           eligible_since, ineligible_since, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)
         ON CONFLICT (member_id) DO NOTHING RETURNING version`
      : `UPDATE ${t} SET probe_healthy = $2, consecutive_failures = $3, consecutive_successes = $4,
           eligible_since = $5, ineligible_since = $6, updated_at = $7, version = version + 1
         WHERE member_id = $1 AND version = $8 RETURNING version`;
  const params = expectedVersion === 0 ? values : [...values, expectedVersion];
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return (await db.query('putHealth', write, params, ONCE)).length === 1;
    } catch (e) {
      if (!isOutcomeUnknown(e)) throw e;
      const stored = (await getHealth(db, [state.memberId])).get(state.memberId);
      const still = stored?.version ?? 0;
      if (still === expectedVersion) continue; // not applied: try again
      return still === expectedVersion + 1 && sameHealth(stored, state);
    }
  }
  throw contention(db, 'putHealth', `health ${state.memberId}`);
}

function sameHealth(stored: MemberHealthState | undefined, s: Omit<MemberHealthState, 'version'>): boolean {
  return (
    stored !== undefined &&
    stored.probeHealthy === s.probeHealthy &&
    stored.consecutiveFailures === s.consecutiveFailures &&
    stored.consecutiveSuccesses === s.consecutiveSuccesses &&
    stored.eligibleSince === s.eligibleSince &&
    stored.ineligibleSince === s.ineligibleSince &&
    stored.updatedAt === s.updatedAt
  );
}

// -- dedupe ----------------------------------------------------------------------------------------

/** Expired dedupe rows are purged once every this many `markEventSeen` calls of one store, at most this many a time. */
export const DEDUPE_PURGE_EVERY = 256;
const DEDUPE_PURGE_BATCH = 1_000;

export function dedupeRows(db: PgDatabase) {
  let calls = 0;
  const purge = (now: number) =>
    db.query(
      'markEventSeen',
      `DELETE FROM ${db.tables.dedupe} WHERE event_id IN
        (SELECT event_id FROM ${db.tables.dedupe} WHERE expires_at <= $1 LIMIT ${DEDUPE_PURGE_BATCH})`,
      [now],
      { idempotent: true },
    );
  return async (eventId: string, ttlMs: number, now: number): Promise<boolean> => {
    calls += 1;
    // Before the mark: a failing purge must not hide whether the mark applied.
    if (calls % DEDUPE_PURGE_EVERY === 0) await purge(now);
    const expiresAt = now + ttlMs;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        // Insert, or refresh a row whose expiry has passed; a live row is left alone.
        const rows = await db.query(
          'markEventSeen',
          `INSERT INTO ${db.tables.dedupe} AS d (event_id, expires_at) VALUES ($1, $2)
            ON CONFLICT (event_id) DO UPDATE SET expires_at = excluded.expires_at WHERE d.expires_at <= $3
            RETURNING 1`,
          [eventId, expiresAt, now],
          ONCE,
        );
        return rows.length === 1;
      } catch (e) {
        if (!isOutcomeUnknown(e)) throw e;
        const rows = await db.query<{ expires_at: number }>(
          'markEventSeen',
          `SELECT expires_at FROM ${db.tables.dedupe} WHERE event_id = $1`,
          [eventId],
          READ,
        );
        const stored = rows[0]?.expires_at;
        if (stored === expiresAt) return true;
        if (stored !== undefined && stored > now) return false;
      }
    }
    throw contention(db, 'markEventSeen', `event ${JSON.stringify(eventId)}`);
  };
}
