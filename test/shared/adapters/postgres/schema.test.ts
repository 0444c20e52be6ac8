/**
 * The PostgreSQL schema: creation and upgrades in place through the version table (`havip store init
 * --postgres`), concurrent inits, and the store's refusal of a schema it cannot use.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  createPostgresStore,
  initPostgresStore,
  migrateSchema,
  openPostgresDatabase,
  POSTGRES_SCHEMA_VERSION,
} from '../../../../shared/adapters/postgres/index.js';
import { StoreError } from '../../../../shared/core/errors.js';
import { groupName, memberId } from '../../../../shared/core/model.js';
import { PostgresSchemas, postgresTestUrl, sql } from '../../../support/postgres.js';
import { errorOf } from '../../../support/rejection.js';

const T0 = 1_700_000_000_000;
const schemas = new PostgresSchemas();
afterAll(() => schemas.dropAll());

const versionsOf = async (schema: string) =>
  (await sql<{ version: number }>(`SELECT version FROM "${schema}".schema_version ORDER BY version`)).map(
    (r) => r.version,
  );

describe('havip store init (migrateSchema)', () => {
  it('creates the schema at the current version, records each step, and is idempotent', async () => {
    const opts = { url: postgresTestUrl(), schema: schemas.name() };
    const first = await initPostgresStore(opts);
    expect(first).toMatchObject({ schema: opts.schema, from: 0, to: POSTGRES_SCHEMA_VERSION });
    expect(first.applied.map((a) => a.version)).toEqual([1, 2, 3]);
    expect(await initPostgresStore(opts)).toEqual({
      schema: opts.schema,
      target: `${new URL(opts.url).hostname}:${new URL(opts.url).port || '5432'}${new URL(opts.url).pathname}`,
      from: POSTGRES_SCHEMA_VERSION,
      to: POSTGRES_SCHEMA_VERSION,
      applied: [],
    });
    expect(await versionsOf(opts.schema)).toEqual([1, 2, 3]);
    const tables = await sql<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [opts.schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'dedupe',
      'groups',
      'health',
      'history',
      'observations',
      'schema_version',
      'signals',
    ]);
  });

  it('several inits at once, each on its own connection, apply every step exactly once', async () => {
    const opts = { url: postgresTestUrl(), schema: schemas.name() };
    const results = await Promise.all(Array.from({ length: 6 }, () => initPostgresStore(opts)));
    expect(results.flatMap((r) => r.applied.map((a) => a.version)).sort()).toEqual([1, 2, 3]);
    expect(await versionsOf(opts.schema)).toEqual([1, 2, 3]);
  });

  it('upgrades a version-1 schema in place: every row stays, and signals gain the reporter key', async () => {
    const opts = { url: postgresTestUrl(), schema: schemas.name() };
    const db = openPostgresDatabase(opts);
    try {
      expect((await migrateSchema(db, 1)).applied.map((a) => a.version)).toEqual([1]);
    } finally {
      await db.end();
    }
    const s = `"${opts.schema}"`;
    // Rows as a version-1 build wrote them.
    await sql(`
      INSERT INTO ${s}.groups VALUES ('web', 7, 'inv-7', ${T0 + 30_000}, false,
        '{"group":"web","epoch":7,"phase":"PLANNED","decision":{"kind":"noop","reason":"x"},"updatedAt":${T0}}');
      INSERT INTO ${s}.signals VALUES ('i-a', 'heartbeat', ${T0}, 41, 'hb-41', '{"source":"http"}');
      INSERT INTO ${s}.health VALUES ('i-a', true, 0, 3, ${T0}, NULL, ${T0}, 4);
      INSERT INTO ${s}.dedupe VALUES ('ev-1', ${T0 + 60_000});
      INSERT INTO ${s}.history (uid, group_name, epoch, at, record) VALUES ('u-1', 'web', 7, ${T0},
        '{"group":"web","epoch":7,"at":${T0},"decision":{"kind":"noop","reason":"x"},"outcome":"done"}');
    `);
    const store = createPostgresStore(opts);
    try {
      expect((await errorOf(store.getLease(groupName('web')))).message).toContain(
        'is at version 1, this build needs 3: run `havip store init --postgres`',
      );
      const upgrade = await initPostgresStore(opts);
      expect(upgrade).toMatchObject({ from: 1, to: 3, applied: [{ version: 2 }, { version: 3 }] });
      expect(await versionsOf(opts.schema)).toEqual([1, 2, 3]);
      // The same store object works now: it checks the version again after a refusal.
      expect(await store.getLease(groupName('web'))).toEqual({
        group: 'web',
        epoch: 7,
        holder: 'inv-7',
        expiresAt: T0 + 30_000,
      });
      expect(await store.readJournal(groupName('web'))).toMatchObject({ epoch: 7, phase: 'PLANNED' });
      const a = memberId('i-a');
      expect((await store.latestSignals([a])).get(a)?.heartbeat).toMatchObject({
        sequence: 41,
        eventId: 'hb-41',
      });
      expect((await store.getHealth([a])).get(a)).toMatchObject({ version: 4, consecutiveSuccesses: 3 });
      expect(await store.markEventSeen('ev-1', 60_000, T0 + 1)).toBe(false);
      expect(await store.listHistory({ limit: 5 })).toHaveLength(1);
      // A newer heartbeat replaces the migrated row: one row per (member, kind, reporter).
      expect(
        await store.recordSignal({
          memberId: a,
          kind: 'heartbeat',
          source: 'http',
          sequence: 42,
          receivedAt: T0 + 1,
        }),
      ).toBe(true);
      expect(
        await sql(`SELECT member_id, kind, reporter, sequence::integer AS sequence FROM ${s}.signals`),
      ).toEqual([{ member_id: 'i-a', kind: 'heartbeat', reporter: '', sequence: 42 }]);
      const key = await sql<{ def: string }>(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'signals_key' AND connamespace = $1::regnamespace`,
        [opts.schema],
      );
      expect(key).toEqual([{ def: 'PRIMARY KEY (member_id, kind, reporter)' }]);
    } finally {
      await store.close();
    }
  });
});

describe('a store on a schema it cannot use', () => {
  it('a missing schema: a StoreError saying to run init; after init, the same store works', async () => {
    const opts = { url: postgresTestUrl(), schema: schemas.name() };
    const store = createPostgresStore(opts);
    try {
      const e = await errorOf(store.acquireLease(groupName('g'), 'h', 1_000, T0));
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).retryable).toBe(false);
      expect(e.message).toContain('42P01');
      expect(e.message).toContain('run `havip store init --postgres`');
      await initPostgresStore(opts);
      expect(await store.acquireLease(groupName('g'), 'h', 1_000, T0)).toMatchObject({ acquired: true });
    } finally {
      await store.close();
    }
  });

  it('a schema of a newer build is refused by the store and by init', async () => {
    const opts = await schemas.fresh();
    await sql(`INSERT INTO "${opts.schema}".schema_version (version, description) VALUES ($1, 'future')`, [
      POSTGRES_SCHEMA_VERSION + 1,
    ]);
    const store = createPostgresStore(opts);
    try {
      expect((await errorOf(store.getLease(groupName('g')))).message).toContain(
        `has version ${POSTGRES_SCHEMA_VERSION + 1}, newer than this build supports (${POSTGRES_SCHEMA_VERSION})`,
      );
      expect((await errorOf(initPostgresStore(opts))).message).toContain('newer than this build supports');
    } finally {
      await store.close();
    }
  });

  it('two schemas in one database are separate stores', async () => {
    const [a, b] = [await schemas.fresh(), await schemas.fresh()];
    const [sa, sb] = [createPostgresStore(a), createPostgresStore(b)];
    try {
      await sa.acquireLease(groupName('g'), 'in-a', 1_000, T0);
      expect(await sb.acquireLease(groupName('g'), 'in-b', 1_000, T0)).toMatchObject({
        acquired: true,
        lease: { epoch: 1, holder: 'in-b' },
      });
    } finally {
      await Promise.all([sa.close(), sb.close()]);
    }
  });
});
