/**
 * StateStore over Alibaba Cloud Tablestore (OTS): the production store.
 *
 * Every fenced operation is ONE conditional row write, so the check and the write are atomic on the
 * server: the lease and the journal share the group row, and `writeJournal` is an UpdateRow whose
 * condition is "epoch == mine AND not released AND expiresAt > now". Reads before a write are only
 * optimisations or diagnostics; the condition is always the authority.
 *
 * Two SDK traps are handled here (see errors.ts and ALIBABA docs on conditional update):
 * - `SingleColumnCondition`'s `passIfMissing` defaults to true, which would let `epoch == 7` pass on a
 *   row without an `epoch` column. Every condition is built by `col()`, which passes false.
 * - A failed condition is `err.code === 403` (a number) with `OTSConditionCheckFail` in the message.
 *
 * Integers are written as `TableStore.Long` (a JS number would be stored as a DOUBLE and would never
 * compare equal to an INTEGER column).
 */
import { randomBytes } from 'node:crypto';
import TableStore from 'tablestore';
import { HavipError, StoreError } from '../../core/errors.js';
import type { GroupName, MemberId } from '../../core/model.js';
import type {
  AcquireResult,
  HistoryRecord,
  Lease,
  MemberHealthState,
  SignalKind,
  SignalRecord,
  StateStore,
} from '../../core/ports.js';
import {
  checkAcquire,
  checkDedupe,
  checkEpochArgs,
  checkGroup,
  checkHealth,
  checkHistory,
  checkHistoryQuery,
  checkJournal,
  checkMemberIds,
  checkRenew,
  checkSignal,
  compareHistoryNewestFirst,
  decodeHistory,
  decodeJournal,
  encodeHistory,
  encodeJournal,
  isLeaseFree,
  isNewerSignal,
  leaseVerdict,
  type StoredLease,
  signalOf,
  staleEpoch,
  toLease,
} from '../sqlite/state-records.js';
import { isConditionCheckFailure, isOutcomeUnknown, toStoreError } from './errors.js';
import { resolveTableNames, type TablestoreTableNames } from './tables.js';

/** The data-plane calls the store makes; a real `TableStore.Client` satisfies it. */
export interface TablestoreClientLike {
  getRow(params: TableStore.GetRowParams): Promise<TableStore.RowResponse>;
  putRow(params: TableStore.PutRowParams): Promise<TableStore.RowResponse>;
  updateRow(params: TableStore.UpdateRowParams): Promise<TableStore.RowResponse>;
  getRange(params: TableStore.GetRangeParams): Promise<TableStore.GetRangeResponse>;
}

export interface TablestoreStoreOptions {
  readonly client: TablestoreClientLike;
  /** Table names (defaults: `havip_groups`, `havip_signals`, `havip_health`, `havip_dedupe`, `havip_history`). */
  readonly tables?: Partial<TablestoreTableNames>;
  /**
   * Bound on optimistic-concurrency rounds per call (read, then conditional write). Each failed round
   * means another writer succeeded, so the bound only matters under extreme contention. Default 32.
   */
  readonly maxAttempts?: number;
}

const {
  Condition,
  SingleColumnCondition,
  CompositeCondition,
  RowExistenceExpectation: RowExp,
  ComparatorType: Cmp,
  LogicalOperator: Logic,
  Long,
  INF_MIN,
  INF_MAX,
  Direction,
} = TableStore;

type ColumnCondition = TableStore.SingleColumnCondition | TableStore.CompositeCondition;

/** A column condition that FAILS when the column is missing (trap 1) and looks at the latest version only. */
function col(
  name: string,
  comparator: number,
  value: TableStore.ColumnValue,
): TableStore.SingleColumnCondition {
  return new SingleColumnCondition(name, value, comparator, false, true);
}
function allOf(...conditions: ColumnCondition[]): TableStore.CompositeCondition {
  const c = new CompositeCondition(Logic.AND);
  for (const sub of conditions) c.addSubCondition(sub);
  return c;
}
function anyOf(...conditions: ColumnCondition[]): TableStore.CompositeCondition {
  const c = new CompositeCondition(Logic.OR);
  for (const sub of conditions) c.addSubCondition(sub);
  return c;
}
const rowMustExist = (c?: ColumnCondition): TableStore.Condition =>
  new Condition(RowExp.EXPECT_EXIST, c ?? null);
const rowMustNotExist = (): TableStore.Condition => new Condition(RowExp.EXPECT_NOT_EXIST, null);
const long = (n: number): TableStore.Int64 => Long.fromNumber(n);

function isInt64(v: unknown): v is TableStore.Int64 {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Buffer.isBuffer(v) &&
    typeof (v as { toNumber?: unknown }).toNumber === 'function'
  );
}

/** Typed access to a decoded row's attribute columns; wrong types are reported, never coerced. */
class Columns {
  private readonly values = new Map<string, TableStore.ColumnValue>();
  constructor(
    private readonly where: string,
    row: TableStore.Row,
  ) {
    for (const a of row.attributes ?? []) this.values.set(a.columnName, a.columnValue);
  }

  static of(where: string, row: TableStore.Row | undefined): Columns | undefined {
    return row?.primaryKey !== undefined && row.primaryKey.length > 0 ? new Columns(where, row) : undefined;
  }

  private corrupt(name: string, problem: string): StoreError {
    return new StoreError(
      `${this.where}: column ${JSON.stringify(name)} ${problem}; the row was not written by havip (or by an incompatible version) — inspect it and delete it if it is stray`,
      { details: { row: this.where, column: name } },
    );
  }

  int(name: string): number | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (!isInt64(v)) throw this.corrupt(name, `has a ${typeof v} value, expected INTEGER`);
    return v.toNumber();
  }
  str(name: string): string | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw this.corrupt(name, 'is not a STRING');
    return v;
  }
  bool(name: string): boolean | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw this.corrupt(name, 'is not a BOOLEAN');
    return v;
  }
  reqInt(name: string): number {
    const v = this.int(name);
    if (v === undefined) throw this.corrupt(name, 'is missing');
    return v;
  }
  reqStr(name: string): string {
    const v = this.str(name);
    if (v === undefined) throw this.corrupt(name, 'is missing');
    return v;
  }
  reqBool(name: string): boolean {
    const v = this.bool(name);
    if (v === undefined) throw this.corrupt(name, 'is missing');
    return v;
  }
}

function pkString(row: TableStore.Row, index: number): string | undefined {
  const v = row.primaryKey?.[index]?.value;
  return typeof v === 'string' ? v : undefined;
}

function contention(operation: string, key: string, attempts: number): StoreError {
  return new StoreError(
    `Tablestore ${operation} on ${key}: still conflicting after ${attempts} optimistic attempts; retry later`,
    { retryable: true, details: { operation, key, attempts } },
  );
}

/**
 * Creates the Tablestore-backed StateStore. The tables must exist (`havip store init`).
 *
 * Lease semantics shared with the SQLite adapter: a lease is free when absent, released or expired
 * (`expiresAt <= now`); acquiring bumps the epoch by one; the lease is not re-entrant (a holder that
 * acquires again while it holds the lease gets `acquired: false`); renewing our own expired lease is
 * allowed while nobody has acquired the group since.
 */
export function createTablestoreStore(opts: TablestoreStoreOptions): StateStore {
  const client = opts.client;
  const T = resolveTableNames(opts.tables);
  const maxAttempts = Math.max(1, Math.trunc(opts.maxAttempts ?? 32));
  let closed = false;
  let historySeq = 0;

  const op = async <R>(operation: string, fn: () => Promise<R>): Promise<R> => {
    if (closed)
      throw new StoreError(`Tablestore ${operation}: the store is closed`, { details: { operation } });
    try {
      return await fn();
    } catch (e) {
      if (e instanceof HavipError) throw e;
      throw new StoreError(`Tablestore ${operation} failed: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
        details: { operation },
      });
    }
  };

  /** A plain call: any failure becomes a StoreError. */
  const call = async <R>(operation: string, table: string, fn: () => Promise<R>): Promise<R> => {
    try {
      return await fn();
    } catch (e) {
      throw toStoreError(operation, table, e);
    }
  };

  /** A conditional write: true when applied, false when the server rejected the condition. */
  const conditional = async (
    operation: string,
    table: string,
    fn: () => Promise<unknown>,
  ): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (e) {
      if (isConditionCheckFailure(e)) return false;
      throw toStoreError(operation, table, e);
    }
  };

  // -- group rows: lease + journal -------------------------------------------------------------

  const groupKey = (group: string): TableStore.PrimaryKeyInput => [{ group }];
  const where = (table: string, key: string): string => `table ${table} row ${JSON.stringify(key)}`;

  const getGroupRow = async (
    operation: string,
    group: string,
    columnsToGet?: string[],
  ): Promise<Columns | undefined> => {
    const res = await call(operation, T.groups, () =>
      client.getRow({ tableName: T.groups, primaryKey: groupKey(group), maxVersions: 1, columnsToGet }),
    );
    return Columns.of(where(T.groups, group), res.row);
  };

  const parseLease = (group: string, c: Columns): StoredLease => ({
    group: group as GroupName,
    epoch: c.reqInt('epoch'),
    holder: c.reqStr('holder'),
    expiresAt: c.reqInt('expiresAt'),
    released: c.reqBool('released'),
  });

  /** Strict: a malformed row is an error the operator must see. */
  const readLease = async (operation: string, group: string): Promise<StoredLease | undefined> => {
    const c = await getGroupRow(operation, group);
    return c === undefined ? undefined : parseLease(group, c);
  };

  /** Lenient, for fencing checks and diagnostics: a malformed row counts as "no valid lease". */
  const readLeaseLenient = async (
    operation: string,
    group: string,
  ): Promise<{ exists: boolean; lease: StoredLease | undefined; holder: string | undefined }> => {
    const c = await getGroupRow(operation, group);
    if (c === undefined) return { exists: false, lease: undefined, holder: undefined };
    let holder: string | undefined;
    try {
      holder = c.str('holder');
    } catch {
      holder = undefined;
    }
    try {
      return { exists: true, lease: parseLease(group, c), holder };
    } catch (e) {
      if (e instanceof StoreError) return { exists: true, lease: undefined, holder };
      throw e;
    }
  };

  const leaseColumns = (
    epoch: number,
    holder: string,
    expiresAt: number,
  ): TableStore.AttributeColumnsInput => [
    { epoch: long(epoch) },
    { holder },
    { expiresAt: long(expiresAt) },
    { released: false },
  ];

  const acquireLease = async (
    group: GroupName,
    holder: string,
    ttlMs: number,
    now: number,
  ): Promise<AcquireResult> => {
    checkAcquire(group, holder, ttlMs, now);
    const expiresAt = now + ttlMs;
    // A write whose response was lost may have been applied; if the row later shows exactly that
    // write, it was ours and we hold the lease.
    let pending: { epoch: number } | undefined;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const row = await readLease('acquireLease', group);
      if (
        pending !== undefined &&
        row !== undefined &&
        row.epoch === pending.epoch &&
        row.holder === holder &&
        row.expiresAt === expiresAt &&
        !row.released
      ) {
        return { acquired: true, lease: toLease(row) };
      }
      pending = undefined;
      if (row !== undefined && !isLeaseFree(row, now)) return { acquired: false, current: toLease(row) };

      const epoch = row === undefined ? 1 : row.epoch + 1;
      const write =
        row === undefined
          ? () =>
              client.putRow({
                tableName: T.groups,
                condition: rowMustNotExist(),
                primaryKey: groupKey(group),
                attributeColumns: leaseColumns(epoch, holder, expiresAt),
              })
          : () =>
              client.updateRow({
                tableName: T.groups,
                // Still the epoch we read, and still free: released, or expired at `now`.
                condition: rowMustExist(
                  allOf(
                    col('epoch', Cmp.EQUAL, long(row.epoch)),
                    anyOf(col('released', Cmp.EQUAL, true), col('expiresAt', Cmp.LESS_EQUAL, long(now))),
                  ),
                ),
                primaryKey: groupKey(group),
                updateOfAttributeColumns: [{ PUT: leaseColumns(epoch, holder, expiresAt) }],
              });
      try {
        await write();
        return { acquired: true, lease: { group, epoch, holder, expiresAt } };
      } catch (e) {
        if (isConditionCheckFailure(e)) continue;
        if (isOutcomeUnknown(e)) {
          pending = { epoch };
          continue;
        }
        throw toStoreError('acquireLease', T.groups, e);
      }
    }
    throw contention('acquireLease', where(T.groups, group), maxAttempts);
  };

  const renewLease = async (group: GroupName, epoch: number, ttlMs: number, now: number): Promise<Lease> => {
    checkRenew(group, epoch, ttlMs, now);
    const before = await readLeaseLenient('renewLease', group);
    if (!before.exists) throw staleEpoch(group, epoch, undefined);
    const expiresAt = now + ttlMs;
    const applied = await conditional('renewLease', T.groups, () =>
      client.updateRow({
        tableName: T.groups,
        // No expiry check: our own expired lease may be renewed while the epoch is still ours.
        condition: rowMustExist(
          allOf(col('epoch', Cmp.EQUAL, long(epoch)), col('released', Cmp.EQUAL, false)),
        ),
        primaryKey: groupKey(group),
        updateOfAttributeColumns: [{ PUT: [{ expiresAt: long(expiresAt) }] }],
      }),
    );
    if (!applied) throw staleEpoch(group, epoch, (await readLeaseLenient('renewLease', group)).lease);
    // The holder cannot change without the epoch changing, so the value read before is still right.
    return { group, epoch, holder: before.lease?.holder ?? before.holder ?? '', expiresAt };
  };

  const releaseLease = async (group: GroupName, epoch: number): Promise<void> => {
    checkEpochArgs('releaseLease', group, epoch);
    // A failed condition means the epoch is stale or already released: nothing to do.
    await conditional('releaseLease', T.groups, () =>
      client.updateRow({
        tableName: T.groups,
        condition: rowMustExist(
          allOf(col('epoch', Cmp.EQUAL, long(epoch)), col('released', Cmp.EQUAL, false)),
        ),
        primaryKey: groupKey(group),
        updateOfAttributeColumns: [{ PUT: [{ released: true }] }],
      }),
    );
  };

  const assertEpoch = async (group: GroupName, epoch: number, now: number): Promise<void> => {
    checkEpochArgs('assertEpoch', group, epoch, now);
    const { lease } = await readLeaseLenient('assertEpoch', group);
    if (leaseVerdict(lease, epoch, now) !== 'current') throw staleEpoch(group, epoch, lease, now);
  };

  // -- signals ---------------------------------------------------------------------------------

  const signalColumns = (s: SignalRecord, rev: number): TableStore.AttributeColumnsInput => {
    const cols: TableStore.AttributeColumnsInput = [
      { receivedAt: long(s.receivedAt) },
      { value: s.value },
      { rev: long(rev) },
    ];
    if (s.sequence !== undefined) cols.push({ sequence: long(s.sequence) });
    if (s.eventId !== undefined) cols.push({ eventId: s.eventId });
    return cols;
  };

  const parseSignal = (memberId: string, kind: string, c: Columns): SignalRecord =>
    signalOf({
      memberId,
      kind,
      receivedAt: c.reqInt('receivedAt'),
      sequence: c.int('sequence'),
      value: c.reqStr('value'),
      eventId: c.str('eventId'),
    });

  const recordSignal = async (s: SignalRecord): Promise<boolean> => {
    checkSignal(s);
    const primaryKey: TableStore.PrimaryKeyInput = [{ memberId: s.memberId }, { kind: s.kind }];
    const key = where(T.signals, `${s.memberId}/${s.kind}`);
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const res = await call('recordSignal', T.signals, () =>
        client.getRow({ tableName: T.signals, primaryKey, maxVersions: 1 }),
      );
      const c = Columns.of(key, res.row);
      let condition: TableStore.Condition;
      let rev: number;
      if (c === undefined) {
        condition = rowMustNotExist();
        rev = 1;
      } else {
        if (!isNewerSignal(s, parseSignal(s.memberId, s.kind, c))) return false;
        // `rev` changes on every write: the put applies only if nobody wrote since our read.
        const seen = c.reqInt('rev');
        condition = rowMustExist(col('rev', Cmp.EQUAL, long(seen)));
        rev = seen + 1;
      }
      const applied = await conditional('recordSignal', T.signals, () =>
        client.putRow({
          tableName: T.signals,
          condition,
          primaryKey,
          attributeColumns: signalColumns(s, rev),
        }),
      );
      if (applied) return true;
    }
    throw contention('recordSignal', key, maxAttempts);
  };

  const latestSignals = async (
    memberIds: readonly MemberId[],
  ): Promise<Map<MemberId, Partial<Record<SignalKind, SignalRecord>>>> => {
    checkMemberIds('latestSignals', memberIds);
    const entries = await Promise.all(
      memberIds.map(async (id) => {
        const byKind: Partial<Record<SignalKind, SignalRecord>> = {};
        const rows = await scan('latestSignals', {
          tableName: T.signals,
          direction: Direction.FORWARD,
          inclusiveStartPrimaryKey: [{ memberId: id }, { kind: INF_MIN }],
          exclusiveEndPrimaryKey: [{ memberId: id }, { kind: INF_MAX }],
        });
        for (const row of rows) {
          const kind = pkString(row, 1);
          const c = Columns.of(where(T.signals, `${id}/${kind}`), row);
          if (kind === undefined || c === undefined) continue;
          const s = parseSignal(id, kind, c);
          byKind[s.kind] = s;
        }
        return [id, byKind] as const;
      }),
    );
    return new Map(entries);
  };

  /** Reads a key range, following `nextStartPrimaryKey` until done or `limit` rows were read. */
  const scan = async (
    operation: string,
    params: TableStore.GetRangeParams,
    limit = Number.POSITIVE_INFINITY,
  ): Promise<TableStore.Row[]> => {
    const out: TableStore.Row[] = [];
    let start = params.inclusiveStartPrimaryKey;
    while (out.length < limit) {
      const remaining = limit - out.length;
      const res = await call(operation, params.tableName, () =>
        client.getRange({
          ...params,
          inclusiveStartPrimaryKey: start,
          maxVersions: 1,
          ...(Number.isFinite(remaining) ? { limit: Math.min(remaining, 5000) } : {}),
        }),
      );
      out.push(...res.rows);
      if (res.nextStartPrimaryKey === null || res.nextStartPrimaryKey === undefined) break;
      start = res.nextStartPrimaryKey.map((k) => ({ [k.name]: k.value }));
    }
    return out.slice(0, Number.isFinite(limit) ? limit : undefined);
  };

  // -- health ----------------------------------------------------------------------------------

  const getHealth = async (memberIds: readonly MemberId[]): Promise<Map<MemberId, MemberHealthState>> => {
    checkMemberIds('getHealth', memberIds);
    const rows = await Promise.all(
      memberIds.map(async (id) => {
        const res = await call('getHealth', T.health, () =>
          client.getRow({ tableName: T.health, primaryKey: [{ memberId: id }], maxVersions: 1 }),
        );
        const c = Columns.of(where(T.health, id), res.row);
        if (c === undefined) return undefined;
        const state: MemberHealthState = {
          memberId: id,
          probeHealthy: c.reqBool('probeHealthy'),
          consecutiveFailures: c.reqInt('consecutiveFailures'),
          consecutiveSuccesses: c.reqInt('consecutiveSuccesses'),
          eligibleSince: c.int('eligibleSince'),
          ineligibleSince: c.int('ineligibleSince'),
          updatedAt: c.reqInt('updatedAt'),
          version: c.reqInt('version'),
        };
        return state;
      }),
    );
    const out = new Map<MemberId, MemberHealthState>();
    for (const s of rows) if (s !== undefined) out.set(s.memberId, s);
    return out;
  };

  const putHealth = async (
    state: Omit<MemberHealthState, 'version'>,
    expectedVersion: number,
  ): Promise<boolean> => {
    checkHealth(state, expectedVersion);
    const attributeColumns: TableStore.AttributeColumnsInput = [
      { probeHealthy: state.probeHealthy },
      { consecutiveFailures: long(state.consecutiveFailures) },
      { consecutiveSuccesses: long(state.consecutiveSuccesses) },
      { updatedAt: long(state.updatedAt) },
      { version: long(expectedVersion + 1) },
    ];
    if (state.eligibleSince !== undefined)
      attributeColumns.push({ eligibleSince: long(state.eligibleSince) });
    if (state.ineligibleSince !== undefined)
      attributeColumns.push({ ineligibleSince: long(state.ineligibleSince) });
    const condition =
      expectedVersion === 0
        ? rowMustNotExist()
        : rowMustExist(col('version', Cmp.EQUAL, long(expectedVersion)));
    return conditional('putHealth', T.health, () =>
      client.putRow({
        tableName: T.health,
        condition,
        primaryKey: [{ memberId: state.memberId }],
        attributeColumns,
      }),
    );
  };

  // -- dedupe ----------------------------------------------------------------------------------

  const markEventSeen = async (eventId: string, ttlMs: number, now: number): Promise<boolean> => {
    checkDedupe(eventId, ttlMs, now);
    const primaryKey: TableStore.PrimaryKeyInput = [{ eventId }];
    const expiresAt = long(now + ttlMs);
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const inserted = await conditional('markEventSeen', T.dedupe, () =>
        client.putRow({
          tableName: T.dedupe,
          condition: rowMustNotExist(),
          primaryKey,
          attributeColumns: [{ expiresAt }],
        }),
      );
      if (inserted) return true;
      // The row exists. Table TTL deletes lazily, so an expired row may still be there: its
      // `expiresAt` is the truth.
      const res = await call('markEventSeen', T.dedupe, () =>
        client.getRow({ tableName: T.dedupe, primaryKey, maxVersions: 1 }),
      );
      const c = Columns.of(where(T.dedupe, eventId), res.row);
      if (c === undefined) continue; // deleted by TTL since our put: insert again
      const stored = c.reqInt('expiresAt');
      if (stored > now) return false;
      const refreshed = await conditional('markEventSeen', T.dedupe, () =>
        client.updateRow({
          tableName: T.dedupe,
          condition: rowMustExist(col('expiresAt', Cmp.EQUAL, long(stored))),
          primaryKey,
          updateOfAttributeColumns: [{ PUT: [{ expiresAt }] }],
        }),
      );
      if (refreshed) return true;
    }
    throw contention('markEventSeen', where(T.dedupe, eventId), maxAttempts);
  };

  // -- history ---------------------------------------------------------------------------------

  const nextSeq = (): string => {
    historySeq += 1;
    // Increasing within this store instance so same-millisecond records list newest first; the
    // random suffix keeps keys from different processes apart.
    return `${historySeq.toString(36).padStart(10, '0')}-${randomBytes(4).toString('hex')}`;
  };

  const appendHistory = async (record: HistoryRecord): Promise<void> => {
    checkHistory(record);
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const applied = await conditional('appendHistory', T.history, () =>
        client.putRow({
          tableName: T.history,
          condition: rowMustNotExist(),
          primaryKey: [
            { group: record.group },
            { at: long(record.at) },
            { epoch: long(record.epoch) },
            { seq: nextSeq() },
          ],
          attributeColumns: [{ record: encodeHistory(record) }],
        }),
      );
      if (applied) return;
    }
    throw contention('appendHistory', T.history, maxAttempts);
  };

  const listHistory = async (query: {
    group?: GroupName;
    since?: number;
    limit: number;
  }): Promise<HistoryRecord[]> => {
    checkHistoryQuery(query);
    const decode = (row: TableStore.Row): { record: HistoryRecord; seq: string } => {
      const seq = pkString(row, 3) ?? '';
      const c = Columns.of(where(T.history, `${pkString(row, 0)}/${seq}`), row);
      const json = c?.reqStr('record') ?? '';
      return { record: decodeHistory(where(T.history, `${pkString(row, 0)}/${seq}`), json), seq };
    };
    if (query.group !== undefined) {
      // Keys sort by (group, at, epoch, seq): reading backwards from the top of the group's range
      // yields newest first and stops at `since`.
      const rows = await scan(
        'listHistory',
        {
          tableName: T.history,
          direction: Direction.BACKWARD,
          inclusiveStartPrimaryKey: [
            { group: query.group },
            { at: INF_MAX },
            { epoch: INF_MAX },
            { seq: INF_MAX },
          ],
          exclusiveEndPrimaryKey: [
            { group: query.group },
            { at: query.since === undefined ? INF_MIN : long(query.since) },
            { epoch: INF_MIN },
            { seq: INF_MIN },
          ],
        },
        query.limit,
      );
      return rows.map((r) => decode(r).record);
    }
    // Across groups the key order is not time order: read the table (bounded by its TTL) and sort.
    const rows = await scan('listHistory', {
      tableName: T.history,
      direction: Direction.FORWARD,
      inclusiveStartPrimaryKey: [{ group: INF_MIN }, { at: INF_MIN }, { epoch: INF_MIN }, { seq: INF_MIN }],
      exclusiveEndPrimaryKey: [{ group: INF_MAX }, { at: INF_MAX }, { epoch: INF_MAX }, { seq: INF_MAX }],
    });
    return rows
      .map(decode)
      .filter((h) => query.since === undefined || h.record.at >= query.since)
      .sort(
        (a, b) =>
          compareHistoryNewestFirst(a.record, b.record) || (a.seq < b.seq ? 1 : a.seq > b.seq ? -1 : 0),
      )
      .slice(0, query.limit)
      .map((h) => h.record);
  };

  return {
    acquireLease: (group, holder, ttlMs, now) =>
      op('acquireLease', () => acquireLease(group, holder, ttlMs, now)),
    renewLease: (group, epoch, ttlMs, now) => op('renewLease', () => renewLease(group, epoch, ttlMs, now)),
    releaseLease: (group, epoch) => op('releaseLease', () => releaseLease(group, epoch)),
    assertEpoch: (group, epoch, now) => op('assertEpoch', () => assertEpoch(group, epoch, now)),
    getLease: (group) =>
      op('getLease', async () => {
        checkGroup('getLease', group);
        const row = await readLease('getLease', group);
        return row === undefined || row.released ? undefined : toLease(row);
      }),
    writeJournal: (entry, now) =>
      op('writeJournal', async () => {
        checkJournal(entry, now);
        const applied = await conditional('writeJournal', T.groups, () =>
          client.updateRow({
            tableName: T.groups,
            condition: rowMustExist(
              allOf(
                col('epoch', Cmp.EQUAL, long(entry.epoch)),
                col('released', Cmp.EQUAL, false),
                col('expiresAt', Cmp.GREATER_THAN, long(now)),
              ),
            ),
            primaryKey: groupKey(entry.group),
            updateOfAttributeColumns: [{ PUT: [{ journal: encodeJournal(entry) }] }],
          }),
        );
        if (!applied) {
          throw staleEpoch(
            entry.group,
            entry.epoch,
            (await readLeaseLenient('writeJournal', entry.group)).lease,
            now,
          );
        }
      }),
    readJournal: (group) =>
      op('readJournal', async () => {
        checkGroup('readJournal', group);
        const c = await getGroupRow('readJournal', group, ['journal']);
        const json = c?.str('journal');
        return json === undefined ? undefined : decodeJournal(where(T.groups, group), json);
      }),
    recordSignal: (signal) => op('recordSignal', () => recordSignal(signal)),
    latestSignals: (memberIds) => op('latestSignals', () => latestSignals(memberIds)),
    getHealth: (memberIds) => op('getHealth', () => getHealth(memberIds)),
    putHealth: (state, expectedVersion) => op('putHealth', () => putHealth(state, expectedVersion)),
    markEventSeen: (eventId, ttlMs, now) => op('markEventSeen', () => markEventSeen(eventId, ttlMs, now)),
    appendHistory: (record) => op('appendHistory', () => appendHistory(record)),
    listHistory: (query) => op('listHistory', () => listHistory(query)),
    close: async () => {
      closed = true;
    },
  };
}
