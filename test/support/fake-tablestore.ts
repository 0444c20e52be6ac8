/**
 * An in-memory stand-in for `TableStore.Client` (tablestore 5.6.x) with the service's semantics and the
 * SDK's error surface, so the Tablestore adapter can run the StateStore contract suite offline.
 *
 * What it reproduces:
 * - Requests are built from the SDK's own classes (`Condition`, `SingleColumnCondition`,
 *   `CompositeCondition`, `Long`, `INF_MIN`/`INF_MAX`) and read the same fields the SDK encoder reads.
 * - Row existence expectations and column conditions, including `passIfMissing` defaulting to TRUE
 *   when the constructor argument is omitted (the SDK sets it), AND/OR/NOT, at most 10 conditions.
 * - Types: a JS number is a DOUBLE, `Long` is an INTEGER; a condition comparing different types is
 *   rejected (stricter than needed, so a `number` where a `Long` belongs cannot go unnoticed). Integers
 *   come back as `Int64` objects, like the SDK's decoder returns them.
 * - Errors exactly as the SDK surfaces them: the service's protobuf `Error` body rendered as text plus
 *   ` requestId:…`, with the HTTP status as a NUMBER in `err.code` (403 + `OTSConditionCheckFail` for
 *   a failed condition, 404 `OTSObjectNotExist`, 409 `OTSObjectAlreadyExist`, 400 `OTSParameterInvalid`).
 * - GetRange order (byte order for strings, numeric for integers), FORWARD/BACKWARD bounds, `limit`,
 *   a per-call row cap with `nextStartPrimaryKey`, and GetRow's `{}` for a missing row.
 * - Each call yields to the event loop a (seeded) random number of times before and after it applies,
 *   so concurrent callers interleave between their reads and writes like real network calls.
 *
 * Not modelled: table TTL expiry (the service deletes lazily; here rows never expire — the worst case),
 * multiple versions per column, throughput, BatchWriteRow, transactions, search indexes.
 */
import { createRequire } from 'node:module';
import TableStore from 'tablestore';

type PkType = 'STRING' | 'INTEGER' | 'BINARY';
type Cell =
  | { readonly t: 'INTEGER'; readonly v: bigint }
  | { readonly t: 'DOUBLE'; readonly v: number }
  | { readonly t: 'STRING'; readonly v: string }
  | { readonly t: 'BOOLEAN'; readonly v: boolean }
  | { readonly t: 'BINARY'; readonly v: Buffer };
type PkCell = Extract<Cell, { t: PkType }>;
type Bound = PkCell | 'INF_MIN' | 'INF_MAX';

interface StoredRow {
  pk: PkCell[];
  cols: Map<string, { cell: Cell; ts: number }>;
}
interface Table {
  name: string;
  pk: Array<{ name: string; type: PkType }>;
  timeToLive: number;
  maxVersions: number;
  rows: Map<string, StoredRow>;
}

export type FakeOperation =
  | 'getRow'
  | 'putRow'
  | 'updateRow'
  | 'deleteRow'
  | 'getRange'
  | 'createTable'
  | 'listTable';

/** A fault to inject into the next call(s) of one operation. */
export type Fault =
  /** The service answers with this OTS error; nothing is applied. */
  | { readonly kind: 'ots'; readonly status: number; readonly code: string; readonly message?: string }
  /** The connection fails before the request reaches the service. */
  | { readonly kind: 'network' }
  /** The request IS applied, then the connection drops before the answer arrives. */
  | { readonly kind: 'lost-response' };

export interface FakeTablestoreOptions {
  /** Seed for the interleaving jitter (default 1). */
  readonly seed?: number;
  /** Max event-loop yields before and after each call (default 3; 0 makes calls as synchronous as possible). */
  readonly maxYields?: number;
  /** Rows per GetRange response before `nextStartPrimaryKey` is set (the service uses 5000). */
  readonly rangePageSize?: number;
}

const require = createRequire(import.meta.url);
const protos = require('tablestore/lib/protocol/tablestore_compiled_proto.js').main.proto as {
  Error: {
    create(o: { code: string; message: string }): unknown;
    encode(m: unknown): { finish(): Uint8Array };
  };
};
const Int64Class = TableStore.Long.fromNumber(0).constructor as new (...args: never[]) => TableStore.Int64;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function isInt64(v: unknown): v is TableStore.Int64 {
  return v instanceof Int64Class;
}

/** The error object the SDK produces for a non-2xx answer carrying an OTS error body. */
export function sdkServiceError(status: number, code: string, message: string, requestId: string): Error {
  const body = Buffer.from(protos.Error.encode(protos.Error.create({ code, message })).finish());
  const err = new Error(`${body.toString()} requestId:${requestId}`) as Error & Record<string, unknown>;
  err.code = status;
  err.headers = { 'x-ots-requestid': requestId };
  err.time = new Date(0);
  err.retryable = false;
  return err;
}

function sdkNetworkError(): Error {
  const err = new Error('socket hang up') as Error & Record<string, unknown>;
  err.code = 'NetworkingError';
  err.retryable = true;
  return err;
}

function toCell(v: unknown): Cell {
  if (typeof v === 'number') return { t: 'DOUBLE', v };
  if (typeof v === 'string') return { t: 'STRING', v };
  if (typeof v === 'boolean') return { t: 'BOOLEAN', v };
  if (Buffer.isBuffer(v)) return { t: 'BINARY', v: Buffer.from(v) };
  if (isInt64(v)) return { t: 'INTEGER', v: BigInt(v.toString(10)) };
  // The SDK's plain-buffer encoder throws exactly this before sending.
  throw new Error(`Unsupported column type: ${typeof v}`);
}

function fromCell(c: Cell): TableStore.ColumnValue {
  switch (c.t) {
    case 'INTEGER':
      return TableStore.Long.fromString(c.v.toString());
    case 'BINARY':
      return Buffer.from(c.v);
    default:
      return c.v;
  }
}

function compareCells(a: Cell, b: Cell): number {
  switch (a.t) {
    case 'INTEGER':
      return a.v < (b.v as bigint) ? -1 : a.v > (b.v as bigint) ? 1 : 0;
    case 'DOUBLE':
      return a.v < (b.v as number) ? -1 : a.v > (b.v as number) ? 1 : 0;
    case 'STRING':
      return Buffer.compare(Buffer.from(a.v, 'utf8'), Buffer.from(b.v as string, 'utf8'));
    case 'BOOLEAN':
      return Number(a.v) - Number(b.v as boolean);
    case 'BINARY':
      return Buffer.compare(a.v, b.v as Buffer);
  }
}

function compareBounds(a: Bound, b: Bound): number {
  if (a === b) return 0;
  if (a === 'INF_MIN' || b === 'INF_MAX') return -1;
  if (a === 'INF_MAX' || b === 'INF_MIN') return 1;
  return compareCells(a, b);
}

function compareKeys(a: readonly Bound[], b: readonly Bound[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = compareBounds(a[i] ?? 'INF_MIN', b[i] ?? 'INF_MIN');
    if (c !== 0) return c;
  }
  return 0;
}

function rowKey(pk: readonly PkCell[]): string {
  return pk.map((c) => `${c.t}:${c.t === 'BINARY' ? c.v.toString('hex') : String(c.v)}`).join('\u0000');
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A recorded call, for assertions about what the adapter sent. */
export interface RecordedCall {
  readonly op: FakeOperation;
  readonly params: unknown;
}

export class FakeTablestoreClient {
  private readonly tables = new Map<string, Table>();
  private readonly faults = new Map<FakeOperation, Fault[]>();
  private readonly random: () => number;
  private readonly maxYields: number;
  private readonly rangePageSize: number;
  private requestCounter = 0;
  private versionClock = 1_700_000_000_000;
  /** Every call in order (params by reference). */
  readonly calls: RecordedCall[] = [];

  constructor(opts: FakeTablestoreOptions = {}) {
    this.random = mulberry32(opts.seed ?? 1);
    this.maxYields = opts.maxYields ?? 3;
    this.rangePageSize = opts.rangePageSize ?? 5000;
  }

  // -- test controls --------------------------------------------------------------------------

  /** Makes the next `times` calls of `op` fail with `fault`. */
  failNext(op: FakeOperation, fault: Fault, times = 1): void {
    const q = this.faults.get(op) ?? [];
    for (let i = 0; i < times; i++) q.push(fault);
    this.faults.set(op, q);
  }

  /** The stored columns of a row as plain values (integers as numbers), or undefined. Bypasses everything. */
  peekRow(tableName: string, primaryKey: TableStore.PrimaryKeyInput): Record<string, unknown> | undefined {
    const table = this.mustTable(tableName, 'peekRow');
    const row = table.rows.get(rowKey(this.parsePk(table, primaryKey, false) as PkCell[]));
    if (row === undefined) return undefined;
    const out: Record<string, unknown> = {};
    for (const [name, { cell }] of row.cols)
      out[name] = cell.t === 'INTEGER' ? Number(cell.v) : fromCell(cell);
    return out;
  }

  /** Writes a row's columns directly (no condition), e.g. to plant a row another tool wrote. */
  plantRow(
    tableName: string,
    primaryKey: TableStore.PrimaryKeyInput,
    columns: Record<string, TableStore.ColumnValue>,
  ): void {
    const table = this.mustTable(tableName, 'plantRow');
    const pk = this.parsePk(table, primaryKey, false) as PkCell[];
    const cols = new Map<string, { cell: Cell; ts: number }>();
    for (const [name, value] of Object.entries(columns))
      cols.set(name, { cell: toCell(value), ts: this.tick() });
    table.rows.set(rowKey(pk), { pk, cols });
  }

  /** Removes one column from a stored row (simulates a partial write by another tool). */
  dropColumn(tableName: string, primaryKey: TableStore.PrimaryKeyInput, column: string): void {
    const table = this.mustTable(tableName, 'dropColumn');
    table.rows.get(rowKey(this.parsePk(table, primaryKey, false) as PkCell[]))?.cols.delete(column);
  }

  tableNames(): string[] {
    return [...this.tables.keys()].sort();
  }

  tableOptions(
    tableName: string,
  ): { timeToLive: number; maxVersions: number; primaryKey: Table['pk'] } | undefined {
    const t = this.tables.get(tableName);
    return (
      t && { timeToLive: t.timeToLive, maxVersions: t.maxVersions, primaryKey: t.pk.map((c) => ({ ...c })) }
    );
  }

  // -- TableStore.Client surface --------------------------------------------------------------

  createTable(params: TableStore.CreateTableParams): Promise<unknown> {
    return this.exec('createTable', params, () => {
      if (!params.reservedThroughput || !params.tableOptions) {
        throw new Error('reservedThroughput and tableOptions are required');
      }
      const name = params.tableMeta.tableName;
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(name)) {
        throw this.serviceError(400, 'OTSParameterInvalid', `Invalid table name: '${name}'.`);
      }
      const pk = params.tableMeta.primaryKey;
      if (
        pk.length < 1 ||
        pk.length > 4 ||
        pk.some((c) => !['STRING', 'INTEGER', 'BINARY'].includes(c.type))
      ) {
        throw this.serviceError(
          400,
          'OTSParameterInvalid',
          'The number or type of primary key columns is invalid.',
        );
      }
      const { timeToLive, maxVersions } = params.tableOptions;
      if (timeToLive !== -1 && !(Number.isInteger(timeToLive) && timeToLive >= 86_400)) {
        throw this.serviceError(
          400,
          'OTSParameterInvalid',
          'TimeToLive must be -1 or at least 86400 seconds.',
        );
      }
      if (!(Number.isInteger(maxVersions) && maxVersions >= 1)) {
        throw this.serviceError(400, 'OTSParameterInvalid', 'MaxVersions must be a positive integer.');
      }
      if (this.tables.has(name))
        throw this.serviceError(409, 'OTSObjectAlreadyExist', 'Requested table already exists.');
      this.tables.set(name, {
        name,
        pk: pk.map((c) => ({ name: c.name, type: c.type })),
        timeToLive,
        maxVersions,
        rows: new Map(),
      });
      return {};
    });
  }

  listTable(params: Record<string, never>): Promise<TableStore.ListTableResponse> {
    return this.exec('listTable', params, () => ({ tableNames: this.tableNames() }));
  }

  getRow(params: TableStore.GetRowParams): Promise<TableStore.RowResponse> {
    return this.exec('getRow', params, () => {
      const table = this.mustTable(params.tableName);
      const pk = this.parsePk(table, params.primaryKey, false) as PkCell[];
      const row = table.rows.get(rowKey(pk));
      const decoded = row === undefined ? {} : this.decodeRow(table, row, params.columnsToGet);
      return { consumed: { capacityUnit: { read: 1, write: 0 } }, row: decoded };
    });
  }

  putRow(params: TableStore.PutRowParams): Promise<TableStore.RowResponse> {
    return this.exec('putRow', params, () => {
      const table = this.mustTable(params.tableName);
      const pk = this.parsePk(table, params.primaryKey, false) as PkCell[];
      const cols = new Map<string, { cell: Cell; ts: number }>();
      for (const obj of params.attributeColumns ?? []) {
        for (const [name, value] of Object.entries(obj)) {
          if (name === 'timestamp') continue;
          cols.set(name, { cell: toCell(value), ts: this.tick() });
        }
      }
      const key = rowKey(pk);
      this.checkCondition(params.condition, table.rows.get(key));
      table.rows.set(key, { pk, cols });
      return { consumed: { capacityUnit: { read: 0, write: 1 } }, row: {} };
    });
  }

  updateRow(params: TableStore.UpdateRowParams): Promise<TableStore.RowResponse> {
    return this.exec('updateRow', params, () => {
      const table = this.mustTable(params.tableName);
      const pk = this.parsePk(table, params.primaryKey, false) as PkCell[];
      const key = rowKey(pk);
      const existing = table.rows.get(key);
      this.checkCondition(params.condition, existing);
      const cols = new Map(existing?.cols ?? []);
      for (const change of params.updateOfAttributeColumns ?? []) {
        for (const [type, columns] of Object.entries(change) as Array<[string, unknown[]]>) {
          if (type === 'PUT') {
            for (const obj of columns as Array<Record<string, unknown>>) {
              for (const [name, value] of Object.entries(obj))
                cols.set(name, { cell: toCell(value), ts: this.tick() });
            }
          } else if (type === 'DELETE_ALL' || type === 'DELETE') {
            for (const c of columns) cols.delete(typeof c === 'string' ? c : Object.keys(c as object)[0]!);
          } else if (type === 'INCREMENT') {
            for (const obj of columns as Array<Record<string, unknown>>) {
              for (const [name, value] of Object.entries(obj)) {
                const delta = toCell(value);
                const current = cols.get(name)?.cell;
                if (delta.t !== 'INTEGER' || (current !== undefined && current.t !== 'INTEGER')) {
                  throw this.serviceError(
                    400,
                    'OTSParameterInvalid',
                    `Increment on non-integer column ${name}.`,
                  );
                }
                const base = current === undefined ? 0n : (current.v as bigint);
                cols.set(name, { cell: { t: 'INTEGER', v: base + delta.v }, ts: this.tick() });
              }
            }
          } else {
            throw new Error(`Expect TableStore.UpdateType but it was:${type}`);
          }
          break; // the SDK encodes one update type per object
        }
      }
      table.rows.set(key, { pk, cols });
      return { consumed: { capacityUnit: { read: 0, write: 1 } }, row: {} };
    });
  }

  deleteRow(params: TableStore.DeleteRowParams): Promise<TableStore.RowResponse> {
    return this.exec('deleteRow', params, () => {
      const table = this.mustTable(params.tableName);
      const key = rowKey(this.parsePk(table, params.primaryKey, false) as PkCell[]);
      this.checkCondition(params.condition, table.rows.get(key));
      table.rows.delete(key);
      return { consumed: { capacityUnit: { read: 0, write: 1 } }, row: {} };
    });
  }

  getRange(params: TableStore.GetRangeParams): Promise<TableStore.GetRangeResponse> {
    return this.exec('getRange', params, () => {
      const table = this.mustTable(params.tableName);
      const start = this.parsePk(table, params.inclusiveStartPrimaryKey, true);
      const end = this.parsePk(table, params.exclusiveEndPrimaryKey, true);
      const forward = params.direction === 'FORWARD';
      if (params.direction !== 'FORWARD' && params.direction !== 'BACKWARD') {
        throw this.serviceError(400, 'OTSParameterInvalid', 'Direction must be FORWARD or BACKWARD.');
      }
      const order = compareKeys(start, end);
      if (forward ? order > 0 : order < 0) {
        throw this.serviceError(
          400,
          'OTSParameterInvalid',
          forward
            ? 'Begin key must less than end key in FORWARD'
            : 'Begin key must more than end key in BACKWARD',
        );
      }
      if (params.limit !== undefined && !(Number.isInteger(params.limit) && params.limit > 0)) {
        throw this.serviceError(400, 'OTSParameterInvalid', 'Limit must be a positive integer.');
      }
      const inRange = [...table.rows.values()]
        .filter((r) =>
          forward
            ? compareKeys(r.pk, start) >= 0 && compareKeys(r.pk, end) < 0
            : compareKeys(r.pk, start) <= 0 && compareKeys(r.pk, end) > 0,
        )
        .sort((a, b) => (forward ? compareKeys(a.pk, b.pk) : compareKeys(b.pk, a.pk)));
      const take = Math.min(params.limit ?? Number.POSITIVE_INFINITY, this.rangePageSize);
      const page = inRange.slice(0, take);
      const next = inRange[take];
      return {
        consumed: { capacityUnit: { read: Math.max(1, page.length), write: 0 } },
        rows: page.map((r) => this.decodeRow(table, r, params.columnsToGet)),
        nextStartPrimaryKey:
          next === undefined
            ? null
            : next.pk.map((c, i) => ({
                name: table.pk[i]!.name,
                value: fromCell(c) as TableStore.PrimaryKeyValue,
              })),
      };
    });
  }

  // -- internals --------------------------------------------------------------------------------

  private async exec<R>(op: FakeOperation, params: unknown, apply: () => R): Promise<R> {
    this.calls.push({ op, params });
    await this.jitter();
    const fault = this.faults.get(op)?.shift();
    if (fault?.kind === 'network') throw sdkNetworkError();
    if (fault?.kind === 'ots') {
      throw this.serviceError(fault.status, fault.code, fault.message ?? `injected ${fault.code}`);
    }
    const result = apply();
    await this.jitter();
    if (fault?.kind === 'lost-response') throw sdkNetworkError();
    return result;
  }

  private async jitter(): Promise<void> {
    const hops = Math.floor(this.random() * (this.maxYields + 1));
    for (let i = 0; i < hops; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private tick(): number {
    this.versionClock += 1;
    return this.versionClock;
  }

  private serviceError(status: number, code: string, message: string): Error {
    this.requestCounter += 1;
    return sdkServiceError(status, code, message, `fake-${this.requestCounter.toString().padStart(8, '0')}`);
  }

  private mustTable(name: string, _why?: string): Table {
    const t = this.tables.get(name);
    if (t === undefined) throw this.serviceError(404, 'OTSObjectNotExist', 'Requested table does not exist.');
    return t;
  }

  private parsePk(table: Table, input: TableStore.PrimaryKeyInput, allowBounds: boolean): Bound[] {
    if (!Array.isArray(input)) throw new TypeError('primaryKey must be an array of single-column objects');
    const out: Bound[] = [];
    for (const [i, obj] of input.entries()) {
      const entries = Object.entries(obj);
      const schema = table.pk[i];
      if (entries.length !== 1 || schema === undefined || entries[0]![0] !== schema.name) {
        throw this.serviceError(
          400,
          'OTSParameterInvalid',
          `Validate PK name fail. Input: ${entries[0]?.[0]}, Meta: ${schema?.name}.`,
        );
      }
      const value = entries[0]![1];
      if (value === TableStore.INF_MIN || value === TableStore.INF_MAX) {
        if (!allowBounds)
          throw this.serviceError(400, 'OTSParameterInvalid', 'INF_MIN/INF_MAX are only valid in GetRange.');
        out.push(value === TableStore.INF_MIN ? 'INF_MIN' : 'INF_MAX');
        continue;
      }
      // The SDK rejects anything else (a JS number included) while sizing the request.
      if (!(typeof value === 'string' || isInt64(value) || Buffer.isBuffer(value))) {
        throw new Error(`Unsupported primary key type:${typeof value}`);
      }
      const cell = toCell(value) as PkCell;
      if (cell.t !== schema.type) {
        throw this.serviceError(
          400,
          'OTSParameterInvalid',
          `Validate PK type fail. Input: ${cell.t}, Meta: ${schema.type}.`,
        );
      }
      if (cell.t === 'INTEGER' && (cell.v < INT64_MIN || cell.v > INT64_MAX)) {
        throw this.serviceError(400, 'OTSParameterInvalid', 'Integer primary key out of range.');
      }
      out.push(cell);
    }
    if (out.length !== table.pk.length) {
      throw this.serviceError(
        400,
        'OTSParameterInvalid',
        'The number of primary key columns must be the same as the table meta.',
      );
    }
    return out;
  }

  private decodeRow(table: Table, row: StoredRow, columnsToGet: string[] | undefined): TableStore.Row {
    const names = [...row.cols.keys()]
      .filter((n) => !columnsToGet?.length || columnsToGet.includes(n))
      .sort();
    if (columnsToGet?.length && names.length === 0) return {};
    return {
      primaryKey: row.pk.map((c, i) => ({
        name: table.pk[i]!.name,
        value: fromCell(c) as TableStore.PrimaryKeyValue,
      })),
      attributes: names.map((name) => {
        const { cell, ts } = row.cols.get(name)!;
        return { columnName: name, columnValue: fromCell(cell), timestamp: TableStore.Long.fromNumber(ts) };
      }),
    };
  }

  private checkCondition(condition: TableStore.Condition | undefined, row: StoredRow | undefined): void {
    if (condition === undefined || condition === null) {
      // What the SDK's encoder does when `condition` is omitted on a write.
      throw new TypeError("Cannot read properties of undefined (reading 'rowExistenceExpectation')");
    }
    if (!(condition instanceof TableStore.Condition)) {
      throw new TypeError('condition must be a TableStore.Condition');
    }
    const expectation = condition.rowExistenceExpectation;
    const fail = (): Error => this.serviceError(403, 'OTSConditionCheckFail', 'Condition check failed.');
    if (expectation === TableStore.RowExistenceExpectation.EXPECT_EXIST && row === undefined) throw fail();
    if (expectation === TableStore.RowExistenceExpectation.EXPECT_NOT_EXIST && row !== undefined)
      throw fail();
    const cc = condition.columnCondition;
    if (cc === null || cc === undefined) return;
    if (countSingles(cc) > 10) {
      throw this.serviceError(
        400,
        'OTSParameterInvalid',
        'The number of column conditions exceeds the limit of 10.',
      );
    }
    if (!this.evaluate(cc, row)) throw fail();
  }

  private evaluate(cc: TableStore.ColumnCondition, row: StoredRow | undefined): boolean {
    if (cc instanceof TableStore.SingleColumnCondition) {
      const stored = row?.cols.get(cc.columnName)?.cell;
      // The SDK sends filterIfMissing = !passIfMissing; passIfMissing is true unless false was passed.
      if (stored === undefined) return cc.passIfMissing;
      const value = toCell(cc.columnValue);
      if (value.t !== stored.t) {
        throw this.serviceError(
          400,
          'OTSParameterInvalid',
          `Column ${cc.columnName} is ${stored.t} but the condition compares a ${value.t}.`,
        );
      }
      const c = compareCells(stored, value);
      const C = TableStore.ComparatorType;
      switch (cc.comparator) {
        case C.EQUAL:
          return c === 0;
        case C.NOT_EQUAL:
          return c !== 0;
        case C.GREATER_THAN:
          return c > 0;
        case C.GREATER_EQUAL:
          return c >= 0;
        case C.LESS_THAN:
          return c < 0;
        case C.LESS_EQUAL:
          return c <= 0;
        default:
          throw this.serviceError(400, 'OTSParameterInvalid', `Unknown comparator ${cc.comparator}.`);
      }
    }
    if (cc instanceof TableStore.CompositeCondition) {
      const subs = cc.sub_conditions;
      const L = TableStore.LogicalOperator;
      if (cc.combinator === L.NOT) {
        if (subs.length !== 1)
          throw this.serviceError(400, 'OTSParameterInvalid', 'NOT takes exactly one sub-condition.');
        return !this.evaluate(subs[0]!, row);
      }
      if (subs.length === 0)
        throw this.serviceError(400, 'OTSParameterInvalid', 'Composite condition has no sub-conditions.');
      if (cc.combinator === L.AND) return subs.every((s) => this.evaluate(s, row));
      if (cc.combinator === L.OR) return subs.some((s) => this.evaluate(s, row));
      throw this.serviceError(400, 'OTSParameterInvalid', `Unknown logical operator ${cc.combinator}.`);
    }
    // The SDK encoder rejects anything that is not one of its condition classes.
    throw new Error('expect CompositeCondition, RelationCondition, ColumnPaginationFilter but not ');
  }
}

function countSingles(cc: TableStore.ColumnCondition): number {
  if (cc instanceof TableStore.CompositeCondition) {
    return cc.sub_conditions.reduce<number>((n, s) => n + countSingles(s), 0);
  }
  return 1;
}

/** Every `SingleColumnCondition` in a request's condition tree (for asserting how the adapter built them). */
export function singleConditionsOf(params: unknown): TableStore.SingleColumnCondition[] {
  const condition = (params as { condition?: unknown } | null)?.condition;
  if (!(condition instanceof TableStore.Condition) || condition.columnCondition === null) return [];
  const out: TableStore.SingleColumnCondition[] = [];
  const walk = (c: TableStore.ColumnCondition): void => {
    if (c instanceof TableStore.SingleColumnCondition) out.push(c);
    else if (c instanceof TableStore.CompositeCondition) c.sub_conditions.forEach(walk);
  };
  walk(condition.columnCondition);
  return out;
}
