/**
 * The PostgreSQL schema of the state store, its migrations, and the version check a store makes before
 * its first operation.
 *
 * Every migration runs in one transaction under an advisory lock, so concurrent `havip store init`s (one
 * per replica starting up) apply each step once, and a failed step leaves the previous version intact.
 * `schema_version` keeps one row per applied step. The store itself never migrates: it refuses a schema
 * that is missing, older or newer than the build, and says what to run.
 */
import type pg from 'pg';
import { StoreError } from '../../core/errors.js';
import type { PgDatabase, Tables } from './database.js';

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: (t: Tables) => string;
}

const V1 = (t: Tables) => `
CREATE TABLE ${t.groups} (
  group_name text    PRIMARY KEY,
  epoch      bigint  NOT NULL,
  holder     text    NOT NULL,
  expires_at bigint  NOT NULL,
  released   boolean NOT NULL DEFAULT false,
  journal    text
);
CREATE TABLE ${t.signals} (
  member_id   text   NOT NULL,
  kind        text   NOT NULL,
  received_at bigint NOT NULL,
  sequence    bigint,
  event_id    text,
  payload     text   NOT NULL,
  CONSTRAINT signals_key PRIMARY KEY (member_id, kind)
);
CREATE TABLE ${t.health} (
  member_id             text    PRIMARY KEY,
  probe_healthy         boolean NOT NULL,
  consecutive_failures  bigint  NOT NULL,
  consecutive_successes bigint  NOT NULL,
  eligible_since        bigint,
  ineligible_since      bigint,
  updated_at            bigint  NOT NULL,
  version               bigint  NOT NULL
);
CREATE TABLE ${t.dedupe} (
  event_id   text   PRIMARY KEY,
  expires_at bigint NOT NULL
);
CREATE INDEX dedupe_by_expiry ON ${t.dedupe} (expires_at);
CREATE TABLE ${t.history} (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uid        text   NOT NULL UNIQUE,
  group_name text   NOT NULL,
  epoch      bigint NOT NULL,
  at         bigint NOT NULL,
  record     text   NOT NULL
);
CREATE INDEX history_by_group ON ${t.history} (group_name, at DESC, epoch DESC, id DESC);
CREATE INDEX history_by_time ON ${t.history} (at DESC, epoch DESC, id DESC);
`;

/**
 * Version 2 widens the signal key by a `reporter`: '' for what is known about a member itself (events,
 * its heartbeats, drains), a member id for what one member reports about another, so that the latest
 * report per (suspect, reporter) can live beside the member's own signals. Existing rows keep ''.
 */
const V2 = (t: Tables) => `
ALTER TABLE ${t.signals} ADD COLUMN reporter text NOT NULL DEFAULT '';
ALTER TABLE ${t.signals} DROP CONSTRAINT signals_key;
ALTER TABLE ${t.signals} ADD CONSTRAINT signals_key PRIMARY KEY (member_id, kind, reporter);
`;

/**
 * Version 3 keeps each group's last verified observation (the HaVip as the engine last read it), which
 * heartbeat replies are answered from instead of a describe per beat.
 */
const V3 = (t: Tables) => `
CREATE TABLE ${t.observations} (
  group_name  text    PRIMARY KEY,
  observed_at bigint  NOT NULL,
  payload     text    NOT NULL
);
`;

/**
 * Version 4 drops `reporter` again: a signal's slot, the reporter of a peer report included, is its
 * `kind` (`signalSlot`), so the key is (member, kind) as in the SQLite store, and the column was never
 * written. Builds wrote only the empty reporter and read only that, so no other row was ever seen.
 */
const V4 = (t: Tables) => `
DELETE FROM ${t.signals} WHERE reporter <> '';
ALTER TABLE ${t.signals} DROP CONSTRAINT signals_key;
ALTER TABLE ${t.signals} DROP COLUMN reporter;
ALTER TABLE ${t.signals} ADD CONSTRAINT signals_key PRIMARY KEY (member_id, kind);
`;

/** Step `n` takes a schema from version n − 1 to n. Add a step to change the schema; never edit one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'groups (lease, journal), signals, health, dedupe, history', sql: V1 },
  { version: 2, description: 'signal key (member, kind, reporter)', sql: V2 },
  { version: 3, description: "groups' last observations", sql: V3 },
  { version: 4, description: 'signal key (member, kind): the slot is the kind', sql: V4 },
];

/** The schema version this build reads and writes. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

export interface MigrationResult {
  readonly schema: string;
  /** `host:port/database` (never the user or password). */
  readonly target: string;
  /** The version found (0: none). */
  readonly from: number;
  readonly to: number;
  readonly applied: readonly { readonly version: number; readonly description: string }[];
}

function newerThanBuild(db: PgDatabase, version: number): StoreError {
  return new StoreError(
    `PostgreSQL schema ${JSON.stringify(db.schema)} at ${db.target} has version ${version}, newer than this build supports (${POSTGRES_SCHEMA_VERSION}); upgrade havip or use another schema`,
    { details: { schema: db.schema, target: db.target, version } },
  );
}

/**
 * Creates the schema or brings it to `target` (default: this build's version). Idempotent; safe to run
 * from several processes at once.
 */
export function migrateSchema(db: PgDatabase, target = POSTGRES_SCHEMA_VERSION): Promise<MigrationResult> {
  const t = db.tables;
  return db.withClient('store init', async (client) => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`havip-schema:${db.schema}`]);
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [db.schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${t.schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${t.version} (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const from = await currentVersion(client, t);
      if (from > POSTGRES_SCHEMA_VERSION) throw newerThanBuild(db, from);
      const steps = MIGRATIONS.filter((m) => m.version > from && m.version <= target);
      for (const step of steps) {
        await client.query(step.sql(t));
        await client.query(`INSERT INTO ${t.version} (version, description) VALUES ($1, $2)`, [
          step.version,
          step.description,
        ]);
      }
      await client.query('COMMIT');
      const applied = steps.map(({ version, description }) => ({ version, description }));
      return { schema: db.schema, target: db.target, from, to: Math.max(from, target), applied };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}

async function currentVersion(client: pg.PoolClient, t: Tables): Promise<number> {
  const r = await client.query<{ version: number }>(
    `SELECT coalesce(max(version), 0) AS version FROM ${t.version}`,
  );
  return r.rows[0]?.version ?? 0;
}

/** Refuses a schema this build cannot use: missing, older (not migrated yet) or newer. */
export async function checkSchemaVersion(db: PgDatabase): Promise<void> {
  const rows = await db.query<{ version: number }>(
    'checkSchema',
    `SELECT coalesce(max(version), 0) AS version FROM ${db.tables.version}`,
    [],
    { idempotent: true },
  );
  const version = rows[0]?.version ?? 0;
  if (version > POSTGRES_SCHEMA_VERSION) throw newerThanBuild(db, version);
  if (version < POSTGRES_SCHEMA_VERSION)
    throw new StoreError(
      `PostgreSQL schema ${JSON.stringify(db.schema)} at ${db.target} is at version ${version}, this build needs ${POSTGRES_SCHEMA_VERSION}: run \`havip store init --postgres\` to migrate it`,
      { details: { schema: db.schema, target: db.target, version } },
    );
}
