/**
 * PostgreSQL in tests: the server the global setup provided (test/support/postgres-server.ts), a fresh
 * migrated schema per store so tests never see each other's rows, and raw SQL for looking behind the store.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import {
  createPostgresStore,
  initPostgresStore,
  type PostgresStoreOptions,
} from '../../shared/adapters/postgres/index.js';
import type { StateStore } from '../../shared/core/ports.js';

/** The test server's URL; throws (so the test fails, never skips) with how to get one. */
export function postgresTestUrl(): string {
  const provided = inject('postgres');
  if ('url' in provided) return provided.url;
  throw new Error(provided.problem);
}

/** A new schema name no other test uses. */
export function uniqueSchema(prefix = 'ct'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Schemas made through {@link PostgresSchemas}; `dropAll` removes them. */
export class PostgresSchemas {
  private readonly made: string[] = [];

  /** A fresh schema at the current version, and options to open stores on it. */
  async fresh(over: Partial<PostgresStoreOptions> = {}): Promise<PostgresStoreOptions & { schema: string }> {
    const opts = { url: postgresTestUrl(), schema: uniqueSchema(), poolMax: 4, ...over };
    this.made.push(opts.schema);
    await initPostgresStore(opts);
    return opts;
  }

  /** A name for a schema the test creates itself (dropped with the others). */
  name(prefix?: string): string {
    const schema = uniqueSchema(prefix);
    this.made.push(schema);
    return schema;
  }

  async dropAll(): Promise<void> {
    const names = this.made.splice(0);
    if (names.length === 0) return;
    await sql(names.map((s) => `DROP SCHEMA IF EXISTS "${s}" CASCADE`).join(';'));
    await endSql();
  }
}

/**
 * The contract's subject: a store and a peer over one schema, created at the first call and emptied at
 * every later one (creating a schema per test costs a few hundred milliseconds of DDL and connections).
 */
export function postgresSubjects(
  schemas: PostgresSchemas,
  over: Partial<PostgresStoreOptions> = {},
): () => Promise<{ store: StateStore; openPeer: () => Promise<StateStore> }> {
  let opts: PostgresStoreOptions | undefined;
  return async () => {
    if (opts === undefined) opts = await schemas.fresh(over);
    else
      await sql(
        `TRUNCATE ${['groups', 'signals', 'health', 'dedupe', 'history'].map((t) => `"${opts?.schema}"."${t}"`).join(', ')}`,
      );
    const current = opts;
    return { store: createPostgresStore(current), openPeer: async () => createPostgresStore(current) };
  };
}

let admin: pg.Pool | undefined;

/** Runs SQL on the test's own pool (one connection) and returns the rows of the last statement. */
export async function sql<R = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<R[]> {
  admin ??= new pg.Pool({ connectionString: postgresTestUrl(), max: 1, allowExitOnIdle: true });
  const result = (await admin.query(text, values)) as pg.QueryResult | pg.QueryResult[];
  const last = Array.isArray(result) ? result.at(-1) : result;
  return (last?.rows ?? []) as R[];
}

/** Closes the pool behind {@link sql}. */
export async function endSql(): Promise<void> {
  const pool = admin;
  admin = undefined;
  await pool?.end();
}
