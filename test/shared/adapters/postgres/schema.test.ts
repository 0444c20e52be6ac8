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

/** The signal table's key, and whether the version-2 `reporter` column is still there. */
const signalKeyOf = async (schema: string) => ({
  key: (
    await sql<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'signals_key' AND connamespace = $1::regnamespace`,
      [schema],
    )
  ).map((r) => r.def),
  reporterColumn: (
    await sql(
      `SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'signals' AND column_name = 'reporter'`,
      [schema],
    )
  ).length,
});
const SIGNAL_KEY_V4 = { key: ['PRIMARY KEY (member_id, kind)'], reporterColumn: 0 };

describe('havip store init (migrateSchema)', () => {
  it('creates the schema at the current version, records each step, and is idempotent', async () => {
    const opts = { url: postgresTestUrl(), schema: schemas.name() };
    const first = await initPostgresStore(opts);
    expect(first).toMatchObject({ schema: opts.schema, from: 0, to: POSTGRES_SCHEMA_VERSION });
    expect(first.applied.map((a) => a.version)).toEqual([1, 2, 3, 4]);
    expect(await initPostgresStore(opts)).toEqual({
      schema: opts.schema,
      target: `${new URL(opts.url).hostname}:${new URL(opts.url).port || '5432'}${new URL(opts.url).pathname}`,
      from: POSTGRES_SCHEMA_VERSION,
      to: POSTGRES_SCHEMA_VERSION,
      applied: [],
    });
    expect(await versionsOf(opts.schema)).toEqual([1, 2, 3, 4]);
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
    expect(results.flatMap((r) => r.applied.map((a) => a.version)).sort()).toEqual([1, 2, 3, 4]);
    expect(await versionsOf(opts.schema)).toEqual([1, 2, 3, 4]);
  });

  it('upgrades a version-1 schema in place: every row stays, and signals keep the (member, kind) key', async () => {
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
        'is at version 1, this build needs 4: run `havip store init --postgres`',
      );
      const upgrade = await initPostgresStore(opts);
      expect(upgrade).toMatchObject({
        from: 1,
        to: 4,
        applied: [{ version: 2 }, { version: 3 }, { version: 4 }],
      });
      expect(await versionsOf(opts.schema)).toEqual([1, 2, 3, 4]);
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
      // A newer heartbeat replaces the migrated row: one row per (member, kind).
      expect(
        await store.recordSignal({
          memberId: a,
          kind: 'heartbeat',
          source: 'http',
          sequence: 42,
          receivedAt: T0 + 1,
        }),
      ).toBe(true);
      expect(await sql(`SELECT member_id, kind, sequence::integer AS sequence FROM ${s}.signals`)).toEqual([
        { member_id: 'i-a', kind: 'heartbeat', sequence: 42 },
      ]);
      expect(await signalKeyOf(opts.schema)).toEqual(SIGNAL_KEY_V4);
    } finally {
      await store.close();
    }
  });
  it('upgrades a version-3 schema in place: the unused reporter column goes, every signal stays', async () => {
    const opts = { url: postgresTestUrl(), schema: schemas.name() };
    const db = openPostgresDatabase(opts);
    try {
      expect((await migrateSchema(db, 3)).applied.map((a) => a.version)).toEqual([1, 2, 3]);
    } finally {
      await db.end();
    }
    const s = `"${opts.schema}"`;
    expect(await signalKeyOf(opts.schema)).toEqual({
      key: ['PRIMARY KEY (member_id, kind, reporter)'],
      reporterColumn: 1,
    });
    // Rows as a version-3 build wrote them (the reporter always ''; a peer report's reporter is in its
    // slot), and one with a reporter, which no build wrote or read.
    await sql(`
      INSERT INTO ${s}.signals (member_id, kind, received_at, sequence, event_id, payload) VALUES
        ('i-a', 'heartbeat', ${T0}, 41, 'hb-41', '{"source":"http"}'),
        ('i-a', 'peer-report:i-b', ${T0}, 7, 'report:web:i-b:7',
         '{"source":"mns","group":"web","reporter":"i-b","reason":"peer-silent","reporterChecks":"ok"}');
      INSERT INTO ${s}.signals VALUES ('i-a', 'heartbeat', ${T0}, 40, 'hb-40', '{"source":"http"}', 'i-z');
      INSERT INTO ${s}.observations VALUES ('web', ${T0}, '{}');
    `);
    const store = createPostgresStore(opts);
    try {
      expect((await errorOf(store.getLease(groupName('web')))).message).toContain(
        'is at version 3, this build needs 4: run `havip store init --postgres`',
      );
      const upgrade = await initPostgresStore(opts);
      expect(upgrade).toMatchObject({ from: 3, to: 4, applied: [{ version: 4 }] });
      expect(await versionsOf(opts.schema)).toEqual([1, 2, 3, 4]);
      expect(await signalKeyOf(opts.schema)).toEqual(SIGNAL_KEY_V4);
      expect(await sql(`SELECT group_name FROM ${s}.observations`)).toEqual([{ group_name: 'web' }]);
      const a = memberId('i-a');
      const latest = (await store.latestSignals([a])).get(a);
      expect(latest?.heartbeat).toMatchObject({ sequence: 41, eventId: 'hb-41' });
      expect(latest?.['peer-report']).toEqual([
        expect.objectContaining({ reporter: 'i-b', reason: 'peer-silent', sequence: 7 }),
      ]);
      // A newer report from the same reporter replaces its row; the key is (member, slot).
      expect(
        await store.recordSignal({
          memberId: a,
          kind: 'peer-report',
          source: 'mns',
          group: 'web',
          reporter: memberId('i-b'),
          reason: 'recovered',
          reporterChecks: 'ok',
          sequence: 8,
          receivedAt: T0 + 1,
        }),
      ).toBe(true);
      expect(await sql(`SELECT kind, sequence::integer AS sequence FROM ${s}.signals ORDER BY kind`)).toEqual(
        [
          { kind: 'heartbeat', sequence: 41 },
          { kind: 'peer-report:i-b', sequence: 8 },
        ],
      );
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
