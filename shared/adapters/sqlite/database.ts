/**
 * Opening a SQLite state store file: the schema, its migrations, and how driver errors are reported.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HavipError, StoreError } from '../../core/errors.js';
import type { StateStore } from '../../core/ports.js';
import { decodeLegacySignal, encodeSignal, fromSignalRow, type SignalRow } from '../state-store/index.js';

export interface SqliteStoreOptions {
  /** A file path (missing parent directories are created), or `':memory:'` for a private in-memory database. */
  readonly path: string;
  /** How long a writer waits for another connection's write lock before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number;
}

/** A StateStore method run to completion before it returns (better-sqlite3 is synchronous). */
export type Sync<F> = F extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
export type SyncPart<K extends keyof StateStore> = { readonly [P in K]: Sync<StateStore[P]> };

const SIGNALS_V2 = `
CREATE TABLE signals (
  member_id   TEXT NOT NULL,
  kind        TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  sequence    INTEGER,
  event_id    TEXT,
  payload     TEXT NOT NULL,
  PRIMARY KEY (member_id, kind)
) STRICT;
`;

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

const OBSERVATIONS_V3 = `
CREATE TABLE observations (
  group_name  TEXT PRIMARY KEY,
  observed_at INTEGER NOT NULL,
  payload     TEXT NOT NULL
) STRICT;
`;

/**
 * Version 1 kept a signal's meaning in a free-form `value`; version 2 keeps the kind's fields as JSON
 * (`payload`). Every row is converted in place by the legacy decoder (state-store/signals.ts): nothing is
 * dropped, an operator's drain least of all. A row no version-1 writer could have written stops the
 * migration with an error naming it, rather than vanish.
 */
function signalsToV2(db: Database.Database): void {
  type Row = Omit<SignalRow, 'payload'> & { value: string };
  const rows = db.prepare<[], Row>('SELECT * FROM signals').all();
  db.exec(`DROP TABLE signals;${SIGNALS_V2}`);
  const insert = db.prepare(
    'INSERT INTO signals (member_id, kind, received_at, sequence, event_id, payload) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (const row of rows) {
    // A version-1 row is a signal row whose `payload` column was named `value`.
    const { payload: value, ...order } = fromSignalRow({ ...row, payload: row.value });
    const record = decodeLegacySignal(`signal ${row.member_id}/${row.kind} (schema 1)`, { ...order, value });
    const s = encodeSignal(record);
    insert.run(s.memberId, s.kind, s.receivedAt, s.sequence ?? null, s.eventId ?? null, s.payload);
  }
}

/** A schema step: SQL, or code where rows must be rewritten. */
type Migration = string | ((db: Database.Database) => void);

/**
 * Step `i` takes a file from version `i` to `i + 1`. Version 2 types signal payloads (see
 * {@link signalsToV2}). Version 3 adds the groups' last observations (what heartbeats answer from); the
 * next sweep fills them.
 */
const MIGRATIONS: readonly Migration[] = [SCHEMA_V1, signalsToV2, OBSERVATIONS_V3];

/** The schema version this code writes: add a step to `MIGRATIONS` to change the schema. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Opens (creating if needed) the database. Files use WAL so readers never block the writer; the schema
 * is created or migrated on open and recorded in `schema_version`.
 */
export function openDatabase(opts: SqliteStoreOptions): Database.Database {
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
    if (current === SQLITE_SCHEMA_VERSION) return;
    for (const step of MIGRATIONS.slice(current)) {
      if (typeof step === 'string') db.exec(step);
      else step(db);
    }
    db.exec('DELETE FROM schema_version');
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SQLITE_SCHEMA_VERSION);
  }).immediate();
}

/** Runs a synchronous store step as a promise; driver errors become `StoreError`s. */
export async function run<T>(operation: string, fn: () => T): Promise<T> {
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
