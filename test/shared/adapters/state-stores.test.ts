/**
 * Runs the StateStore contract on every adapter (SQLite in memory and on a file, Tablestore over the
 * in-memory fake), then checks what is specific to each: SQLite files and schema, the Tablestore
 * SDK traps, error mapping, table creation, and the fake itself against the SDK's behaviour.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import TableStore from 'tablestore';
import { afterAll, describe, expect, it } from 'vitest';
import { runStoreInit } from '../../../bin/commands/store.js';
import { createSqliteStore, SQLITE_SCHEMA_VERSION } from '../../../shared/adapters/sqlite/index.js';
import {
  createTablestoreClient,
  createTablestoreStore,
  DEFAULT_DEDUPE_TTL_SECONDS,
  ensureTablestoreTables,
  isConditionCheckFailure,
  otsErrorCode,
  type TablestoreClientLike,
  tablestoreTableNames,
} from '../../../shared/adapters/tablestore/index.js';
import { InvalidInputError, StaleEpochError, StoreError } from '../../../shared/core/errors.js';
import { groupName, memberId } from '../../../shared/core/model.js';
import { FakeTablestoreClient, sdkServiceError, singleConditionsOf } from '../../support/fake-tablestore.js';
import { runStateStoreContract } from '../../support/state-store-contract.js';

const T0 = 1_700_000_000_000;
const TTL = 30_000;
const repo = fileURLToPath(new URL('../../..', import.meta.url));

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

// =============================================================================================
// SQLite specifics

describe('SQLite adapter', () => {
  it('a file store runs in WAL mode and records its schema version', async () => {
    const path = join(dir, 'wal.db');
    const store = createSqliteStore({ path });
    await store.acquireLease(groupName('g'), 'h', TTL, T0);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.prepare('SELECT version FROM schema_version').all()).toEqual([
        { version: SQLITE_SCHEMA_VERSION },
      ]);
    } finally {
      raw.close();
      await store.close();
    }
  });

  it('state survives closing and reopening the file, and missing directories are created', async () => {
    const path = join(dir, 'nested', 'deeper', 'state.db');
    const first = createSqliteStore({ path });
    await first.acquireLease(groupName('g'), 'inv-a', TTL, T0);
    await first.writeJournal(
      {
        group: groupName('g'),
        epoch: 1,
        phase: 'PLANNED',
        decision: { kind: 'noop', holder: undefined, reason: 'x' },
        step: undefined,
        updatedAt: T0,
        detail: undefined,
      },
      T0,
    );
    await first.close();
    const second = createSqliteStore({ path });
    expect(await second.getLease(groupName('g'))).toMatchObject({ epoch: 1, holder: 'inv-a' });
    expect(await second.readJournal(groupName('g'))).toMatchObject({ phase: 'PLANNED' });
    expect(await second.acquireLease(groupName('g'), 'inv-b', TTL, T0 + TTL)).toMatchObject({
      lease: { epoch: 2 },
    });
    await second.close();
  });

  it('refuses a file written by a newer schema version', () => {
    const path = join(dir, 'future.db');
    createSqliteStore({ path }).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SQLITE_SCHEMA_VERSION + 1);
    raw.close();
    expect(() => createSqliteStore({ path })).toThrow(/newer than this build supports/);
    try {
      createSqliteStore({ path });
    } catch (e) {
      expect(e).toBeInstanceOf(StoreError);
    }
  });

  it.each([
    { label: 'under a regular file', path: () => join(writeFile('plain.txt', 'x'), 'store.db') },
    {
      label: 'that is not a SQLite database',
      path: () => writeFile('not-a-db.db', 'definitely not sqlite '.repeat(50)),
    },
  ])('reports a StoreError naming the path for a location $label', ({ path }) => {
    const p = path();
    let caught: unknown;
    try {
      createSqliteStore({ path: p });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).message).toContain(JSON.stringify(p));
  });

  it('purges expired dedupe rows lazily', async () => {
    const path = join(dir, 'dedupe.db');
    const store = createSqliteStore({ path });
    for (let i = 0; i < 200; i++) await store.markEventSeen(`old-${i}`, 10, T0);
    const count = () => {
      const raw = new Database(path, { readonly: true });
      try {
        return (raw.prepare('SELECT count(*) AS n FROM dedupe').get() as { n: number }).n;
      } finally {
        raw.close();
      }
    };
    expect(count()).toBe(200);
    // Enough later calls to trigger a purge; the 200 old ids expired long ago.
    for (let i = 0; i < 300; i++) await store.markEventSeen(`new-${i}`, 60_000, T0 + 1000);
    expect(count()).toBeLessThan(500);
    expect(await store.markEventSeen('old-7', 10, T0 + 1000)).toBe(true);
    await store.close();
  });

  it('separate processes on one file fence each other: every epoch is issued exactly once', async () => {
    const path = join(dir, 'processes.db');
    createSqliteStore({ path }).close();
    const script = writeFile(
      'contender.mjs',
      `const { createSqliteStore } = await import(process.env.STORE_MODULE);
const store = createSqliteStore({ path: process.env.DB });
process.stdin.once('data', async () => {
  const won = [];
  for (let step = 0; step < 40; step++) {
    // Leases last 10 ms of store time and steps are 100 ms apart: each step's lease is free again.
    const r = await store.acquireLease('race', process.env.HOLDER, 10, 1000 + step * 100);
    if (r.acquired) won.push({ step, epoch: r.lease.epoch });
  }
  await store.close();
  process.stdout.write(JSON.stringify(won));
});
process.stdout.write('ready\\n');
`,
    );
    const storeModule = fileURLToPath(new URL('../../../shared/adapters/sqlite/index.ts', import.meta.url));
    const children = Array.from({ length: 4 }, (_, i) =>
      spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: repo,
        env: { ...process.env, STORE_MODULE: storeModule, DB: path, HOLDER: `proc-${i}` },
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    const outputs = children.map(
      (child) =>
        new Promise<string>((resolve, reject) => {
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
          });
          child.stderr.on('data', (d: Buffer) => {
            err += d.toString();
          });
          child.on('error', reject);
          child.on('close', (code) =>
            code === 0 ? resolve(out) : reject(new Error(`contender exited ${code}: ${err}`)),
          );
        }),
    );
    // Start them together once all are ready.
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            const onData = (d: Buffer) => {
              if (d.toString().includes('ready')) {
                child.stdout.off('data', onData);
                resolve();
              }
            };
            child.stdout.on('data', onData);
          }),
      ),
    );
    for (const child of children) child.stdin.end('go\n');
    const wins = (await Promise.all(outputs)).flatMap(
      (o) => JSON.parse(o.slice(o.indexOf('\n') + 1)) as Array<{ step: number; epoch: number }>,
    );
    const epochs = wins.map((w) => w.epoch).sort((a, b) => a - b);
    // No epoch issued twice, none skipped, and at most one winner per step.
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
    expect(new Set(wins.map((w) => w.step)).size).toBe(wins.length);
    // The first contender to reach a step always finds the previous lease expired, so every step has one.
    expect(wins.length).toBe(40);
  }, 30_000);
});

function writeFile(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

// =============================================================================================
// The fake, checked against the SDK's documented and observed behaviour

const {
  Condition,
  SingleColumnCondition,
  CompositeCondition,
  RowExistenceExpectation,
  ComparatorType,
  LogicalOperator,
  Long,
} = TableStore;

async function errorOf(p: Promise<unknown>): Promise<Error & { code?: unknown }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof Error)) throw new Error('expected the call to fail');
  return e as Error & { code?: unknown };
}

describe('FakeTablestoreClient', () => {
  const table = 'rows';
  const pk = (id: string): TableStore.PrimaryKeyInput => [{ id }];
  const fresh = async () => {
    const fake = new FakeTablestoreClient({ maxYields: 0 });
    await fake.createTable({
      tableMeta: { tableName: table, primaryKey: [{ name: 'id', type: 'STRING' }] },
      reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
      tableOptions: { timeToLive: -1, maxVersions: 1 },
    });
    fake.plantRow(table, pk('r1'), { holder: 'x', expiresAt: Long.fromNumber(100) }); // no `epoch` column
    return fake;
  };
  const updateIf = (fake: FakeTablestoreClient, condition: TableStore.Condition) =>
    fake.updateRow({
      tableName: table,
      condition,
      primaryKey: pk('r1'),
      updateOfAttributeColumns: [{ PUT: [{ touched: true }] }],
    });

  it('SingleColumnCondition defaults passIfMissing to true, so a check on a missing column passes (trap 1)', async () => {
    const fake = await fresh();
    const lenient = new SingleColumnCondition('epoch', Long.fromNumber(7), ComparatorType.EQUAL);
    expect(lenient.passIfMissing).toBe(true);
    await updateIf(fake, new Condition(RowExistenceExpectation.EXPECT_EXIST, lenient));
    expect(fake.peekRow(table, pk('r1'))).toMatchObject({ touched: true });
  });

  it('with passIfMissing=false the same check fails the way the SDK reports it (trap 2)', async () => {
    const fake = await fresh();
    const strict = new SingleColumnCondition('epoch', Long.fromNumber(7), ComparatorType.EQUAL, false, true);
    const e = await errorOf(updateIf(fake, new Condition(RowExistenceExpectation.EXPECT_EXIST, strict)));
    expect(e.code).toBe(403);
    expect(typeof e.code).toBe('number');
    expect(e.message).toContain('OTSConditionCheckFail');
    expect(isConditionCheckFailure(e)).toBe(true);
    expect(fake.peekRow(table, pk('r1'))).not.toHaveProperty('touched');
  });

  it.each([
    { expectation: 'EXPECT_EXIST', row: 'r1', ok: true },
    { expectation: 'EXPECT_EXIST', row: 'missing', ok: false },
    { expectation: 'EXPECT_NOT_EXIST', row: 'r1', ok: false },
    { expectation: 'EXPECT_NOT_EXIST', row: 'missing', ok: true },
    { expectation: 'IGNORE', row: 'r1', ok: true },
    { expectation: 'IGNORE', row: 'missing', ok: true },
  ] as const)('row existence $expectation on $row → ok=$ok', async ({ expectation, row, ok }) => {
    const fake = await fresh();
    const p = fake.putRow({
      tableName: table,
      condition: new Condition(RowExistenceExpectation[expectation], null),
      primaryKey: pk(row),
      attributeColumns: [{ v: 'new' }],
    });
    if (ok) {
      await p;
      expect(fake.peekRow(table, pk(row))).toEqual({ v: 'new' });
    } else {
      expect(isConditionCheckFailure(await errorOf(p))).toBe(true);
    }
  });

  const strictCol = (name: string, cmp: number, v: TableStore.ColumnValue) =>
    new SingleColumnCondition(name, v, cmp, false, true);
  const combine = (op: number, ...subs: TableStore.ColumnCondition[]) => {
    const c = new CompositeCondition(op);
    for (const s of subs) c.addSubCondition(s);
    return c;
  };
  it.each([
    {
      label: 'expiresAt == 100',
      cond: () => strictCol('expiresAt', ComparatorType.EQUAL, Long.fromNumber(100)),
      ok: true,
    },
    {
      label: 'expiresAt > 100',
      cond: () => strictCol('expiresAt', ComparatorType.GREATER_THAN, Long.fromNumber(100)),
      ok: false,
    },
    {
      label: 'expiresAt <= 100',
      cond: () => strictCol('expiresAt', ComparatorType.LESS_EQUAL, Long.fromNumber(100)),
      ok: true,
    },
    { label: "holder != 'x'", cond: () => strictCol('holder', ComparatorType.NOT_EQUAL, 'x'), ok: false },
    {
      label: 'AND(holder == x, epoch == 1 [missing])',
      cond: () =>
        combine(
          LogicalOperator.AND,
          strictCol('holder', ComparatorType.EQUAL, 'x'),
          strictCol('epoch', ComparatorType.EQUAL, Long.fromNumber(1)),
        ),
      ok: false,
    },
    {
      label: 'OR(holder == y, expiresAt < 200)',
      cond: () =>
        combine(
          LogicalOperator.OR,
          strictCol('holder', ComparatorType.EQUAL, 'y'),
          strictCol('expiresAt', ComparatorType.LESS_THAN, Long.fromNumber(200)),
        ),
      ok: true,
    },
    {
      label: 'NOT(holder == x)',
      cond: () => combine(LogicalOperator.NOT, strictCol('holder', ComparatorType.EQUAL, 'x')),
      ok: false,
    },
  ])('column condition $label → ok=$ok', async ({ cond, ok }) => {
    const fake = await fresh();
    const p = updateIf(fake, new Condition(RowExistenceExpectation.EXPECT_EXIST, cond()));
    if (ok) await p;
    else expect(isConditionCheckFailure(await errorOf(p))).toBe(true);
  });

  it('integers are Long in and Int64 out; a JS number is a DOUBLE and does not compare with an INTEGER', async () => {
    const fake = await fresh();
    const got = await fake.getRow({ tableName: table, primaryKey: pk('r1') });
    const expiresAt = got.row.attributes?.find((a) => a.columnName === 'expiresAt')
      ?.columnValue as TableStore.Int64;
    expect(typeof expiresAt).toBe('object');
    expect(expiresAt.toNumber()).toBe(100);
    const e = await errorOf(
      updateIf(
        fake,
        new Condition(
          RowExistenceExpectation.EXPECT_EXIST,
          strictCol('expiresAt', ComparatorType.EQUAL, 100),
        ),
      ),
    );
    expect(e.code).toBe(400);
    expect(e.message).toContain('OTSParameterInvalid');
  });

  it('rejects what the SDK itself rejects: number primary keys and writes without a condition', async () => {
    const fake = await fresh();
    await expect(
      fake.getRow({ tableName: table, primaryKey: [{ id: 5 as unknown as string }] }),
    ).rejects.toThrow('Unsupported primary key type:number');
    await expect(
      fake.putRow({
        tableName: table,
        primaryKey: pk('z'),
        attributeColumns: [],
      } as unknown as TableStore.PutRowParams),
    ).rejects.toThrow(TypeError);
  });

  it('GetRow on a missing row returns an empty row object', async () => {
    const fake = await fresh();
    expect((await fake.getRow({ tableName: table, primaryKey: pk('nope') })).row).toEqual({});
  });

  it('GetRange orders keys (bytes for strings, numbers for integers), honours direction, limit and paging', async () => {
    const fake = new FakeTablestoreClient({ maxYields: 0, rangePageSize: 3 });
    await fake.createTable({
      tableMeta: {
        tableName: 't',
        primaryKey: [
          { name: 's', type: 'STRING' },
          { name: 'n', type: 'INTEGER' },
        ],
      },
      reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
      tableOptions: { timeToLive: -1, maxVersions: 1 },
    });
    const keys: Array<[string, number]> = [
      ['b', 10],
      ['a', 2],
      ['B', 1],
      ['b', 2],
      ['é', 0],
      ['a', 10],
    ];
    for (const [s, n] of keys) fake.plantRow('t', [{ s }, { n: Long.fromNumber(n) }], { v: `${s}${n}` });
    const all = async (direction: 'FORWARD' | 'BACKWARD', limit?: number) => {
      const lo: TableStore.PrimaryKeyInput = [{ s: TableStore.INF_MIN }, { n: TableStore.INF_MIN }];
      const hi: TableStore.PrimaryKeyInput = [{ s: TableStore.INF_MAX }, { n: TableStore.INF_MAX }];
      const seen: string[] = [];
      let start = direction === 'FORWARD' ? lo : hi;
      for (;;) {
        const r = await fake.getRange({
          tableName: 't',
          direction,
          inclusiveStartPrimaryKey: start,
          exclusiveEndPrimaryKey: direction === 'FORWARD' ? hi : lo,
          ...(limit ? { limit } : {}),
        });
        seen.push(...r.rows.map((row) => row.attributes?.[0]?.columnValue as string));
        if (r.nextStartPrimaryKey === null || limit) break;
        start = r.nextStartPrimaryKey.map((k) => ({ [k.name]: k.value }));
      }
      return seen;
    };
    expect(await all('FORWARD')).toEqual(['B1', 'a2', 'a10', 'b2', 'b10', 'é0']);
    expect(await all('BACKWARD')).toEqual(['é0', 'b10', 'b2', 'a10', 'a2', 'B1']);
    expect(await all('FORWARD', 2)).toEqual(['B1', 'a2']);
    const e = await errorOf(
      fake.getRange({
        tableName: 't',
        direction: 'FORWARD',
        inclusiveStartPrimaryKey: [{ s: TableStore.INF_MAX }, { n: TableStore.INF_MAX }],
        exclusiveEndPrimaryKey: [{ s: TableStore.INF_MIN }, { n: TableStore.INF_MIN }],
      }),
    );
    expect(e.message).toContain('OTSParameterInvalid');
  });

  it('tables: missing → 404 OTSObjectNotExist, duplicate → 409 OTSObjectAlreadyExist, TTL under a day rejected', async () => {
    const fake = new FakeTablestoreClient({ maxYields: 0 });
    const missing = await errorOf(fake.getRow({ tableName: 'nope', primaryKey: pk('x') }));
    expect([missing.code, otsErrorCode(missing)]).toEqual([404, 'OTSObjectNotExist']);
    const create = (ttl: number) =>
      fake.createTable({
        tableMeta: { tableName: 'x', primaryKey: [{ name: 'id', type: 'STRING' }] },
        reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
        tableOptions: { timeToLive: ttl, maxVersions: 1 },
      });
    expect(otsErrorCode(await errorOf(create(3600)))).toBe('OTSParameterInvalid');
    await create(86_400);
    const dup = await errorOf(create(86_400));
    expect([dup.code, otsErrorCode(dup)]).toEqual([409, 'OTSObjectAlreadyExist']);
  });

  it("a 'lost-response' fault applies the write, then fails like a dropped connection", async () => {
    const fake = await fresh();
    fake.failNext('putRow', { kind: 'lost-response' });
    const e = await errorOf(
      fake.putRow({
        tableName: table,
        condition: new Condition(RowExistenceExpectation.IGNORE, null),
        primaryKey: pk('r9'),
        attributeColumns: [{ v: 1 }],
      }),
    );
    expect(e.code).toBe('NetworkingError');
    expect(fake.peekRow(table, pk('r9'))).toEqual({ v: 1 });
  });
});

// =============================================================================================
// The real SDK against a local stand-in server: the error surface and what goes on the wire

interface ProtoType {
  create(o: unknown): unknown;
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): Record<string, unknown>;
}
const protoModule = createRequire(import.meta.url)(
  'tablestore/lib/protocol/tablestore_compiled_proto.js',
) as {
  main: { proto: Record<string, ProtoType> };
  filter: { proto: Record<string, ProtoType> };
};
const mainProto = protoModule.main.proto;
const filterProto = protoModule.filter.proto;

/** Serves Tablestore's protobuf protocol from 127.0.0.1: answers per operation via `reply`. */
async function otsServer(reply: (op: string, body: Buffer) => { status: number; body: Uint8Array }) {
  const requests: Array<{ op: string; body: Buffer; instance: unknown }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const op = (req.url ?? '/').slice(1);
      const body = Buffer.concat(chunks);
      requests.push({ op, body, instance: req.headers['x-ots-instancename'] });
      const r = reply(op, body);
      res.writeHead(r.status, { 'x-ots-requestid': `local-${requests.length}` });
      res.end(Buffer.from(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = createTablestoreClient({
    endpoint: `http://127.0.0.1:${port}`,
    instanceName: 'local-inst',
    credentials: { accessKeyId: 'test-id', accessKeySecret: 'test-secret' },
    maxRetries: 0,
    timeoutMs: 5000,
  });
  return { client, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
const otsErrorBody = (code: string, message: string) =>
  mainProto.Error!.encode(mainProto.Error!.create({ code, message })).finish();
const emptyGetRow = () =>
  mainProto
    .GetRowResponse!.encode(
      mainProto.GetRowResponse!.create({
        consumed: { capacityUnit: { read: 1, write: 0 } },
        row: new Uint8Array(0),
      }),
    )
    .finish();

describe('tablestore SDK surface (real client, local server)', () => {
  it('a failed condition arrives as code 403 (number) with OTSConditionCheckFail in the message — as the fake renders it', async () => {
    const srv = await otsServer(() => ({
      status: 403,
      body: otsErrorBody('OTSConditionCheckFail', 'Condition check failed.'),
    }));
    try {
      const e = await errorOf(
        srv.client.putRow({
          tableName: 't',
          condition: new Condition(RowExistenceExpectation.EXPECT_NOT_EXIST, null),
          primaryKey: [{ id: 'x' }],
          attributeColumns: [{ v: Long.fromNumber(1) }],
        }),
      );
      expect(e.code).toBe(403);
      expect(isConditionCheckFailure(e)).toBe(true);
      expect(e.message).toBe(
        sdkServiceError(403, 'OTSConditionCheckFail', 'Condition check failed.', 'local-1').message,
      );
      expect(srv.requests[0]).toMatchObject({ op: 'PutRow', instance: 'local-inst' });
    } finally {
      await srv.close();
    }
  });

  it('throttling maps to a retryable StoreError with the OTS code and request id', async () => {
    const srv = await otsServer(() => ({
      status: 503,
      body: otsErrorBody('OTSServerBusy', 'Server is busy.'),
    }));
    try {
      const store = createTablestoreStore({ client: srv.client });
      const e = await errorOf(store.markEventSeen('ev-1', 60_000, T0));
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).retryable).toBe(true);
      expect((e as StoreError).details).toMatchObject({
        otsCode: 'OTSServerBusy',
        httpStatus: 503,
        requestId: 'local-1',
      });
      expect(e.message).toContain('Server is busy.');
    } finally {
      await srv.close();
    }
  });

  it('the adapter sends filter_if_missing=true (passIfMissing=false) on every condition of a fenced journal write', async () => {
    const srv = await otsServer((op) =>
      op === 'UpdateRow'
        ? { status: 403, body: otsErrorBody('OTSConditionCheckFail', 'Condition check failed.') }
        : { status: 200, body: emptyGetRow() },
    );
    try {
      const store = createTablestoreStore({ client: srv.client });
      const entry = {
        group: groupName('g1'),
        epoch: 7,
        phase: 'PLANNED' as const,
        decision: { kind: 'noop' as const, holder: undefined, reason: 'x' },
        step: undefined,
        updatedAt: T0,
        detail: undefined,
      };
      const e = await errorOf(store.writeJournal(entry, T0));
      expect(e).toBeInstanceOf(StaleEpochError);
      const update = srv.requests.find((r) => r.op === 'UpdateRow');
      const decoded = mainProto.UpdateRowRequest!.decode(update!.body) as {
        condition: { rowExistence: number; columnCondition: Uint8Array };
      };
      expect(decoded.condition.rowExistence).toBe(RowExistenceExpectation.EXPECT_EXIST);
      const singles: Array<Record<string, unknown>> = [];
      const filterType = filterProto.FilterType as unknown as Record<string, number>;
      const walk = (bytes: Uint8Array) => {
        const f = filterProto.Filter!.decode(bytes) as { type: number; filter: Uint8Array };
        if (f.type === filterType.FT_COMPOSITE_COLUMN_VALUE) {
          const composite = filterProto.CompositeColumnValueFilter!.decode(f.filter) as {
            subFilters: unknown[];
          };
          for (const sub of composite.subFilters) walk(filterProto.Filter!.encode(sub).finish());
        } else {
          expect(f.type).toBe(filterType.FT_SINGLE_COLUMN_VALUE);
          singles.push(filterProto.SingleColumnValueFilter!.decode(f.filter));
        }
      };
      walk(decoded.condition.columnCondition);
      expect(singles.map((s) => s.columnName).sort()).toEqual(['epoch', 'expiresAt', 'released']);
      for (const s of singles) expect(s).toMatchObject({ filterIfMissing: true, latestVersionOnly: true });
    } finally {
      await srv.close();
    }
  });
});

// =============================================================================================
// Tablestore adapter specifics (over the fake)

describe('Tablestore adapter', () => {
  const g = groupName('g1');
  const names = tablestoreTableNames();
  const setup = async () => {
    const fake = new FakeTablestoreClient({ seed: 3 });
    await ensureTablestoreTables(fake);
    return { fake, store: createTablestoreStore({ client: fake }) };
  };
  const entry = (epoch: number) => ({
    group: g,
    epoch,
    phase: 'PLANNED' as const,
    decision: { kind: 'noop' as const, holder: undefined, reason: 'x' },
    step: undefined,
    updatedAt: T0,
    detail: undefined,
  });

  it('builds every column condition with passIfMissing=false and latestVersionOnly=true', async () => {
    const { fake, store } = await setup();
    await store.acquireLease(g, 'a', TTL, T0);
    await store.renewLease(g, 1, TTL, T0 + 1);
    await store.writeJournal(entry(1), T0 + 2);
    await store.releaseLease(g, 1);
    await store.acquireLease(g, 'b', TTL, T0 + 3);
    await store.recordSignal({
      memberId: memberId('i-a'),
      kind: 'heartbeat',
      receivedAt: T0,
      sequence: 1,
      value: 'ok',
      eventId: undefined,
    });
    await store.recordSignal({
      memberId: memberId('i-a'),
      kind: 'heartbeat',
      receivedAt: T0,
      sequence: 2,
      value: 'ok',
      eventId: undefined,
    });
    await store.putHealth(
      {
        memberId: memberId('i-a'),
        probeHealthy: true,
        consecutiveFailures: 0,
        consecutiveSuccesses: 1,
        eligibleSince: undefined,
        updatedAt: T0,
      },
      0,
    );
    await store.putHealth(
      {
        memberId: memberId('i-a'),
        probeHealthy: true,
        consecutiveFailures: 0,
        consecutiveSuccesses: 2,
        eligibleSince: undefined,
        updatedAt: T0,
      },
      1,
    );
    await store.markEventSeen('ev', 10, T0);
    await store.markEventSeen('ev', 10, T0 + 10);
    const singles = fake.calls.flatMap((c) => singleConditionsOf(c.params));
    expect(new Set(singles.map((s) => s.columnName))).toEqual(
      new Set(['epoch', 'released', 'expiresAt', 'rev', 'version']),
    );
    for (const s of singles)
      expect([s.columnName, s.passIfMissing, s.latestVersionOnly]).toEqual([s.columnName, false, true]);
  });

  /** A group row another tool left behind: it names a holder and a far expiry but has no `epoch` column. */
  const plantEpochlessRow = (fake: FakeTablestoreClient) =>
    fake.plantRow(names.groups, [{ group: g }], {
      holder: 'inv-x',
      expiresAt: Long.fromNumber(T0 + 10 * TTL),
      released: false,
    });

  it('trap 1: a group row without an epoch column never lets a fenced write through', async () => {
    const { fake, store } = await setup();
    plantEpochlessRow(fake);
    const before = fake.peekRow(names.groups, [{ group: g }]);
    await expect(store.writeJournal(entry(7), T0)).rejects.toBeInstanceOf(StaleEpochError);
    await expect(store.renewLease(g, 7, TTL, T0)).rejects.toBeInstanceOf(StaleEpochError);
    await expect(store.assertEpoch(g, 7, T0)).rejects.toBeInstanceOf(StaleEpochError);
    await store.releaseLease(g, 7);
    expect(fake.peekRow(names.groups, [{ group: g }])).toEqual(before);
    const e = await errorOf(store.acquireLease(g, 'inv-y', TTL, T0));
    expect(e).toBeInstanceOf(StoreError);
    expect(e.message).toContain('column "epoch" is missing');
    expect(e.message).toContain(names.groups);
  });

  it('trap 1: a health row without a version column never passes a CAS', async () => {
    const { fake, store } = await setup();
    fake.plantRow(names.health, [{ memberId: 'i-a' }], {
      probeHealthy: true,
      consecutiveFailures: Long.fromNumber(0),
    });
    const state = {
      memberId: memberId('i-a'),
      probeHealthy: false,
      consecutiveFailures: 3,
      consecutiveSuccesses: 0,
      eligibleSince: undefined,
      updatedAt: T0,
    };
    expect(await store.putHealth(state, 1)).toBe(false);
    expect(fake.peekRow(names.health, [{ memberId: 'i-a' }])).toEqual({
      probeHealthy: true,
      consecutiveFailures: 0,
    });
  });

  it('the trap tests above have teeth: with the SDK default (passIfMissing=true) the stale write goes through', async () => {
    const { fake } = await setup();
    plantEpochlessRow(fake);
    // The same adapter over a client that puts the SDK default back on every condition.
    const defaulting: TablestoreClientLike = {
      getRow: (p) => fake.getRow(p),
      getRange: (p) => fake.getRange(p),
      putRow: (p) => fake.putRow(withDefaultPassIfMissing(p)),
      updateRow: (p) => fake.updateRow(withDefaultPassIfMissing(p)),
    };
    const store = createTablestoreStore({ client: defaulting });
    await store.writeJournal(entry(7), T0);
    expect(fake.peekRow(names.groups, [{ group: g }])).toHaveProperty('journal');
  });

  it.each([
    {
      label: 'throttling (503 OTSServerBusy)',
      fault: { kind: 'ots', status: 503, code: 'OTSServerBusy' },
      retryable: true,
      otsCode: 'OTSServerBusy',
    },
    {
      label: 'a bad request (400 OTSParameterInvalid)',
      fault: { kind: 'ots', status: 400, code: 'OTSParameterInvalid' },
      retryable: false,
      otsCode: 'OTSParameterInvalid',
    },
    {
      label: 'a denied request (403 OTSAuthFailed)',
      fault: { kind: 'ots', status: 403, code: 'OTSAuthFailed' },
      retryable: false,
      otsCode: 'OTSAuthFailed',
    },
    { label: 'a dropped connection', fault: { kind: 'network' }, retryable: true, otsCode: undefined },
  ] as const)(
    'maps $label on a read to StoreError(retryable=$retryable)',
    async ({ fault, retryable, otsCode }) => {
      const { fake, store } = await setup();
      fake.failNext('getRow', fault);
      const e = await errorOf(store.getLease(g));
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).code).toBe('store.error');
      expect((e as StoreError).retryable).toBe(retryable);
      expect((e as StoreError).details).toMatchObject({
        operation: 'getLease',
        table: names.groups,
        otsCode,
      });
    },
  );

  it('a missing table says how to create it', async () => {
    const store = createTablestoreStore({ client: new FakeTablestoreClient({ maxYields: 0 }) });
    const e = await errorOf(store.getLease(g));
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).retryable).toBe(false);
    expect(e.message).toContain('havip store init');
  });

  it('a fenced write whose connection drops is reported as retryable with an unknown outcome', async () => {
    const { fake, store } = await setup();
    await store.acquireLease(g, 'a', TTL, T0);
    fake.failNext('updateRow', { kind: 'network' });
    const e = await errorOf(store.writeJournal(entry(1), T0 + 1));
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).details).toMatchObject({ outcomeUnknown: true });
    expect((e as StoreError).retryable).toBe(true);
  });

  it.each([
    { label: 'a new group (PutRow)', prior: false },
    { label: 'an expired lease (UpdateRow)', prior: true },
  ])('acquire recognises its own write when the response to it was lost: $label', async ({ prior }) => {
    const { fake, store } = await setup();
    if (prior) await store.acquireLease(g, 'old', TTL, T0 - TTL);
    fake.failNext(prior ? 'updateRow' : 'putRow', { kind: 'lost-response' });
    const r = await store.acquireLease(g, 'inv-a', TTL, T0);
    expect(r).toEqual({
      acquired: true,
      lease: { group: g, epoch: prior ? 2 : 1, holder: 'inv-a', expiresAt: T0 + TTL },
    });
    expect(await store.acquireLease(g, 'inv-b', TTL, T0 + 1)).toMatchObject({
      acquired: false,
      current: { holder: 'inv-a' },
    });
  });

  it('a dedupe row past its expiresAt that table TTL has not deleted yet counts as expired', async () => {
    const { fake, store } = await setup();
    fake.plantRow(names.dedupe, [{ eventId: 'ev-old' }], { expiresAt: Long.fromNumber(T0 - 1) });
    expect(await store.markEventSeen('ev-old', 60_000, T0)).toBe(true);
    expect(fake.peekRow(names.dedupe, [{ eventId: 'ev-old' }])).toEqual({ expiresAt: T0 + 60_000 });
    expect(await store.markEventSeen('ev-old', 60_000, T0 + 1)).toBe(false);
  });

  it('reads history across GetRange pages', async () => {
    const fake = new FakeTablestoreClient({ maxYields: 0, rangePageSize: 1 });
    await ensureTablestoreTables(fake);
    const store = createTablestoreStore({ client: fake });
    for (let i = 0; i < 7; i++) {
      await store.appendHistory({
        group: g,
        epoch: i + 1,
        at: T0 + i,
        decision: { kind: 'noop', holder: undefined, reason: `r${i}` },
        outcome: 'done',
        actor: undefined,
        durationMs: undefined,
        detail: undefined,
      });
    }
    expect((await store.listHistory({ group: g, limit: 5 })).map((h) => h.epoch)).toEqual([7, 6, 5, 4, 3]);
    expect((await store.listHistory({ limit: 100 })).map((h) => h.epoch)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(fake.calls.filter((c) => c.op === 'getRange').length).toBeGreaterThan(7);
  });
});

function withDefaultPassIfMissing<P>(params: P): P {
  for (const s of singleConditionsOf(params)) s.passIfMissing = true;
  return params;
}

describe('ensureTablestoreTables', () => {
  it('creates the five tables with their keys and TTLs, then reports them as existing', async () => {
    const fake = new FakeTablestoreClient({ maxYields: 0 });
    const first = await ensureTablestoreTables(fake);
    expect(first.map((r) => [r.role, r.table, r.status, r.timeToLive])).toEqual([
      ['groups', 'havip_groups', 'created', -1],
      ['signals', 'havip_signals', 'created', -1],
      ['health', 'havip_health', 'created', -1],
      ['dedupe', 'havip_dedupe', 'created', DEFAULT_DEDUPE_TTL_SECONDS],
      ['history', 'havip_history', 'created', -1],
    ]);
    expect(fake.tableOptions('havip_history')).toEqual({
      timeToLive: -1,
      maxVersions: 1,
      primaryKey: [
        { name: 'group', type: 'STRING' },
        { name: 'at', type: 'INTEGER' },
        { name: 'epoch', type: 'INTEGER' },
        { name: 'seq', type: 'STRING' },
      ],
    });
    expect(fake.tableOptions('havip_signals')?.primaryKey.map((k) => k.name)).toEqual(['memberId', 'kind']);
    const second = await ensureTablestoreTables(fake);
    expect(second.every((r) => r.status === 'exists')).toBe(true);
  });

  it('honours a prefix and TTLs, and treats a concurrent creation as existing', async () => {
    const fake = new FakeTablestoreClient({ maxYields: 0 });
    fake.failNext('createTable', { kind: 'ots', status: 409, code: 'OTSObjectAlreadyExist' });
    const r = await ensureTablestoreTables(fake, {
      tables: tablestoreTableNames('prod_'),
      dedupeTtlSeconds: 2 * 86_400,
      historyTtlSeconds: 90 * 86_400,
    });
    expect(r[0]).toMatchObject({ table: 'prod_groups', status: 'exists' });
    expect(fake.tableOptions('prod_dedupe')?.timeToLive).toBe(2 * 86_400);
    expect(fake.tableOptions('prod_history')?.timeToLive).toBe(90 * 86_400);
  });

  it.each([
    { label: 'a dedupe TTL under a day', opts: { dedupeTtlSeconds: 3600 }, path: 'dedupeTtlSeconds' },
    { label: 'an invalid table name', opts: { tables: { groups: 'has-dash' } }, path: 'tables.groups' },
  ])('rejects $label before calling the service', async ({ opts, path }) => {
    const fake = new FakeTablestoreClient({ maxYields: 0 });
    const e = await errorOf(ensureTablestoreTables(fake, opts));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).issues[0]?.path).toBe(path);
    expect(fake.calls).toEqual([]);
  });
});

describe('createTablestoreClient', () => {
  it.each([
    {
      label: 'an endpoint without scheme',
      patch: { endpoint: 'inst.cn-hangzhou.ots.aliyuncs.com' },
      path: 'endpoint',
    },
    {
      label: 'an empty AccessKey id',
      patch: { credentials: { accessKeyId: '', accessKeySecret: 's' } },
      path: 'credentials.accessKeyId',
    },
    { label: 'an instance name with spaces', patch: { instanceName: 'my inst' }, path: 'instanceName' },
  ])('rejects $label naming $path', ({ patch, path }) => {
    let caught: unknown;
    try {
      createTablestoreClient({
        endpoint: 'https://inst.cn-hangzhou.ots.aliyuncs.com',
        instanceName: 'inst',
        credentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
        ...patch,
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect((caught as InvalidInputError).issues.map((i) => i.path)).toContain(path);
  });
});

// =============================================================================================
// havip store init

describe('havip store init', () => {
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
    expect(out.text).toContain('5 table(s) created, 0 already existed');
    expect(seen[0]).toEqual({
      endpoint: env.HAVIP_TABLESTORE_ENDPOINT,
      instanceName: 'inst',
      credentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
    });
    const json = sink();
    expect(await runStoreInit({ json: true }, io(json))).toBe(0);
    expect(JSON.parse(json.text).tables.map((t: { status: string }) => t.status)).toEqual(
      Array(5).fill('exists'),
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
    const path = join(dir, 'cli', 'spawned.db');
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'bin/havip.ts', 'store', 'init', '--sqlite', path],
          {
            cwd: repo,
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
        });
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`SQLite store created at ${path}`);
  }, 30_000);
});
