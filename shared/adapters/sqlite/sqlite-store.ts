/**
 * StateStore over SQLite (better-sqlite3): the embedded default for local runs and tests.
 *
 * better-sqlite3 is synchronous, so every port method runs to completion before it yields; each
 * conditional operation is one `BEGIN IMMEDIATE` transaction, which takes SQLite's write lock up front.
 * That is what makes two processes (or two stores) on the same file fence each other: the
 * read-check-write of one can never interleave with another's.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HavipError, StoreError } from '../../core/errors.js';
import type { GroupName, MemberId } from '../../core/model.js';
import type {
  AcquireResult,
  JournalEntry,
  Lease,
  MemberHealthState,
  SignalKind,
  SignalRecord,
  StateStore,
} from '../../core/ports.js';
import {
  checkAcquire,
  checkDedupe,
  checkEpochArgs,
  checkGroup,
  checkHealth,
  checkHistory,
  checkHistoryQuery,
  checkJournal,
  checkMemberIds,
  checkRenew,
  checkSignal,
  decodeHistory,
  decodeJournal,
  encodeHistory,
  encodeJournal,
  isLeaseFree,
  isNewerSignal,
  leaseVerdict,
  type StoredLease,
  signalOf,
  staleEpoch,
  toLease,
} from './state-records.js';

/** The schema version this code writes. Bump it with a migration step in `migrate`. */
export const SQLITE_SCHEMA_VERSION = 1;

export interface SqliteStoreOptions {
  /** A file path (missing parent directories are created), or `':memory:'` for a private in-memory database. */
  readonly path: string;
  /** How long a writer waits for another connection's write lock before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number;
}

const SCHEMA_V1 = `
CREATE TABLE leases (
  group_name TEXT PRIMARY KEY,
  epoch      INTEGER NOT NULL,
  holder     TEXT    NOT NULL,
  expires_at INTEGER NOT NULL,
  released   INTEGER NOT NULL DEFAULT 0,
  journal    TEXT
) STRICT;
CREATE TABLE signals (
  member_id   TEXT NOT NULL,
  kind        TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  sequence    INTEGER,
  value       TEXT NOT NULL,
  event_id    TEXT,
  PRIMARY KEY (member_id, kind)
) STRICT;
CREATE TABLE health (
  member_id             TEXT PRIMARY KEY,
  probe_healthy         INTEGER NOT NULL,
  consecutive_failures  INTEGER NOT NULL,
  consecutive_successes INTEGER NOT NULL,
  eligible_since        INTEGER,
  ineligible_since      INTEGER,
  updated_at            INTEGER NOT NULL,
  version               INTEGER NOT NULL
) STRICT;
CREATE TABLE dedupe (
  event_id   TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE TABLE history (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  group_name TEXT    NOT NULL,
  epoch      INTEGER NOT NULL,
  at         INTEGER NOT NULL,
  record     TEXT    NOT NULL
) STRICT;
CREATE INDEX history_by_group ON history (group_name, at, epoch, id);
CREATE INDEX history_by_time ON history (at, epoch, id);
`;

interface LeaseRow {
  group_name: string;
  epoch: number;
  holder: string;
  expires_at: number;
  released: number;
  journal: string | null;
}
interface SignalRow {
  member_id: string;
  kind: string;
  received_at: number;
  sequence: number | null;
  value: string;
  event_id: string | null;
}
interface HealthRow {
  member_id: string;
  probe_healthy: number;
  consecutive_failures: number;
  consecutive_successes: number;
  eligible_since: number | null;
  ineligible_since: number | null;
  updated_at: number;
  version: number;
}

/** Expired dedupe rows are purged once every this many `markEventSeen` calls (lazy cleanup). */
const DEDUPE_PURGE_EVERY = 256;

/**
 * Opens (creating if needed) a SQLite state store. Files use WAL so readers never block the writer;
 * the schema is created on first open and recorded in `schema_version`.
 *
 * Lease renewal of our own lease after it expired is allowed as long as nobody acquired the group in
 * between (the epoch is still ours and the lease was not released), exactly like the Tablestore adapter.
 */
export function createSqliteStore(opts: SqliteStoreOptions): StateStore {
  const db = openDatabase(opts);
  let dedupeCalls = 0;

  const q = {
    lease: db.prepare<[string], LeaseRow>('SELECT * FROM leases WHERE group_name = ?'),
    insertLease: db.prepare(
      'INSERT INTO leases (group_name, epoch, holder, expires_at, released) VALUES (?, ?, ?, ?, 0)',
    ),
    takeLease: db.prepare(
      'UPDATE leases SET epoch = ?, holder = ?, expires_at = ?, released = 0 WHERE group_name = ? AND epoch = ?',
    ),
    renewLease: db.prepare(
      'UPDATE leases SET expires_at = ? WHERE group_name = ? AND epoch = ? AND released = 0',
    ),
    releaseLease: db.prepare(
      'UPDATE leases SET released = 1 WHERE group_name = ? AND epoch = ? AND released = 0',
    ),
    writeJournal: db.prepare(
      'UPDATE leases SET journal = ? WHERE group_name = ? AND epoch = ? AND released = 0 AND expires_at > ?',
    ),
    signal: db.prepare<[string, string], SignalRow>('SELECT * FROM signals WHERE member_id = ? AND kind = ?'),
    signalsOf: db.prepare<[string], SignalRow>('SELECT * FROM signals WHERE member_id = ?'),
    upsertSignal: db.prepare(
      `INSERT INTO signals (member_id, kind, received_at, sequence, value, event_id) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (member_id, kind) DO UPDATE SET received_at = excluded.received_at,
         sequence = excluded.sequence, value = excluded.value, event_id = excluded.event_id`,
    ),
    health: db.prepare<[string], HealthRow>('SELECT * FROM health WHERE member_id = ?'),
    insertHealth: db.prepare(
      `INSERT INTO health (member_id, probe_healthy, consecutive_failures, consecutive_successes, eligible_since,
         ineligible_since, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (member_id) DO NOTHING`,
    ),
    updateHealth: db.prepare(
      `UPDATE health SET probe_healthy = ?, consecutive_failures = ?, consecutive_successes = ?, eligible_since = ?,
         ineligible_since = ?, updated_at = ?, version = version + 1 WHERE member_id = ? AND version = ?`,
    ),
    // One statement: insert, or refresh a row whose expiry has passed; a live row is left alone.
    markSeen: db.prepare(
      `INSERT INTO dedupe (event_id, expires_at) VALUES (?, ?)
       ON CONFLICT (event_id) DO UPDATE SET expires_at = excluded.expires_at WHERE dedupe.expires_at <= ?`,
    ),
    purgeDedupe: db.prepare('DELETE FROM dedupe WHERE expires_at <= ?'),
    appendHistory: db.prepare('INSERT INTO history (group_name, epoch, at, record) VALUES (?, ?, ?, ?)'),
  };

  const readLease = (group: string): (StoredLease & { journal: string | null }) | undefined => {
    const r = q.lease.get(group);
    return r === undefined
      ? undefined
      : {
          group: r.group_name as GroupName,
          epoch: r.epoch,
          holder: r.holder,
          expiresAt: r.expires_at,
          released: r.released !== 0,
          journal: r.journal,
        };
  };

  const acquireTx = db.transaction(
    (group: string, holder: string, ttlMs: number, now: number): AcquireResult => {
      const row = readLease(group);
      const expiresAt = now + ttlMs;
      if (row === undefined) {
        q.insertLease.run(group, 1, holder, expiresAt);
        return { acquired: true, lease: { group: group as GroupName, epoch: 1, holder, expiresAt } };
      }
      if (!isLeaseFree(row, now)) return { acquired: false, current: toLease(row) };
      const epoch = row.epoch + 1;
      q.takeLease.run(epoch, holder, expiresAt, group, row.epoch);
      return { acquired: true, lease: { group: group as GroupName, epoch, holder, expiresAt } };
    },
  );

  const renewTx = db.transaction((group: string, epoch: number, ttlMs: number, now: number): Lease => {
    const expiresAt = now + ttlMs;
    if (q.renewLease.run(expiresAt, group, epoch).changes !== 1)
      throw staleEpoch(group, epoch, readLease(group));
    const row = readLease(group)!;
    return toLease(row);
  });

  const journalTx = db.transaction((entry: JournalEntry, now: number): void => {
    const r = q.writeJournal.run(encodeJournal(entry), entry.group, entry.epoch, now);
    if (r.changes !== 1) throw staleEpoch(entry.group, entry.epoch, readLease(entry.group), now);
  });

  const signalTx = db.transaction((s: SignalRecord): boolean => {
    const existing = q.signal.get(s.memberId, s.kind);
    if (existing !== undefined && !isNewerSignal(s, fromSignalRow(existing))) return false;
    q.upsertSignal.run(s.memberId, s.kind, s.receivedAt, s.sequence ?? null, s.value, s.eventId ?? null);
    return true;
  });

  const healthTx = db.transaction(
    (s: Omit<MemberHealthState, 'version'>, expectedVersion: number): boolean => {
      const eligibleSince = s.eligibleSince ?? null;
      const ineligibleSince = s.ineligibleSince ?? null;
      const healthy = s.probeHealthy ? 1 : 0;
      if (expectedVersion === 0) {
        return (
          q.insertHealth.run(
            s.memberId,
            healthy,
            s.consecutiveFailures,
            s.consecutiveSuccesses,
            eligibleSince,
            ineligibleSince,
            s.updatedAt,
          ).changes === 1
        );
      }
      return (
        q.updateHealth.run(
          healthy,
          s.consecutiveFailures,
          s.consecutiveSuccesses,
          eligibleSince,
          ineligibleSince,
          s.updatedAt,
          s.memberId,
          expectedVersion,
        ).changes === 1
      );
    },
  );

  const dedupeTx = db.transaction((eventId: string, ttlMs: number, now: number): boolean => {
    dedupeCalls += 1;
    if (dedupeCalls % DEDUPE_PURGE_EVERY === 0) q.purgeDedupe.run(now);
    return q.markSeen.run(eventId, now + ttlMs, now).changes === 1;
  });

  const store: StateStore = {
    acquireLease: (group, holder, ttlMs, now) =>
      run('acquireLease', () => {
        checkAcquire(group, holder, ttlMs, now);
        return acquireTx.immediate(group, holder, ttlMs, now);
      }),

    renewLease: (group, epoch, ttlMs, now) =>
      run('renewLease', () => {
        checkRenew(group, epoch, ttlMs, now);
        return renewTx.immediate(group, epoch, ttlMs, now);
      }),

    releaseLease: (group, epoch) =>
      run('releaseLease', () => {
        checkEpochArgs('releaseLease', group, epoch);
        q.releaseLease.run(group, epoch);
      }),

    assertEpoch: (group, epoch, now) =>
      run('assertEpoch', () => {
        checkEpochArgs('assertEpoch', group, epoch, now);
        const row = readLease(group);
        if (leaseVerdict(row, epoch, now) !== 'current') throw staleEpoch(group, epoch, row, now);
      }),

    getLease: (group) =>
      run('getLease', () => {
        checkGroup('getLease', group);
        const row = readLease(group);
        return row === undefined || row.released ? undefined : toLease(row);
      }),

    writeJournal: (entry, now) =>
      run('writeJournal', () => {
        checkJournal(entry, now);
        journalTx.immediate(entry, now);
      }),

    readJournal: (group) =>
      run('readJournal', () => {
        checkGroup('readJournal', group);
        const journal = readLease(group)?.journal;
        return journal == null
          ? undefined
          : decodeJournal(`journal of group ${JSON.stringify(group)}`, journal);
      }),

    recordSignal: (signal) =>
      run('recordSignal', () => {
        checkSignal(signal);
        return signalTx.immediate(signal);
      }),

    latestSignals: (memberIds) =>
      run('latestSignals', () => {
        checkMemberIds('latestSignals', memberIds);
        const out = new Map<MemberId, Partial<Record<SignalKind, SignalRecord>>>();
        for (const id of memberIds) {
          const byKind: Partial<Record<SignalKind, SignalRecord>> = {};
          for (const row of q.signalsOf.all(id)) {
            const s = fromSignalRow(row);
            byKind[s.kind] = s;
          }
          out.set(id, byKind);
        }
        return out;
      }),

    getHealth: (memberIds) =>
      run('getHealth', () => {
        checkMemberIds('getHealth', memberIds);
        const out = new Map<MemberId, MemberHealthState>();
        for (const id of memberIds) {
          const row = q.health.get(id);
          if (row !== undefined) out.set(id, fromHealthRow(row));
        }
        return out;
      }),

    putHealth: (state, expectedVersion) =>
      run('putHealth', () => {
        checkHealth(state, expectedVersion);
        return healthTx.immediate(state, expectedVersion);
      }),

    markEventSeen: (eventId, ttlMs, now) =>
      run('markEventSeen', () => {
        checkDedupe(eventId, ttlMs, now);
        return dedupeTx.immediate(eventId, ttlMs, now);
      }),

    appendHistory: (record) =>
      run('appendHistory', () => {
        checkHistory(record);
        q.appendHistory.run(record.group, record.epoch, record.at, encodeHistory(record));
      }),

    listHistory: (query) =>
      run('listHistory', () => {
        checkHistoryQuery(query);
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
      }),

    close: () =>
      run('close', () => {
        if (db.open) db.close();
      }),
  };
  return store;
}

function openDatabase(opts: SqliteStoreOptions): Database.Database {
  let db: Database.Database;
  try {
    // A fresh checkout has no data directory yet (e.g. `.data/havip.sqlite`).
    if (!isMemory(opts.path)) mkdirSync(dirname(opts.path), { recursive: true });
    db = new Database(opts.path);
  } catch (cause) {
    throw new StoreError(
      `cannot open SQLite store at ${JSON.stringify(opts.path)}: ${errorMessage(cause)}; check that the path is a writable file location (its directory is created when missing)`,
      { cause, details: { path: opts.path } },
    );
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? 5000))}`);
    if (!isMemory(opts.path)) db.pragma('journal_mode = WAL');
    migrate(db, opts.path);
    return db;
  } catch (cause) {
    db.close();
    if (cause instanceof HavipError) throw cause;
    throw new StoreError(
      `cannot initialise SQLite store at ${JSON.stringify(opts.path)}: ${errorMessage(cause)}`,
      {
        cause,
        retryable: isBusy(cause),
        details: { path: opts.path },
      },
    );
  }
}

function isMemory(path: string): boolean {
  return path === ':memory:' || path === '';
}

function migrate(db: Database.Database, path: string): void {
  // IMMEDIATE so two processes opening a fresh file at once do not both create the schema.
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT');
    const row = db
      .prepare<[], { version: number }>('SELECT max(version) AS version FROM schema_version')
      .get();
    const current = row?.version ?? 0;
    if (current > SQLITE_SCHEMA_VERSION) {
      throw new StoreError(
        `SQLite store ${JSON.stringify(path)} has schema version ${current}, newer than this build supports (${SQLITE_SCHEMA_VERSION}); upgrade havip or use another file`,
        { details: { path, version: current } },
      );
    }
    if (current < 1) {
      db.exec(SCHEMA_V1);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(1);
    }
  }).immediate();
}

function fromSignalRow(r: SignalRow): SignalRecord {
  return signalOf({
    memberId: r.member_id,
    kind: r.kind,
    receivedAt: r.received_at,
    sequence: r.sequence ?? undefined,
    value: r.value,
    eventId: r.event_id ?? undefined,
  });
}

function fromHealthRow(r: HealthRow): MemberHealthState {
  return {
    memberId: r.member_id as MemberId,
    probeHealthy: r.probe_healthy !== 0,
    consecutiveFailures: r.consecutive_failures,
    consecutiveSuccesses: r.consecutive_successes,
    eligibleSince: r.eligible_since ?? undefined,
    ineligibleSince: r.ineligible_since ?? undefined,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

/** Runs a synchronous store step as a promise; driver errors become `StoreError`s. */
async function run<T>(operation: string, fn: () => T): Promise<T> {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof HavipError) throw cause;
    throw new StoreError(`SQLite ${operation} failed: ${errorMessage(cause)}`, {
      cause,
      retryable: isBusy(cause),
      details: { operation, sqliteCode: (cause as { code?: unknown }).code },
    });
  }
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
