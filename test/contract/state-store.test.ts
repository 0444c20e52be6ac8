/**
 * Runs the StateStore contract on every adapter (SQLite in memory and on a file, Tablestore over the
 * in-memory fake), then checks what is specific to each: SQLite files and schema, the Tablestore
 * SDK traps, error mapping, table creation, and the fake itself against the SDK's behaviour.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createSqliteStore } from '../../shared/adapters/sqlite/index.js';
import { createTablestoreStore, ensureTablestoreTables } from '../../shared/adapters/tablestore/index.js';
import { FakeTablestoreClient } from '../support/fake-tablestore.js';
import { runStateStoreContract } from './state-store-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'havip-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

runStateStoreContract('sqlite (memory)', async () => ({ store: createSqliteStore({ path: ':memory:' }) }));

runStateStoreContract(
  'sqlite (file, WAL)',
  async () => {
    const path = join(dir, `store-${++files}.db`);
    return { store: createSqliteStore({ path }), openPeer: async () => createSqliteStore({ path }) };
  },
  { sharedStorage: true },
);

async function tablestoreSubject(fakeOpts: ConstructorParameters<typeof FakeTablestoreClient>[0]) {
  const client = new FakeTablestoreClient(fakeOpts);
  await ensureTablestoreTables(client);
  return {
    store: createTablestoreStore({ client }),
    openPeer: async () => createTablestoreStore({ client }),
  };
}

runStateStoreContract('tablestore (fake client)', () => tablestoreSubject({ seed: 11 }), {
  sharedStorage: true,
});
runStateStoreContract(
  'tablestore (fake client, 2-row GetRange pages, no jitter)',
  () => tablestoreSubject({ seed: 5, rangePageSize: 2, maxYields: 0 }),
  { sharedStorage: true },
);
