/**
 * The Tablestore adapter over the in-memory fake client: the StateStore contract, the adapter's own
 * behaviour (the SDK traps, error mapping, lost responses, lazy TTL), and the fake itself checked
 * against the SDK's documented and observed behaviour (the contract run is only as good as the fake).
 */
import TableStore from 'tablestore';
import { describe, expect, it } from 'vitest';
import {
  createTablestoreStore,
  ensureTablestoreTables,
  isConditionCheckFailure,
  otsErrorCode,
  type TablestoreClientLike,
  tablestoreTableNames,
} from '../../../../shared/adapters/tablestore/index.js';
import { StaleEpochError, StoreError } from '../../../../shared/core/errors.js';
import { groupName, memberId } from '../../../../shared/core/model.js';
import { FakeTablestoreClient, singleConditionsOf } from '../../../support/fake-tablestore.js';
import { errorOf } from '../../../support/rejection.js';
import { runStateStoreContract } from '../../../support/state-store-contract.js';

const T0 = 1_700_000_000_000;
const TTL = 30_000;

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
      source: 'http',
      receivedAt: T0,
      sequence: 1,
    });
    await store.recordSignal({
      memberId: memberId('i-a'),
      kind: 'heartbeat',
      source: 'http',
      receivedAt: T0,
      sequence: 2,
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

  it('reads version-1 signal rows (a `value`, no `payload`) through the legacy decoder, and replaces them in the new layout', async () => {
    const { fake, store } = await setup();
    const a = memberId('i-a');
    // As version 1 wrote them (the `value` spelled by its writers; `rev` as every version writes it).
    fake.plantRow(names.signals, [{ memberId: 'i-a' }, { kind: 'drain' }], {
      receivedAt: Long.fromNumber(T0),
      value: 'manual: swap (ops)',
      rev: Long.fromNumber(1),
    });
    fake.plantRow(names.signals, [{ memberId: 'i-a' }, { kind: 'heartbeat' }], {
      receivedAt: Long.fromNumber(T0),
      sequence: Long.fromNumber(41),
      value: 'ok',
      rev: Long.fromNumber(3),
    });
    const drain = {
      memberId: a,
      kind: 'drain',
      source: 'http',
      cause: 'manual',
      reason: 'swap',
      actor: 'ops',
      receivedAt: T0,
    } as const;
    expect((await store.latestSignals([a])).get(a)).toEqual({
      drain,
      heartbeat: { memberId: a, kind: 'heartbeat', source: 'http', sequence: 41, receivedAt: T0 },
    });
    expect(await store.recordSignal({ ...drain, reason: 'older', receivedAt: T0 - 1 })).toBe(false);
    expect(await store.recordSignal({ ...drain, reason: 'again', receivedAt: T0 + 1 })).toBe(true);
    const row = fake.peekRow(names.signals, [{ memberId: 'i-a' }, { kind: 'drain' }]);
    expect(row).not.toHaveProperty('value');
    expect(JSON.parse(String(row?.payload))).toMatchObject({ cause: 'manual', reason: 'again' });
  });

  it('a version-1 row no version-1 writer could have written is an error naming it', async () => {
    const { fake, store } = await setup();
    fake.plantRow(names.signals, [{ memberId: 'i-a' }, { kind: 'heartbeat' }], {
      receivedAt: Long.fromNumber(T0),
      value: 'maybe',
      rev: Long.fromNumber(1),
    });
    const e = await errorOf(store.latestSignals([memberId('i-a')]));
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).message).toMatch(
      /row "i-a\/heartbeat" \(version 1\) is a version-1 "heartbeat" row/,
    );
  });

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
