/**
 * `havip store init`: a SQLite file, the Tablestore tables from the environment, or the PostgreSQL schema
 * on the test server (test/support/postgres-server.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runStoreInit } from '../../../bin/commands/store.js';
import { POSTGRES_SCHEMA_VERSION } from '../../../shared/adapters/postgres/index.js';
import { havip } from '../../support/cli.js';
import { FakeTablestoreClient } from '../../support/fake-tablestore.js';
import { PostgresSchemas, postgresTestUrl, sql } from '../../support/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'havip-store-'));
const schemas = new PostgresSchemas();
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await schemas.dropAll();
});

const sink = () => {
  let text = '';
  return {
    write: (s: string) => {
      text += s;
    },
    get text() {
      return text;
    },
  };
};

describe('havip store init', () => {
  it('initialises a SQLite file, then reports it as already initialised', async () => {
    const path = join(dir, 'cli', 'local.db');
    for (const expected of ['created', 'already initialised']) {
      const out = sink();
      const err = sink();
      expect(await runStoreInit({ sqlite: path }, { out, err, env: {} })).toBe(0);
      expect(out.text).toContain(`SQLite store ${expected} at ${path}`);
      expect(err.text).toBe('');
    }
  });

  it('creates the Tablestore tables from the environment and prints what it did', async () => {
    const fake = new FakeTablestoreClient({ maxYields: 0 });
    const seen: unknown[] = [];
    const env = {
      HAVIP_TABLESTORE_ENDPOINT: 'https://inst.cn-hangzhou.ots.aliyuncs.com',
      HAVIP_TABLESTORE_INSTANCE: 'inst',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
    };
    const io = (out: ReturnType<typeof sink>) => ({
      out,
      err: sink(),
      env,
      createClient: async (o: unknown) => {
        seen.push(o);
        return fake;
      },
    });
    const out = sink();
    expect(await runStoreInit({ dedupeTtlDays: '2' }, io(out))).toBe(0);
    expect(out.text).toMatch(/havip_dedupe\s+created\s+2d/);
    expect(out.text).toContain('6 table(s) created, 0 already existed');
    expect(seen[0]).toEqual({
      endpoint: env.HAVIP_TABLESTORE_ENDPOINT,
      instanceName: 'inst',
      credentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
    });
    const json = sink();
    expect(await runStoreInit({ json: true }, io(json))).toBe(0);
    expect(JSON.parse(json.text).tables.map((t: { status: string }) => t.status)).toEqual(
      Array(6).fill('exists'),
    );
  });

  it.each([
    {
      label: 'no settings at all',
      opts: {},
      env: {},
      message: 'missing --endpoint (or HAVIP_TABLESTORE_ENDPOINT)',
    },
    {
      label: 'no secret',
      opts: { endpoint: 'https://x.ots.aliyuncs.com', instance: 'x' },
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id' },
      message: 'missing ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    },
    {
      label: 'a zero-day TTL',
      opts: { endpoint: 'https://x.ots.aliyuncs.com', instance: 'x', historyTtlDays: '0' },
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's' },
      message: '--history-ttl-days must be a whole number of days',
    },
  ])('exits 2 on $label without calling the service', async ({ opts, env, message }) => {
    const err = sink();
    let created = false;
    const code = await runStoreInit(opts, {
      out: sink(),
      err,
      env,
      createClient: async () => {
        created = true;
        return new FakeTablestoreClient();
      },
    });
    expect(code).toBe(2);
    expect(err.text).toContain(message);
    expect(created).toBe(false);
  });

  it('exits 1 with the service error when Tablestore refuses', async () => {
    const fake = new FakeTablestoreClient({ maxYields: 0 });
    fake.failNext('listTable', {
      kind: 'ots',
      status: 403,
      code: 'OTSAuthFailed',
      message: 'The AccessKeyID is disabled.',
    });
    const err = sink();
    const code = await runStoreInit(
      { endpoint: 'https://x.ots.aliyuncs.com', instance: 'x' },
      {
        out: sink(),
        err,
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's' },
        createClient: async () => fake,
      },
    );
    expect(code).toBe(1);
    expect(err.text).toContain('OTSAuthFailed');
    expect(err.text).toContain('The AccessKeyID is disabled.');
  });

  it('is registered on the havip CLI', async () => {
    // The real program in-process (test/support/cli.ts); test/bin/havip.test.ts starts the executable.
    const path = join(dir, 'cli', 'via-cli.db');
    const run = await havip(['store', 'init', '--sqlite', path]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`SQLite store created at ${path}`);
  });
});

/** A port on loopback where nothing listens (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('havip store init --postgres', () => {
  const initWith = async (env: Record<string, string | undefined>, opts: { json?: boolean } = {}) => {
    const out = sink();
    const err = sink();
    const code = await runStoreInit({ postgres: true, ...opts }, { out, err, env });
    return { code, out: out.text, err: err.text };
  };

  it('creates the schema with its version table, then finds it at the current version (idempotent)', async () => {
    const schema = schemas.name('cli');
    const env = { HAVIP_POSTGRES_URL: postgresTestUrl(), HAVIP_POSTGRES_SCHEMA: schema };
    const first = await initWith(env);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(
      /1\s+groups \(lease, journal\), signals, health, dedupe, history\s+applied now/,
    );
    expect(first.out).toContain(`"${schema}"`);
    expect(first.out).toContain(`version 0 → ${POSTGRES_SCHEMA_VERSION}`);
    expect(first.out).not.toContain(new URL(postgresTestUrl()).password);

    // HAVIP_STORE=postgres selects PostgreSQL without the flag.
    const out = sink();
    const again = await runStoreInit(
      { json: true },
      { out, err: sink(), env: { ...env, HAVIP_STORE: 'postgres' } },
    );
    expect(again).toBe(0);
    expect(JSON.parse(out.text)).toMatchObject({
      store: 'postgres',
      schema,
      from: POSTGRES_SCHEMA_VERSION,
      to: POSTGRES_SCHEMA_VERSION,
      applied: [],
    });
    const versions = await sql<{ version: number }>(
      `SELECT version FROM "${schema}".schema_version ORDER BY version`,
    );
    expect(versions.map((v) => v.version)).toEqual(
      Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1),
    );
  });

  it('migrates an older schema in place and says which steps it applied', async () => {
    const schema = schemas.name('cli');
    await sql(`CREATE SCHEMA "${schema}"`);
    await sql(
      `CREATE TABLE "${schema}".schema_version (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    // A database at version 1: the first step applied by hand, as an older build would have.
    const { MIGRATIONS } = await import('../../../shared/adapters/postgres/index.js');
    const { tablesIn } = await import('../../../shared/adapters/postgres/database.js');
    await sql(MIGRATIONS[0]?.sql(tablesIn(schema)) ?? '');
    await sql(`INSERT INTO "${schema}".schema_version (version, description) VALUES (1, 'v1')`);
    const r = await initWith({ HAVIP_POSTGRES_URL: postgresTestUrl(), HAVIP_POSTGRES_SCHEMA: schema });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1\s+.*already applied/);
    expect(r.out).toMatch(/2\s+signal key \(member, kind, reporter\)\s+applied now/);
    expect(r.out).toContain(`version 1 → ${POSTGRES_SCHEMA_VERSION}`);
  });

  it.each([
    { label: 'no URL', env: {}, message: 'HAVIP_POSTGRES_URL' },
    {
      label: 'a URL that is not one',
      env: { HAVIP_POSTGRES_URL: 'db.internal 5432' },
      message: 'HAVIP_POSTGRES_URL: is not a URL',
    },
    {
      label: 'another scheme',
      env: { HAVIP_POSTGRES_URL: 'mysql://u@127.0.0.1/havip' },
      message: 'has the scheme mysql: instead of postgres:',
    },
    {
      label: 'a remote host without a TLS mode',
      env: { HAVIP_POSTGRES_URL: 'postgres://u:topsecret@db.example.com/havip' },
      message: 'HAVIP_POSTGRES_SSL',
    },
    {
      label: 'a bad schema name',
      env: { HAVIP_POSTGRES_URL: 'postgres://u@127.0.0.1/havip', HAVIP_POSTGRES_SCHEMA: 'Bad-Name' },
      message: 'HAVIP_POSTGRES_SCHEMA',
    },
  ])('exits 2 on $label, naming the variable, without connecting', async ({ env, message }) => {
    const r = await initWith({ HAVIP_STORE: 'postgres', ...env });
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).not.toContain('topsecret');
    expect(r.out).toBe('');
  });

  it('exits 1 when the server is unreachable, after retrying, naming the target and what to check', async () => {
    const url = new URL(postgresTestUrl());
    url.port = String(await closedPort());
    const r = await initWith({ HAVIP_POSTGRES_URL: url.toString(), HAVIP_POSTGRES_SCHEMA: 'havip' });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`127.0.0.1:${url.port}/`);
    expect(r.err).toContain('ECONNREFUSED');
    expect(r.err).toContain('(after 3 attempts)');
    expect(r.err).toContain('check the host and port and that the server runs');
    expect(r.err).toContain('temporary: retry in a moment');
    expect(r.err).not.toContain(url.password);
  });

  it('exits 1 on a wrong password or a missing database, at once, saying what to fix', async () => {
    const wrongPassword = new URL(postgresTestUrl());
    wrongPassword.password = 'not-the-password';
    const auth = await initWith({ HAVIP_POSTGRES_URL: wrongPassword.toString() });
    expect(auth.code).toBe(1);
    expect(auth.err).toContain('28P01');
    expect(auth.err).toContain('check the user and password');
    expect(auth.err).not.toContain('after');
    expect(auth.err).not.toContain('temporary');
    expect(auth.err).not.toContain('not-the-password');

    const noDatabase = new URL(postgresTestUrl());
    noDatabase.pathname = '/no_such_database';
    const db = await initWith({ HAVIP_POSTGRES_URL: noDatabase.toString() });
    expect(db.code).toBe(1);
    expect(db.err).toContain('3D000');
    expect(db.err).toContain('create the database or fix the database name in the URL');
    expect(db.err).not.toContain('after');
  });

  it('exits 1 on a schema newer than this build, and leaves it as it is', async () => {
    const schema = schemas.name('cli');
    const env = { HAVIP_POSTGRES_URL: postgresTestUrl(), HAVIP_POSTGRES_SCHEMA: schema };
    expect((await initWith(env)).code).toBe(0);
    await sql(`INSERT INTO "${schema}".schema_version (version, description) VALUES ($1, 'future')`, [
      POSTGRES_SCHEMA_VERSION + 1,
    ]);
    const r = await initWith(env);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `has version ${POSTGRES_SCHEMA_VERSION + 1}, newer than this build supports (${POSTGRES_SCHEMA_VERSION}); upgrade havip`,
    );
    const versions = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".schema_version`);
    expect(versions).toEqual([{ n: POSTGRES_SCHEMA_VERSION + 1 }]);
  });
});
