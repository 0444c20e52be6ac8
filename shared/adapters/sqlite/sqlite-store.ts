/**
 * StateStore over SQLite (better-sqlite3): the embedded default for local runs and tests.
 *
 * better-sqlite3 is synchronous, so every port method runs to completion before it yields; each
 * conditional operation is one `BEGIN IMMEDIATE` transaction, which takes SQLite's write lock up front.
 * That is what makes two processes (or two stores) on the same file fence each other: the
 * read-check-write of one can never interleave with another's.
 *
 * - `database.ts`: opening the file, the schema and its migrations, driver errors;
 * - `group-rows.ts`: the group row (lease and journal);
 * - `records.ts`: signals, observations, health, dedupe and history.
 */
import type { StateStore } from '../../core/ports.js';
import { withArgumentChecks } from '../state-store/index.js';
import { openDatabase, run, type SqliteStoreOptions } from './database.js';
import { groupRows } from './group-rows.js';
import { recordRows } from './records.js';

export { SQLITE_SCHEMA_VERSION, type SqliteStoreOptions } from './database.js';

/** Opens (creating or migrating if needed) a SQLite state store. */
export function createSqliteStore(opts: SqliteStoreOptions): StateStore {
  const db = openDatabase(opts);
  const rows = { ...groupRows(db), ...recordRows(db) };
  return withArgumentChecks({
    acquireLease: (...a) => run('acquireLease', () => rows.acquireLease(...a)),
    renewLease: (...a) => run('renewLease', () => rows.renewLease(...a)),
    releaseLease: (...a) => run('releaseLease', () => rows.releaseLease(...a)),
    assertEpoch: (...a) => run('assertEpoch', () => rows.assertEpoch(...a)),
    getLease: (...a) => run('getLease', () => rows.getLease(...a)),
    writeJournal: (...a) => run('writeJournal', () => rows.writeJournal(...a)),
    readJournal: (...a) => run('readJournal', () => rows.readJournal(...a)),
    recordSignal: (...a) => run('recordSignal', () => rows.recordSignal(...a)),
    latestSignals: (...a) => run('latestSignals', () => rows.latestSignals(...a)),
    recordObservation: (...a) => run('recordObservation', () => rows.recordObservation(...a)),
    latestObservations: (...a) => run('latestObservations', () => rows.latestObservations(...a)),
    getHealth: (...a) => run('getHealth', () => rows.getHealth(...a)),
    putHealth: (...a) => run('putHealth', () => rows.putHealth(...a)),
    markEventSeen: (...a) => run('markEventSeen', () => rows.markEventSeen(...a)),
    appendHistory: (...a) => run('appendHistory', () => rows.appendHistory(...a)),
    listHistory: (...a) => run('listHistory', () => rows.listHistory(...a)),
    close: () =>
      run('close', () => {
        if (db.open) db.close();
      }),
  });
}
