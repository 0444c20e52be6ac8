/**
 * StateStore over PostgreSQL (node-postgres): for orchestrator replicas on one's own machines or in
 * Kubernetes, and for Tencent Cloud (TencentDB for PostgreSQL from SCF). Several processes share one
 * database and fence each other through it.
 *
 * - `connection.ts`: the URL, TLS and pool settings; `database.ts`: the pool, statements and retries;
 *   `errors.ts`: what a failure means (retry, not applied, outcome unknown) and its message;
 * - `schema.ts`: the tables, their migrations and the version check;
 * - `group-row.ts`: the group row (lease and journal), one conditional statement per fenced operation;
 * - `records.ts`: signals, health and dedupe; `history.ts`: the history.
 */
import { HavipError, InvalidInputError, StoreError } from '../../core/errors.js';
import type { StateStore } from '../../core/ports.js';
import { withArgumentChecks } from '../state-store/index.js';
import {
  DEFAULT_SCHEMA,
  type PostgresConnectionOptions,
  resolveConnection,
  SCHEMA_NAME,
} from './connection.js';
import { DEFAULT_RETRY, PgDatabase, type RetryPolicy } from './database.js';
import * as groupRow from './group-row.js';
import { appendHistory, listHistory } from './history.js';
import { latestObservations, recordObservation } from './observations.js';
import * as records from './records.js';
import { checkSchemaVersion, type MigrationResult, migrateSchema } from './schema.js';

export interface PostgresStoreOptions extends PostgresConnectionOptions {
  /** The schema (namespace) holding the tables (default `havip`); several deployments can share a database. */
  readonly schema?: string | undefined;
  /** Retries of connection failures and lost answers (default 3 tries, 100 ms base backoff). */
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Bound on optimistic rounds (read, then conditional write) per call; matters only under extreme contention. */
  readonly maxAttempts?: number | undefined;
}

/** Validates the options and sets up the pool; nothing connects until the first operation. */
export function openPostgresDatabase(opts: PostgresStoreOptions): PgDatabase {
  const schema = opts.schema ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema))
    throw new InvalidInputError('store.invalid-argument', 'invalid PostgreSQL store options', [
      {
        path: 'schema',
        message: `${JSON.stringify(schema)} is not a plain schema name`,
        hint: 'lower-case letters, digits and underscores, starting with a letter or underscore (at most 63)',
      },
    ]);
  const attempts = opts.retry?.attempts ?? DEFAULT_RETRY.attempts;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10)
    throw new InvalidInputError('store.invalid-argument', 'invalid PostgreSQL store options', [
      { path: 'retry.attempts', message: `must be a whole number from 1 to 10, got ${attempts}` },
    ]);
  return new PgDatabase(resolveConnection(opts), schema, { ...DEFAULT_RETRY, ...opts.retry, attempts });
}

/**
 * Creates the schema or migrates it to this build's version (`havip store init --postgres`). Idempotent,
 * and safe when several processes run it at once.
 */
export async function initPostgresStore(opts: PostgresStoreOptions): Promise<MigrationResult> {
  const db = openPostgresDatabase(opts);
  try {
    return await migrateSchema(db);
  } finally {
    await db.end();
  }
}

/**
 * The PostgreSQL-backed StateStore. The schema must exist at this build's version (`havip store init
 * --postgres`); the first operation checks it.
 */
export function createPostgresStore(opts: PostgresStoreOptions): StateStore {
  const db = openPostgresDatabase(opts);
  const maxAttempts = Math.max(1, Math.trunc(opts.maxAttempts ?? 32));
  let closed = false;
  let checked: Promise<void> | undefined;
  const ready = (): Promise<void> => {
    checked ??= checkSchemaVersion(db).catch((e: unknown) => {
      checked = undefined; // check again next time: the schema may be initialised meanwhile
      throw e;
    });
    return checked;
  };

  const op = async <R>(operation: string, fn: () => Promise<R>): Promise<R> => {
    if (closed)
      throw new StoreError(`PostgreSQL ${operation}: the store is closed`, { details: { operation } });
    try {
      await ready();
      return await fn();
    } catch (e) {
      if (e instanceof HavipError) throw e;
      throw new StoreError(`PostgreSQL ${operation} failed: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
        details: { operation, target: db.target },
      });
    }
  };
  const markEventSeen = records.dedupeRows(db);

  return withArgumentChecks({
    acquireLease: (...a) => op('acquireLease', () => groupRow.acquireLease(db, maxAttempts, ...a)),
    renewLease: (...a) => op('renewLease', () => groupRow.renewLease(db, ...a)),
    releaseLease: (...a) => op('releaseLease', () => groupRow.releaseLease(db, ...a)),
    assertEpoch: (...a) => op('assertEpoch', () => groupRow.assertEpoch(db, ...a)),
    getLease: (...a) => op('getLease', () => groupRow.getLease(db, ...a)),
    writeJournal: (...a) => op('writeJournal', () => groupRow.writeJournal(db, ...a)),
    readJournal: (...a) => op('readJournal', () => groupRow.readJournal(db, ...a)),
    recordSignal: (...a) => op('recordSignal', () => records.recordSignal(db, maxAttempts, ...a)),
    latestSignals: (...a) => op('latestSignals', () => records.latestSignals(db, ...a)),
    recordObservation: (...a) => op('recordObservation', () => recordObservation(db, maxAttempts, ...a)),
    latestObservations: (...a) => op('latestObservations', () => latestObservations(db, ...a)),
    getHealth: (...a) => op('getHealth', () => records.getHealth(db, ...a)),
    putHealth: (...a) => op('putHealth', () => records.putHealth(db, ...a)),
    markEventSeen: (...a) => op('markEventSeen', () => markEventSeen(...a)),
    appendHistory: (...a) => op('appendHistory', () => appendHistory(db, ...a)),
    listHistory: (...a) => op('listHistory', () => listHistory(db, ...a)),
    close: async () => {
      if (closed) return;
      closed = true;
      await db.end();
    },
  });
}
