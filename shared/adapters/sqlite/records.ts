/**
 * The member and event records: the latest signal per (member, slot), the latest observation per
 * group, probe health with its CAS version, event de-duplication, and the append-only history.
 */
import type Database from 'better-sqlite3';
import type { GroupName, MemberId } from '../../core/model.js';
import type { MemberHealthState, ObservationRecord } from '../../core/ports.js';
import { type LatestSignals, latestOf, type SignalRecord } from '../../core/signals.js';
import {
  decodeHistory,
  decodeObservation,
  decodeSignal,
  encodeHistory,
  encodeObservation,
  encodeSignal,
  fromHealthRow,
  fromObservationRow,
  fromSignalRow,
  type HealthRow,
  isNewerObservation,
  isNewerSignal,
  type ObservationRow,
  type SignalRow,
} from '../state-store/index.js';
import type { SyncPart } from './database.js';

/** Expired dedupe rows are purged once every this many `markEventSeen` calls (lazy cleanup). */
const DEDUPE_PURGE_EVERY = 256;

export type RecordOps = SyncPart<
  | 'recordSignal'
  | 'latestSignals'
  | 'recordObservation'
  | 'latestObservations'
  | 'getHealth'
  | 'putHealth'
  | 'markEventSeen'
  | 'appendHistory'
  | 'listHistory'
>;

export function recordRows(db: Database.Database): RecordOps {
  return {
    ...signalRows(db),
    ...observationRows(db),
    ...healthRows(db),
    ...dedupeRows(db),
    ...historyRows(db),
  };
}

function observationRows(db: Database.Database): SyncPart<'recordObservation' | 'latestObservations'> {
  const q = {
    get: db.prepare<[string], ObservationRow>('SELECT * FROM observations WHERE group_name = ?'),
    upsert: db.prepare(
      `INSERT INTO observations (group_name, observed_at, payload) VALUES (?, ?, ?)
       ON CONFLICT (group_name) DO UPDATE SET observed_at = excluded.observed_at, payload = excluded.payload`,
    ),
  };
  const record = db.transaction((observation: ObservationRecord): boolean => {
    const o = encodeObservation(observation);
    const existing = q.get.get(o.group);
    if (existing !== undefined && !isNewerObservation(o, { observedAt: existing.observed_at })) return false;
    q.upsert.run(o.group, o.observedAt, o.payload);
    return true;
  });
  return {
    recordObservation: (observation) => record.immediate(observation),
    latestObservations: (groups) => {
      const out = new Map<GroupName, ObservationRecord>();
      for (const g of groups) {
        const row = q.get.get(g);
        if (row !== undefined)
          out.set(g, decodeObservation(`observation ${row.group_name}`, fromObservationRow(row)));
      }
      return out;
    },
  };
}

function signalRows(db: Database.Database): SyncPart<'recordSignal' | 'latestSignals'> {
  const q = {
    order: db.prepare<[string, string], Pick<SignalRow, 'received_at' | 'sequence'>>(
      'SELECT received_at, sequence FROM signals WHERE member_id = ? AND kind = ?',
    ),
    signalsOf: db.prepare<[string], SignalRow>('SELECT * FROM signals WHERE member_id = ?'),
    upsert: db.prepare(
      `INSERT INTO signals (member_id, kind, received_at, sequence, event_id, payload) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (member_id, kind) DO UPDATE SET received_at = excluded.received_at,
         sequence = excluded.sequence, event_id = excluded.event_id, payload = excluded.payload`,
    ),
  };
  const record = db.transaction((signal: SignalRecord): boolean => {
    const s = encodeSignal(signal);
    const existing = q.order.get(s.memberId, s.kind);
    if (
      existing !== undefined &&
      !isNewerSignal(s, { receivedAt: existing.received_at, sequence: existing.sequence ?? undefined })
    )
      return false;
    q.upsert.run(s.memberId, s.kind, s.receivedAt, s.sequence ?? null, s.eventId ?? null, s.payload);
    return true;
  });
  return {
    recordSignal: (signal) => record.immediate(signal),
    latestSignals: (memberIds) => {
      const out = new Map<MemberId, LatestSignals>();
      for (const id of memberIds) {
        const rows = q.signalsOf.all(id);
        out.set(
          id,
          latestOf(
            rows.map((row) => decodeSignal(`signal ${row.member_id}/${row.kind}`, fromSignalRow(row))),
          ),
        );
      }
      return out;
    },
  };
}

function healthRows(db: Database.Database): SyncPart<'getHealth' | 'putHealth'> {
  const q = {
    health: db.prepare<[string], HealthRow<number>>('SELECT * FROM health WHERE member_id = ?'),
    insert: db.prepare(
      `INSERT INTO health (member_id, probe_healthy, consecutive_failures, consecutive_successes, eligible_since,
         ineligible_since, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (member_id) DO NOTHING`,
    ),
    update: db.prepare(
      `UPDATE health SET probe_healthy = ?, consecutive_failures = ?, consecutive_successes = ?, eligible_since = ?,
         ineligible_since = ?, updated_at = ?, version = version + 1 WHERE member_id = ? AND version = ?`,
    ),
  };
  const put = db.transaction((s: Omit<MemberHealthState, 'version'>, expectedVersion: number): boolean => {
    const counters = [
      s.probeHealthy ? 1 : 0,
      s.consecutiveFailures,
      s.consecutiveSuccesses,
      s.eligibleSince ?? null,
      s.ineligibleSince ?? null,
      s.updatedAt,
    ];
    if (expectedVersion === 0) return q.insert.run(s.memberId, ...counters).changes === 1;
    return q.update.run(...counters, s.memberId, expectedVersion).changes === 1;
  });
  return {
    getHealth: (memberIds) => {
      const out = new Map<MemberId, MemberHealthState>();
      for (const id of memberIds) {
        const row = q.health.get(id);
        if (row !== undefined) out.set(id, fromHealthRow(row));
      }
      return out;
    },
    putHealth: (state, expectedVersion) => put.immediate(state, expectedVersion),
  };
}

function dedupeRows(db: Database.Database): SyncPart<'markEventSeen'> {
  const q = {
    // One statement: insert, or refresh a row whose expiry has passed; a live row is left alone.
    markSeen: db.prepare(
      `INSERT INTO dedupe (event_id, expires_at) VALUES (?, ?)
       ON CONFLICT (event_id) DO UPDATE SET expires_at = excluded.expires_at WHERE dedupe.expires_at <= ?`,
    ),
    purge: db.prepare('DELETE FROM dedupe WHERE expires_at <= ?'),
  };
  let calls = 0;
  const mark = db.transaction((eventId: string, ttlMs: number, now: number): boolean => {
    calls += 1;
    if (calls % DEDUPE_PURGE_EVERY === 0) q.purge.run(now);
    return q.markSeen.run(eventId, now + ttlMs, now).changes === 1;
  });
  return { markEventSeen: (eventId, ttlMs, now) => mark.immediate(eventId, ttlMs, now) };
}

function historyRows(db: Database.Database): SyncPart<'appendHistory' | 'listHistory'> {
  const append = db.prepare('INSERT INTO history (group_name, epoch, at, record) VALUES (?, ?, ?, ?)');
  return {
    appendHistory: (record) => {
      append.run(record.group, record.epoch, record.at, encodeHistory(record));
    },
    listHistory: (query) => {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (query.group !== undefined) {
        where.push('group_name = ?');
        params.push(query.group);
      }
      if (query.since !== undefined) {
        where.push('at >= ?');
        params.push(query.since);
      }
      const sql = `SELECT id, record FROM history ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY at DESC, epoch DESC, id DESC LIMIT ?`;
      params.push(query.limit);
      const rows = db.prepare<(string | number)[], { id: number; record: string }>(sql).all(...params);
      return rows.map((r) => decodeHistory(`history row ${r.id}`, r.record));
    },
  };
}
