/**
 * Across adapters: every store lays a signal out the same way (docs/state-store.md, "Row format"), so
 * a signal reads the same whichever store kept it, and a row in the earlier format is reported, never
 * misread. (PostgreSQL runs against the test server: test/support/postgres-server.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import TableStore from 'tablestore';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../../../shared/adapters/postgres/index.js';
import { createSqliteStore } from '../../../../shared/adapters/sqlite/index.js';
import {
  createTablestoreStore,
  ensureTablestoreTables,
  tablestoreTableNames,
} from '../../../../shared/adapters/tablestore/index.js';
import { memberId } from '../../../../shared/core/model.js';
import type { SignalRecord } from '../../../../shared/core/signals.js';
import { FakeTablestoreClient } from '../../../support/fake-tablestore.js';
import { PostgresSchemas, sql } from '../../../support/postgres.js';

const T0 = 1_700_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'havip-rows-'));
const schemas = new PostgresSchemas();
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await schemas.dropAll();
});

const SIGNALS: readonly SignalRecord[] = [
  {
    memberId: memberId('i-a'),
    kind: 'instance-state',
    source: 'cloudmonitor-event',
    status: 'Stopped',
    effect: 'down',
    eventTime: '20261120T161532.058+0800',
    sequence: Date.UTC(2026, 10, 20, 8, 15, 32, 58),
    eventId: 'ev-1',
    receivedAt: T0,
  },
  {
    memberId: memberId('i-a'),
    kind: 'drain',
    source: 'http',
    cause: 'manual',
    reason: 'swap',
    actor: 'ops',
    receivedAt: T0 + 1,
  },
  { memberId: memberId('i-a'), kind: 'heartbeat', source: 'http', sequence: 7, receivedAt: T0 + 2 },
];

/** The signal rows of member i-a as each adapter stored them, in one neutral shape. */
async function rowsOfBothStores() {
  const path = join(dir, `rows-${Date.now()}-${Math.random()}.db`);
  const sqlite = createSqliteStore({ path });
  const fake = new FakeTablestoreClient({ maxYields: 0 });
  await ensureTablestoreTables(fake);
  const tablestore = createTablestoreStore({ client: fake });
  for (const s of SIGNALS) {
    expect(await sqlite.recordSignal(s)).toBe(true);
    expect(await tablestore.recordSignal(s)).toBe(true);
  }
  await sqlite.close();
  const raw = new Database(path, { readonly: true });
  const fromSqlite = raw
    .prepare<
      [],
      { kind: string; received_at: number; sequence: number | null; event_id: string | null; payload: string }
    >(
      "SELECT kind, received_at, sequence, event_id, payload FROM signals WHERE member_id = 'i-a' ORDER BY kind",
    )
    .all()
    .map((r) => ({
      kind: r.kind,
      receivedAt: r.received_at,
      sequence: r.sequence ?? undefined,
      eventId: r.event_id ?? undefined,
      payload: r.payload,
    }));
  raw.close();
  const fromTablestore = SIGNALS.map((s) => s.kind)
    .sort()
    .map((kind) => {
      const row = fake.peekRow(tablestoreTableNames().signals, [{ memberId: 'i-a' }, { kind }]) ?? {};
      return {
        kind,
        receivedAt: row.receivedAt,
        sequence: row.sequence,
        eventId: row.eventId,
        payload: row.payload,
      };
    });
  return { fromSqlite, fromTablestore, fake, tablestore };
}

describe('the signal row format', () => {
  it('is the same in every adapter: key, order columns, event id and the payload JSON', async () => {
    const { fromSqlite, fromTablestore } = await rowsOfBothStores();
    expect(fromSqlite).toEqual(fromTablestore);
    expect(fromSqlite.map((r) => JSON.parse(r.payload))).toEqual([
      { source: 'http', cause: 'manual', reason: 'swap', actor: 'ops' },
      { source: 'http' },
      {
        source: 'cloudmonitor-event',
        status: 'Stopped',
        effect: 'down',
        eventTime: '20261120T161532.058+0800',
      },
    ]);
  });

  it('PostgreSQL keeps the same row as the others (the slot in `kind`, no other key column)', async () => {
    const { fromSqlite } = await rowsOfBothStores();
    const opts = await schemas.fresh();
    const postgres = createPostgresStore(opts);
    for (const s of SIGNALS) expect(await postgres.recordSignal(s)).toBe(true);
    await postgres.close();
    const rows = await sql<{
      member_id: string;
      kind: string;
      received_at: string;
      sequence: string | null;
      event_id: string | null;
      payload: string;
    }>(`SELECT * FROM "${opts.schema}".signals WHERE member_id = 'i-a' ORDER BY kind`);
    for (const r of rows)
      expect(Object.keys(r)).toEqual(['member_id', 'kind', 'received_at', 'sequence', 'event_id', 'payload']);
    expect(
      rows.map((r) => ({
        kind: r.kind,
        receivedAt: Number(r.received_at),
        sequence: r.sequence === null ? undefined : Number(r.sequence),
        eventId: r.event_id ?? undefined,
        payload: r.payload,
      })),
    ).toEqual(fromSqlite);
  });

  it('a row in the earlier format (a plain `value`) is read as version 1 meant it, and a newer signal replaces it', async () => {
    const { fake, tablestore } = await rowsOfBothStores();
    const key: TableStore.PrimaryKeyInput = [{ memberId: 'i-b' }, { kind: 'instance-state' }];
    fake.plantRow(tablestoreTableNames().signals, key, {
      receivedAt: TableStore.Long.fromNumber(T0),
      value: 'Stopped',
      rev: TableStore.Long.fromNumber(1),
    });
    expect((await tablestore.latestSignals([memberId('i-b')])).get(memberId('i-b'))).toEqual({
      'instance-state': {
        memberId: 'i-b',
        kind: 'instance-state',
        source: 'eventbridge',
        status: 'Stopped',
        effect: 'down',
        receivedAt: T0,
      },
    });
    const running: SignalRecord = {
      memberId: memberId('i-b'),
      kind: 'instance-state',
      source: 'eventbridge',
      status: 'Running',
      effect: 'up',
      receivedAt: T0 + 1,
    };
    expect(await tablestore.recordSignal(running)).toBe(true);
    expect((await tablestore.latestSignals([memberId('i-b')])).get(memberId('i-b'))).toEqual({
      'instance-state': running,
    });
  });
});
